/* SPDX-License-Identifier: MIT */
/* The `nellcor` driver: Nellcor / Covidien N-595, NPB-290, NPB-295, N-395 pulse oximeters, the
 * real-time data port printing one line every 2 s (docs/devices/nellcor.md). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vitalsd/driver.h>
#include <vitalsd/log.h>
#include <vitalsd/serial_driver.h>

#include "nellcor_line.h"

#define READ_MAX 4096 /* bytes per poll: about 50 data lines */
#define LINE_MS 2000  /* a data line every 2 s (NPB-290 manual, "Data Port Protocol") */
/* A poll that meets the gap between two lines is not a silent monitor as long as the last byte
 * came within this time: one and a half line periods. */
#define LINE_GAP_MS 3000

struct nellcor_dev {
    struct vsd_serial_head head; /* first: the link */
    struct vsd_nellcor dec;
    bool low_battery; /* the last data line carried LB */
};

static const struct vsd_option nellcor_options[] = {
    VSD_SERIAL_OPTIONS("9600", "none", "none"),
    {0},
};

static int nellcor_open(struct vsd_device *dev)
{
    int r;
    struct nellcor_dev *d = vsd_serial_driver_open(dev, sizeof(*d), NULL, &r);

    if (!d)
        return r;
    vsd_nellcor_init(&d->dec);
    return 0;
}

static void feed(void *ctx, const uint8_t *buf, size_t n)
{
    vsd_nellcor_feed(ctx, buf, n);
}

/* A column as a reading: dashes, and a 0 (what a lost pulse shows), carry no value. */
static void push_field(struct vsd_sink *sink, enum vsd_vital vital,
                       const struct vsd_nellcor_field *f, uint32_t flags, int64_t t)
{
    struct vsd_reading r = {.vital = vital, .value = f->value, .flags = flags, .measured_ms = t};

    if (isnan(f->value) || f->value <= 0) {
        r.value = NAN;
        r.flags |= VSD_Q_INVALID;
    }
    vsd_sink_push(sink, &r);
}

/* The monitor's model and firmware from a heading (logged, and the model reported as its
 * identity; the data port carries no serial number), and its low-battery code: on change. */
static void log_changes(struct vsd_device *dev, struct nellcor_dev *d, uint32_t status)
{
    const char *model = vsd_nellcor_take_model(&d->dec);
    char name[VSD_IDENTITY_MAX + 1];
    bool lb = status & VSD_NELLCOR_LB;

    if (model) {
        vsd_log(LOG_INFO, "device '%s' (nellcor): %s", vsd_device_name(dev), model);
        vsd_nellcor_model_name(model, name, sizeof(name));
        vsd_device_identity(dev, name, NULL);
    }
    if (lb != d->low_battery)
        vsd_log(lb ? LOG_WARNING : LOG_INFO, "device '%s' (nellcor): %s", vsd_device_name(dev),
                lb ? "monitor reports low battery (LB)" : "low battery cleared");
    d->low_battery = lb;
}

static void push_records(struct vsd_device *dev, struct nellcor_dev *d, struct vsd_sink *sink)
{
    struct vsd_nellcor_record rec[VSD_NELLCOR_MAX_RECORDS];
    unsigned n = vsd_nellcor_take(&d->dec, rec, VSD_SINK_MAX / 2);
    int64_t now = vsd_device_wall_ms(dev);

    for (unsigned i = 0; i < n; i++) {
        uint32_t flags = vsd_nellcor_status_flags(rec[i].status);
        int64_t t = n > 1 ? now - (int64_t)(n - 1 - i) * LINE_MS : 0;

        push_field(sink, VSD_VITAL_SPO2, &rec[i].spo2, flags, t);
        push_field(sink, VSD_VITAL_PR, &rec[i].bpm, flags, t);
    }
    log_changes(dev, d, n ? rec[n - 1].status : (d->low_battery ? VSD_NELLCOR_LB : 0));
}

static int nellcor_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct nellcor_dev *d = vsd_device_data(dev);
    unsigned bad, good;
    int r;

    if (!d)
        return -ENOTCONN;
    r = vsd_serial_stream_read(dev, READ_MAX, LINE_GAP_MS, feed, &d->dec);
    if (r < 0)
        return r;
    vsd_nellcor_take_counts(&d->dec, &bad, &good);
    r = vsd_serial_stream_counts(dev, bad, good);
    if (r == 0)
        push_records(dev, d, sink);
    return r;
}

const struct vsd_driver vsd_driver_nellcor = {
    .name = "nellcor",
    .summary = "Nellcor N-595 / NPB-290 / NPB-295 / N-395 oximeter, real-time data port "
               "(SpO2, PR)",
    .options = nellcor_options,
    .open = nellcor_open,
    .poll = nellcor_poll,
    .close = vsd_serial_driver_close,
};
