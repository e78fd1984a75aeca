/* SPDX-License-Identifier: MIT */
/* The simulator's endpoints: TCP ports on 127.0.0.1 (gateways) and pty pairs (RS-485 buses). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "sim.h"

#define RTU_GAP_MS 50 /* a partial RTU request older than this is line noise: dropped */
#define RETRY_MS 100  /* a port or pty that cannot come back yet is tried again after this */

static void conn_reset(struct sim_conn *c)
{
    c->fd = -1;
    c->in_len = 0;
    c->n_out = 0;
}

static int listen_tcp(int port, int *actual)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    socklen_t alen = sizeof(a);
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -errno;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) < 0)
        goto fail;
    *actual = ntohs(a.sin_port);
    return fd;
fail:
    one = -errno;
    close(fd);
    return one;
}

int sim_ep_tcp_new(int port, struct sim_endpoint **ret)
{
    struct sim_endpoint *ep = calloc(1, sizeof(*ep));
    int fd;

    if (!ep)
        return -ENOMEM;
    fd = listen_tcp(port, &ep->port);
    if (fd < 0) {
        free(ep);
        return fd;
    }
    ep->kind = SIM_EP_TCP;
    ep->listen_fd = fd;
    ep->slave_fd = -1;
    snprintf(ep->name, sizeof(ep->name), "%d", ep->port);
    for (size_t i = 0; i < SIM_MAX_CONNS; i++)
        conn_reset(&ep->conns[i]);
    *ret = ep;
    return 0;
}

/* A new pty pair in raw mode, its slave published at EP->link (replaced atomically). */
static int plug(struct sim_endpoint *ep)
{
    struct termios tio;
    char tmp[sizeof(ep->link) + 8];
    int master, slave;

    if (openpty(&master, &slave, NULL, NULL, NULL) < 0)
        return -errno;
    if (tcgetattr(slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(slave, TCSANOW, &tio);
    }
    fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
    fcntl(master, F_SETFD, FD_CLOEXEC);
    fcntl(slave, F_SETFD, FD_CLOEXEC);
    snprintf(tmp, sizeof(tmp), "%s.new", ep->link);
    unlink(tmp);
    if (symlink(ptsname(master), tmp) < 0 || rename(tmp, ep->link) < 0) {
        int r = -errno;

        close(master);
        close(slave);
        return r;
    }
    ep->conns[0].fd = master;
    ep->slave_fd = slave;
    return 0;
}

static void unplug(struct sim_endpoint *ep)
{
    if (ep->conns[0].fd >= 0)
        close(ep->conns[0].fd);
    if (ep->slave_fd >= 0)
        close(ep->slave_fd);
    ep->slave_fd = -1;
    conn_reset(&ep->conns[0]);
    unlink(ep->link);
}

int sim_ep_rtu_new(const char *link, struct sim_endpoint **ret)
{
    struct sim_endpoint *ep = calloc(1, sizeof(*ep));
    char copy[sizeof(ep->link)];
    int r;

    if (!ep)
        return -ENOMEM;
    ep->kind = SIM_EP_RTU;
    ep->listen_fd = -1;
    ep->slave_fd = -1;
    for (size_t i = 0; i < SIM_MAX_CONNS; i++)
        conn_reset(&ep->conns[i]);
    snprintf(ep->link, sizeof(ep->link), "%s", link);
    snprintf(copy, sizeof(copy), "%s", link);
    snprintf(ep->name, sizeof(ep->name), "%s", basename(copy));
    r = plug(ep);
    if (r < 0) {
        free(ep);
        return r;
    }
    *ret = ep;
    return 0;
}

/* Close a TCP connection with a reset (SO_LINGER 0), as a gateway losing power does. */
static void conn_abort(struct sim_conn *c)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};

    if (c->fd < 0)
        return;
    setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(c->fd);
    conn_reset(c);
}

void sim_ep_free(struct sim_endpoint *ep)
{
    if (!ep)
        return;
    if (ep->kind == SIM_EP_RTU) {
        unplug(ep);
    } else {
        for (size_t i = 0; i < SIM_MAX_CONNS; i++)
            if (ep->conns[i].fd >= 0)
                close(ep->conns[i].fd);
        if (ep->listen_fd >= 0)
            close(ep->listen_fd);
    }
    for (size_t i = 0; i < ep->n_units; i++)
        sim_unit_free(ep->units[i]);
    free(ep);
}

void sim_ep_down(struct sim_endpoint *ep, int64_t ms)
{
    if (ep->kind == SIM_EP_RTU) {
        unplug(ep);
    } else {
        for (size_t i = 0; i < SIM_MAX_CONNS; i++)
            conn_abort(&ep->conns[i]);
        if (ep->listen_fd >= 0)
            close(ep->listen_fd);
        ep->listen_fd = -1;
    }
    ep->down_until = sim_now_ms() + (ms > 0 ? ms : 1);
}

