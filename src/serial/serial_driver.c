/* SPDX-License-Identifier: MIT */
/* The glue every serial driver had its own copy of: data with the link first, open, close, the
 * streaming read with its gap rule, the frame counts. */
#include <errno.h>
#include <stdlib.h>

#include <vitalsd/serial_driver.h>

void *vsd_serial_driver_open(struct vsd_device *dev, size_t size,
                             const struct vsd_serial_params *sp, int *err)
{
    struct vsd_serial_params own;
    struct vsd_serial_head *h = size >= sizeof(*h) ? calloc(1, size) : NULL;
    int r;

    if (!h) {
        *err = size >= sizeof(*h) ? -ENOMEM : -EINVAL;
        return NULL;
    }
    if (!sp) {
        vsd_serial_params_of(dev, &own);
        sp = &own;
    }
    r = vsd_serial_open(sp, vsd_device_timeout_ms(dev), &h->link);
    if (r < 0) {
        free(h);
        *err = r;
        return NULL;
    }
    h->last_rx_ms = vsd_device_mono_ms(dev);
    vsd_device_set_data(dev, h);
    return h;
}

void vsd_serial_driver_close(struct vsd_device *dev)
{
    struct vsd_serial_head *h = vsd_device_data(dev);

    if (!h)
        return;
    vsd_serial_close(h->link);
    free(h);
    vsd_device_set_data(dev, NULL);
}

int vsd_serial_stream_read(struct vsd_device *dev, size_t max, int64_t gap_ms,
                           vsd_serial_feed_fn feed, void *ctx)
{
    struct vsd_serial_head *h = vsd_device_data(dev);
    ssize_t n;

    if (!h)
        return -ENOTCONN;
    n = vsd_serial_drain(h->link, vsd_device_timeout_ms(dev), max, feed, ctx);
    if (n > 0) {
        h->last_rx_ms = vsd_device_mono_ms(dev);
        return 0;
    }
    if (n == -ETIMEDOUT && vsd_device_mono_ms(dev) - h->last_rx_ms < gap_ms)
        return 0; /* between two lines */
    return (int)n;
}

int vsd_serial_stream_counts(struct vsd_device *dev, unsigned bad, unsigned good)
{
    if (bad)
        vsd_device_bad_frames(dev, bad);
    return good == 0 && bad > 0 ? -EBADMSG : 0;
}
