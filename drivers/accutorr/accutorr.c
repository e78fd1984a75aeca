/* SPDX-License-Identifier: MIT */
/* The `accutorr` driver: Datascope Accutorr 3 PC interface, one `P` request per poll, the
 * `P:` line with SpO2, pulse rate, NIBP and three status bytes in answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial_driver.h>

#include "accutorr_frame.h"

struct accutorr_dev {
    struct vsd_serial_head head; /* first: the link */
    struct vsd_accutorr_rx rx;
    struct vsd_accutorr_nibp nibp;
    enum vsd_accutorr_order order;
    bool spo2;
    uint8_t selftest; /* status byte 1 self-test bits last logged */
};

/* What one exchange collected. */
struct answer {
    struct vsd_accutorr_p p;
    bool have;
    unsigned bad;
};

static const struct vsd_option accutorr_options[] = {
    VSD_SERIAL_OPTIONS("9600", "none", "none"),
    {.key = "spo2",
     .type = VSD_OPT_BOOL,
     .def = "true",
     .help = "the monitor has the SpO2 option (no: SpO2 is not reported, pulse rate is the "
             "cuff's)"},
    {.key = "nibp_order",
     .type = VSD_OPT_ENUM,
     .def = "sys-mean-dia",
     .choices = (const char *const[]){"sys-mean-dia", "sys-dia-mean", NULL},
     .help = "order of the pressures in the P: line (the service manual lists "
             "sys-mean-dia)"},
    {0},
};

static int accutorr_open(struct vsd_device *dev)
{
    const char *order = vsd_device_option(dev, "nibp_order");
    int on = 1, r;
    struct accutorr_dev *d = vsd_serial_driver_open(dev, sizeof(*d), NULL, &r);

    if (!d)
        return r;
    vsd_option_parse_bool(vsd_device_option(dev, "spo2") ?: "true", &on);
    d->spo2 = on;
    d->order = order && strcmp(order, "sys-dia-mean") == 0 ? VSD_ACCUTORR_SYS_DIA_MEAN
                                                           : VSD_ACCUTORR_SYS_MEAN_DIA;
    return 0;
}

/* One complete line: the answer, or a line that is not (the power-up banner and an `L:` answer
 * are the monitor's own; anything else is noise). */
static void take_line(struct accutorr_dev *d, struct answer *a)
{
    const char *s = d->rx.line;

    if (strncmp(s, "P:", 2) == 0) {
        if (vsd_accutorr_parse_p(s, d->rx.len, d->order, &a->p) == 0)
            a->have = true;
        else
            a->bad++;
    } else if (strncmp(s, "L:", 2) != 0 && strstr(s, "ACCUTORR") == NULL) {
        a->bad++;
    }
}

/* Real monotonic ms: the exchange is bounded in real time even when the bus clock is not. */
static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read until a P: line has come or the timeout has passed. */
static int read_answer(struct vsd_device *dev, struct accutorr_dev *d, struct answer *a)
{
    int64_t end = now_ms() + vsd_device_timeout_ms(dev);
    uint8_t buf[256];

    while (!a->have) {
        int64_t left = end - now_ms();
        ssize_t n = vsd_serial_read(d->head.link, buf, sizeof(buf), left > 0 ? left : 0);

        if (n == -ETIMEDOUT)
            break;
        if (n < 0)
            return (int)n;
        for (ssize_t i = 0; i < n && !a->have; i++) {
            int r = vsd_accutorr_rx_byte(&d->rx, buf[i]);

            if (r > 0)
                take_line(d, a);
            else if (r < 0)
                a->bad++;
        }
        if (left <= 0)
            break;
    }
    if (!a->have && !d->rx.done && (d->rx.len > 0 || d->rx.overflow))
        a->bad++; /* an answer cut short: garbled, not silence */
    return 0;
}

/* Log a change of the monitor's self-test state once. */
static void note_selftest(struct vsd_device *dev, struct accutorr_dev *d, uint8_t s1)
{
    uint8_t st = s1 & (VSD_ACCUTORR_S1_SELFTEST_FAIL | VSD_ACCUTORR_S1_TEST_RUNNING);

    if (st == d->selftest)
        return;
    d->selftest = st;
    if (st)
        vsd_log(LOG_WARNING,
                "device '%s' (accutorr): the monitor reports a self-test %s (status 1 = %u): "
                "its values are marked invalid",
                vsd_device_name(dev), (st & VSD_ACCUTORR_S1_SELFTEST_FAIL) ? "failure" : "running",
                s1);
    else
        vsd_log(LOG_NOTICE, "device '%s' (accutorr): the monitor's self-test state is clear",
                vsd_device_name(dev));
}

static int accutorr_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct accutorr_dev *d = vsd_device_data(dev);
    struct vsd_reading out[5];
    struct answer a = {0};
    size_t n;
    int r;

    if (!d)
        return -ENOTCONN;
    d->rx = (struct vsd_accutorr_rx){0};
    r = vsd_serial_flush_input(d->head.link);
    if (r >= 0)
        r = vsd_serial_write(d->head.link, "P", 1, vsd_device_timeout_ms(dev));
    if (r >= 0)
        r = read_answer(dev, d, &a);
    if (r < 0)
        return r;
    if (!a.have)
        return a.bad ? -EBADMSG : -ETIMEDOUT;
    vsd_device_bad_frames(dev, a.bad);
    note_selftest(dev, d, a.p.status[1]);
    n = vsd_accutorr_readings(&a.p, d->spo2, &d->nibp, vsd_device_wall_ms(dev),
                              vsd_device_mono_ms(dev), out, 5);
    for (size_t i = 0; i < n; i++)
        vsd_sink_push(sink, &out[i]);
    return 0;
}

const struct vsd_driver vsd_driver_accutorr = {
    .name = "accutorr",
    .summary = "Datascope Accutorr 3 PC interface, P command (NIBP sys/dia/mean, SpO2, PR)",
    .options = accutorr_options,
    .open = accutorr_open,
    .poll = accutorr_poll,
    .close = vsd_serial_driver_close,
};
