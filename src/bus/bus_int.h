/* SPDX-License-Identifier: MIT */
/* The bus threads' inside, shared by bus.c (the threads) and bus_reload.c (a new configuration
 * while they are parked). */
#ifndef VSD_BUS_INT_H
#define VSD_BUS_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "clock.h"
#include "device.h"
#include "heartbeat.h"

enum health { HEALTH_UNKNOWN, HEALTH_UP, HEALTH_DOWN };

struct bus;

/* One configured device and its schedule; touched only by its bus thread (or, while that
 * thread is parked, by the reload). */
struct slot {
    struct vsd_device dev;
    const struct vsd_driver *drv;
    struct bus *bus;
    int64_t due;       /* next poll, real monotonic ms */
    int64_t last_open; /* last open() attempt (or the close of a broken link) */
    bool tried_open;
    enum health health;
    unsigned failures; /* polls in a row without a usable answer */
    unsigned silent;   /* polls in a row without any answer */
    unsigned garbled;  /* polls in a row with garbled frames */
    unsigned clean;    /* polls in a row without garbled frames */
    bool degraded;
    int logged_err;    /* the reason last logged for being down (0: none) */
    int64_t logged_ms; /* when (real monotonic ms) */
    unsigned logged_n; /* reasons logged in this outage */
    bool shared;       /* on a bus with other devices */
    uint64_t missed; /* polls skipped because the thread was more than a period late */
    /* On the event loop (bus_loop.c) only: */
    const char *key;   /* the driver's bus key, NULL when none */
    int fd;            /* the link's socket while open, -1 when none */
    int nb;            /* NB_IDLE, NB_CONNECTING or NB_WAITING (bus_loop.c) */
    int64_t when;      /* its next timer: the due poll, or the connect's or answer's deadline */
    size_t heap_i;     /* its place in the loop's timer heap, SIZE_MAX when not in it */
    size_t rx_len;     /* answer bytes received for the request under way */
    uint8_t rx[VSD_NB_MAX_ADU];
};

/* One thread and the devices it polls (each slot allocated on its own, owned by the bus). */
struct bus {
    struct vsd_buses *owner;
    const char *key; /* NULL: a device of its own */
    struct slot **slots;
    size_t n;
    pthread_t thread;
    bool running;
    bool stop;   /* this thread alone (a reload retires it); under the owner's lock */
    bool parked; /* waiting out a pause; under the owner's lock */
    struct vsd_heartbeat progress;
    bool loop;   /* the event loop of every device with a non-blocking driver side */
    int wake_fd; /* the loop's eventfd: a stop or a pause wakes it (when LOOP) */
};

struct vsd_buses {
    struct vsd_queue *queue;
    const struct vsd_clock *clock; /* for stamps and drivers; sleeping uses real time */
    struct vsd_heartbeat_set *progress; /* NULL: not watched */
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    bool stop;
    bool pause;
    size_t n_parked;
    struct bus **buses;
    size_t n_buses;
};

/* bus.c */
int64_t vsd_bus_now(void); /* real monotonic ms, what schedules use */
/* The health rules (bus.c), shared with the event loop: */
void vsd_bus_set_health(struct vsd_buses *b, struct slot *s, bool up, int err);
void vsd_bus_poll_failed(struct vsd_buses *b, struct slot *s, int err);
/* An answered poll: S is up and EV (a VSD_EV_POLL with N readings) is queued. */
void vsd_bus_answered(struct vsd_buses *b, struct slot *s, struct vsd_event *ev, size_t n);
void vsd_bus_reschedule(struct slot *s, int64_t now);
int64_t vsd_bus_reopen_interval(const struct slot *s);
void vsd_bus_close_device(struct slot *s);
void vsd_bus_park(struct bus *bus); /* with the owner's lock held */
void vsd_bus_wake(struct bus *bus); /* an event loop out of epoll_wait(); others: no-op */
/* The devices of S's driver go to the event loop rather than a thread of their own key. */
bool vsd_bus_on_loop(const struct slot *s);
#define VSD_BUS_BEAT_MS 1000
#define VSD_BUS_BEAT_SLACK_MS 2000

/* bus_loop.c: the event loop's thread. */
void *vsd_bus_loop_main(void *arg);

struct slot *vsd_bus_slot_new(struct vsd_buses *b, const struct vsd_config *cfg, size_t i);
/* Put S on the bus of its key in BUSES (N of them, room for one more), creating it when new. */
int vsd_bus_assign(struct vsd_buses *b, struct bus **buses, size_t *n, struct slot *s);
int vsd_bus_run(struct bus *bus);       /* start its thread, registered for progress */
void vsd_bus_retire(struct bus *bus);   /* stop, join, close its devices, free it */

#endif
