/* SPDX-License-Identifier: MIT */
/* The bounded event queue from bus threads and the control transports to the core. */
#ifndef VSD_QUEUE_H
#define VSD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/driver.h>

struct vsd_command; /* defined by the command handler (command.h) */

enum vsd_event_type {
    VSD_EV_POLL,         /* a device answered: its readings */
    VSD_EV_DEVICE_STATE, /* a device went down or came back */
    VSD_EV_DEVICE_IDENTITY, /* a device reported who it is, first or differently */
    VSD_EV_COMMAND,      /* a staff command waiting for the core */
};

struct vsd_poll_result {
    size_t device;
    int64_t mono_ms;     /* when the exchange finished */
    int64_t wall_ms;
    size_t n;
    struct vsd_reading readings[VSD_SINK_MAX];
};

struct vsd_device_state {
    size_t device;
    bool up;
    bool degraded;       /* answering, but garbled frames persist */
    int err;             /* negative errno of the failure that took it down; 0 when up */
    int64_t mono_ms;
    int64_t wall_ms;
};

struct vsd_device_identity {
    size_t device;
    char model[VSD_IDENTITY_MAX + 1];  /* as the device reported it; "": not carried */
    char serial[VSD_IDENTITY_MAX + 1];
    int64_t mono_ms;
    int64_t wall_ms;
};

struct vsd_event {
    enum vsd_event_type type;
    union {
        struct vsd_poll_result poll;
        struct vsd_device_state state;
        struct vsd_device_identity identity;
        struct vsd_command *command;
    } u;
};

struct vsd_queue;

/* A queue holding at most CAPACITY events. NULL on ENOMEM. */
struct vsd_queue *vsd_queue_new(size_t capacity);
void vsd_queue_free(struct vsd_queue *q); /* accepts NULL */

/* Poll results: never blocks. Returns 0, or -ENOBUFS when full (the event is
 * dropped and counted in vsd_queue_dropped()). */
int vsd_queue_push(struct vsd_queue *q, const struct vsd_event *ev);
/* State changes and commands: must not be lost, waits for room. Returns 0,
 * or -ECANCELED once vsd_queue_close() was called. */
int vsd_queue_push_wait(struct vsd_queue *q, const struct vsd_event *ev);
/* As vsd_queue_push_wait, but gives up after TIMEOUT_MS (< 0: never) with
 * -ETIMEDOUT; the event is not taken and not counted as dropped. Lets a bus
 * thread waiting for room notice that it is being stopped. */
int vsd_queue_push_timed(struct vsd_queue *q, const struct vsd_event *ev, int timeout_ms);
/* Take the oldest event. Returns 1 with *out set, 0 after TIMEOUT_MS with nothing,
 * -ECANCELED when closed and empty. */
int vsd_queue_pop(struct vsd_queue *q, struct vsd_event *out, int timeout_ms);
/* Wake every waiter; later pushes fail with -ECANCELED. Pops drain what is left. */
void vsd_queue_close(struct vsd_queue *q);
uint64_t vsd_queue_dropped(const struct vsd_queue *q);
size_t vsd_queue_length(const struct vsd_queue *q);

#endif
