/* SPDX-License-Identifier: MIT */
/* vsd-modbus-sim: simulated Modbus TCP gateways and RTU buses serving profiles, with faults. */

/*
 * Usage:
 *   vsd-modbus-sim [--control SOCKET] [--script FILE] [--seed N]
 *                  [--tcp PORT[+COUNT]:ID=PROFILE[,ID=PROFILE...]]...
 *                  [--rtu LINK:ID=PROFILE[,ID=PROFILE...]]...
 *
 * --tcp   listens on 127.0.0.1:PORT (0 = any free port) and serves the listed unit ids, each with
 *         the register image of its profile (the same files vitalsd reads, loaded with
 *         vsd_mb_profile_load). PORT+COUNT opens COUNT consecutive ports with the same units
 *         (benchmarks: many devices, one process).
 * --rtu   opens a pty pair and publishes the slave side as the symlink LINK (configure vitalsd
 *         with port = LINK); the listed unit ids share it like devices on one RS-485 bus.
 * Once everything listens it prints one line per endpoint ("tcp PORT UNITS" or
 * "rtu LINK PTY UNITS") and then "ready" on stdout. SIGTERM/SIGINT stop it; it removes its links.
 *
 * Endpoints are named by their port number (TCP) or their link's file name (RTU: "rtu0"); a unit
 * is ENDPOINT.ID ("15020.1", "rtu0.3"). A UNIT argument may also be a whole endpoint or "*".
 *
 * The command channel: one command per line, on the Unix stream socket given with --control
 * (e.g. `echo 'fault rtu0.2 silent on' | socat - UNIX-CONNECT:SOCKET`) and from --script FILE at
 * start. Each command gets one answer line: "ok[ DETAILS]" or "error: WHY". DURATION is a number
 * with ms, s or m (bare = seconds); times in "event" count from the simulator's start.
 *   units                              list the units ("ok 15020.1 rtu0.1 ...")
 *   set UNIT VITAL VALUE|nan           baseline value (nan: the profile's "no value" code)
 *   event UNIT VITAL VALUE FROM TO     VALUE from FROM to TO ("event 15020.1 spo2 85 20s 60s")
 *   raw UNIT holding|input ADDR VALUE  force one register (sentinels: 0xFFFF, 0x8000...)
 *   raw UNIT clear                     drop the forced registers
 *   status UNIT sensor_off|searching|artifact|low_perfusion on|off
 *   nibp UNIT SYS DIA MEAN             a cuff measurement now (the stamp register advances)
 *   nibp UNIT every DURATION           automatic cuff measurements from the scenario (0 = off)
 *   seq UNIT on|off                    HR=PR=60+n%100, SpO2=90+n%10, RR=10+n%20 for request n
 *   fault UNIT none                    clear every fault
 *   fault UNIT silent on|off           T01: no reply
 *   fault UNIT delay DURATION          T10: every reply this late
 *   fault UNIT late DURATION EVERY     T02: every EVERY-th reply this late
 *   fault UNIT badcrc EVERY            T05: a flipped CRC bit (TCP: a flipped transaction id bit)
 *   fault UNIT truncate EVERY          T05: only the first half of the reply
 *   fault UNIT noise EVERY             T05: 3-10 random bytes before the reply
 *   fault UNIT exception CODE EVERY    T06: exception response CODE (1-11)
 *   fault UNIT wrong-unit ID EVERY     T06: the reply names unit ID
 *   down ENDPOINT DURATION             T08: TCP resets its connections and refuses new ones;
 *                                      T03: RTU closes the pty and removes the link; both come
 *                                      back after DURATION
 *   stats UNIT                         "ok requests=N replies=N late=N corrupt=N exceptions=N
 *                                      wrong_unit=N silent=N" (replies = clean, on time)
 *   after DURATION COMMAND...          run COMMAND later
 *   quit
 * Replies that must never be stored (late, corrupted, wrong unit) carry marker values (HR 222,
 * PR 221, SpO2 44, RR 99, NIBP 233/144/177), so a test finds any that reached the database.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

#define MAX_EPS 2048

int64_t sim_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t sim_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint32_t sim_rand(struct sim *s)
{
    uint32_t x = s->rng;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s->rng = x;
    return x;
}

/* "ID=PROFILE,ID=PROFILE" onto EP. */
static int add_units(struct sim_endpoint *ep, const char *list)
{
    char buf[2048], *save = NULL, err[512];

    snprintf(buf, sizeof(buf), "%s", list);
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        struct vsd_mb_profile p;
        int id = eq ? atoi(t) : 0;
        int r;

        if (!eq || id < 1 || id > 247 || ep->n_units >= SIM_MAX_UNITS) {
            fprintf(stderr, "vsd-modbus-sim: '%s': want ID=PROFILE with ID 1..247\n", t);
            return -EINVAL;
        }
        r = vsd_mb_profile_load(eq + 1, &p, err, sizeof(err));
        if (r < 0) {
            fprintf(stderr, "vsd-modbus-sim: %s\n", err);
            return r;
        }
        r = sim_unit_new(ep->name, id, &p, &ep->units[ep->n_units]);
        if (r < 0)
            return r;
        ep->n_units++;
    }
    return 0;
}

