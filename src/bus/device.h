/* SPDX-License-Identifier: MIT */
/* A configured device instance: what the bus polls and drivers see through accessors. */
#ifndef VSD_DEVICE_H
#define VSD_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <vitalsd/driver.h>

#include "clock.h"
#include "config.h"

struct vsd_device {
    const struct vsd_device_config *cfg;
    size_t index;              /* in the configuration's devices[] */
    const struct vsd_clock *clock;
    void *data;                /* the driver's */
    bool open;                 /* open() succeeded and close() not yet called */
    unsigned bad_frames;       /* reported by the driver during the current poll */
    /* vsd_device_identity(): what the device says it is, since the link opened ("" unknown) */
    char model[VSD_IDENTITY_MAX + 1];
    char serial[VSD_IDENTITY_MAX + 1];
    bool identity_changed;     /* since the bus last passed it on */
};

struct vsd_sink {
    struct vsd_reading *readings; /* VSD_SINK_MAX slots */
    size_t n;
};

/* Does a poll()/open() error ERR mean the link is broken (close it, reopen later)? */
bool vsd_device_broken_link(int err);

/* Initialise DEV for CFG; nothing allocated. */
void vsd_device_init(struct vsd_device *dev, const struct vsd_device_config *cfg, size_t index,
                     const struct vsd_clock *clock);

#endif
