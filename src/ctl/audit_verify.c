/* SPDX-License-Identifier: MIT */
/* Walks the audit hash chain row by row and names the first link that does not hold. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "audit_verify.h"
#include "store_schema.h"

static const char verify_query[] =
    "SELECT id, ts_ms, actor, action, detail, prev_hash, hash FROM audit ORDER BY id";

static void copy_hash(char *dst, const unsigned char *src)
{
    snprintf(dst, VSD_AUDIT_HASH_HEX + 1, "%s", src ? (const char *)src : "(null)");
}

/* Check the current row of ST against the verdict so far; false on a broken link. */
static bool check_row(sqlite3_stmt *st, struct vsd_audit_verdict *v)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const unsigned char *prev = sqlite3_column_text(st, 5);
    const unsigned char *stored = sqlite3_column_text(st, 6);
    const char *actor = (const char *)sqlite3_column_text(st, 2);
    const char *action = (const char *)sqlite3_column_text(st, 3);
    char hash[VSD_AUDIT_HASH_HEX + 1] = "";

    v->bad_id = id;
    if (!prev || strcmp((const char *)prev, v->head) != 0) {
        if (v->head_id == 0)
            snprintf(v->what, sizeof(v->what),
                     "prev_hash of the first row %" PRId64 " is not the genesis hash "
                     "(a row before it was deleted, inserted or moved)",
                     id);
        else
            snprintf(v->what, sizeof(v->what),
                     "prev_hash of row %" PRId64 " is not the hash of row %" PRId64
                     " (a row before it was deleted, inserted or moved)",
                     id, v->head_id);
        snprintf(v->expected, sizeof(v->expected), "%s", v->head);
        copy_hash(v->stored, prev);
        return false;
    }
    if (id != v->head_id + 1) {
        snprintf(v->what, sizeof(v->what),
                 "row id %" PRId64 " follows row %" PRId64 " (ids must run without gaps)", id,
                 v->head_id);
        snprintf(v->expected, sizeof(v->expected), "%" PRId64, v->head_id + 1);
        snprintf(v->stored, sizeof(v->stored), "%" PRId64, id);
        return false;
    }
    if (!actor || !action ||
        vsd_audit_row_hash(v->head, id, sqlite3_column_int64(st, 1), actor, action,
                           (const char *)sqlite3_column_text(st, 4), hash) < 0 ||
        !stored || strcmp(hash, (const char *)stored) != 0) {
        snprintf(v->what, sizeof(v->what),
                 "row %" PRId64 " does not match its hash (the row was changed or forged)", id);
        snprintf(v->expected, sizeof(v->expected), "%s", *hash ? hash : "(cannot compute)");
        copy_hash(v->stored, stored);
        return false;
    }
    v->head_id = id;
    memcpy(v->head, hash, sizeof(hash));
    v->rows++;
    v->bad_id = 0;
    return true;
}

int vsd_audit_verify(sqlite3 *db, struct vsd_audit_verdict *ret, char *err, size_t errlen)
{
    struct vsd_audit_verdict v = {.ok = true, .head = VSD_AUDIT_GENESIS};
    sqlite3_stmt *st = NULL;
    bool own_txn;
    int rc, r = 0;

    if (!db || !ret)
        return -EINVAL;
    own_txn = sqlite3_get_autocommit(db);
    rc = own_txn ? sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, verify_query, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (!check_row(st, &v)) {
            v.ok = false;
            break;
        }
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        vsd_schema_errf(err, errlen, "audit: cannot read the audit log: %s", sqlite3_errmsg(db));
        r = vsd_schema_errno(rc);
        goto fail;
    }
    *ret = v;
fail:
    sqlite3_finalize(st);
    if (own_txn && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return r;
}

int vsd_audit_head(sqlite3 *db, int64_t *id, char *hash, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc, r = 0;

    rc = sqlite3_prepare_v2(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", -1, &st,
                            NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        copy_hash(hash, sqlite3_column_text(st, 1));
    } else if (rc == SQLITE_DONE) {
        *id = 0;
        snprintf(hash, VSD_AUDIT_HASH_HEX + 1, "%s", VSD_AUDIT_GENESIS);
    } else {
        vsd_schema_errf(err, errlen, "audit: cannot read the chain head: %s", sqlite3_errmsg(db));
        r = vsd_schema_errno(rc);
    }
    sqlite3_finalize(st);
    return r;
}
