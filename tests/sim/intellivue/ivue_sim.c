/* SPDX-License-Identifier: MIT */
/* vsd-intellivue-sim: a Philips IntelliVue monitor's MIB/RS232 data export: it accepts (or
 * refuses) an association, sends the MDS Create Event Report, answers poll requests for
 * numerics with configurable values, states and FLOAT special values, and releases. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "ivue_sim.h"
#include "link.h"

static const char *const names[SV_COUNT] = {"hr", "pr", "spo2", "rr", "sys", "dia", "mean"};

int64_t sim_wall_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int vital_of(const char *name)
{
    for (int i = 0; i < SV_COUNT; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

/* "value VITAL N|nan|nres|off", "state VITAL ok|invalid|unavailable|questionable|demo". */
static int value_command(struct monitor *m, const char *line)
{
    char what[16], name[16], arg[16];
    int k;

    if (sscanf(line, "%15s %15s %15s", what, name, arg) != 3 || (k = vital_of(name)) < 0)
        return -EINVAL;
    struct sim_value *v = &m->val[k];
    if (strcmp(what, "value") == 0) {
        char *end;
        double d = strtod(arg, &end);

        v->absent = strcmp(arg, "off") == 0;
        v->special = strcmp(arg, "nan") == 0    ? 0x007FFFFF
                     : strcmp(arg, "nres") == 0 ? 0x00800000
                                                : 0;
        if (!v->absent && !v->special) {
            if (*end || d < -1000 || d > 10000)
                return -EINVAL;
            v->v = d;
        }
        return 0;
    }
    if (strcmp(what, "state") != 0)
        return -EINVAL;
    v->state = strcmp(arg, "invalid") == 0        ? 0x8000
               : strcmp(arg, "unavailable") == 0  ? 0x2000
               : strcmp(arg, "questionable") == 0 ? 0x4000
               : strcmp(arg, "demo") == 0         ? 0x0400
                                                  : 0;
    return strcmp(arg, "ok") == 0 || v->state ? 0 : -EINVAL;
}

int sim_command(struct monitor *m, const char *line)
{
    int a, b, c, r = 0;

    if (sscanf(line, "nibp %d %d %d", &a, &b, &c) == 3) {
        m->val[SV_SYS].v = a, m->val[SV_DIA].v = b, m->val[SV_MEAN].v = c;
        m->nibp_wall_ms = sim_wall_ms();
    } else if (strcmp(line, "refuse on") == 0 || strcmp(line, "refuse off") == 0) {
        m->refuse = line[8] == 'n';
    } else if (strcmp(line, "linked on") == 0 || strcmp(line, "linked off") == 0) {
        m->linked = line[8] == 'n';
    } else if (sscanf(line, "drop_after %d", &a) == 1 && a >= 0) {
        m->drop_after = a;
    } else if (strcmp(line, "counts") == 0) {
        printf("counts associations=%u polls=%u releases=%u\n", m->associations, m->polls,
               m->releases);
    } else {
        r = value_command(m, line);
    }
    return vsd_sim_answer("intellivue-sim", line, r);
}

static void send_msg(struct vsd_sim_link *l, struct vsd_sim_faults *f, const uint8_t *msg, size_t n)
{
    uint8_t frame[2 * (SIM_MAX_MSG + 6) + 2];
    size_t len = sim_frame(msg, n, vsd_sim_faults_take(&f->badsum), frame, sizeof(frame));

    if (len)
        vsd_sim_send_frame(l, f, frame, len);
}

static void on_host_bytes(struct monitor *m, struct sim_rx *rx, struct vsd_sim_link *l,
                          struct vsd_sim_faults *f, const struct vsd_sim_input *in)
{
    struct sim_out out;
    bool was = m->associated;

    for (size_t i = 0; i < in->rx_len; i++) {
        int n = sim_rx_byte(rx, in->rx[i]);

        if (n < 0)
            fprintf(stderr, "intellivue-sim: bad frame from the host\n");
        if (n <= 0)
            continue;
        sim_handle(m, rx->body + 4, (size_t)n, sim_wall_ms(), &out);
        for (unsigned k = 0; k < out.n; k++)
            send_msg(l, f, out.msg[k], out.len[k]);
        if (was != m->associated)
            fprintf(stderr, "intellivue-sim: %s\n", m->associated ? "associated" : "released");
        was = m->associated;
    }
}

static int parse_args(int argc, char **argv, struct monitor *m)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--refuse") == 0)
            m->refuse = true;
        else if (strcmp(argv[i], "--linked") == 0)
            m->linked = true;
        else if (strcmp(argv[i], "--no-nibp") == 0)
            m->val[SV_SYS].absent = true;
        else
            return -EINVAL;
    }
    return 0;
}

/* The serial side: the common link (pty or TCP) and its faults. */
static void serial_run(struct monitor *m, struct vsd_sim_faults *f, struct vsd_sim_link *l)
{
    static struct sim_rx rx;
    struct vsd_sim_input in;

    while (!f->quit) {
        if (vsd_sim_link_service(l, 100, &in) > 0) {
            if (in.cmd[0] && vsd_sim_faults_command(f, l, in.cmd) == 0)
                sim_command(m, in.cmd);
            on_host_bytes(m, &rx, l, f, &in);
        }
        if (!vsd_sim_link_connected(l) && m->associated) {
            m->associated = false; /* the cable is out: the association is gone */
            fprintf(stderr, "intellivue-sim: link lost, association ended\n");
        }
    }
}

/* "--udp PORT" anywhere in ARGV: taken out; the port, or -1 when absent. */
static int udp_arg(int *argc, char **argv)
{
    for (int i = 1; i + 1 < *argc; i++)
        if (strcmp(argv[i], "--udp") == 0) {
            int port = atoi(argv[i + 1]);

            memmove(&argv[i], &argv[i + 2], sizeof(char *) * (size_t)(*argc - i - 2));
            *argc -= 2;
            return port >= 0 && port < 65536 ? port : -1;
        }
    return -1;
}

int main(int argc, char **argv)
{
    struct monitor m = {.val = {[SV_HR] = {.v = 72},
                                [SV_PR] = {.v = 71},
                                [SV_SPO2] = {.v = 97},
                                [SV_RR] = {.v = 16},
                                [SV_SYS] = {.v = 120},
                                [SV_DIA] = {.v = 80},
                                [SV_MEAN] = {.v = 93}},
                        .drop_after = -1};
    int udp = udp_arg(&argc, argv), fd = -1, port = 0;
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;

    if ((udp >= 0 ? (fd = sim_udp_open(udp, &port)) : vsd_sim_link_open_args(&argc, argv, &l)) <
            0 ||
        parse_args(argc, argv, &m) < 0) {
        fprintf(stderr, "usage: vsd-intellivue-sim --pty LINK | --tcp PORT | --udp PORT "
                        "[--refuse] [--linked] [--no-nibp]\n");
        vsd_sim_link_free(l);
        return 2;
    }
    m.nibp_wall_ms = sim_wall_ms() - 90000; /* a cuff measurement 90 s old */
    vsd_sim_faults_init(&f, 15);
    printf("ready port=%d\n", l ? vsd_sim_link_port(l) : port);
    fflush(stdout);
    if (l)
        serial_run(&m, &f, l);
    else
        sim_udp_run(&m, &f, fd);
    vsd_sim_link_free(l);
    if (fd >= 0)
        close(fd);
    return 0;
}
