/* SPDX-License-Identifier: MIT */
/* Thread heartbeats: a counter and a promised time per thread, checked by the main loop. */
#include <errno.h>
#include <stdio.h>

#include "heartbeat.h"

int vsd_heartbeat_set_init(struct vsd_heartbeat_set *set)
{
    set->head = NULL;
    return -pthread_mutex_init(&set->lock, NULL);
}

void vsd_heartbeat_set_destroy(struct vsd_heartbeat_set *set)
{
    pthread_mutex_destroy(&set->lock);
}

void vsd_heartbeat_beat(struct vsd_heartbeat *p, int64_t now_ms, int64_t within_ms)
{
    atomic_store(&p->due_ms, now_ms + within_ms);
    atomic_fetch_add(&p->count, 1);
}

void vsd_heartbeat_add(struct vsd_heartbeat_set *set, struct vsd_heartbeat *p, const char *name,
                       int64_t now_ms, int64_t within_ms)
{
    snprintf(p->name, sizeof(p->name), "%s", name);
    atomic_store(&p->count, 0);
    p->seen = 0;
    vsd_heartbeat_beat(p, now_ms, within_ms);
    if (!set)
        return;
    pthread_mutex_lock(&set->lock);
    p->next = set->head;
    set->head = p;
    pthread_mutex_unlock(&set->lock);
}

void vsd_heartbeat_remove(struct vsd_heartbeat_set *set, struct vsd_heartbeat *p)
{
    if (!set)
        return;
    pthread_mutex_lock(&set->lock);
    for (struct vsd_heartbeat **q = &set->head; *q; q = &(*q)->next)
        if (*q == p) {
            *q = p->next;
            break;
        }
    pthread_mutex_unlock(&set->lock);
}

bool vsd_heartbeat_check(struct vsd_heartbeat_set *set, int64_t now_ms, char *name, size_t size,
                         int64_t *late_ms)
{
    bool all = true;

    pthread_mutex_lock(&set->lock);
    for (struct vsd_heartbeat *p = set->head; p; p = p->next) {
        uint64_t count = atomic_load(&p->count);
        int64_t due = atomic_load(&p->due_ms);

        if (count == p->seen && now_ms > due && all) {
            all = false;
            snprintf(name, size, "%s", p->name);
            *late_ms = now_ms - due;
        }
        p->seen = count; /* a late thread stays stuck until it beats again */
    }
    pthread_mutex_unlock(&set->lock);
    return all;
}
