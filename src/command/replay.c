/* SPDX-License-Identifier: MIT */
/* A ring of the last answers, searched from the newest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "replay.h"

struct entry {
    char user[VSD_ACTOR_MAX + 1];
    char id[VSD_REQUEST_ID_MAX + 1];
    int64_t at_ms;
    char *answer; /* NULL: free slot */
};

struct vsd_replay {
    int64_t window_ms;
    size_t capacity, next;
    struct entry entries[];
};

struct vsd_replay *vsd_replay_new(size_t capacity, int64_t window_ms)
{
    struct vsd_replay *r;

    if (capacity == 0)
        return NULL;
    r = calloc(1, sizeof(*r) + capacity * sizeof(r->entries[0]));
    if (r) {
        r->capacity = capacity;
        r->window_ms = window_ms;
    }
    return r;
}

void vsd_replay_free(struct vsd_replay *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->capacity; i++)
        free(r->entries[i].answer);
    free(r);
}

const char *vsd_replay_find(struct vsd_replay *r, const char *user, const char *id, int64_t now_ms)
{
    for (size_t k = 1; k <= r->capacity; k++) {
        const struct entry *e = &r->entries[(r->next + r->capacity - k) % r->capacity];
        if (!e->answer || now_ms - e->at_ms > r->window_ms)
            continue;
        if (strcmp(e->user, user) == 0 && strcmp(e->id, id) == 0)
            return e->answer;
    }
    return NULL;
}

int vsd_replay_put(struct vsd_replay *r, const char *user, const char *id, const char *answer,
                   int64_t now_ms)
{
    struct entry *e = &r->entries[r->next];
    char *copy;

    if (strlen(user) > VSD_ACTOR_MAX || strlen(id) > VSD_REQUEST_ID_MAX)
        return -EINVAL;
    if (!(copy = strdup(answer)))
        return -ENOMEM;
    free(e->answer);
    snprintf(e->user, sizeof(e->user), "%s", user);
    snprintf(e->id, sizeof(e->id), "%s", id);
    e->at_ms = now_ms;
    e->answer = copy;
    r->next = (r->next + 1) % r->capacity;
    return 0;
}
