/* SPDX-License-Identifier: MIT */
/* vsd-nellcor-sim: a Nellcor oximeter's real-time data port, written from the NPB-290 / NPB-295
 * Operator's Manual ("Data Port Protocol"): heading lines, then a data line every 2 s with
 * timestamp, %SPO2, BPM, PA and 2-letter status codes; dashes when there is no value. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link.h"

#define LINE_MS 2000     /* one data line every 2 seconds */
#define HEADING_EVERY 25 /* the headings come again after 25 data lines */

struct oxi {
    const char *model; /* "N-595" or "NPB-290" */
    int spo2, bpm, pa;
    int spo2_lo, spo2_hi, pr_lo, pr_hi; /* the limits printed in the heading */
    int64_t probe_off_until, search_until, motion_until, lost_until, lowbatt_until;
    unsigned lines, since_heading;
    bool heading_due;
};

static bool active(int64_t until)
{
    return until && vsd_sim_now_ms() < until;
}

static size_t heading(const struct oxi *o, char *out, size_t size)
{
    int n =
        snprintf(out, size,
                 "%s VERSION 1.5.0.0 CRC:3A7F SpO2 Limit: %d-%d%% PR Limit: %d-%dBPM\r\n"
                 "%s"
                 "TIME                %%SPO2  BPM  PA  Status\r\n",
                 o->model, o->spo2_lo, o->spo2_hi, o->pr_lo, o->pr_hi,
                 strcmp(o->model, "N-595") == 0 ? "ADULT 0SAT-S SPO2 RESP MODE: NORMAL\r\n" : "");

    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* A numeric column: 3 dashes when there is no value, '*' after a value beyond a limit. */
static void column(char *out, size_t n, bool none, int v, bool alarm)
{
    if (none)
        snprintf(out, n, "---");
    else
        snprintf(out, n, "%d%s", v, alarm ? "*" : "");
}

/* The status codes of this line. */
static void codes(const struct oxi *o, bool none, char *out, size_t n)
{
    out[0] = '\0';
    if (active(o->probe_off_until))
        strncat(out, " SO", n - strlen(out) - 1);
    if (active(o->probe_off_until) || active(o->search_until))
        strncat(out, " PS", n - strlen(out) - 1);
    if (active(o->lost_until))
        strncat(out, active(o->motion_until) ? " LM" : " LP", n - strlen(out) - 1);
    else if (active(o->motion_until))
        strncat(out, " MO", n - strlen(out) - 1);
    if (!none && o->spo2 < o->spo2_lo)
        strncat(out, " SL", n - strlen(out) - 1);
    if (!none && o->bpm > o->pr_hi)
        strncat(out, " PH", n - strlen(out) - 1);
    if (active(o->lowbatt_until))
        strncat(out, " LB", n - strlen(out) - 1);
}

/* Encode one data line (CR LF included) into OUT; returns its length. */
static size_t data_line(struct oxi *o, struct vsd_sim_faults *f, char *out, size_t size)
{
    bool none = active(o->probe_off_until) || active(o->search_until) || active(o->lost_until);
    char stamp[32], spo2[16], bpm[16], st[64];
    time_t t = time(NULL);
    struct tm tm;
    int n;

    localtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%d-%b-%y %H:%M:%S", &tm);
    for (char *p = stamp; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    column(spo2, sizeof(spo2), none, o->spo2, o->spo2 < o->spo2_lo);
    column(bpm, sizeof(bpm), none, o->bpm, o->bpm > o->pr_hi);
    codes(o, none, st, sizeof(st));
    if (vsd_sim_faults_take(&f->badsum)) /* no checksum on this port: a garbled digit instead */
        spo2[0] = '?';
    n = snprintf(out, size, "%s %5s %5s %3d %s\r\n", stamp, spo2, bpm, none ? 0 : o->pa, st);
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* The next output: the headings when due, then one data line. */
static size_t encode(struct oxi *o, struct vsd_sim_faults *f, char *out, size_t size)
{
    size_t k = 0;

    if (o->heading_due || o->since_heading >= HEADING_EVERY) {
        k = heading(o, out, size);
        o->heading_due = false;
        o->since_heading = 0;
    }
    k += data_line(o, f, out + k, size - k);
    o->lines++;
    o->since_heading++;
    return k;
}

static int set_value(struct oxi *o, const char *line)
{
    char what[16];
    int v, w;

    if (sscanf(line, "value %15s %d", what, &v) == 2 && strcmp(what, "spo2") == 0 && v >= 0 &&
        v <= 100)
        o->spo2 = v;
    else if (sscanf(line, "value %15s %d", what, &v) == 2 && strcmp(what, "hr") == 0 && v >= 0 &&
             v <= 300)
        o->bpm = v;
    else if (sscanf(line, "limits %d %d", &v, &w) == 2 && v >= 0 && v < w && w <= 100) {
        o->spo2_lo = v; /* a heading value changed: the headings come again */
        o->spo2_hi = w;
        o->heading_due = true;
    } else
        return -EINVAL;
    return 0;
}

/* "probe_off S", "search S", "motion S", "lost S", "lowbatt S", "value spo2|hr N",
 * "limits LO HI". Returns 0 or -EINVAL. */
static int own_command(void *ctx, const char *line)
{
    struct oxi *o = ctx;
    static const struct {
        const char *name;
        size_t offset;
    } timed[] = {
        {"probe_off", offsetof(struct oxi, probe_off_until)},
        {"search", offsetof(struct oxi, search_until)},
        {"motion", offsetof(struct oxi, motion_until)},
        {"lost", offsetof(struct oxi, lost_until)},
        {"lowbatt", offsetof(struct oxi, lowbatt_until)},
    };
    char what[16];
    double s;
    int r = -EINVAL;

    if (sscanf(line, "%15s %lf", what, &s) == 2 && s >= 0)
        for (size_t i = 0; i < sizeof(timed) / sizeof(timed[0]); i++)
            if (strcmp(what, timed[i].name) == 0) {
                *(int64_t *)((char *)o + timed[i].offset) = vsd_sim_now_ms() + (int64_t)(s * 1000);
                r = 0;
            }
    if (r < 0)
        r = set_value(o, line);
    return vsd_sim_answer("nellcor-sim", line, r);
}

static int parse_args(int argc, char **argv, void *ctx)
{
    struct oxi *o = ctx;

    for (int i = 1; i + 1 < argc; i += 2) {
        const char *v = argv[i + 1];

        if (strcmp(argv[i], "--model") == 0 && strcmp(v, "n595") == 0)
            o->model = "N-595";
        else if (strcmp(argv[i], "--model") == 0 && strcmp(v, "npb290") == 0)
            o->model = "NPB-290";
        else if (strcmp(argv[i], "--spo2") == 0)
            o->spo2 = atoi(v);
        else if (strcmp(argv[i], "--hr") == 0)
            o->bpm = atoi(v);
        else
            return -EINVAL;
    }
    return (argc - 1) % 2 ? -EINVAL : 0;
}

/* The next output; the next data line is due LINE_MS later. */
static int64_t send_line(void *ctx, struct vsd_sim_link *l, struct vsd_sim_faults *f, int64_t t0)
{
    struct oxi *o = ctx;
    char out[512];
    size_t n = encode(o, f, out, sizeof(out));

    vsd_sim_send_frame(l, f, out, n);
    return t0 + (int64_t)o->lines * LINE_MS;
}

int main(int argc, char **argv)
{
    static const struct vsd_sim_stream stream = {.send = send_line, .own = own_command};
    static const char usage[] =
        "usage: vsd-nellcor-sim --pty LINK | --tcp PORT [--model n595|npb290] "
        "[--hr N] [--spo2 N]\n(commands on stdin: see tests/sim/README.md)\n";
    struct oxi o = {.model = "N-595",
                    .spo2 = 97,
                    .bpm = 72,
                    .pa = 45,
                    .spo2_lo = 85,
                    .spo2_hi = 100,
                    .pr_lo = 40,
                    .pr_hi = 170,
                    .heading_due = true};
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;

    if (vsd_sim_start(argc, argv, parse_args, &o, usage, 15, &l, &f) < 0)
        return 2;
    return vsd_sim_run_stream(l, &f, &stream, &o);
}
