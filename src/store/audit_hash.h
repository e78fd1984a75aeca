/* SPDX-License-Identifier: MIT */
/* The audit log's hash chain: the one definition of a row's hash, shared by writer and verifier. */
#ifndef VSD_AUDIT_HASH_H
#define VSD_AUDIT_HASH_H

#include <stdint.h>

/* Length of a row hash in hex characters (SHA-256), without the terminating NUL. */
#define VSD_AUDIT_HASH_HEX 64
/* prev_hash of the first row: 64 zeros. */
#define VSD_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* Compute the hash of one audit row into OUT (VSD_AUDIT_HASH_HEX + 1 bytes,
 * lower-case hex, NUL-terminated):
 *
 *   hash = SHA-256( prev_hash "\n" field(id) field(ts_ms) field(actor)
 *                   field(action) field(detail) )
 *
 * where field(x) is "<decimal byte length>:<bytes>\n" of x's text (id and
 * ts_ms as decimal integers) and a NULL DETAIL is the two bytes "-\n", so no
 * field can run into its neighbour and NULL differs from "". PREV_HASH is the
 * previous row's hash, VSD_AUDIT_GENESIS for the first row; ACTOR and ACTION
 * must not be NULL. Returns 0, -EINVAL on a NULL argument, -EIO if the digest
 * fails. */
int vsd_audit_row_hash(const char *prev_hash, int64_t id, int64_t ts_ms, const char *actor,
                       const char *action, const char *detail, char *out);

#endif
