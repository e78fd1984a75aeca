/* SPDX-License-Identifier: MIT */
/* The TCP backend of the serial transport: a raw serial server (ser2net, a device server). */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "serial_private.h"

/* Split "HOST:PORT" or "[V6]:PORT" into HOST and PORT. Returns 0 or -EINVAL. */
static int split_spec(const char *spec, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon = strrchr(spec, ':');
    const char *h = spec;
    size_t len;

    if (!colon || !colon[1] || strlen(colon + 1) >= portlen)
        return -EINVAL;
    len = (size_t)(colon - spec);
    if (len >= 2 && spec[0] == '[' && spec[len - 1] == ']')
        h = spec + 1, len -= 2;
    if (len == 0 || len >= hostlen)
        return -EINVAL;
    memcpy(host, h, len);
    host[len] = '\0';
    snprintf(port, portlen, "%s", colon + 1);
    return 0;
}

/* Keepalive: a silent peer that vanished is noticed within about 11 s. */
static void tune_socket(int fd)
{
    int one = 1, idle = 5, intvl = 2, cnt = 3;

    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* A non-blocking connect to AI finished within TIMEOUT_MS. Returns the fd or negative errno. */
static int connect_one(const struct addrinfo *ai, int64_t timeout_ms)
{
    struct pollfd p;
    int fd, err = 0, r;
    socklen_t len = sizeof(err);

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return -errno;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
        goto done;
    if (errno != EINPROGRESS) {
        r = -errno;
        goto fail;
    }
    p = (struct pollfd){.fd = fd, .events = POLLOUT};
    do
        r = poll(&p, 1, (int)timeout_ms);
    while (r < 0 && errno == EINTR);
    if (r <= 0) {
        r = r == 0 ? -ETIMEDOUT : -errno;
        goto fail;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
        r = err ? -err : -errno;
        goto fail;
    }
done:
    tune_socket(fd);
    return fd;
fail:
    close(fd);
    return r;
}

int vsd_serial_tcp_open(struct vsd_serial *s, const char *spec, int64_t timeout_ms)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    char host[256], port[16];
    int r;

    r = split_spec(spec, host, sizeof(host), port, sizeof(port));
    if (r < 0)
        return r;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -ENOENT;
    r = -ECONNREFUSED;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        r = connect_one(ai, timeout_ms > 0 ? timeout_ms : 1);
        if (r >= 0) {
            s->fd = r;
            r = 0;
            break;
        }
    }
    freeaddrinfo(res);
    return r;
}
