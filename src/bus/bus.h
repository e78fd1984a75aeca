/* SPDX-License-Identifier: MIT */
/* Bus threads: scheduling on the monotonic clock, timeouts, back-off and device health. */
#ifndef VSD_BUS_H
#define VSD_BUS_H

#include "clock.h"
#include "config.h"
#include "queue.h"

struct vsd_buses;

/* Group the configured devices by their driver's bus_key() and start one thread
 * per bus. Each answered poll becomes a VSD_EV_POLL event (vsd_queue_push: a full
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
/* Stop and join every thread, close every device. Accepts NULL. */
void vsd_buses_stop(struct vsd_buses *b);

#endif
