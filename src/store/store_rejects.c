/* SPDX-License-Identifier: MIT */
/* The ring of refused staff records (store_rejects.h). */
#include <stdio.h>
#include <string.h>

#include "store_rejects.h"

static void push(struct vsd_reject_ring *ring, const struct vsd_reject_entry *e)
{
    struct vsd_reject_entry *slot = &ring->e[ring->n++ % VSD_REJECT_RING];

    if (ring->n > VSD_REJECT_RING && slot->hi > ring->lost_hi)
        ring->lost_hi = slot->hi;
    *slot = *e;
}

void vsd_rejects_note(struct vsd_reject_ring *ring, const struct vsd_batch_counts *c,
                      uint64_t first, uint64_t last)
{
    struct vsd_reject_entry e = {0};

    for (size_t i = 0; i < c->n_rejected && i < VSD_REJECT_KEEP; i++) {
        e = (struct vsd_reject_entry){c->rejected[i].ticket, c->rejected[i].ticket, c->rejected[i]};
        push(ring, &e);
    }
    if (c->n_rejected > VSD_REJECT_KEEP) {
        e = (struct vsd_reject_entry){.lo = first, .hi = last};
        snprintf(e.r.what, sizeof(e.r.what), "%zu staff records", c->n_rejected);
        snprintf(e.r.why, sizeof(e.r.why), "refused by the database (see the vitalsd log)");
        push(ring, &e);
    }
}

const struct vsd_reject *vsd_rejects_find(const struct vsd_reject_ring *ring, uint64_t mark,
                                          const char *actor)
{
    static const struct vsd_reject lost = {.what = "staff records",
                                           .why = "refused by the database (see the vitalsd log)"};
    uint64_t n = ring->n < VSD_REJECT_RING ? ring->n : VSD_REJECT_RING;

    for (uint64_t i = 0; i < n; i++) {
        const struct vsd_reject_entry *e = &ring->e[(ring->n - 1 - i) % VSD_REJECT_RING];
        if (e->hi > mark &&
            (!actor || !*e->r.actor || strncmp(e->r.actor, actor, sizeof(e->r.actor) - 1) == 0))
            return &e->r;
    }
    return ring->lost_hi > mark ? &lost : NULL;
}
