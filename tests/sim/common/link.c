/* SPDX-License-Identifier: MIT */
/* The device end of a simulated serial link: pty or TCP endpoint, unplug/replug, command channel.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "link.h"

struct vsd_sim_link {
    char *link_path;   /* pty: the published symlink; NULL for TCP */
    int master, slave; /* pty fds, -1 while unplugged */
    int port;          /* TCP port */
    int listen_fd;     /* -1 while unplugged */
    int client;        /* -1 without a client */
    int64_t replug_at; /* monotonic ms; 0 = plugged */
    bool stdin_done;
    char line[256]; /* partial command line */
    size_t line_len;
};

int64_t vsd_sim_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct vsd_sim_link *link_new(void)
{
    struct vsd_sim_link *l = calloc(1, sizeof(*l));

    if (!l)
        return NULL;
    l->master = l->slave = l->listen_fd = l->client = -1;
    return l;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* A new pty pair, raw, non-blocking master; the symlink re-pointed atomically. */
static int pty_plug(struct vsd_sim_link *l)
{
    struct termios tio;
    char name[128], tmp[4096];
    int r;

    if (openpty(&l->master, &l->slave, name, NULL, NULL) < 0)
        return -errno;
    if (tcgetattr(l->slave, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(l->slave, TCSANOW, &tio);
    }
    fcntl(l->master, F_SETFL, fcntl(l->master, F_GETFL) | O_NONBLOCK);
    fcntl(l->master, F_SETFD, FD_CLOEXEC);
    fcntl(l->slave, F_SETFD, FD_CLOEXEC);
    snprintf(tmp, sizeof(tmp), "%s.tmp%d", l->link_path, (int)getpid());
    unlink(tmp);
    if (symlink(name, tmp) < 0 || rename(tmp, l->link_path) < 0) {
        r = -errno;
        unlink(tmp);
        close_fd(&l->master);
        close_fd(&l->slave);
        return r;
    }
    return 0;
}

int vsd_sim_link_open_pty(const char *link_path, struct vsd_sim_link **ret)
{
    struct vsd_sim_link *l = link_new();
    int r = -ENOMEM;

    if (!l)
        goto fail;
    l->link_path = strdup(link_path);
    if (!l->link_path)
        goto fail;
    r = pty_plug(l);
    if (r < 0)
        goto fail;
    *ret = l;
    return 0;
fail:
    vsd_sim_link_free(l);
    return r;
}

static int tcp_listen(struct vsd_sim_link *l)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)l->port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int one = 1, r;

    l->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->listen_fd < 0)
        return -errno;
    setsockopt(l->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(l->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l->listen_fd, 4) < 0 ||
        getsockname(l->listen_fd, (struct sockaddr *)&a, &len) < 0) {
        r = -errno;
        close_fd(&l->listen_fd);
        return r;
    }
    l->port = ntohs(a.sin_port);
    return 0;
}

int vsd_sim_link_open_tcp(int port, struct vsd_sim_link **ret)
{
    struct vsd_sim_link *l = link_new();
    int r = -ENOMEM;

    if (!l)
        goto fail;
    l->port = port;
    r = tcp_listen(l);
    if (r < 0)
        goto fail;
    *ret = l;
    return 0;
fail:
    vsd_sim_link_free(l);
    return r;
}

int vsd_sim_link_open_args(int *argc, char **argv, struct vsd_sim_link **ret)
{
    const char *pty = NULL, *tcp = NULL;
    int out = 1;

    for (int i = 1; i < *argc; i++) {
        if (i + 1 < *argc && strcmp(argv[i], "--pty") == 0)
            pty = argv[++i];
        else if (i + 1 < *argc && strcmp(argv[i], "--tcp") == 0)
            tcp = argv[++i];
        else
            argv[out++] = argv[i];
    }
    *argc = out;
    argv[out] = NULL;
    if (!pty == !tcp) {
        fprintf(stderr, "give exactly one of --pty LINK_PATH or --tcp PORT\n");
        return -EINVAL;
    }
    if (pty)
        return vsd_sim_link_open_pty(pty, ret);
    return vsd_sim_link_open_tcp(atoi(tcp), ret);
}

int vsd_sim_link_port(const struct vsd_sim_link *l)
{
    return l->link_path ? 0 : l->port;
}

bool vsd_sim_link_connected(const struct vsd_sim_link *l)
{
    return l->link_path ? l->master >= 0 : l->client >= 0;
}

