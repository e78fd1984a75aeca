/* SPDX-License-Identifier: MIT */
/* The `nonin` driver: Nonin pulse oximeters streaming Data Format 7, 2 or 8 over a serial link,
 * or the legacy ASCII line of the older handhelds (format = ascii). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial_driver.h>

#include "nonin_ascii.h"
#include "nonin_frame.h"

#define READ_MAX 4096 /* bytes per poll: about ten seconds of DF7 */
/* DF8 and ASCII lines come once a second: a poll that meets the gap between two frames is not
 * a silent device as long as the last byte came within this time. */
#define DF8_GAP_MS 1500

struct nonin_dev {
    struct vsd_serial_head head; /* first: the link */
    struct vsd_nonin dec;
    bool ascii; /* format = ascii: lines through adec, not frames */
    struct vsd_nonin_ascii adec;
};

static const struct vsd_option nonin_options[] = {
    VSD_SERIAL_OPTIONS("9600", "none", "none"),
    {.key = "format",
     .type = VSD_OPT_ENUM,
     .def = "7",
     .choices = (const char *const[]){"7", "2", "8", "ascii", NULL},
     .help = "Nonin serial data format the oximeter is set to: 7, 2, 8, or ascii (the "
             "legacy SPO2=XXX HR=YYY line of older handhelds)"},
    {.key = "set_format",
     .type = VSD_OPT_BOOL,
     .def = "false",
     .help = "send the set-format command on connect (stored in the oximeter's memory; "
             "not with ascii)"},
    {0},
};

/* STX, op 0x70, length 2, type 2, format, ETX (docs/devices/nonin.md, 'Set-format command'); the
 * ACK/NAK that may follow is skipped by the decoder like any byte outside a frame. */
static int send_set_format(struct vsd_device *dev, struct nonin_dev *d)
{
    const uint8_t cmd[] = {0x02, 0x70, 0x02, 0x02, (uint8_t)d->dec.format, 0x03};

    return vsd_serial_write(d->head.link, cmd, sizeof(cmd), vsd_device_timeout_ms(dev));
}

static int nonin_open(struct vsd_device *dev)
{
    const char *format = vsd_device_option(dev, "format") ?: "7";
    const char *set = vsd_device_option(dev, "set_format");
    bool ascii = strcmp(format, "ascii") == 0;
    struct vsd_nonin dec;
    struct nonin_dev *d;
    int on = 0, r = vsd_nonin_init(&dec, ascii ? 7 : atoi(format));

    if (r < 0 || !(d = vsd_serial_driver_open(dev, sizeof(*d), NULL, &r)))
        return r;
    d->dec = dec;
    d->ascii = ascii;
    vsd_nonin_ascii_init(&d->adec);
    if (!ascii && set && vsd_option_parse_bool(set, &on) == 0 && on &&
        (r = send_set_format(dev, d)) < 0) {
        vsd_serial_driver_close(dev);
        return r;
    }
    return 0;
}

static void feed(void *ctx, const uint8_t *buf, size_t n)
{
    struct nonin_dev *d = ctx;

    if (d->ascii)
        vsd_nonin_ascii_feed(&d->adec, buf, n);
    else
        vsd_nonin_feed(&d->dec, buf, n);
}

/* The counts and the seconds decoded, from the frame or the line decoder. */
static unsigned take(struct nonin_dev *d, struct vsd_nonin_second *s, unsigned max, unsigned *bad,
                     unsigned *good)
{
    if (!d->ascii) {
        vsd_nonin_take_counts(&d->dec, bad, good);
        return vsd_nonin_take(&d->dec, s, max);
    }
    vsd_nonin_ascii_take_counts(&d->adec, bad, good);
    return vsd_nonin_ascii_take(&d->adec, s, max);
}

static void push_value(struct vsd_sink *sink, enum vsd_vital vital, const struct vsd_nonin_value *v,
                       int64_t measured_ms)
{
    struct vsd_reading r = {
        .vital = vital, .value = v->value, .flags = v->flags, .measured_ms = measured_ms};

    if (v->present)
        vsd_sink_push(sink, &r);
}

static int nonin_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct nonin_dev *d = vsd_device_data(dev);
    struct vsd_nonin_second s[VSD_NONIN_MAX_SECONDS];
    unsigned bad, good, n;
    int64_t now;
    int r;

    if (!d)
        return -ENOTCONN;
    /* DF8 frames and ASCII lines pause a second between them; DF7 and DF2 never pause */
    r = vsd_serial_stream_read(dev, READ_MAX, d->ascii || d->dec.format == 8 ? DF8_GAP_MS : 0, feed,
                               d);
    if (r < 0)
        return r;
    n = take(d, s, VSD_SINK_MAX / 2, &bad, &good);
    if ((r = vsd_serial_stream_counts(dev, bad, good)) < 0)
        return r; /* bytes, but not one frame */
    now = vsd_device_wall_ms(dev);
    for (unsigned i = 0; i < n; i++) {
        /* One second each; several in one poll get their own times, the last one now. */
        int64_t t = n > 1 ? now - (int64_t)(n - 1 - i) * 1000 : 0;

        push_value(sink, VSD_VITAL_PR, &s[i].hr, t);
        push_value(sink, VSD_VITAL_SPO2, &s[i].spo2, t);
    }
    return 0;
}

const struct vsd_driver vsd_driver_nonin = {
    .name = "nonin",
    .summary = "Nonin pulse oximeter, serial Data Format 7, 2, 8 or legacy ASCII (SpO2, pulse "
               "rate)",
    .options = nonin_options,
    .open = nonin_open,
    .poll = nonin_poll,
    .close = vsd_serial_driver_close,
};
