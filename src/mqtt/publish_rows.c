/* SPDX-License-Identifier: MIT */
/* The alert events the publisher keeps until the broker acknowledges them: the pending list in
 * seq order, the in-flight window by mid, and the seqs acknowledged before they were stored. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "publish_int.h"

void vsd_row_free(struct row *r)
{
    if (!r)
        return;
    free(r->topic);
    free(r->payload);
    free(r);
}

struct row *vsd_row_new(const char *topic, const char *payload)
{
    struct row *r = calloc(1, sizeof(*r));

    if (r && (!(r->topic = strdup(topic)) || !(r->payload = strdup(payload)))) {
        vsd_row_free(r);
        r = NULL;
    }
    return r;
}

void vsd_rows_free(struct row *r)
{
    while (r) {
        struct row *next = r->next;
        vsd_row_free(r);
        r = next;
    }
}

void vsd_inflight_drop(struct vsd_publish *p, size_t i)
{
    p->inflight[i]->mid = 0;
    p->inflight[i] = p->inflight[--p->n_inflight];
}

ssize_t vsd_inflight_find(struct vsd_publish *p, int mid)
{
    for (size_t i = 0; i < p->n_inflight; i++)
        if (p->inflight[i]->mid == mid)
            return (ssize_t)i;
    return -1;
}

/* libmosquitto just handed out MID: nothing we wait for may still use it. */
void vsd_mid_claim(struct vsd_publish *p, int mid)
{
    ssize_t i = vsd_inflight_find(p, mid);

    if (mid == p->offline_mid)
        p->offline_mid = 0; /* its PUBACK is ambiguous now: wait for the deadline */
    if (i < 0)
        return;
    struct row *r = p->inflight[i];
    vsd_inflight_drop(p, (size_t)i);
    if (!p->cursor || r->seq < p->cursor->seq)
        p->cursor = r; /* send it again */
}

/* Insert R in seq order; -EEXIST if its seq is already pending. */
int vsd_row_insert(struct vsd_publish *p, struct row *r)
{
    struct row *at = p->tail;

    while (at && at->seq > r->seq)
        at = at->prev;
    if (at && at->seq == r->seq)
        return -EEXIST;
    r->prev = at;
    r->next = at ? at->next : p->head;
    if (r->next)
        r->next->prev = r;
    else
        p->tail = r;
    if (at)
        at->next = r;
    else
        p->head = r;
    if (!p->cursor || r->seq < p->cursor->seq)
        p->cursor = r;
    p->n_pending++;
    return 0;
}

void vsd_row_unlink(struct vsd_publish *p, struct row *r)
{
    if (p->cursor == r)
        p->cursor = r->next;
    if (r->prev)
        r->prev->next = r->next;
    else
        p->head = r->next;
    if (r->next)
        r->next->prev = r->prev;
    else
        p->tail = r->prev;
    p->n_pending--;
}

/* SEQ was acknowledged before the store committed its outbox row (the disk is slow or failing). */
void vsd_acked_add(struct vsd_publish *p, int64_t seq)
{
    p->acked[p->acked_next] = seq;
    p->acked_next = (p->acked_next + 1) % ACKED_MAX;
}

/* Was SEQ acknowledged before it was stored? Forgets it (each outbox row comes once). */
bool vsd_acked_take(struct vsd_publish *p, int64_t seq)
{
    for (size_t i = 0; i < ACKED_MAX; i++)
        if (p->acked[i] == seq) {
            p->acked[i] = 0;
            return true;
        }
    return false;
}

struct row *vsd_row_find(struct vsd_publish *p, int64_t seq)
{
    for (struct row *r = p->tail; r && r->seq >= seq; r = r->prev)
        if (r->seq == seq)
            return r;
    return NULL;
}
