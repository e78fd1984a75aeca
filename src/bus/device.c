/* SPDX-License-Identifier: MIT */
/* Device instances: the accessors drivers use and the sink that collects one exchange. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "device.h"

bool vsd_device_broken_link(int err)
{
    return err == -EIO || err == -EPIPE || err == -ENODEV || err == -ECONNRESET ||
           err == -ENOTCONN || err == -EBADF;
}

void vsd_device_init(struct vsd_device *dev, const struct vsd_device_config *cfg, size_t index,
                     const struct vsd_clock *clock)
{
    memset(dev, 0, sizeof(*dev));
    dev->cfg = cfg;
    dev->index = index;
    dev->clock = clock;
}

const char *vsd_device_name(const struct vsd_device *dev)
{
    return dev->cfg->name;
}

/* The table entry of driver option KEY, NULL when the driver has none. */
static const struct vsd_option *driver_option(const struct vsd_device *dev, const char *key)
{
    const struct vsd_driver *drv = dev->cfg->driver;

    return drv && drv->options ? vsd_option_find(drv->options, key) : NULL;
}

/* The N-th written value of KEY, in file order; NULL past the last one. */
static const char *written(const struct vsd_device *dev, const char *key, unsigned n)
{
    for (size_t i = 0; i < dev->cfg->n_options; i++) {
        const struct vsd_kv *kv = &dev->cfg->options[i];

        if (strcmp(kv->key, key) == 0 && n-- == 0)
            return kv->value;
    }
    return NULL;
}

const char *vsd_device_option(const struct vsd_device *dev, const char *key)
{
    const char *value = written(dev, key, 0);
    const struct vsd_option *opt;

    if (value)
        return value;
    opt = driver_option(dev, key);
    return opt ? opt->def : NULL;
}

/* Falls back to the table's default as the only value when KEY was never written. */
const char *vsd_device_option_n(const struct vsd_device *dev, const char *key, unsigned n)
{
    const struct vsd_option *opt;

    if (written(dev, key, 0))
        return written(dev, key, n);
    opt = driver_option(dev, key);
    return n == 0 && opt ? opt->def : NULL;
}

int64_t vsd_device_poll_ms(const struct vsd_device *dev)
{
    return dev->cfg->poll_ms;
}

int64_t vsd_device_timeout_ms(const struct vsd_device *dev)
{
    return dev->cfg->timeout_ms;
}

void *vsd_device_data(const struct vsd_device *dev)
{
    return dev->data;
}

void vsd_device_set_data(struct vsd_device *dev, void *data)
{
    dev->data = data;
}

int64_t vsd_device_mono_ms(const struct vsd_device *dev)
{
    return vsd_clock_mono_ms(dev->clock);
}

int64_t vsd_device_wall_ms(const struct vsd_device *dev)
{
    return vsd_clock_wall_ms(dev->clock);
}

void vsd_device_bad_frames(struct vsd_device *dev, unsigned n)
{
    dev->bad_frames += n;
}

/* Copies SRC (NULL: "") into DST, cut to VSD_IDENTITY_MAX; true when DST changed. */
static bool set_identity_part(char dst[VSD_IDENTITY_MAX + 1], const char *src)
{
    char next[VSD_IDENTITY_MAX + 1];

    snprintf(next, sizeof(next), "%s", src ? src : "");
    for (char *c = next; *c; c++)
        if (!isgraph((unsigned char)*c) && *c != ' ')
            *c = '?'; /* it goes to logs, JSON and the audit as text */
    if (strcmp(dst, next) == 0)
        return false;
    memcpy(dst, next, sizeof(next));
    return true;
}

void vsd_device_identity(struct vsd_device *dev, const char *model, const char *serial)
{
    bool changed = set_identity_part(dev->model, model);

    changed |= set_identity_part(dev->serial, serial);
    dev->identity_changed |= changed;
}

int vsd_sink_push(struct vsd_sink *sink, const struct vsd_reading *r)
{
    if (sink->n >= VSD_SINK_MAX)
        return -ENOSPC;
    sink->readings[sink->n++] = *r;
    return 0;
}
