/* SPDX-License-Identifier: MIT */
/* The control socket server: one JSON line in, one JSON line out, per connection. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <vitalsd/log.h>

#include "clock.h"
#include "access.h"
#include "command.h"
#include "control.h"
#include "peer.h"

#define CLIENT_TIMEOUT_MS 2000 /* for the whole request: one slow client cannot hold the socket */

struct vsd_control {
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    int listen_fd;
    int stop_pipe[2];
    struct vsd_command_link link;
    pthread_t thread;
    char request[VSD_REQUEST_MAX]; /* one client at a time */
};

static int socket_address(const char *path, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sa->sun_path))
        return -ENAMETOOLONG;
    strcpy(sa->sun_path, path);
    return 0;
}

/* A socket file left by a daemon that died is replaced; a live one is not. */
static int clear_stale(const struct sockaddr_un *sa)
{
    struct stat st;
    int fd, rc;

    if (lstat(sa->sun_path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISSOCK(st.st_mode))
        return -EEXIST;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
    close(fd);
    if (rc == 0)
        return -EADDRINUSE;
    return unlink(sa->sun_path) < 0 ? -errno : 0;
}

static int listen_on(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    int fd = -1, rc;

    if ((rc = socket_address(path, &sa)) < 0 || (rc = clear_stale(&sa)) < 0) {
        snprintf(err, errlen, "control socket %s: %s", path,
                 rc == -EADDRINUSE ? "another vitalsd is already serving it"
                 : rc == -EEXIST  ? "exists and is not a socket"
                                  : strerror(-rc));
        return rc;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0 ||
        listen(fd, 16) < 0) {
        rc = -errno;
        snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return rc;
    }
    return fd;
}

/* Read one request line (bounded in size, CLIENT_TIMEOUT_MS for all of it). Returns its length
 * or negative errno. */
static ssize_t read_request(int fd, char *buf, size_t size)
{
    int64_t deadline = vsd_clock_mono_ms(&vsd_clock_system) + CLIENT_TIMEOUT_MS;
    size_t used = 0;

    while (used + 1 < size) {
        struct pollfd p = {fd, POLLIN, 0};
        int64_t left = deadline - vsd_clock_mono_ms(&vsd_clock_system);
        int rc = left > 0 ? poll(&p, 1, (int)left) : 0;
        if (rc == 0)
            return -ETIMEDOUT;
        if (rc < 0)
            return errno == EINTR ? -EINTR : -errno;
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n < 0)
            return errno == EINTR ? -EINTR : -errno;
        if (n == 0)
            break;
        used += (size_t)n;
        if (memchr(buf + used - (size_t)n, '\n', (size_t)n))
            break;
    }
    buf[used] = '\0';
    return used + 1 >= size ? -EMSGSIZE : (ssize_t)used;
}

static void write_reply(int fd, const cJSON *reply)
{
    char *text = cJSON_PrintUnformatted(reply);
    size_t len, off = 0;

    if (!text)
        return;
    len = strlen(text);
    text[len] = '\0';
    while (off < len) {
        ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        off += (size_t)n;
    }
    send(fd, "\n", 1, MSG_NOSIGNAL);
    free(text);
}

static cJSON *error_reply(const char *msg)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddBoolToObject(r, "ok", false);
    cJSON_AddStringToObject(r, "error", msg);
    return r;
}

/* After refusing an over-long request, read and drop what the client still sends (bounded in
 * time and size) so that closing does not reset the connection before it read the reply. */
static void drain_client(int fd)
{
    char sink[4096];
    size_t total = 0;

    shutdown(fd, SHUT_WR);
    while (total < (size_t)4 * VSD_REQUEST_MAX) {
        struct pollfd p = {fd, POLLIN, 0};
        ssize_t n;
        if (poll(&p, 1, CLIENT_TIMEOUT_MS / 4) <= 0 || (n = read(fd, sink, sizeof(sink))) <= 0)
            break;
        total += (size_t)n;
    }
}

/* Parse BUF (N bytes, or a read error) as a request from PEER, its actor stamped; NULL with
 * the reason in WHY. */
