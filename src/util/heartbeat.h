/* SPDX-License-Identifier: MIT */
/* Progress of the daemon's long-lived threads, for the systemd watchdog: each thread beats once
 * per loop and says by when it will beat again; the main loop pings only while none is late. */
#ifndef VSD_HEARTBEAT_H
#define VSD_HEARTBEAT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One thread's heartbeat. Written by its thread (vsd_heartbeat_beat), read by the checker. */
struct vsd_heartbeat {
    atomic_uint_fast64_t count; /* loop iterations, idle ones included */
    atomic_int_fast64_t due_ms; /* monotonic ms by which the thread promised to beat again */
    char name[80];              /* "core", "bus 'tcp:10.0.0.5:502'", "bus of device 'm1'" */
    uint64_t seen;              /* the checker's: COUNT at the last check */
    struct vsd_heartbeat *next; /* the set's list */
};

/* Every registered thread, behind one lock (threads come and go on reload). */
struct vsd_heartbeat_set {
    pthread_mutex_t lock;
    struct vsd_heartbeat *head;
};

int vsd_heartbeat_set_init(struct vsd_heartbeat_set *set); /* 0 or negative errno */
void vsd_heartbeat_set_destroy(struct vsd_heartbeat_set *set);

/* Register P as NAME, due to beat within WITHIN_MS of NOW_MS. SET may be NULL (nothing kept). */
void vsd_heartbeat_add(struct vsd_heartbeat_set *set, struct vsd_heartbeat *p, const char *name,
                       int64_t now_ms, int64_t within_ms);
void vsd_heartbeat_remove(struct vsd_heartbeat_set *set, struct vsd_heartbeat *p);

/* The thread made progress at NOW_MS and will beat again within WITHIN_MS (the longest it may
 * legitimately spend before its next beat: its sleep, or a device call's timeout bound). */
void vsd_heartbeat_beat(struct vsd_heartbeat *p, int64_t now_ms, int64_t within_ms);

/* Is every registered thread making progress at NOW_MS? A thread is stuck when it has not
 * beaten since the last check and its promised time has passed. Returns true when none is;
 * otherwise false with the first stuck thread's name in NAME and how late it is in *LATE_MS. */
bool vsd_heartbeat_check(struct vsd_heartbeat_set *set, int64_t now_ms, char *name, size_t size,
                         int64_t *late_ms);

#endif
