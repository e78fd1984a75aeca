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

/* What vsd_nb_ops.input() returns besides 0 (done) and a negative errno (as poll()'s). */
#define VSD_NB_MORE 1 /* the answer is not complete yet: wait for more bytes */
#define VSD_NB_SEND 2 /* a request of the same poll is in OUT: send it and wait again */
#define VSD_NB_MAX_ADU 512 /* room in OUT for one request */

/* The optional non-blocking side of a driver on a socket (docs/architecture.md, "Threads"): its
 * devices are served by the bus's event-loop thread, which owns the socket's readiness, every
 * deadline, health and back-off, instead of a thread per bus key. No call may block. */
struct vsd_nb_ops {
    /* May DEV use this side (e.g. a numeric address: no DNS lookup in the loop)? NULL: all. */
    int (*usable)(const struct vsd_device *dev);
    /* Allocate driver data and start a non-blocking connect; *FD gets the socket, which the
     * loop watches for writability (connected) within the device's timeout. Returns 0 or
     * negative errno with nothing left allocated. close() ends it (it closes the socket). */
    int (*connect)(struct vsd_device *dev, int *fd);
    /* The first request of one poll into OUT (VSD_NB_MAX_ADU bytes): *LEN bytes, and how long
     * to wait for its whole answer in *TIMEOUT_MS. Returns 0 or negative errno. */
    int (*begin)(struct vsd_device *dev, uint8_t *out, size_t *len, int64_t *timeout_ms);
    /* IN holds every byte received since the request was sent (LEN of them). Returns
     * VSD_NB_MORE, VSD_NB_SEND (OUT, *OUT_LEN and *TIMEOUT_MS set as begin()'s), 0 when the poll
     * is done with every reading pushed to SINK, or poll()'s errors. */
    int (*input)(struct vsd_device *dev, const uint8_t *in, size_t len, uint8_t *out,
                 size_t *out_len, int64_t *timeout_ms, struct vsd_sink *sink);
    /* The poll's answer did not come in time (the loop counts it as poll()'s -ETIMEDOUT). NULL
     * allowed. */
    void (*timed_out)(struct vsd_device *dev);
};

struct vsd_driver {
    const char *name;    /* as written in "driver = NAME" */
    const char *summary; /* one line for --help and docs */
    /* Driver-specific keys accepted in a [device.NAME] section, NULL-key terminated.
     * The core checks them (type, range, required) before open() is ever called. */
    const struct vsd_option *options;
    /* Devices returning the same key share one bus thread (an RS-485 line, a
     * gateway). NULL, or NULL returned: the device gets a thread of its own. A device
     * served by the event loop (nb below) shares the loop's thread whatever its key.
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
    /* NULL, or the non-blocking side above (the blocking members stay for other callers). */
    const struct vsd_nb_ops *nb;
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

/* Report who the device says it is, whenever its protocol carries it: the model and the serial
 * number as the device sent them (NULL or "" for a part it does not carry; longer than
 * VSD_IDENTITY_MAX characters is cut). Cheap to call on every frame: the bus passes only a change
 * to the core, which compares the serial with the device's "serial =" key (docs/devices/README.md,
 * "Device identity"). The identity read is forgotten when the link closes. */
#define VSD_IDENTITY_MAX 32
void vsd_device_identity(struct vsd_device *dev, const char *model, const char *serial);

/* Hand one reading to the core. Returns 0, or -ENOSPC when the exchange already
 * carries VSD_SINK_MAX readings (the reading is not taken). */
#define VSD_SINK_MAX 16
int vsd_sink_push(struct vsd_sink *sink, const struct vsd_reading *r);

#endif
