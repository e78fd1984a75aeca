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

#endif
