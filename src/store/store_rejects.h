/* SPDX-License-Identifier: MIT */
/* Private to the store: the newest staff records the database refused, kept for the commands
 * that wait for their records (vsd_store_sync_since). The store's lock guards the ring. */
#ifndef VSD_STORE_REJECTS_H
#define VSD_STORE_REJECTS_H

#include <stdint.h>

#include "store_sql.h"

#define VSD_REJECT_RING 32

/* A refused staff record (or, LO < HI, an unknown number of them in that ticket range). */
struct vsd_reject_entry {
    uint64_t lo, hi;
    struct vsd_reject r; /* r.actor "" matches any caller */
};

struct vsd_reject_ring {
    struct vsd_reject_entry e[VSD_REJECT_RING];
    uint64_t n;       /* ever added */
    uint64_t lost_hi; /* highest ticket pushed out of the ring */
};

/* After a commit of the tickets FIRST..LAST: keep its refused staff records; more than the
 * batch could list stand for the whole batch. */
void vsd_rejects_note(struct vsd_reject_ring *ring, const struct vsd_batch_counts *c,
                      uint64_t first, uint64_t last);

/* The newest refused staff record by ACTOR (NULL: anyone's) queued after MARK, or NULL. A mark
 * older than what the ring still holds may have lost one: that counts as refused. */
const struct vsd_reject *vsd_rejects_find(const struct vsd_reject_ring *ring, uint64_t mark,
                                          const char *actor);

#endif
