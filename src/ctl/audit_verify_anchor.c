/* SPDX-License-Identifier: MIT */
/* Checks a chain head known from outside the database (the daemon's published head, an export
 * manifest) against the chain: deleted newest rows and a recomputed chain both lose it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit_verify.h"
#include "store_schema.h"

/* The row with ID (then *HASH is its stored hash) or, ID < 0, the first row with HASH (then *ID
 * is its id). Returns SQLITE_ROW, SQLITE_DONE (no such row) or an error. */
static int lookup(sqlite3 *db, int64_t *id, char *hash)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                *id >= 0 ? "SELECT id, hash FROM audit WHERE id = ?1"
                                         : "SELECT id, hash FROM audit WHERE hash = ?1 "
                                           "ORDER BY id LIMIT 1",
                                -1, &st, NULL);

    if (rc == SQLITE_OK) {
        if (*id >= 0)
            sqlite3_bind_int64(st, 1, *id);
        else
            sqlite3_bind_text(st, 1, hash, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW) {
        const unsigned char *h = sqlite3_column_text(st, 1);
        *id = sqlite3_column_int64(st, 0);
        snprintf(hash, VSD_AUDIT_HASH_HEX + 1, "%s", h ? (const char *)h : "(null)");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Fill OUT for an anchor that is not (or no longer) a row of the chain. */
static void lost(const struct vsd_audit_verdict *v, int64_t want_id, const char *want,
                 struct vsd_anchor_verdict *out)
{
    out->status = VSD_ANCHOR_MISSING;
    if (want_id >= 0)
        snprintf(out->what, sizeof(out->what),
                 "row %" PRId64 " is not in the chain, which now ends at row %" PRId64
                 ": rows were deleted from its end",
                 want_id, v->head_id);
    else
        snprintf(out->what, sizeof(out->what),
                 "no row of the chain has hash %s: rows were deleted from its end, or the chain "
                 "was rewritten (every hash recomputed) since that head was taken; the chain "
                 "now ends at row %" PRId64,
                 want, v->head_id);
}

int vsd_audit_anchor_check(sqlite3 *db, const struct vsd_audit_verdict *v, int64_t want_id,
                           const char *want, struct vsd_anchor_verdict *out, char *err,
                           size_t errlen)
{
    char hash[VSD_AUDIT_HASH_HEX + 1];
    int64_t id = want_id;
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(hash, sizeof(hash), "%s", want);
    if (want_id <= 0 && strcmp(want, VSD_AUDIT_GENESIS) == 0) {
        snprintf(out->what, sizeof(out->what), "the empty chain, which every chain extends");
        return 0; /* taken before the first row */
    }
    rc = lookup(db, &id, hash);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        vsd_schema_errf(err, errlen, "audit: cannot read the audit log: %s", sqlite3_errmsg(db));
        return vsd_schema_errno(rc);
    }
    out->id = id;
    if (rc == SQLITE_DONE) {
        lost(v, want_id, want, out);
    } else if (strcmp(hash, want) != 0) {
        out->status = VSD_ANCHOR_CHANGED;
        snprintf(out->what, sizeof(out->what),
                 "row %" PRId64 " now has hash %s, not %s: the chain was rewritten (its hashes "
                 "recomputed) after that head was taken",
                 id, hash, want);
    } else if (!v->ok && id >= v->bad_id) {
        out->status = VSD_ANCHOR_UNVERIFIED;
        snprintf(out->what, sizeof(out->what),
                 "row %" PRId64 " has that hash, but the chain breaks before it, at row %" PRId64,
                 id, v->bad_id);
    } else {
        snprintf(out->what, sizeof(out->what),
                 "row %" PRId64 " of the verified chain, %" PRId64 " rows after it", id,
                 v->head_id - id);
    }
    return 0;
}
