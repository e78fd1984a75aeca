/* SPDX-License-Identifier: MIT */
/* Bus threads: scheduling on the monotonic clock, timeouts, back-off and device health. */
#ifndef VSD_BUS_H
#define VSD_BUS_H

#include "clock.h"
#include "config.h"
#include "heartbeat.h"
#include "queue.h"

struct vsd_buses;

/* Group the configured devices by their driver's bus_key() and start one thread
 * per bus; the devices of drivers with a non-blocking side (vsd_nb_ops) share one
 * event-loop thread instead (bus_loop.c), under the same rules. Each answered poll becomes a VSD_EV_POLL event (vsd_queue_push: a full
 * queue drops and counts); each health change a VSD_EV_DEVICE_STATE event
 * (vsd_queue_push_wait). A device that is up is reported down after DOWN_AFTER
 * polls in a row without any answer or GARBLED_DOWN_AFTER without a usable one
 * (bus.c); a broken link, a failed open() or a device not yet up goes down at
 * once. It is up on its first answer after that; every device starts in an
 * "unknown" state and reports its first state change either way.
 * Broken links are closed and reopened no more than once per max(poll, 1 s).
 * CFG, QUEUE and CLOCK must outlive the buses. */
int vsd_buses_start(const struct vsd_config *cfg, struct vsd_queue *queue,
                    const struct vsd_clock *clock, struct vsd_buses **ret);
/* As vsd_buses_start, each thread beating in PROGRESS (the watchdog's, src/util/heartbeat.h):
 * idle, it wakes at least every second; in an exchange it promises the next beat within twice
 * the device's timeout (open and poll) plus 2 s. NULL: not watched. */
int vsd_buses_start_watched(const struct vsd_config *cfg, struct vsd_queue *queue,
                            const struct vsd_clock *clock, struct vsd_heartbeat_set *progress,
                            struct vsd_buses **ret);

/* Reload, on the core thread. Pause: every thread finishes its exchange and parks (polls due
 * meanwhile wait, none is skipped unless a whole period late); PUMP(CTX) is called while waiting
 * so that a thread waiting for queue room gets it. Returns 0 when all are parked; -ETIMEDOUT
 * when one is still in an exchange after the longest exchange's bound (a stuck driver call):
 * STUCK names that thread. Either way vsd_buses_resume() ends the pause. Accepts NULL. */
int vsd_buses_pause(struct vsd_buses *b, void (*pump)(void *ctx), void *ctx, char *stuck,
                    size_t size);
/* While paused: the devices of CFG. DEV_FROM[i] is the index in the previous configuration of
 * CFG's device i when it is the same device, unchanged (SIZE_MAX: new or changed). A bus whose
 * devices are all unchanged keeps its thread, its open links and its schedule; the others are
 * stopped (joined, devices closed) and new ones started (parked until resumed). The previous
 * configuration must outlive the buses (drivers may keep pointers into it). Counts in *KEPT,
 * *STOPPED, *STARTED (threads). Returns 0, or -ENOMEM with nothing changed. */
int vsd_buses_reload(struct vsd_buses *b, const struct vsd_config *cfg, const size_t *dev_from,
                     size_t *kept, size_t *stopped, size_t *started);
void vsd_buses_resume(struct vsd_buses *b);

/* Stop and join every thread, close every device. Accepts NULL. */
void vsd_buses_stop(struct vsd_buses *b);

#endif
