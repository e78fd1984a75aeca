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
    bool shared;       /* on a bus with other devices */
    uint64_t missed; /* polls skipped because the thread was more than a period late */
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
struct slot *vsd_bus_slot_new(struct vsd_buses *b, const struct vsd_config *cfg, size_t i);
/* Put S on the bus of its key in BUSES (N of them, room for one more), creating it when new. */
int vsd_bus_assign(struct vsd_buses *b, struct bus **buses, size_t *n, struct slot *s);
int vsd_bus_run(struct bus *bus);       /* start its thread, registered for progress */
void vsd_bus_retire(struct bus *bus);   /* stop, join, close its devices, free it */

#endif
