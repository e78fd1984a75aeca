/* SPDX-License-Identifier: MIT */
/* `vitalsctl probe DEVICE` for a device whose driver is not Modbus: open its link as the daemon
 * would, poll it at its period for a few exchanges, and print what came in words: each reading
 * with its flags, garbled frames, errors, and the identity the device reported against the one
 * configured (docs/devices/README.md). */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include <vitalsd/vitals.h>

#include "clock.h"
#include "device.h"
#include "probe.h"

#define WANTED 3           /* answered exchanges with readings before stopping */
#define MIN_WINDOW_MS 3000 /* at least this long, and three periods, for a streaming device */

static void print_reading(FILE *out, const struct vsd_reading *r)
{
    const struct vsd_vital_info *vi = vsd_vital_info(r->vital);
    char flags[128];

    vsd_quality_text(r->flags, flags, sizeof(flags));
    if (!vi) {
        fprintf(out, "    (a reading of an unknown vital %d: a driver bug)\n", (int)r->vital);
        return;
    }
    if (isnan(r->value))
        fprintf(out, "    %-10s no value", vi->name);
    else
        fprintf(out, "    %-10s %g %s", vi->name, r->value, vi->unit);
    fprintf(out, "%s%s%s\n", *flags ? "  [" : "", flags, *flags ? "]" : "");
}

static void print_exchange(FILE *out, const struct vsd_device *dev, int r,
                           const struct vsd_sink *sink, int64_t t_ms)
{
    fprintf(out, "  +%5.1f s: ", (double)t_ms / 1000);
    if (r < 0)
        fprintf(out, "no usable answer: %s\n", strerror(-r));
    else if (sink->n == 0)
        fprintf(out, "answered, nothing new yet\n");
    else
        fprintf(out, "answered, %zu reading%s\n", sink->n, sink->n == 1 ? "" : "s");
    if (dev->bad_frames)
        fprintf(out, "    %u garbled frame%s skipped\n", dev->bad_frames,
                dev->bad_frames == 1 ? "" : "s");
    for (size_t i = 0; r == 0 && i < sink->n; i++)
        print_reading(out, &sink->readings[i]);
}

/* What the device said it is, and what the configuration expects. */
static void print_identity(FILE *out, const struct vsd_device *dev)
{
    const struct vsd_device_config *dc = dev->cfg;

    fprintf(out, "identity: model '%s', serial '%s'%s\n", *dev->model ? dev->model : "-",
            *dev->serial ? dev->serial : "-",
            *dev->model || *dev->serial ? "" : " (not reported by this device or driver)");
    if (*dc->serial && *dev->serial && strcmp(dc->serial, dev->serial) != 0)
        fprintf(out, "  NOT the configured serial '%s': vitalsd would raise wrong_device\n",
                dc->serial);
    if (*dc->model && *dev->model && strcmp(dc->model, dev->model) != 0)
        fprintf(out, "  NOT the configured model '%s': vitalsd would raise wrong_device\n",
                dc->model);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

    if (ms > 0)
        nanosleep(&ts, NULL);
}

/* Poll an open DEV at its period until WANTED answers with readings or the window ends. */
static int exchanges(FILE *out, struct vsd_device *dev)
{
    const struct vsd_driver *drv = dev->cfg->driver;
    int64_t start = vsd_clock_mono_ms(&vsd_clock_system), period = vsd_device_poll_ms(dev);
    int64_t window = 3 * period > MIN_WINDOW_MS ? 3 * period : MIN_WINDOW_MS;
    int answered = 0, r = 0;

    window += vsd_device_timeout_ms(dev);
    for (int64_t due = start; answered < WANTED; due += period) {
        struct vsd_reading rs[VSD_SINK_MAX];
        struct vsd_sink sink = {rs, 0};
        int64_t now = vsd_clock_mono_ms(&vsd_clock_system);

        if (now - start > window)
            break;
        sleep_ms(due - now);
        dev->bad_frames = 0;
        r = drv->poll(dev, &sink);
        print_exchange(out, dev, r, &sink, vsd_clock_mono_ms(&vsd_clock_system) - start);
        answered += r == 0 && sink.n > 0;
        if (vsd_device_broken_link(r))
            break;
    }
    return answered;
}

int vsd_probe_driver(FILE *out, const struct vsd_device_config *dc, size_t index)
{
    const struct vsd_driver *drv = dc->driver;
    struct vsd_device dev;
    int answered, r;

    vsd_device_init(&dev, dc, index, &vsd_clock_system);
    fprintf(out, "device '%s' (%s: %s), every %lld ms, timeout %lld ms\n", dc->name, drv->name,
            drv->summary, (long long)dc->poll_ms, (long long)dc->timeout_ms);
    r = drv->open(&dev);
    if (r < 0) {
        fprintf(stderr,
                "vitalsctl probe: device '%s': cannot open its link: %s (is vitalsd using it? "
                "a serial port serves one program at a time)\n",
                dc->name, strerror(-r));
        return VSD_PROBE_NO_ANSWER;
    }
    answered = exchanges(out, &dev);
    print_identity(out, &dev);
    drv->close(&dev);
    fprintf(out, "%s\n",
            answered ? "result: the device answered with readings"
                     : "result: NO readings from the device");
    return answered ? VSD_PROBE_ANSWERED : VSD_PROBE_NO_ANSWER;
}
