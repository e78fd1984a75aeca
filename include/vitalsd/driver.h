/* SPDX-License-Identifier: MIT */
/* The driver interface: what a device driver implements and the core calls. */
#ifndef VITALSD_DRIVER_H
#define VITALSD_DRIVER_H

#include <stdint.h>

#include <vitalsd/log.h>
#include <vitalsd/option.h>
#include <vitalsd/reading.h>

/* Rules every driver follows (docs/architecture.md, "Adding a driver"):
 *  - poll() does one bounded exchange with the device (at most the device's
 *    timeout) and returns; it never sleeps to pace itself and never reconnects.
 *  - The bus thread owns timing, retries, back-off, health and the technical
 *    alerts; a driver only reports what the device said.
 *  - A driver never touches SQLite, MQTT or the alarm engine. */

struct vsd_device; /* opaque: one configured device, owned by the core */
struct vsd_sink;   /* opaque: where poll() puts the readings of one exchange */

struct vsd_driver {
    const char *name;    /* as written in "driver = NAME" */
    const char *summary; /* one line for --help and docs */
    /* Driver-specific keys accepted in a [device.NAME] section, NULL-key terminated.
     * The core checks them (type, range, required) before open() is ever called. */
    const struct vsd_option *options;
    /* Devices returning the same key share one bus thread (an RS-485 line, a
     * gateway). NULL, or NULL returned: the device gets a thread of its own.
     * The string must stay valid while the device exists. */
    const char *(*bus_key)(const struct vsd_device *dev);
    /* Open the link and allocate driver data (vsd_device_set_data). Bounded by
     * the device's timeout. Returns 0 or negative errno; on failure nothing is
     * left allocated and the bus retries later with back-off. */
    int (*open)(struct vsd_device *dev);
    /* One exchange. Returns:
     *   0            the device answered; every reading was pushed to SINK
     *                (a reading without a value carries its quality flags);
     *   -ETIMEDOUT   no answer within the timeout (link kept);
     *   -EPROTO / -EBADMSG  garbled or unexpected answer (counted, link kept);
     *   -EIO, -EPIPE, -ENODEV, -ECONNRESET, -ENOTCONN  link broken: the bus
     *                calls close() and reopens later.
     * Readings pushed before an error are discarded by the core. */
    int (*poll)(struct vsd_device *dev, struct vsd_sink *sink);
    /* Close the link and free driver data. Called once per successful open(). */
    void (*close)(struct vsd_device *dev);
};

/* Accessors a driver may call on its device. */
const char *vsd_device_name(const struct vsd_device *dev);
/* Value of driver option KEY (its default when not written), NULL when unset. */
const char *vsd_device_option(const struct vsd_device *dev, const char *key);
/* N-th value (from 0) of a VSD_OPT_MULTI option, NULL past the last one. */
const char *vsd_device_option_n(const struct vsd_device *dev, const char *key, unsigned n);
int64_t vsd_device_poll_ms(const struct vsd_device *dev);
int64_t vsd_device_timeout_ms(const struct vsd_device *dev);
void *vsd_device_data(const struct vsd_device *dev);
void vsd_device_set_data(struct vsd_device *dev, void *data);
/* The bus's clock (injectable in tests): monotonic ms and UTC wall ms. */
int64_t vsd_device_mono_ms(const struct vsd_device *dev);
int64_t vsd_device_wall_ms(const struct vsd_device *dev);

/* Report N garbled frames (bad checksum, truncated, noise) skipped during this poll although the
 * exchange as a whole succeeded (a streaming device). The bus counts them with the polls that
 * returned -EBADMSG/-EPROTO and raises "communication degraded" when they persist. */
void vsd_device_bad_frames(struct vsd_device *dev, unsigned n);

/* Hand one reading to the core. Returns 0, or -ENOSPC when the exchange already
 * carries VSD_SINK_MAX readings (the reading is not taken). */
#define VSD_SINK_MAX 16
int vsd_sink_push(struct vsd_sink *sink, const struct vsd_reading *r);

#endif
