/* SPDX-License-Identifier: MIT */
/* The `masimo` driver: Masimo Rad-8 / Radical-5 / Radical-7 "ASCII 1" serial output, once a second.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial_driver.h>

#include "masimo_line.h"

#define READ_MAX 4096 /* bytes per poll */
/* The monitor prints once a second: a poll that meets the gap between two lines is not a
 * silent device as long as the last byte came within this time. */
#define LINE_GAP_MS 1500

struct masimo_dev {
    struct vsd_serial_head head; /* first: the link */
    struct vsd_masimo dec;
};

static const struct vsd_option masimo_options[] = {
    VSD_SERIAL_OPTIONS("9600", "none", "none"),
    {0},
};

static int masimo_open(struct vsd_device *dev)
{
    int r;
    struct masimo_dev *d = vsd_serial_driver_open(dev, sizeof(*d), NULL, &r);

    if (!d)
        return r;
    vsd_masimo_init(&d->dec);
    return 0;
}

static void feed(void *ctx, const uint8_t *buf, size_t n)
{
    vsd_masimo_feed(ctx, buf, n);
}

/* A field as a reading: dashes, and a 0 (the ASCII 2 "invalid"), carry no value. */
static void push_field(struct vsd_sink *sink, enum vsd_vital vital,
                       const struct vsd_masimo_field *f, uint32_t flags, int64_t t)
{
    struct vsd_reading r = {.vital = vital, .value = f->value, .flags = flags, .measured_ms = t};

    if (!f->present)
        return;
    if (isnan(f->value) || f->value <= 0) {
        r.value = NAN;
        r.flags |= VSD_Q_INVALID;
    }
    vsd_sink_push(sink, &r);
}

static void push_records(struct vsd_device *dev, struct masimo_dev *d, struct vsd_sink *sink)
{
    struct vsd_masimo_record rec[VSD_MASIMO_MAX_RECORDS];
    unsigned n = vsd_masimo_take(&d->dec, rec, VSD_SINK_MAX / 2);
    int64_t now = vsd_device_wall_ms(dev);

    for (unsigned i = 0; i < n; i++) {
        uint32_t flags = vsd_masimo_exc_flags(rec[i].exc);
        int64_t t = n > 1 ? now - (int64_t)(n - 1 - i) * 1000 : 0;

        if (rec[i].sn[0]) /* the line carries no model */
            vsd_device_identity(dev, NULL, rec[i].sn);

        push_field(sink, VSD_VITAL_SPO2, &rec[i].spo2, flags, t);
        push_field(sink, VSD_VITAL_PR, &rec[i].bpm, flags, t);
    }
}

static int masimo_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct masimo_dev *d = vsd_device_data(dev);
    unsigned bad, good;
    int r;

    if (!d)
        return -ENOTCONN;
    r = vsd_serial_stream_read(dev, READ_MAX, LINE_GAP_MS, feed, &d->dec);
    if (r < 0)
        return r;
    vsd_masimo_take_counts(&d->dec, &bad, &good);
    r = vsd_serial_stream_counts(dev, bad, good);
    if (r == 0)
        push_records(dev, d, sink);
    return r;
}

const struct vsd_driver vsd_driver_masimo = {
    .name = "masimo",
    .summary = "Masimo Rad-8 / Radical-5 / Radical-7 oximeter, ASCII 1 serial output (SpO2, PR)",
    .options = masimo_options,
    .open = masimo_open,
    .poll = masimo_poll,
    .close = vsd_serial_driver_close,
};
