/* SPDX-License-Identifier: MIT */
/* vsd-accutorr-sim: a Datascope Accutorr 3 PC interface written from the service manual's
 * description (docs/devices/accutorr.md, 'Protocol facts'): a banner and a `>` prompt, then one
 * answer line per command character, `P:` with nine comma-separated fields. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

struct monitor {
    bool has_spo2;
    int spo2, pr;
    int sys, mean, dia; /* the measurement shown; sys 0 = none yet */
    int64_t measured;   /* monotonic ms of that measurement */
    int64_t minute_ms;  /* length of a minute of the age field (shorter to speed tests) */
    int64_t cycle_ms;   /* automatic cuff interval, 0 = only on command */
    unsigned status[3]; /* status bytes set by command */
    int64_t probe_off_until;
    unsigned answers, cuffs;
};

static bool active(int64_t until)
{
    return until && vsd_sim_now_ms() < until;
}

/* A 3-character right-justified number, or dashes. */
static void num(char *out, size_t n, bool have, int v)
{
    if (have)
        snprintf(out, n, "%3d", v);
    else
        snprintf(out, n, "--");
}

static size_t answer_p(struct monitor *m, struct vsd_sim_faults *f, char *out, size_t size)
{
    bool off = active(m->probe_off_until) || !m->has_spo2;
    bool bp = m->sys > 0;
    unsigned s0 = m->status[0] | (active(m->probe_off_until) ? 2u : 0u);
    char spo2[8], pr[8], sys[8], mean[8], dia[8], age[8];
    int n;

    num(spo2, sizeof(spo2), !off, m->spo2);
    num(pr, sizeof(pr), !active(m->probe_off_until), m->pr);
    num(sys, sizeof(sys), bp, m->sys);
    num(mean, sizeof(mean), bp, m->mean);
    num(dia, sizeof(dia), bp, m->dia);
    num(age, sizeof(age), bp, bp ? (int)((vsd_sim_now_ms() - m->measured) / m->minute_ms) : 0);
    if (vsd_sim_faults_take(&f->badsum)) /* no checksum: a garbled character instead */
        sys[1] = '?';
    n = snprintf(out, size, "P:%s,%s,%s,%s,%s,%03u,%03u,%03u,%s\r\n>", spo2, pr, sys, mean, dia,
                 s0 & 0xff, m->status[1] & 0xff, m->status[2] & 0xff, age);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* One command character from the host; unknown ones are ignored, as by a terminal. */
static void on_host_byte(struct monitor *m, struct vsd_sim_link *l, struct vsd_sim_faults *f,
                         unsigned char c)
{
    char line[128];
    size_t n = 0;

    if (c == 'P')
        n = answer_p(m, f, line, sizeof(line));
    else if (c == 'L')
        n = (size_t)snprintf(line, sizeof(line), "L: 90,100, 50,120,160, 90, 60,110, 50, 90\r\n>");
    else if (c == 'C')
        n = (size_t)snprintf(line, sizeof(line), ">");
    if (n == 0)
        return;
    m->answers++;
    vsd_sim_send_frame(l, f, line, n);
}

static void measure(struct monitor *m, int sys, int mean, int dia)
{
    m->sys = sys;
    m->mean = mean;
    m->dia = dia;
    m->measured = vsd_sim_now_ms();
}

static int own_command(struct monitor *m, const char *line)
{
    unsigned st[3];
    int a, b, c;
    double v;

    if (sscanf(line, "nibp %d %d %d", &a, &b, &c) == 3 && a > 0 && a < 1000 && b >= 0 && b < 1000 &&
        c >= 0 && c < 1000)
        measure(m, a, b, c);
    else if (strcmp(line, "nibp none") == 0)
        m->sys = 0;
    else if (sscanf(line, "probe_off %lf", &v) == 1)
        m->probe_off_until = vsd_sim_now_ms() + (int64_t)(v * 1000);
    else if (sscanf(line, "status %u %u %u", &st[0], &st[1], &st[2]) == 3 && st[0] < 256 &&
             st[1] < 256 && st[2] < 256)
        memcpy(m->status, st, sizeof(st));
    else if (sscanf(line, "value spo2 %d", &a) == 1 && a >= 0 && a <= 100)
        m->spo2 = a;
    else if (sscanf(line, "value pr %d", &a) == 1 && a >= 0 && a < 1000)
        m->pr = a;
    else
        return vsd_sim_answer("accutorr-sim", line, -EINVAL);
    return vsd_sim_answer("accutorr-sim", line, 0);
}

static int parse_args(int argc, char **argv, void *ctx)
{
    struct monitor *m = ctx;

    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;

        if (strcmp(argv[i], "--no-spo2") == 0)
            m->has_spo2 = false;
        else if (v && strcmp(argv[i], "--minute") == 0 && atof(v) > 0)
            m->minute_ms = (int64_t)(atof(v) * 1000), i++;
        else if (v && strcmp(argv[i], "--cycle") == 0 && atof(v) >= 0)
            m->cycle_ms = (int64_t)(atof(v) * 1000), i++;
        else if (v && strcmp(argv[i], "--nibp") == 0 &&
                 sscanf(v, "%d/%d/%d", &m->sys, &m->mean, &m->dia) == 3)
            i++;
        else
            return -EINVAL;
    }
    return 0;
}

/* Between host bytes: the automatic cuff cycle, a new measurement a few mmHg from the last
 * (every third one with the same pressures, as a steady patient gives). */
static void cycle(struct monitor *m)
{
    static const int step[] = {2, 0, -2};
    int d;

    if (m->cycle_ms <= 0 || m->sys <= 0 || vsd_sim_now_ms() - m->measured < m->cycle_ms)
        return;
    d = step[m->cuffs++ % 3];
    measure(m, m->sys + d, m->mean + d, m->dia + d);
}

int main(int argc, char **argv)
{
    static const char usage[] = "usage: vsd-accutorr-sim --pty LINK | --tcp PORT [--no-spo2] "
                                "[--nibp SYS/MEAN/DIA] [--minute SECONDS] [--cycle SECONDS]\n";
    struct monitor m = {.has_spo2 = true, .spo2 = 97, .pr = 72, .minute_ms = 60000};
    static const char banner[] = "ACCUTORR PC Interface is ready\r\n>";
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;
    struct vsd_sim_input in;

    if (vsd_sim_start(argc, argv, parse_args, &m, usage, 15, &l, &f) < 0)
        return 2;
    if (m.sys > 0)
        m.measured = vsd_sim_now_ms();
    vsd_sim_link_write(l, banner, sizeof(banner) - 1);
    while (!f.quit) {
        if (vsd_sim_link_service(l, 100, &in) > 0) {
            if (in.cmd[0] && vsd_sim_faults_command(&f, l, in.cmd) == 0)
                own_command(&m, in.cmd);
            for (size_t i = 0; i < in.rx_len; i++)
                on_host_byte(&m, l, &f, in.rx[i]);
        }
        cycle(&m);
    }
    vsd_sim_link_free(l);
    return 0;
}