size_t sim_ep_pollfds(struct sim_endpoint *ep, struct pollfd *pfd, size_t max)
{
    size_t n = 0;

    if (ep->listen_fd >= 0 && n < max)
        pfd[n++] = (struct pollfd){.fd = ep->listen_fd, .events = POLLIN};
    for (size_t i = 0; i < SIM_MAX_CONNS && n < max; i++)
        if (ep->conns[i].fd >= 0)
            pfd[n++] = (struct pollfd){.fd = ep->conns[i].fd, .events = POLLIN};
    return n;
}

static void conn_accept(struct sim_endpoint *ep)
{
    int one = 1;
    int fd = accept4(ep->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return;
    for (size_t i = 0; i < SIM_MAX_CONNS; i++) {
        if (ep->conns[i].fd < 0) {
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            conn_reset(&ep->conns[i]);
            ep->conns[i].fd = fd;
            return;
        }
    }
    close(fd); /* a gateway with every connection slot taken */
}

/* Read what arrived on C and serve every complete request in it. */
static void conn_read(struct sim *s, struct sim_endpoint *ep, struct sim_conn *c)
{
    ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);
    int len;

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        if (ep->kind == SIM_EP_TCP) {
            close(c->fd);
            conn_reset(c);
        }
        return;
    }
    c->in_len += (size_t)n;
    c->last_rx_ms = sim_now_ms();
    while (c->fd >= 0 && (len = sim_frame_length(ep->kind, c->in, c->in_len)) != 0) {
        if (len < 0) {
            c->in_len = 0; /* no request starts here: drop what arrived */
            break;
        }
        sim_frame_serve(s, ep, c, c->in, (size_t)len);
        memmove(c->in, c->in + len, c->in_len - (size_t)len);
        c->in_len -= (size_t)len;
    }
}

void sim_ep_io(struct sim *s, struct sim_endpoint *ep, const struct pollfd *pfd, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!pfd[k].revents)
            continue;
        if (pfd[k].fd == ep->listen_fd) {
            conn_accept(ep);
            continue;
        }
        for (size_t i = 0; i < SIM_MAX_CONNS; i++)
            if (ep->conns[i].fd == pfd[k].fd)
                conn_read(s, ep, &ep->conns[i]);
    }
}

int sim_conn_queue(struct sim_conn *c, const uint8_t *buf, size_t len, int64_t due)
{
    struct sim_pending *p;

    if (c->fd < 0 || c->n_out >= SIM_MAX_PENDING || len > sizeof(p->buf))
        return -ENOBUFS;
    /* a device answers in order: a reply never overtakes an earlier one */
    if (c->n_out > 0 && due < c->out[c->n_out - 1].due_ms)
        due = c->out[c->n_out - 1].due_ms;
    p = &c->out[c->n_out++];
    p->due_ms = due;
    p->len = len;
    memcpy(p->buf, buf, len);
    return 0;
}

/* Send C's due replies; returns when the next one is due (INT64_MAX: none). */
static int64_t conn_flush(struct sim_endpoint *ep, struct sim_conn *c, int64_t now)
{
    while (c->fd >= 0 && c->n_out > 0 && c->out[0].due_ms <= now) {
        ssize_t w = ep->kind == SIM_EP_TCP
                        ? send(c->fd, c->out[0].buf, c->out[0].len, MSG_NOSIGNAL | MSG_DONTWAIT)
                        : write(c->fd, c->out[0].buf, c->out[0].len);

        if (w < 0 && ep->kind == SIM_EP_TCP && errno != EAGAIN) {
            close(c->fd);
            conn_reset(c);
            return INT64_MAX;
        }
        c->n_out--;
        memmove(c->out, c->out + 1, c->n_out * sizeof(c->out[0]));
    }
    if (ep->kind == SIM_EP_RTU && c->in_len > 0) {
        if (now - c->last_rx_ms >= RTU_GAP_MS)
            c->in_len = 0;
        else
            return c->last_rx_ms + RTU_GAP_MS;
    }
    return c->fd >= 0 && c->n_out > 0 ? c->out[0].due_ms : INT64_MAX;
}

/* A downed endpoint comes back when its time is up. */
static int64_t revive(struct sim_endpoint *ep, int64_t now)
{
    int r;

    if (now < ep->down_until)
        return ep->down_until;
    if (ep->kind == SIM_EP_RTU) {
        r = plug(ep);
    } else {
        int port;

        r = listen_tcp(ep->port, &port);
        if (r >= 0)
            ep->listen_fd = r;
    }
    if (r < 0) {
        fprintf(stderr, "vsd-modbus-sim: %s cannot come back yet: %s\n", ep->name, strerror(-r));
        ep->down_until = now + RETRY_MS;
        return ep->down_until;
    }
    fprintf(stderr, "vsd-modbus-sim: %s is back\n", ep->name);
    ep->down_until = 0;
    return INT64_MAX;
}

int64_t sim_ep_service(struct sim_endpoint *ep, int64_t now)
{
    int64_t next = INT64_MAX;

    if (ep->down_until)
        return revive(ep, now);
    for (size_t i = 0; i < SIM_MAX_CONNS; i++) {
        int64_t t = conn_flush(ep, &ep->conns[i], now);

        if (t < next)
            next = t;
    }
    return next;
}
