/* SPDX-License-Identifier: MIT */
/* The answers to recent requests, by user and request id: a request a dashboard sends again
 * (its own retry, a QoS 1 duplicate after a reconnect) is answered with the first answer and not
 * run twice. Used by one thread only. */
#ifndef VSD_REPLAY_H
#define VSD_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define VSD_REQUEST_ID_MAX 64 /* longer request ids are not remembered */

struct vsd_replay;

/* Remember at most CAPACITY answers (the oldest goes first), each for WINDOW_MS. NULL: ENOMEM. */
struct vsd_replay *vsd_replay_new(size_t capacity, int64_t window_ms);
void vsd_replay_free(struct vsd_replay *r); /* accepts NULL */
/* The answer given to USER's request ID within the window before NOW_MS, or NULL. */
const char *vsd_replay_find(struct vsd_replay *r, const char *user, const char *id, int64_t now_ms);
/* Remember ANSWER (copied) to USER's request ID, answered at NOW_MS. 0, -EINVAL (an id too long
 * to remember) or -ENOMEM. */
int vsd_replay_put(struct vsd_replay *r, const char *user, const char *id, const char *answer,
                   int64_t now_ms);

#endif
