/* SPDX-License-Identifier: MIT */
/* The audit chain head, anchored outside the database: a retained MQTT message and a journal line.
 */
#ifndef VSD_AUDIT_HEAD_H
#define VSD_AUDIT_HEAD_H

#include <stdbool.h>
#include <stdint.h>

#include "audit_hash.h"
#include "clock.h"
#include "publish.h"
#include "store.h"

#define VSD_AUDIT_HEAD_EVERY_MS (5 * 60 * 1000) /* published again at least this often */

/* What was last published. Zero it before the first call. */
struct vsd_audit_anchor {
    bool published;
    int64_t id;
    char hash[VSD_AUDIT_HASH_HEX + 1];
    int64_t mono_ms; /* when */
};

/* On the core thread, every loop and once more after the last commit at shutdown: when the
 * store's committed head differs from the last one published, or VSD_AUDIT_HEAD_EVERY_MS have
 * passed, publish it retained on vitals/<AREA>/audit/head as {"id":N,"hash":"...","time":"..."}
 * (PUB may be NULL) and log "audit head N HASH" at LOG_NOTICE. Whoever later rewrites or cuts
 * the chain in the database cannot take these back. */
void vsd_audit_head_publish(struct vsd_audit_anchor *a, struct vsd_store *store,
                            struct vsd_publish *pub, const char *area,
                            const struct vsd_clock *clock);

#endif
