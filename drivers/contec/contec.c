/* SPDX-License-Identifier: MIT */
/* The `contec` driver: Contec CMS50D+ / CMS50E pulse oximeters, legacy or new live stream. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial_driver.h>

#include "contec_frame.h"

#define READ_MAX 4096 /* bytes per poll: about 13 s of legacy packets at 60/s */
/* The new protocol's stream stops unless the host sends a keep-alive now and then (open-source
 * readers send one every ~5 s); sent on the first poll this long after the last command. */
#define KEEPALIVE_MS 4000

struct contec_dev {
    struct vsd_serial_head head; /* first: the link */
    struct vsd_contec dec;
    int64_t last_cmd_ms; /* monotonic: the last start or keep-alive sent (new protocol) */
    bool restart;        /* the new protocol's stream went quiet: send start again */
};

/* baud and parity have no fixed default: they follow `protocol` (see contec_params()). */
static const struct vsd_option contec_options[] = {
    VSD_SERIAL_OPTIONS(NULL, NULL, "none"),
    {.key = "protocol",
     .type = VSD_OPT_ENUM,
     .def = "legacy",
     .choices = (const char *const[]){"legacy", "new", NULL},
     .help = "legacy: 5-byte stream, 19200 8-O-1; new: host-started 9-byte stream, 115200 8N1"},
    {0},
};

static int proto_of(const struct vsd_device *dev)
{
    const char *v = vsd_device_option(dev, "protocol");

    return v && strcmp(v, "new") == 0 ? VSD_CONTEC_NEW : VSD_CONTEC_LEGACY;
}

/* The serial settings: what the configuration says, baud and parity by protocol if unwritten. */
static void contec_params(const struct vsd_device *dev, int proto, struct vsd_serial_params *sp)
{
    vsd_serial_params_of(dev, sp);
    if (!vsd_device_option(dev, "baud"))
        sp->baud = proto == VSD_CONTEC_NEW ? 115200 : 19200;
    if (!vsd_device_option(dev, "parity"))
        sp->parity = proto == VSD_CONTEC_NEW ? VSD_PARITY_NONE : VSD_PARITY_ODD;
}

static int send_cmd(struct vsd_device *dev, struct contec_dev *d, uint8_t code)
{
    uint8_t cmd[VSD_CONTEC_CMD_SIZE];

    vsd_contec_command(code, cmd);
    d->last_cmd_ms = vsd_device_mono_ms(dev);
    return vsd_serial_write(d->head.link, cmd, sizeof(cmd), vsd_device_timeout_ms(dev));
}

static int contec_open(struct vsd_device *dev)
{
    struct vsd_serial_params sp;
    struct contec_dev *d;
    int proto = proto_of(dev), r;

    contec_params(dev, proto, &sp);
    if (!(d = vsd_serial_driver_open(dev, sizeof(*d), &sp, &r)))
        return r;
    vsd_contec_init(&d->dec, proto);
    if (proto == VSD_CONTEC_NEW && (r = send_cmd(dev, d, VSD_CONTEC_CMD_START)) < 0) {
        vsd_serial_driver_close(dev);
        return r;
    }
    return 0;
}

/* New protocol: start again after a quiet poll, else a keep-alive when one is due. */
static int host_commands(struct vsd_device *dev, struct contec_dev *d)
{
    if (d->dec.proto != VSD_CONTEC_NEW)
        return 0;
    if (d->restart) {
        d->restart = false;
        return send_cmd(dev, d, VSD_CONTEC_CMD_START);
    }
    if (vsd_device_mono_ms(dev) - d->last_cmd_ms >= KEEPALIVE_MS)
        return send_cmd(dev, d, VSD_CONTEC_CMD_KEEPALIVE);
    return 0;
}

static void feed(void *ctx, const uint8_t *buf, size_t n)
{
    vsd_contec_feed(ctx, buf, n);
}

static void push(struct vsd_sink *sink, enum vsd_vital vital, const struct vsd_contec_value *v)
{
    struct vsd_reading r = {.vital = vital, .value = v->value, .flags = v->flags};

    vsd_sink_push(sink, &r);
}

static int contec_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct contec_dev *d = vsd_device_data(dev);
    struct vsd_contec_value pr, spo2;
    unsigned bad, good;
    int r;

    if (!d)
        return -ENOTCONN;
    r = host_commands(dev, d);
    if (r < 0)
        return r;
    r = vsd_serial_stream_read(dev, READ_MAX, 0, feed, &d->dec);
    if (r == -ETIMEDOUT)
        d->restart = true;
    if (r < 0)
        return r;
    vsd_contec_take_counts(&d->dec, &bad, &good);
    if (bad)
        vsd_device_bad_frames(dev, bad);
    if (!vsd_contec_take(&d->dec, &pr, &spo2))
        return bad ? -EBADMSG : 0; /* bytes, but not one packet (or one still arriving) */
    push(sink, VSD_VITAL_PR, &pr);
    push(sink, VSD_VITAL_SPO2, &spo2);
    return 0;
}

const struct vsd_driver vsd_driver_contec = {
    .name = "contec",
    .summary = "Contec CMS50D+ / CMS50E pulse oximeter, legacy or new live stream (SpO2, pulse)",
    .options = contec_options,
    .open = contec_open,
    .poll = contec_poll,
    .close = vsd_serial_driver_close,
};
