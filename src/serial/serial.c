/* SPDX-License-Identifier: MIT */
/* The serial transport: backend choice, bounded reads and writes on the backend's fd, options. */
#include <errno.h>
#include <stdint.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libserialport.h>
#include <vitalsd/driver.h>
#include <vitalsd/serial.h>

#include "serial_private.h"

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vsd_serial_open(const struct vsd_serial_params *p, int64_t timeout_ms, struct vsd_serial **ret)
{
    struct vsd_serial *s;
    int r;

    if (!p || !p->port || !p->port[0] || !ret)
        return -EINVAL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->fd = -1;
    if (strncmp(p->port, "tcp://", 6) == 0) {
        s->kind = SERIAL_TCP;
        r = vsd_serial_tcp_open(s, p->port + 6, timeout_ms);
    } else if (vsd_serial_is_pty(p->port)) {
        s->kind = SERIAL_PTY;
        r = vsd_serial_pty_open(s, p->port, p);
    } else {
        s->kind = SERIAL_PORT;
        r = vsd_serial_sp_open(s, p->port, p);
    }
    if (r < 0)
        goto fail;
    *ret = s;
    return 0;
fail:
    vsd_serial_close(s);
    return r;
}

/* A read or write errno as the driver contract's error: broken link or timeout. */
static int link_error(int err)
{
    switch (err) {
    case ECONNRESET:
    case EPIPE:
    case ECONNABORTED:
    case ETIMEDOUT: /* TCP keepalive gave up */
    case EHOSTUNREACH:
    case ENETUNREACH:
        return -ECONNRESET;
    case ENXIO:
    case ENODEV:
        return -ENODEV;
    default:
        return -EIO;
    }
}

/* Wait for EVENTS on S's fd until DEADLINE (monotonic ms). Returns 0, -ETIMEDOUT, or a
 * broken-link error when the peer hung up with nothing left to read. */
static int wait_fd(struct vsd_serial *s, short events, int64_t deadline)
{
    struct pollfd p = {.fd = s->fd, .events = events};
    int64_t left;
    int r;

    do {
        left = deadline - mono_ms();
        r = poll(&p, 1, left > 0 ? (int)left : 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return -errno;
    if (r == 0)
        return -ETIMEDOUT;
    if (p.revents & events)
        return 0;
    if (p.revents & POLLNVAL)
        return -EBADF;
    return s->kind == SERIAL_TCP ? -ECONNRESET : -EIO; /* POLLHUP / POLLERR only */
}

ssize_t vsd_serial_read(struct vsd_serial *s, void *buf, size_t n, int64_t timeout_ms)
{
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    ssize_t r;

    if (!s || !buf || n == 0)
        return -EINVAL;
    for (;;) {
        int w = wait_fd(s, POLLIN, deadline);

        if (w < 0)
            return w;
        r = read(s->fd, buf, n);
        if (r > 0)
            return r;
        if (r == 0) /* readable but empty: TCP peer closed, tty hung up */
            return s->kind == SERIAL_TCP ? -ECONNRESET : -EIO;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return link_error(errno);
    }
}

#define DRAIN_CHUNK 512

ssize_t vsd_serial_drain(struct vsd_serial *s, int64_t timeout_ms, size_t max,
                         vsd_serial_feed_fn feed, void *ctx)
{
    uint8_t buf[DRAIN_CHUNK];
    size_t total = 0;
    ssize_t n = vsd_serial_read(s, buf, sizeof(buf), timeout_ms);

    while (n > 0) {
        feed(ctx, buf, (size_t)n);
        total += (size_t)n;
        if (total >= max)
            break;
        n = vsd_serial_read(s, buf, sizeof(buf), 0);
        if (n == -ETIMEDOUT)
            break;
    }
    return n < 0 && (total == 0 || n != -ETIMEDOUT) ? n : (ssize_t)total;
}

int vsd_serial_write(struct vsd_serial *s, const void *buf, size_t n, int64_t timeout_ms)
{
    int64_t deadline = mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    const char *p = buf;

    if (!s || (!buf && n))
        return -EINVAL;
    while (n > 0) {
        int w = wait_fd(s, POLLOUT, deadline);
        ssize_t r;

        if (w < 0)
            return w;
        if (s->kind == SERIAL_TCP)
            r = send(s->fd, p, n, MSG_NOSIGNAL);
        else
            r = write(s->fd, p, n);
        if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return link_error(errno);
        if (r > 0) {
            p += r;
            n -= (size_t)r;
        }
    }
    return 0;
}

int vsd_serial_flush_input(struct vsd_serial *s)
{
    char junk[512];
    ssize_t r;

    if (!s)
        return -EINVAL;
    if (s->kind != SERIAL_TCP)
        return tcflush(s->fd, TCIFLUSH) < 0 ? link_error(errno) : 0;
    while ((r = recv(s->fd, junk, sizeof(junk), MSG_DONTWAIT)) > 0)
        ;
    if (r == 0)
        return -ECONNRESET;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : link_error(errno);
}

void vsd_serial_close(struct vsd_serial *s)
{
    if (!s)
        return;
    if (s->port) {
        sp_close(s->port); /* closes s->fd */
        sp_free_port(s->port);
    } else if (s->fd >= 0) {
        close(s->fd);
    }
    free(s);
}

static int int_option(const struct vsd_device *dev, const char *key, int def)
{
    const char *v = vsd_device_option(dev, key);
    long long n;

    return v && vsd_option_parse_int(v, &n) == 0 ? (int)n : def;
}

void vsd_serial_params_of(const struct vsd_device *dev, struct vsd_serial_params *p)
{
    const char *parity = vsd_device_option(dev, "parity");
    const char *flow = vsd_device_option(dev, "flow_control");

    memset(p, 0, sizeof(*p));
    p->port = vsd_device_option(dev, "port");
    p->baud = int_option(dev, "baud", 9600);
    p->data_bits = int_option(dev, "data_bits", 8);
    p->stop_bits = int_option(dev, "stop_bits", 1);
    p->parity = !parity || strcmp(parity, "none") == 0 ? VSD_PARITY_NONE
                : strcmp(parity, "odd") == 0           ? VSD_PARITY_ODD
                                                       : VSD_PARITY_EVEN;
    p->flow = !flow || strcmp(flow, "none") == 0 ? VSD_FLOW_NONE
              : strcmp(flow, "rtscts") == 0      ? VSD_FLOW_RTSCTS
                                                 : VSD_FLOW_XONXOFF;
}