ssize_t vsd_sim_link_write(struct vsd_sim_link *l, const void *buf, size_t n)
{
    ssize_t w;

    if (!l || (!buf && n))
        return -EINVAL;
    if (l->link_path) {
        if (l->master >= 0 && write(l->master, buf, n) < 0) {
            /* a full buffer (nobody reads): dropped, as on a real cable */
        }
        return (ssize_t)n;
    }
    if (l->client < 0)
        return (ssize_t)n;
    w = send(l->client, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        close_fd(&l->client);
    return (ssize_t)n;
}

/* The fd host bytes arrive on, -1 when there is none. */
static int data_fd(const struct vsd_sim_link *l)
{
    return l->link_path ? l->master : l->client;
}

ssize_t vsd_sim_link_read(struct vsd_sim_link *l, void *buf, size_t n, int64_t timeout_ms)
{
    struct pollfd p = {.fd = data_fd(l), .events = POLLIN};
    ssize_t r;

    if (p.fd < 0 || poll(&p, 1, (int)timeout_ms) <= 0)
        return 0;
    r = read(p.fd, buf, n);
    if (r == 0 && !l->link_path)
        close_fd(&l->client);
    return r > 0 ? r : 0;
}

int vsd_sim_link_unplug(struct vsd_sim_link *l, double seconds)
{
    if (l->link_path) {
        /* Unplugged: no device at the path. A link left pointing at the freed /dev/pts/N
         * would lead the daemon to whichever program gets that pty next. */
        unlink(l->link_path);
        close_fd(&l->master);
        close_fd(&l->slave);
    } else {
        if (l->client >= 0) {
            struct linger lg = {.l_onoff = 1, .l_linger = 0}; /* close = RST */
            setsockopt(l->client, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        }
        close_fd(&l->client);
        close_fd(&l->listen_fd);
    }
    l->replug_at = vsd_sim_now_ms() + (int64_t)(seconds * 1000);
    if (l->replug_at == 0)
        l->replug_at = 1;
    return 0;
}

void vsd_sim_link_free(struct vsd_sim_link *l)
{
    if (!l)
        return;
    close_fd(&l->master);
    close_fd(&l->slave);
    close_fd(&l->client);
    close_fd(&l->listen_fd);
    if (l->link_path)
        unlink(l->link_path);
    free(l->link_path);
    free(l);
}

static int replug(struct vsd_sim_link *l)
{
    int r = l->link_path ? pty_plug(l) : tcp_listen(l);

    if (r < 0) {
        fprintf(stderr, "sim: replug failed: %s (retrying)\n", strerror(-r));
        l->replug_at = vsd_sim_now_ms() + 200;
        return r;
    }
    l->replug_at = 0;
    fprintf(stderr, "sim: replugged\n");
    return 0;
}

static void accept_client(struct vsd_sim_link *l)
{
    int one = 1;
    int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0)
        return;
    close_fd(&l->client); /* one client: the newest one wins */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    l->client = fd;
}

/* Move complete lines from stdin into IN->cmd; returns 1 when one is there. */
static int read_stdin(struct vsd_sim_link *l, struct vsd_sim_input *in)
{
    char c;
    ssize_t r;

    while ((r = read(STDIN_FILENO, &c, 1)) == 1) {
        if (c == '\n') {
            l->line[l->line_len] = '\0';
            snprintf(in->cmd, sizeof(in->cmd), "%s", l->line);
            l->line_len = 0;
            return 1;
        }
        if (l->line_len + 1 < sizeof(l->line))
            l->line[l->line_len++] = c;
    }
    if (r == 0)
        l->stdin_done = true;
    return 0;
}

int vsd_sim_link_service(struct vsd_sim_link *l, int64_t timeout_ms, struct vsd_sim_input *in)
{
    struct pollfd p[3];
    int n = 0, got = 0;
    int64_t now = vsd_sim_now_ms();

    in->cmd[0] = '\0';
    in->rx_len = 0;
    if (l->replug_at && now >= l->replug_at)
        replug(l);
    if (l->replug_at && l->replug_at - now < timeout_ms)
        timeout_ms = l->replug_at - now;
    if (timeout_ms < 0)
        timeout_ms = 0;
    p[n++] = (struct pollfd){.fd = l->stdin_done ? -1 : STDIN_FILENO, .events = POLLIN};
    p[n++] = (struct pollfd){.fd = data_fd(l), .events = POLLIN};
    p[n++] = (struct pollfd){.fd = l->link_path ? -1 : l->listen_fd, .events = POLLIN};
    if (poll(p, (nfds_t)n, (int)timeout_ms) < 0)
        return errno == EINTR ? 0 : -errno;
    if (p[2].revents & POLLIN)
        accept_client(l);
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t r = read(p[1].fd, in->rx, sizeof(in->rx));

        if (r > 0) {
            in->rx_len = (size_t)r;
            got = 1;
        } else if (!l->link_path && (r == 0 || (errno != EAGAIN && errno != EINTR))) {
            close_fd(&l->client);
        }
    }
    if (p[0].revents & (POLLIN | POLLHUP))
        got |= read_stdin(l, in);
    return got;
}
