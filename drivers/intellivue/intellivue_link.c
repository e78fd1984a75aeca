/* SPDX-License-Identifier: MIT */
/* IntelliVue transports (see intellivue_link.h). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial.h>

#include "intellivue_frame.h"
#include "intellivue_link.h"

struct ivue_link {
    struct vsd_serial *serial; /* MIB/RS232, or NULL */
    int udp;                   /* LAN: a UDP socket connected to the monitor, or -1 */
    struct vsd_ivue_rx rx;
    uint8_t in[512];
    size_t in_at, in_len;
    uint8_t datagram[VSD_IVUE_MAX_PAYLOAD + 1];
};

int64_t ivue_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* udp://HOST[:PORT] (HOST may be [v6]) into HOST and SERVICE. */
static int split_udp(const char *spec, char *host, size_t hn, char *serv, size_t sn)
{
    const char *h = spec + strlen("udp://"), *colon, *end;

    if (*h == '[') {
        end = strchr(h, ']');
        if (!end)
            return -EINVAL;
        colon = end[1] == ':' ? end + 1 : NULL;
        h++;
    } else {
        colon = strrchr(h, ':');
        end = colon ? colon : h + strlen(h);
    }
    if (end == h || (size_t)(end - h) >= hn)
        return -EINVAL;
    snprintf(host, hn, "%.*s", (int)(end - h), h);
    snprintf(serv, sn, "%s", colon ? colon + 1 : "24105");
    return 0;
}

static int open_udp(const char *spec, struct ivue_link *l)
{
    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *ai = NULL;
    char host[256], serv[16];
    int r = split_udp(spec, host, sizeof(host), serv, sizeof(serv));

    if (r < 0)
        return r;
    if (getaddrinfo(host, serv, &hints, &ai) != 0)
        return -ENOENT;
    l->udp = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    r = l->udp < 0 ? -errno : 0;
    /* Connected: the monitor answers from its data export port; others are not heard. */
    if (r == 0 && connect(l->udp, ai->ai_addr, ai->ai_addrlen) < 0)
        r = -errno;
    freeaddrinfo(ai);
    return r;
}

int ivue_link_open(struct vsd_device *dev, struct ivue_link **ret)
{
    const char *port = vsd_device_option(dev, "port");
    struct ivue_link *l = calloc(1, sizeof(*l));
    struct vsd_serial_params sp;
    int r;

    if (!l)
        return -ENOMEM;
    l->udp = -1;
    if (port && strncmp(port, "udp://", 6) == 0) {
        r = open_udp(port, l);
    } else {
        vsd_serial_params_of(dev, &sp);
        r = vsd_serial_open(&sp, vsd_device_timeout_ms(dev), &l->serial);
        if (r >= 0)
            r = vsd_serial_flush_input(l->serial);
    }
    if (r < 0) {
        ivue_link_close(l);
        return r;
    }
    *ret = l;
    return 0;
}

void ivue_link_close(struct ivue_link *l)
{
    if (!l)
        return;
    vsd_serial_close(l->serial);
    if (l->udp >= 0)
        close(l->udp);
    free(l);
}

int ivue_link_send(struct ivue_link *l, const uint8_t *msg, size_t n, int64_t timeout_ms)
{
    uint8_t frame[2 * (512 + 6) + 2];
    size_t len;

    if (n == 0)
        return -EINVAL;
    if (l->udp >= 0) /* a datagram is sent whole or not at all: no wait */
        return send(l->udp, msg, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -errno;
    len = vsd_ivue_frame_encode(msg, n, frame, sizeof(frame));
    return len ? vsd_serial_write(l->serial, frame, len, timeout_ms) : -EINVAL;
}

/* One datagram before END: 1, 0 at END. A refusal by ICMP (no one on the port) is silence. */
static int next_datagram(struct ivue_link *l, int64_t end, const uint8_t **msg, size_t *len,
                         unsigned *bad)
{
    for (;;) {
        struct pollfd p = {.fd = l->udp, .events = POLLIN};
        int64_t left = end - ivue_now_ms();
        ssize_t n;

        if (left <= 0 || poll(&p, 1, (int)left) == 0)
            return 0;
        n = recv(l->udp, l->datagram, sizeof(l->datagram), 0);
        if (n < 0 && (errno == EINTR || errno == ECONNREFUSED || errno == EAGAIN))
            continue;
        if (n < 0)
            return -errno;
        if (n == 0 || (size_t)n > VSD_IVUE_MAX_PAYLOAD) { /* empty, or cut to the buffer */
            (*bad)++;
            continue;
        }
        *msg = l->datagram;
        *len = (size_t)n;
        return 1;
    }
}

int ivue_link_next(struct ivue_link *l, int64_t end, const uint8_t **msg, size_t *len,
                   unsigned *bad)
{
    if (l->udp >= 0)
        return next_datagram(l, end, msg, len, bad);
    for (;;) {
        int64_t left;
        ssize_t n;

        while (l->in_at < l->in_len) {
            int r = vsd_ivue_rx_byte(&l->rx, l->in[l->in_at++]);

            if (r < 0)
                (*bad)++;
            if (r > 0) {
                *msg = l->rx.payload;
                *len = l->rx.payload_len;
                return 1;
            }
        }
        left = end - ivue_now_ms();
        if (left <= 0)
            return 0;
        n = vsd_serial_read(l->serial, l->in, sizeof(l->in), left);
        if (n == -ETIMEDOUT)
            return 0;
        if (n < 0)
            return (int)n;
        l->in_at = 0;
        l->in_len = (size_t)n;
    }
}