static int add_ep(struct sim *s, struct sim_endpoint *ep, const char *units)
{
    int r = add_units(ep, units);

    if (r < 0 || s->n_eps >= MAX_EPS) {
        sim_ep_free(ep);
        return r < 0 ? r : -E2BIG;
    }
    s->eps[s->n_eps++] = ep;
    return 0;
}

/* --tcp PORT[+COUNT]:UNITS */
static int opt_tcp(struct sim *s, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char *end;
    long port = strtol(arg, &end, 10), count = 1;

    if (*end == '+')
        count = strtol(end + 1, &end, 10);
    if (!colon || end != colon || port < 0 || port > 65535 || count < 1 || count > MAX_EPS) {
        fprintf(stderr, "vsd-modbus-sim: --tcp %s: want PORT[+COUNT]:ID=PROFILE,...\n", arg);
        return -EINVAL;
    }
    for (long i = 0; i < count; i++) {
        struct sim_endpoint *ep;
        int r = sim_ep_tcp_new(port ? (int)(port + i) : 0, &ep);

        if (r < 0) {
            fprintf(stderr, "vsd-modbus-sim: port %ld: %s\n", port + i, strerror(-r));
            return r;
        }
        r = add_ep(s, ep, colon + 1);
        if (r < 0)
            return r;
    }
    return 0;
}

/* --rtu LINK:UNITS */
static int opt_rtu(struct sim *s, const char *arg)
{
    const char *colon = strchr(arg, ':');
    char link[512];
    struct sim_endpoint *ep;
    int r;

    if (!colon || colon == arg || (size_t)(colon - arg) >= sizeof(link)) {
        fprintf(stderr, "vsd-modbus-sim: --rtu %s: want LINK:ID=PROFILE,...\n", arg);
        return -EINVAL;
    }
    snprintf(link, sizeof(link), "%.*s", (int)(colon - arg), arg);
    r = sim_ep_rtu_new(link, &ep);
    if (r < 0) {
        fprintf(stderr, "vsd-modbus-sim: pty for %s: %s\n", link, strerror(-r));
        return r;
    }
    return add_ep(s, ep, colon + 1);
}

static int open_control(struct sim *s, const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};

    if (strlen(path) >= sizeof(a.sun_path))
        return -ENAMETOOLONG;
    strcpy(a.sun_path, path);
    unlink(path);
    s->ctl_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->ctl_fd < 0 || bind(s->ctl_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        listen(s->ctl_fd, 4) < 0)
        return -errno;
    return 0;
}

static void run_line(struct sim *s, const char *line, int reply_fd)
{
    char out[1024];

    sim_command(s, line, out, sizeof(out) - 1); /* room for the newline */
    if (reply_fd >= 0) {
        strcat(out, "\n");
        send(reply_fd, out, strlen(out), MSG_NOSIGNAL | MSG_DONTWAIT);
    } else if (strncmp(out, "error", 5) == 0) {
        fprintf(stderr, "vsd-modbus-sim: '%s': %s\n", line, out);
    }
}

static int run_script(struct sim *s, const char *path)
{
    char line[256];
    FILE *f = fopen(path, "r");

    if (!f)
        return -errno;
    while (fgets(line, sizeof(line), f))
        run_line(s, line, -1);
    fclose(f);
    return 0;
}

