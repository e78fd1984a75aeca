/* SPDX-License-Identifier: MIT */
/* The ge-s5 driver: GE/Datex-Ohmeda S/5 monitors pushing displayed values after one request. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial.h>

#include "ge_s5_frame.h"
#include "ge_s5_record.h"

#define SHORT_WRITE_MS 100 /* bound of a request sent from poll() or close() */
#define DRI_LEVEL 0 /* interface level in the request header: 0 (reported to work on all levels)   \
                     */
#define REQUEST_AGAIN_AFTER                                                                        \
    4 /* silent polls before the request is sent again (a monitor that                             \
       * restarted, or stopped after flow control held it > 2 s) */

/* Driver data of one open monitor link. */
struct ges5 {
    struct vsd_serial *link;
    struct vsd_ges5_deframer rx; /* a partial frame survives from one poll to the next */
    struct vsd_ges5_nibp_track nibp;
    int16_t tx_ival;
    unsigned silent; /* polls in a row without a frame */
};

/* What one poll collected: the readings of the newest good record and the frame counts. */
struct tally {
    unsigned good, bad;
    struct vsd_reading readings[VSD_SINK_MAX];
    size_t n;
};

static const struct vsd_option ges5_options[] = {
    VSD_SERIAL_OPTIONS("19200", "even", "rtscts"),
    {0},
};

/* The transmission interval to ask for: the poll period in whole seconds, at least the
 * monitor's minimum of 5 s. */
static int16_t tx_interval(const struct vsd_device *dev)
{
    int64_t s = (vsd_device_poll_ms(dev) + 500) / 1000;

    if (s < VSD_GES5_TX_MIN_S)
        s = VSD_GES5_TX_MIN_S;
    return (int16_t)(s > 3600 ? 3600 : s);
}

/* Frame and send a displayed-values request with interval TX_IVAL (0 = stop). */
static int send_request(struct ges5 *g, int16_t tx_ival, int64_t timeout_ms)
{
    uint8_t rec[VSD_GES5_REQUEST_LEN];
    uint8_t frame[2 + 2 * (VSD_GES5_REQUEST_LEN + 1)];
    ssize_t n;

    vsd_ges5_request_build(tx_ival, VSD_GES5_CLASS_BASIC, DRI_LEVEL, rec);
    n = vsd_ges5_frame_encode(rec, sizeof(rec), frame, sizeof(frame));
    if (n < 0)
        return (int)n;
    return vsd_serial_write(g->link, frame, (size_t)n, timeout_ms);
}

static void ges5_free(struct ges5 *g)
{
    if (!g)
        return;
    vsd_serial_close(g->link);
    free(g);
}

static int ges5_open(struct vsd_device *dev)
{
    struct vsd_serial_params p;
    struct ges5 *g = calloc(1, sizeof(*g));
    int16_t ival = tx_interval(dev);
    int r = -ENOMEM;

    if (!g)
        goto fail;
    vsd_serial_params_of(dev, &p);
    r = vsd_serial_open(&p, vsd_device_timeout_ms(dev), &g->link);
    if (r < 0)
        goto fail;
    g->tx_ival = ival;
    r = vsd_serial_flush_input(g->link);
    if (r >= 0)
        r = send_request(g, ival, vsd_device_timeout_ms(dev));
    if (r < 0)
        goto fail;
    if (vsd_device_poll_ms(dev) < VSD_GES5_TX_MIN_S * 1000)
        vsd_log(LOG_NOTICE,
                "device '%s' (ge-s5): poll %lld ms is shorter than the monitor's "
                "5 s minimum: asked for records every %d s",
                vsd_device_name(dev), (long long)vsd_device_poll_ms(dev), ival);
    vsd_device_set_data(dev, g);
    return 0;
fail:
    ges5_free(g);
    return r;
}

/* Decode one good record into T (its readings replace an older record's). */
static void take_record(struct vsd_device *dev, struct ges5 *g, struct tally *t)
{
    struct vsd_ges5_basic basic;
    int r = vsd_ges5_record_decode(g->rx.rec, g->rx.len, &basic);

    if (r == -EBADMSG) {
        t->bad++;
        return;
    }
    t->good++;
    if (r < 0)
        return; /* a well-formed record without displayed basic values */
    t->n = vsd_ges5_readings(&basic, &g->nibp, vsd_device_wall_ms(dev), t->readings, VSD_SINK_MAX);
}

static void feed(struct vsd_device *dev, struct ges5 *g, const uint8_t *buf, size_t n,
                 struct tally *t)
{
    for (size_t i = 0; i < n; i++) {
        enum vsd_ges5_frame_status st = vsd_ges5_deframe_byte(&g->rx, buf[i]);

        if (st == VSD_GES5_GOOD)
            take_record(dev, g, t);
        else if (st != VSD_GES5_MORE)
            t->bad++;
    }
}

/* Real monotonic ms: the poll's bound is real time even when the bus clock is injected. */
static int64_t real_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what the monitor pushed since the last poll: wait up to the timeout for a first
 * complete frame, then take whatever else is already there (never past the timeout). */
static int ges5_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct ges5 *g = vsd_device_data(dev);
    int64_t deadline = real_ms() + vsd_device_timeout_ms(dev);
    struct tally t = {0};
    uint8_t buf[512];

    for (;;) {
        int64_t left = deadline - real_ms();
        ssize_t n;

        if (t.good + t.bad > 0 || left < 0)
            left = 0;
        n = vsd_serial_read(g->link, buf, sizeof(buf), left);
        if (n == -ETIMEDOUT)
            break;
        if (n < 0)
            return (int)n;
        feed(dev, g, buf, (size_t)n, &t);
        if (real_ms() >= deadline)
            break;
    }
    g->silent = t.good + t.bad ? 0 : g->silent + 1;
    if (g->silent >= REQUEST_AGAIN_AFTER) {
        int r = send_request(g, g->tx_ival, SHORT_WRITE_MS);

        g->silent = 0;
        if (r < 0 && r != -ETIMEDOUT)
            return r;
    }
    if (t.good == 0)
        return t.bad ? -EBADMSG : -ETIMEDOUT;
    vsd_device_bad_frames(dev, t.bad);
    for (size_t i = 0; i < t.n; i++)
        vsd_sink_push(sink, &t.readings[i]);
    return 0;
}

static void ges5_close(struct vsd_device *dev)
{
    struct ges5 *g = vsd_device_data(dev);

    if (g)
        send_request(g, 0, SHORT_WRITE_MS); /* best effort: the link may be gone */
    ges5_free(g);
    vsd_device_set_data(dev, NULL);
}

const struct vsd_driver vsd_driver_ge_s5 = {
    .name = "ge-s5",
    .summary = "GE/Datex-Ohmeda S/5 Computer Interface (AS/3, CS/3, S/5, CARESCAPE B-series)",
    .options = ges5_options,
    .bus_key = NULL,
    .open = ges5_open,
    .poll = ges5_poll,
    .close = ges5_close,
};
