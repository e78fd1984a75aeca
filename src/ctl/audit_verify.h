/* SPDX-License-Identifier: MIT */
/* The auditor's check of the audit hash chain: walk every row, report the first broken link. */
#ifndef VSD_AUDIT_VERIFY_H
#define VSD_AUDIT_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "audit_hash.h"

/* What a walk of the chain found. On a broken link, BAD_ID is the first row
 * that does not fit, WHAT says which check failed, EXPECTED and STORED are the
 * two hashes that differ (or ids, in decimal, for an id out of sequence). */
struct vsd_audit_verdict {
    bool ok;
    uint64_t rows;                     /* rows checked (all of them when ok) */
    int64_t head_id;                   /* last good row, 0 for an empty chain */
    char head[VSD_AUDIT_HASH_HEX + 1]; /* its hash, VSD_AUDIT_GENESIS when empty */
    int64_t bad_id;                    /* first broken row, when !ok */
    char what[160];                    /* one sentence on the broken link, when !ok */
    char expected[VSD_AUDIT_HASH_HEX + 1];
    char stored[VSD_AUDIT_HASH_HEX + 1];
};

/* Walk the audit table of DB in id order inside one read transaction (or the
 * caller's, if one is open) and check every link: ids run 1, 2, 3...; each
 * prev_hash is the previous row's hash (VSD_AUDIT_GENESIS for the first); each
 * hash is vsd_audit_row_hash() of the row. An edited, deleted, inserted or
 * reordered row breaks one of these. Fills *RET; a broken chain is not an
 * error (ret->ok is false). Returns 0, or negative errno with ERR set when the
 * table cannot be read. */
int vsd_audit_verify(sqlite3 *db, struct vsd_audit_verdict *ret, char *err, size_t errlen);

/* The stored head of the chain (the row with the highest id) without checking
 * it: *ID 0 and VSD_AUDIT_GENESIS when empty. HASH has VSD_AUDIT_HASH_HEX + 1
 * bytes. Run it inside the export's read transaction to pin the snapshot.
 * Returns 0 or negative errno with ERR set. */
int vsd_audit_head(sqlite3 *db, int64_t *id, char *hash, char *err, size_t errlen);

/* ---- Anchors: a head known from outside the database ---- */

enum vsd_anchor_status {
    VSD_ANCHOR_OK,         /* a row of the verified chain: nothing up to it was changed */
    VSD_ANCHOR_MISSING,    /* no such row: rows deleted from the end, or the chain rewritten */
    VSD_ANCHOR_CHANGED,    /* the row holds another hash: the chain was rewritten */
    VSD_ANCHOR_UNVERIFIED, /* the row is there, but the chain breaks before it */
};

struct vsd_anchor_verdict {
    enum vsd_anchor_status status;
    int64_t id;     /* the anchor's row, when found */
    char what[320]; /* one sentence, for the auditor */
};

/* Check the head WANT_ID/WANT (WANT_ID < 0: any row with hash WANT) against DB, where V is the
 * verdict of vsd_audit_verify() in the same read transaction. The head the daemon published, or
 * the one an export manifest names, must still be a row of the verified chain with that hash:
 * deleting rows from the end, or recomputing the whole chain, loses it. Rows added after the
 * anchor are not vouched for. Returns 0 (OUT filled), or negative errno with ERR set. */
int vsd_audit_anchor_check(sqlite3 *db, const struct vsd_audit_verdict *v, int64_t want_id,
                           const char *want, struct vsd_anchor_verdict *out, char *err,
                           size_t errlen);

/* ---- The tables the report reads, against the chain ---- */

typedef void (*vsd_audit_problem_fn)(void *ctx, const char *line);

struct vsd_records_verdict {
    uint64_t sessions; /* sessions rows checked */
    uint64_t acks;     /* acknowledged alerts checked */
    uint64_t problems; /* rows of either side without a matching counterpart */
    bool recent;       /* a table row without its audit row is as new as the chain's newest row:
                        * its audit row may not be committed yet, check again */
};

/* In the caller's read transaction: every sessions row (started_by, ended_by and their times)
 * and every acknowledged alert (acked_by, acked_ms) must match an accepted session_start,
 * session_end or alert_ack row among audit rows 1 to MAX_ID (same session or alert, bed, actor,
 * time within 1 s), and each such audit row a table row. Each mismatch (an edited, added or
 * deleted table row) is told to FN (may be NULL) as one line. Returns 0 (OUT filled), or
 * negative errno with ERR set. */
int vsd_audit_records_check(sqlite3 *db, int64_t max_id, vsd_audit_problem_fn fn, void *ctx,
                            struct vsd_records_verdict *out, char *err, size_t errlen);

/* ---- vitalsctl audit verify ---- */

struct ctl;
struct vsd_audit_verify_opts {
    const char *expect_head; /* --expect-head HASH: a head published by the daemon; NULL: none */
    const char *manifest;    /* --manifest FILE: an export manifest; NULL: none */
};
/* Verify the chain, the anchors asked for and the records, in one read snapshot, printing one
 * line per finding. Returns the exit status: 0 all hold, 1 any does not, 2 a bad HASH or an
 * unreadable manifest, 69 the database cannot be read. */
int vsd_ctl_audit_verify(struct ctl *c, const struct vsd_audit_verify_opts *o);

#endif