/* One control client's input: run each complete line. Returns false when it hung up. */
static bool ctl_read(struct sim *s, size_t k)
{
    char *buf = s->ctl_buf[k], *nl;
    ssize_t n = read(s->ctl[k], buf + s->ctl_len[k], sizeof(s->ctl_buf[k]) - 1 - s->ctl_len[k]);

    if (n <= 0)
        return n < 0 && errno == EAGAIN;
    s->ctl_len[k] += (size_t)n;
    buf[s->ctl_len[k]] = '\0';
    while ((nl = strchr(buf, '\n'))) {
        *nl = '\0';
        run_line(s, buf, s->ctl[k]);
        s->ctl_len[k] -= (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, s->ctl_len[k] + 1);
    }
    if (s->ctl_len[k] >= sizeof(s->ctl_buf[k]) - 1)
        s->ctl_len[k] = 0; /* an over-long line: dropped */
    return true;
}

static void ctl_io(struct sim *s, const struct pollfd *pfd, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!pfd[i].revents)
            continue;
        if (pfd[i].fd == s->ctl_fd) {
            int fd = accept4(s->ctl_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

            for (size_t k = 0; fd >= 0 && k < SIM_MAX_CTL; k++)
                if (s->ctl[k] < 0) {
                    s->ctl[k] = fd;
                    s->ctl_len[k] = 0;
                    fd = -1;
                }
            if (fd >= 0)
                close(fd);
            continue;
        }
        for (size_t k = 0; k < SIM_MAX_CTL; k++)
            if (s->ctl[k] == pfd[i].fd && !ctl_read(s, k)) {
                close(s->ctl[k]);
                s->ctl[k] = -1;
            }
    }
}

/* Deferred commands that are due; returns when the next one is. */
static int64_t run_after(struct sim *s, int64_t now)
{
    int64_t next = INT64_MAX;

    for (size_t i = 0; i < s->n_after;) {
        if (s->after[i].due_ms <= now) {
            char line[sizeof(s->after[i].line)];

            memcpy(line, s->after[i].line, sizeof(line));
            s->after[i] = s->after[--s->n_after];
            run_line(s, line, -1); /* may add more */
            continue;
        }
        if (s->after[i].due_ms < next)
            next = s->after[i].due_ms;
        i++;
    }
    return next;
}

/* Service everything due; returns the poll timeout in ms. */
static int service(struct sim *s)
{
    int64_t now = sim_now_ms();
    int64_t next = run_after(s, now);

    for (size_t e = 0; e < s->n_eps; e++) {
        int64_t t = sim_ep_service(s->eps[e], now);

        for (size_t i = 0; i < s->eps[e]->n_units; i++) {
            struct sim_unit *u = s->eps[e]->units[i];

            sim_unit_tick(u, now, s->t0);
            if (u->nibp_every_ms > 0 && u->nibp_next_ms < t)
                t = u->nibp_next_ms;
        }
        if (t < next)
            next = t;
    }
    if (next == INT64_MAX || next - now > 1000)
        return 1000;
    return next <= now ? 0 : (int)(next - now);
}

static int loop(struct sim *s, int sig_fd)
{
    size_t max = 2 + SIM_MAX_CTL + s->n_eps * (SIM_MAX_CONNS + 1);
    struct pollfd *pfd = calloc(max, sizeof(*pfd));
    size_t *at = calloc(s->n_eps + 1, sizeof(*at));

    if (!pfd || !at) {
        free(pfd);
        free(at);
        return -ENOMEM;
    }
    while (!s->quit) {
        int timeout = service(s);
        size_t n = 0, head;

        pfd[n++] = (struct pollfd){.fd = sig_fd, .events = POLLIN};
        if (s->ctl_fd >= 0)
            pfd[n++] = (struct pollfd){.fd = s->ctl_fd, .events = POLLIN};
        for (size_t k = 0; k < SIM_MAX_CTL; k++)
            if (s->ctl[k] >= 0)
                pfd[n++] = (struct pollfd){.fd = s->ctl[k], .events = POLLIN};
        head = n;
        for (size_t e = 0; e < s->n_eps; e++) {
            at[e] = n;
            n += sim_ep_pollfds(s->eps[e], pfd + n, max - n);
        }
        at[s->n_eps] = n;
        if (poll(pfd, n, timeout) < 0 && errno != EINTR)
            break;
        if (pfd[0].revents)
            s->quit = true;
        ctl_io(s, pfd + 1, head - 1);
        for (size_t e = 0; e < s->n_eps; e++)
            sim_ep_io(s, s->eps[e], pfd + at[e], at[e + 1] - at[e]);
    }
    free(pfd);
    free(at);
    return 0;
}

