/* SPDX-License-Identifier: MIT */
/* Control-socket client: connect, send one request line, read one reply line. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

#define REPLY_MAX (1024 * 1024)
#define REPLY_TIMEOUT_MS 15000

static int connect_to(const char *path, char *err, unsigned errlen)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "control socket path too long: %s", path);
        return -ENAMETOOLONG;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        snprintf(err, errlen, "cannot reach vitalsd at %s: %s%s", path, strerror(e),
                 e == ENOENT || e == ECONNREFUSED ? " (is vitalsd running?)" : "");
        if (fd >= 0)
            close(fd);
        return -e;
    }
    return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static ssize_t read_reply(int fd, char *buf, size_t size)
{
    size_t used = 0;

    while (used + 1 < size) {
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, REPLY_TIMEOUT_MS);
        if (rc <= 0)
            return rc == 0 ? -ETIMEDOUT : -errno;
        ssize_t n = read(fd, buf + used, size - 1 - used);
        if (n < 0)
            return -errno;
        if (n == 0)
            break;
        used += (size_t)n;
        if (buf[used - 1] == '\n')
            break;
    }
    buf[used] = '\0';
    return (ssize_t)used;
}

int vsd_client_call(const char *path, const cJSON *request, cJSON **reply, char *err,
                    unsigned errlen)
{
    char *text = cJSON_PrintUnformatted(request), *buf = malloc(REPLY_MAX);
    int fd = -1, rc = -ENOMEM;
    ssize_t n;

    if (!text || !buf)
        goto fail;
    if ((fd = rc = connect_to(path, err, errlen)) < 0)
        goto fail;
    if ((rc = send_all(fd, text, strlen(text))) < 0 || (rc = send_all(fd, "\n", 1)) < 0) {
        snprintf(err, errlen, "sending to vitalsd: %s", strerror(-rc));
        goto fail;
    }
    if ((n = read_reply(fd, buf, REPLY_MAX)) <= 0) {
        rc = n < 0 ? (int)n : -ECONNRESET;
        snprintf(err, errlen, "no reply from vitalsd: %s", strerror(-rc));
        goto fail;
    }
    if (!(*reply = cJSON_Parse(buf))) {
        rc = -EBADMSG;
        snprintf(err, errlen, "vitalsd sent a reply that is not JSON");
        goto fail;
    }
    rc = 0;
fail:
    if (fd >= 0)
        close(fd);
    free(text);
    free(buf);
    return rc;
}
