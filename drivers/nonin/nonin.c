/* SPDX-License-Identifier: MIT */
/* The `nonin` driver: Nonin pulse oximeters streaming Data Format 7, 2 or 8 over a serial link,
 * or the legacy ASCII line of the older handhelds (format = ascii). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial.h>

#include "nonin_ascii.h"
#include "nonin_frame.h"

#define READ_MAX 4096 /* bytes per poll: about ten seconds of DF7 */
/* DF8 and ASCII lines come once a second: a poll that meets the gap between two frames is not
 * a silent device as long as the last byte came within this time. */
#define DF8_GAP_MS 1500

struct nonin_dev {
    struct vsd_serial *link;
    struct vsd_nonin dec;
    bool ascii; /* format = ascii: lines through adec, not frames */
    struct vsd_nonin_ascii adec;
    int64_t last_rx_ms; /* monotonic */
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

static void nonin_close(struct vsd_device *dev)
{
    struct nonin_dev *d = vsd_device_data(dev);

    if (!d)
        return;
    vsd_serial_close(d->link);
    free(d);
    vsd_device_set_data(dev, NULL);
}

/* STX, op 0x70, length 2, type 2, format, ETX (docs/devices/nonin.md, 'Set-format command'); the
 * ACK/NAK that may follow is skipped by the decoder like any byte outside a frame. */
static int send_set_format(struct vsd_device *dev, struct nonin_dev *d)
{
    const uint8_t cmd[] = {0x02, 0x70, 0x02, 0x02, (uint8_t)d->dec.format, 0x03};

    return vsd_serial_write(d->link, cmd, sizeof(cmd), vsd_device_timeout_ms(dev));
}

static int nonin_open(struct vsd_device *dev)
{
    struct vsd_serial_params sp;
    struct nonin_dev *d = calloc(1, sizeof(*d));
    const char *set = vsd_device_option(dev, "set_format");
    int on = 0, r = -ENOMEM;

    if (!d)
        goto fail;
    d->ascii = strcmp(vsd_device_option(dev, "format") ?: "7", "ascii") == 0;
    vsd_nonin_ascii_init(&d->adec);
    r = vsd_nonin_init(&d->dec, d->ascii ? 7 : atoi(vsd_device_option(dev, "format") ?: "7"));
    if (r < 0)
        goto fail;
    vsd_serial_params_of(dev, &sp);
    r = vsd_serial_open(&sp, vsd_device_timeout_ms(dev), &d->link);
    if (r < 0)
        goto fail;
    if (!d->ascii && set && vsd_option_parse_bool(set, &on) == 0 && on) {
        r = send_set_format(dev, d);
        if (r < 0)
            goto fail;
    }
    d->last_rx_ms = vsd_device_mono_ms(dev);
    vsd_device_set_data(dev, d);
    return 0;
fail:
    if (d)
        vsd_serial_close(d->link);
    free(d);
    return r;
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

/* Everything that has arrived: the first byte within the timeout, then what is buffered. */
static int read_available(struct vsd_device *dev, struct nonin_dev *d)
{
    ssize_t n = vsd_serial_drain(d->link, vsd_device_timeout_ms(dev), READ_MAX, feed, d);

    if (n <= 0)
        return (int)n;
    d->last_rx_ms = vsd_device_mono_ms(dev);
    return 0;
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
    r = read_available(dev, d);
    if (r == -ETIMEDOUT && (d->ascii || d->dec.format == 8) &&
        vsd_device_mono_ms(dev) - d->last_rx_ms < DF8_GAP_MS)
        return 0; /* between two DF8 frames or ASCII lines */
    if (r < 0)
        return r;
    n = take(d, s, VSD_SINK_MAX / 2, &bad, &good);
    if (bad)
        vsd_device_bad_frames(dev, bad);
    if (good == 0 && bad > 0)
        return -EBADMSG; /* bytes, but not one frame */
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
    .close = nonin_close,
};