static void print_ready(const struct sim *s)
{
    for (size_t e = 0; e < s->n_eps; e++) {
        const struct sim_endpoint *ep = s->eps[e];

        if (ep->kind == SIM_EP_TCP)
            printf("tcp %d", ep->port);
        else
            printf("rtu %s %s", ep->link, ptsname(ep->conns[0].fd));
        for (size_t i = 0; i < ep->n_units; i++)
            printf(" %s", ep->units[i]->name);
        printf("\n");
    }
    printf("ready\n");
    fflush(stdout);
}

static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static int signals(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -errno;
    return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: vsd-modbus-sim [--control SOCKET] [--script FILE] [--seed N]\n"
            "                      --tcp PORT[+COUNT]:ID=PROFILE[,ID=PROFILE...] ...\n"
            "                      --rtu LINK:ID=PROFILE[,ID=PROFILE...] ...\n"
            "  --tcp      serve the unit ids on 127.0.0.1:PORT (0: any free port); +COUNT: COUNT "
            "ports\n"
            "  --rtu      a pty published as the symlink LINK (vitalsd: port = LINK)\n"
            "  --control  Unix socket for commands (set, event, raw, status, nibp, seq, fault,\n"
            "             down, stats, after, quit), one per line, each answered ok or error\n"
            "  --script   FILE of commands run at start\n"
            "  --seed     random seed of the faults\n"
            "Prints one line per endpoint, then \"ready\". Commands: tests/sim/README.md.\n");
}

static int parse_args(struct sim *s, int argc, char **argv, const char **control,
                      const char **script)
{
    static const struct option opts[] = {
        {"tcp", required_argument, NULL, 't'},     {"rtu", required_argument, NULL, 'r'},
        {"control", required_argument, NULL, 'c'}, {"script", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int o, r = 0;

    while (r == 0 && (o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 't')
            r = opt_tcp(s, optarg);
        else if (o == 'r')
            r = opt_rtu(s, optarg);
        else if (o == 'c')
            *control = optarg;
        else if (o == 's')
            *script = optarg;
        else if (o == 'S')
            s->rng = (uint32_t)strtoul(optarg, NULL, 0) | 1u;
        else if (o == 'h') {
            usage(stdout);
            exit(0);
        } else
            r = -EINVAL;
    }
    if (r == -EINVAL || (r == 0 && (optind != argc || s->n_eps == 0))) {
        usage(stderr);
        r = -EINVAL;
    }
    return r;
}

int main(int argc, char **argv)
{
    struct sim s = {.ctl_fd = -1, .rng = 0x9e3779b9u};
    const char *control = NULL, *script = NULL;
    int sig_fd = -1, r;

    for (size_t k = 0; k < SIM_MAX_CTL; k++)
        s.ctl[k] = -1;
    raise_fd_limit();
    s.t0 = sim_now_ms();
    s.eps = calloc(MAX_EPS, sizeof(*s.eps));
    r = s.eps ? sim_frame_init(&s) : -ENOMEM;
    if (r == 0)
        r = parse_args(&s, argc, argv, &control, &script);
    if (r == 0 && control && (r = open_control(&s, control)) < 0)
        fprintf(stderr, "vsd-modbus-sim: control socket %s: %s\n", control, strerror(-r));
    if (r == 0 && script && (r = run_script(&s, script)) < 0)
        fprintf(stderr, "vsd-modbus-sim: script %s: %s\n", script, strerror(-r));
    if (r == 0 && (sig_fd = r = signals()) >= 0) {
        print_ready(&s);
        r = loop(&s, sig_fd);
    }
    for (size_t k = 0; k < SIM_MAX_CTL; k++)
        if (s.ctl[k] >= 0)
            close(s.ctl[k]);
    if (s.ctl_fd >= 0) {
        close(s.ctl_fd);
        unlink(control);
    }
    if (sig_fd >= 0)
        close(sig_fd);
    for (size_t e = 0; e < s.n_eps; e++)
        sim_ep_free(s.eps[e]);
    free(s.eps);
    sim_frame_fini(&s);
    return r < 0 ? 1 : 0;
}
