/* SPDX-License-Identifier: MIT */
/* What serial drivers share: their data's head (the link), open and close, and for devices that
 * stream on their own (lines or frames every so often, nothing asked) the read with the gap rule
 * and the frame counts. The host implements it (src/serial/serial_driver.c). */
#ifndef VITALSD_SERIAL_DRIVER_H
#define VITALSD_SERIAL_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial.h>

/* The first member of a serial driver's data:
 *   struct masimo_dev { struct vsd_serial_head head; struct vsd_masimo dec; };
 * so the calls below find it from the device. */
struct vsd_serial_head {
    struct vsd_serial *link;
    int64_t last_rx_ms; /* monotonic: the last byte received, or the open */
};

/* Allocate SIZE zeroed bytes of driver data (starting with struct vsd_serial_head), open the
 * port of SP (DEV's serial options when SP is NULL) within DEV's timeout, and make the data
 * DEV's. Returns the data, or NULL with *ERR set to a negative errno (nothing left allocated).
 * A driver whose open() fails after this calls vsd_serial_driver_close(). */
void *vsd_serial_driver_open(struct vsd_device *dev, size_t size,
                             const struct vsd_serial_params *sp, int *err);

/* A serial driver's close(): closes the link, frees the data, clears DEV's data. */
void vsd_serial_driver_close(struct vsd_device *dev);

/* A streaming device's read: everything that has arrived (vsd_serial_drain: the first byte
 * within DEV's timeout, then at most about MAX bytes) to FEED with CTX. Returns 0 when bytes came,
 * 0 too when none came but the last did less than GAP_MS ago (a poll that meets the gap between
 * two lines of a device that prints every second or two is not a silent device; 0 for a
 * device that never pauses), else -ETIMEDOUT or a broken-link error. */
int vsd_serial_stream_read(struct vsd_device *dev, size_t max, int64_t gap_ms,
                           vsd_serial_feed_fn feed, void *ctx);

/* The lines or frames a streaming poll decoded: BAD garbled ones are reported to the bus
 * (vsd_device_bad_frames); -EBADMSG when bytes came but not one GOOD one, else 0. */
int vsd_serial_stream_counts(struct vsd_device *dev, unsigned bad, unsigned good);

#endif