static cJSON *take_request(const struct vsd_peer *peer, const char *buf, ssize_t n, char *why,
                           size_t size)
{
    cJSON *request;

    if (n < 0) {
        snprintf(why, size, "%s", n == -EMSGSIZE ? "request too long" : "request not received");
        return NULL;
    }
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    if (!(request = vsd_command_parse(buf, (size_t)n, why, size)))
        return NULL;
    if (vsd_peer_stamp(peer, request, why, size) < 0) { /* logged by the caller */
        cJSON_Delete(request);
        return NULL;
    }
    return request;
}

static void serve_client(struct vsd_control *c, int fd)
{
    struct vsd_peer peer = {0};
    char via[96] = "socket", why[256];
    ssize_t n = read_request(fd, c->request, sizeof(c->request));
    cJSON *request, *reply;
    unsigned roles = 0; /* an unknown peer has none */

    if (vsd_peer_of(fd, &peer) == 0) {
        snprintf(via, sizeof(via), "socket uid=%u pid=%d", (unsigned)peer.uid, (int)peer.pid);
        roles = vsd_access_roles_unix(c->link.access, peer.uid, peer.account);
    } else {
        snprintf(peer.account, sizeof(peer.account), "(unknown)");
    }
    if (!(request = take_request(&peer, c->request, n, why, sizeof(why)))) {
        vsd_log(LOG_WARNING, "control: %s: %s", via, why);
        reply = error_reply(why);
    } else {
        reply = vsd_command_run(c->link.queue, c->link.store, request, via, roles);
        cJSON_Delete(request);
    }
    if (reply) /* who the daemon recorded as acting: the caller's account */
        cJSON_AddStringToObject(reply, "actor", peer.account);
    write_reply(fd, reply);
    cJSON_Delete(reply);
    if (n == -EMSGSIZE)
        drain_client(fd);
}

static void *control_thread(void *arg)
{
    struct vsd_control *c = arg;

    for (;;) {
        struct pollfd p[2] = {{c->listen_fd, POLLIN, 0}, {c->stop_pipe[0], POLLIN, 0}};
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (!(p[0].revents & POLLIN))
            continue;
        int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        serve_client(c, fd);
        close(fd);
    }
    return NULL;
}

int vsd_control_start(const char *path, const struct vsd_command_link *link,
                      struct vsd_control **ret, char *err, size_t errlen)
{
    struct vsd_control *c = calloc(1, sizeof(*c));
    int rc;

    if (!c)
        return -ENOMEM;
    c->link = *link;
    c->stop_pipe[0] = c->stop_pipe[1] = -1;
    snprintf(c->path, sizeof(c->path), "%s", path);
    c->listen_fd = listen_on(path, err, errlen);
    if (c->listen_fd < 0) {
        rc = c->listen_fd;
        goto fail;
    }
    if (pipe2(c->stop_pipe, O_CLOEXEC) < 0 ||
        (errno = pthread_create(&c->thread, NULL, control_thread, c)) != 0) {
        rc = -errno;
        snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
        goto fail;
    }
    *ret = c;
    return 0;
fail:
    if (c->listen_fd >= 0) {
        close(c->listen_fd);
        unlink(path);
    }
    if (c->stop_pipe[0] >= 0) {
        close(c->stop_pipe[0]);
        close(c->stop_pipe[1]);
    }
    free(c);
    return rc;
}

void vsd_control_stop(struct vsd_control *c, void (*pump)(void *ctx), void *ctx)
{
    if (!c)
        return;
    if (write(c->stop_pipe[1], "x", 1) < 0)
        vsd_log(LOG_ERR, "control: cannot signal the thread to stop: %s", strerror(errno));
    while (pthread_tryjoin_np(c->thread, NULL) == EBUSY)
        pump(ctx); /* a command in flight waits for the core: keep answering */
    close(c->listen_fd);
    close(c->stop_pipe[0]);
    close(c->stop_pipe[1]);
    unlink(c->path);
    free(c);
}
