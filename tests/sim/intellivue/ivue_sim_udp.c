/* SPDX-License-Identifier: MIT */
/* The LAN side of vsd-intellivue-sim: the same messages, one per UDP datagram, on
 * 127.0.0.1:PORT (the monitor's data export port is 24105; tests use a free one). Commands come
 * on stdin as with the serial link; the generic faults that make sense without a frame apply:
 * silent, noise (a junk datagram), quit, stats. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ivue_sim.h"
#include "link.h"

int sim_udp_open(int port, int *bound)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        int e = errno;

        if (fd >= 0)
            close(fd);
        return -e;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

/* Command lines from stdin (split at newlines); false once stdin is closed. */
static bool read_commands(struct monitor *m, struct vsd_sim_faults *f)
{
    static char buf[512];
    static size_t len;
    ssize_t n = read(0, buf + len, sizeof(buf) - 1 - len);
    char *nl;

    if (n <= 0)
        return false;
    len += (size_t)n;
    buf[len] = '\0';
    while ((nl = strchr(buf, '\n')) != NULL) {
        *nl = '\0';
        if (strncmp(buf, "unplug", 6) == 0)
            fprintf(stderr, "intellivue-sim: no cable to pull on the LAN\n");
        else if (buf[0] && vsd_sim_faults_command(f, NULL, buf) == 0)
            sim_command(m, buf);
        len -= (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, len + 1);
    }
    if (len == sizeof(buf) - 1)
        len = 0; /* an over-long line: dropped */
    return true;
}

static void answer(struct monitor *m, struct vsd_sim_faults *f, int fd)
{
    struct sockaddr_storage peer;
    socklen_t plen = sizeof(peer);
    uint8_t msg[SIM_MAX_MSG];
    ssize_t n = recvfrom(fd, msg, sizeof(msg), 0, (struct sockaddr *)&peer, &plen);
    struct sim_out out;

    if (n <= 0)
        return;
    sim_handle(m, msg, (size_t)n, sim_wall_ms(), &out);
    if (f->silent_until && vsd_sim_now_ms() < f->silent_until)
        return;
    for (unsigned k = 0; k < out.n; k++) {
        if (f->noise) { /* a datagram of junk first */
            uint8_t junk[64];
            size_t j = f->noise < sizeof(junk) ? f->noise : sizeof(junk);

            for (size_t i = 0; i < j; i++)
                junk[i] = (uint8_t)vsd_sim_rand(f);
            sendto(fd, junk, j, 0, (struct sockaddr *)&peer, plen);
            f->noise = 0;
        }
        sendto(fd, out.msg[k], out.len[k], 0, (struct sockaddr *)&peer, plen);
        f->frames_sent++;
    }
}

void sim_udp_run(struct monitor *m, struct vsd_sim_faults *f, int fd)
{
    bool have_stdin = true;

    while (!f->quit) {
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
                              {.fd = have_stdin ? 0 : -1, .events = POLLIN}};

        if (poll(p, 2, 100) <= 0)
            continue;
        if (p[1].revents)
            have_stdin = read_commands(m, f);
        if (p[0].revents & POLLIN)
            answer(m, f, fd);
    }
}
