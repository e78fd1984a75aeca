/* SPDX-License-Identifier: MIT */
/* vsd-masimo-sim: a Masimo oximeter's ASCII 1 output, one line a second, with its own encoder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link.h"

enum model { RAD8, RADICAL7, RADICAL5 };

struct oxi {
    enum model model;
    int spo2, bpm;
    double pi;
    int64_t probe_off_until, lowperf_until, search_until;
    unsigned lines;
    char sn[16]; /* SN= (Rad-8, Radical-7): "serial S" swaps in another monitor */
};

static bool active(int64_t until)
{
    return until && vsd_sim_now_ms() < until;
}

static unsigned exc_of(const struct oxi *o)
{
    unsigned exc = 0x800; /* SET mode: normal */

    if (active(o->probe_off_until))
        exc |= 0x20;
    if (active(o->lowperf_until))
        exc |= 0x04;
    if (active(o->search_until))
        exc |= 0x08;
    return exc;
}

/* The numeric fields: dashes when the sensor is off or the pulse is being searched. */
static void numbers(const struct oxi *o, char *spo2, char *bpm, char *pi, size_t n)
{
    if (active(o->probe_off_until) || active(o->search_until)) {
        snprintf(spo2, n, "---%%");
        snprintf(bpm, n, "---");
        snprintf(pi, n, "--.--%%");
        return;
    }
    snprintf(spo2, n, "%03d%%", o->spo2);
    snprintf(bpm, n, "%03d", o->bpm);
    snprintf(pi, n, "%05.2f%%", o->pi);
}

/* Encode one line (CR LF included) into OUT; returns its length. */
static size_t encode(struct oxi *o, struct vsd_sim_faults *f, char *out, size_t size)
{
    char stamp[32], spo2[16], bpm[16], pi[16];
    time_t t = time(NULL);
    struct tm tm;
    int n;

    localtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%m/%d/%y %H:%M:%S", &tm);
    numbers(o, spo2, bpm, pi, sizeof(spo2));
    if (vsd_sim_faults_take(&f->badsum)) /* no checksum in ASCII 1: a garbled digit instead */
        spo2[1] = '?';
    if (o->model == RADICAL5)
        n = snprintf(out, size, "%s SPO2=%s BPM=%s PI=%s ALARM=00 EXC=%03X\r\n", stamp, spo2, bpm,
                     pi, exc_of(o) & 0xfff);
    else
        n = snprintf(out, size,
                     "%s SN=%s SPO2=%s BPM=%s PI=%s SPCO=--.-%% SPMET=--.-%% DESAT=-- "
                     "PIDELTA=+-- PVI=--- %sALARM=0000 EXC=%06X\r\n",
                     stamp, o->sn[0] ? o->sn : "0000012345", spo2, bpm, pi, o->model == RAD8 ? "# " : "", exc_of(o));
    o->lines++;
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

static int own_command(void *ctx, const char *line)
{
    struct oxi *o = ctx;
    char what[16];
    double v;
    int64_t now = vsd_sim_now_ms();

    if (sscanf(line, "probe_off %lf", &v) == 1)
        o->probe_off_until = now + (int64_t)(v * 1000);
    else if (sscanf(line, "lowperf %lf", &v) == 1)
        o->lowperf_until = now + (int64_t)(v * 1000);
    else if (sscanf(line, "search %lf", &v) == 1)
        o->search_until = now + (int64_t)(v * 1000);
    else if (sscanf(line, "serial %15s", o->sn) == 1)
        ;
    else if (sscanf(line, "value %15s %lf", what, &v) == 2 && strcmp(what, "spo2") == 0 && v >= 0 &&
             v <= 100)
        o->spo2 = (int)v;
    else if (sscanf(line, "value %15s %lf", what, &v) == 2 && strcmp(what, "hr") == 0 && v >= 0 &&
             v <= 999)
        o->bpm = (int)v;
    else
        return vsd_sim_answer("masimo-sim", line, -EINVAL);
    return vsd_sim_answer("masimo-sim", line, 0);
}

static int parse_args(int argc, char **argv, void *ctx)
{
    struct oxi *o = ctx;

    for (int i = 1; i + 1 < argc; i += 2) {
        const char *v = argv[i + 1];

        if (strcmp(argv[i], "--model") == 0 && strcmp(v, "rad8") == 0)
            o->model = RAD8;
        else if (strcmp(argv[i], "--model") == 0 && strcmp(v, "radical7") == 0)
            o->model = RADICAL7;
        else if (strcmp(argv[i], "--model") == 0 && strcmp(v, "radical5") == 0)
            o->model = RADICAL5;
        else if (strcmp(argv[i], "--spo2") == 0)
            o->spo2 = atoi(v);
        else if (strcmp(argv[i], "--hr") == 0)
            o->bpm = atoi(v);
        else if (strcmp(argv[i], "--serial") == 0)
            snprintf(o->sn, sizeof(o->sn), "%s", v);
        else
            return -EINVAL;
    }
    return (argc - 1) % 2 ? -EINVAL : 0;
}

/* The next line; the one after is due a second later. */
static int64_t send_line(void *ctx, struct vsd_sim_link *l, struct vsd_sim_faults *f, int64_t t0)
{
    struct oxi *o = ctx;
    char line[512];
    size_t n = encode(o, f, line, sizeof(line));

    vsd_sim_send_frame(l, f, line, n);
    return t0 + (int64_t)o->lines * 1000;
}

int main(int argc, char **argv)
{
    static const struct vsd_sim_stream stream = {.send = send_line, .own = own_command};
    static const char usage[] = "usage: vsd-masimo-sim --pty LINK | --tcp PORT "
                                "[--model rad8|radical7|radical5] [--hr N] [--spo2 N]\n";
    struct oxi o = {.model = RAD8, .spo2 = 97, .bpm = 72, .pi = 3.45};
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;

    if (vsd_sim_start(argc, argv, parse_args, &o, usage, 7, &l, &f) < 0)
        return 2;
    return vsd_sim_run_stream(l, &f, &stream, &o);
}
