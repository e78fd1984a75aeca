/* SPDX-License-Identifier: MIT */
/* vsd-nonin-sim: a Nonin pulse oximeter (Data Format 7, 2 or 8) with its own frame encoder, or
 * an older Nonin handheld's legacy ASCII line (--format ascii). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "link.h"

#define HOLD_MS 10000 /* display values survive a finger-out this long (docs/devices/nonin.md) */

/* The simulated patient and probe. */
#define ASCII 0 /* --format ascii: "SPO2=XXX HR=YYY" once a second (Nonin 8500 manual, p. 21) */

struct oxi {
    int format;
    bool stamp; /* ASCII: the "HH:MM:SS " prefix */
    int hr, spo2;
    int64_t probe_off_until, probe_off_since, artifact_until, lowperf_until;
    unsigned frame; /* frames sent, for the slot schedule */
    uint32_t rng;
};

static bool active(int64_t until)
{
    return until && vsd_sim_now_ms() < until;
}

/* Display values: missing 10 s after the finger came out. */
static void display_values(const struct oxi *o, int *hr, int *spo2)
{
    *hr = o->hr;
    *spo2 = o->spo2;
    if (active(o->probe_off_until) && vsd_sim_now_ms() - o->probe_off_since >= HOLD_MS) {
        *hr = 511;
        *spo2 = 127;
    }
}

static uint8_t status_byte(const struct oxi *o, unsigned slot)
{
    uint8_t s = 0x80;

    s |= active(o->lowperf_until) ? 0x04 : 0x02; /* perfusion red / green */
    if (active(o->artifact_until))
        s |= 0x20;
    if (active(o->probe_off_until))
        s |= 0x08;
    if (slot == 1)
        s |= 0x01;
    return s;
}

/* The float byte of SLOT (1..25): docs/devices/nonin.md, 'Float byte schedule'. */
static uint8_t float_byte(struct oxi *o, unsigned slot)
{
    int hr, spo2;
    int rec_hr = active(o->probe_off_until) ? 511 : o->hr;
    int rec_spo2 = active(o->probe_off_until) ? 127 : o->spo2;

    display_values(o, &hr, &spo2);
    switch (slot) {
    case 1:
    case 14:
        return (uint8_t)(rec_hr >> 7 & 0x03);
    case 2:
    case 15:
        return (uint8_t)(rec_hr & 0x7f);
    case 3:
    case 10:
    case 11:
    case 16:
        return (uint8_t)rec_spo2;
    case 4:
        return 0x2a; /* firmware revision */
    case 6:
        return (uint8_t)(o->frame / 25 >> 7 & 0x7f);
    case 7:
        return (uint8_t)(o->frame / 25 & 0x7f);
    case 8:
        return 0x00; /* STAT2 */
    case 9:
    case 17:
        return (uint8_t)spo2;
    case 20:
    case 22:
        return (uint8_t)(hr >> 7 & 0x03);
    case 21:
    case 23:
        return (uint8_t)(hr & 0x7f);
    default: /* reserved: any value; make it look like data */
        o->rng = o->rng * 1103515245u + 12345u;
        return (uint8_t)(o->rng >> 16);
    }
}

/* Encode the next frame into F; returns its length. */
static size_t encode(struct oxi *o, struct vsd_sim_faults *f, uint8_t *out)
{
    unsigned slot = o->frame % 25 + 1;
    uint16_t pleth = (uint16_t)(0x8000 + (o->frame % 75) * 300);
    size_t n = 5;

    if (o->format == 8) {
        int hr, spo2;

        display_values(o, &hr, &spo2);
        out[0] = (uint8_t)(0x80 | (hr >> 7 & 0x03) | (active(o->lowperf_until) ? 0x10 : 0) |
                           (active(o->artifact_until) ? 0x04 : 0));
        out[1] = (uint8_t)(hr & 0x7f);
        out[2] = (uint8_t)(spo2 & 0x7f);
        out[3] = active(o->probe_off_until) ? 0x08 : 0x00;
        n = 4;
    } else if (o->format == 2) {
        out[0] = 0x01;
        out[1] = status_byte(o, slot);
        out[2] = (uint8_t)(pleth >> 8);
        out[3] = float_byte(o, slot);
    } else {
        out[0] = status_byte(o, slot);
        out[1] = (uint8_t)(pleth >> 8);
        out[2] = (uint8_t)pleth;
        out[3] = float_byte(o, slot);
    }
    if (n == 5)
        out[4] = (uint8_t)(out[0] + out[1] + out[2] + out[3] +
                           (vsd_sim_faults_take(&f->badsum) ? 1 + vsd_sim_rand(f) % 255 : 0));
    o->frame++;
    return n;
}

/* One ASCII line (CR LF included) into OUT; returns its length. "---" while the finger is out;
 * the power-up header first. */
static size_t encode_ascii(struct oxi *o, struct vsd_sim_faults *f, char *out, size_t size)
{
    char stamp[16] = "", spo2[8] = "---", hr[8] = "---";
    time_t t = time(NULL);
    struct tm tm;
    int n;

    if (o->frame++ == 0)
        return (size_t)snprintf(out, size, "NONIN 8500 SIMULATOR\r\n");
    localtime_r(&t, &tm);
    if (o->stamp)
        strftime(stamp, sizeof(stamp), "%H:%M:%S ", &tm);
    if (!active(o->probe_off_until)) {
        snprintf(spo2, sizeof(spo2), "%03d", o->spo2);
        snprintf(hr, sizeof(hr), "%03d", o->hr);
    }
    if (vsd_sim_faults_take(&f->badsum)) /* no checksum in ASCII: a garbled digit instead */
        spo2[1] = '?';
    n = snprintf(out, size, "%sSPO2=%s HR=%s%s\r\n", stamp, spo2, hr,
                 active(o->artifact_until) ? "*" : "");
    return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

/* "probe_off S", "artifact S", "lowperf S", "value spo2|hr N". Returns 0 or -EINVAL. */
static int own_command(void *ctx, const char *line)
{
    struct oxi *o = ctx;
    char what[16];
    double v;
    int64_t now = vsd_sim_now_ms();

    if (sscanf(line, "probe_off %lf", &v) == 1) {
        o->probe_off_since = now;
        o->probe_off_until = now + (int64_t)(v * 1000);
    } else if (sscanf(line, "artifact %lf", &v) == 1) {
        o->artifact_until = now + (int64_t)(v * 1000);
    } else if (sscanf(line, "lowperf %lf", &v) == 1) {
        o->lowperf_until = now + (int64_t)(v * 1000);
    } else if (sscanf(line, "value %15s %lf", what, &v) == 2 && strcmp(what, "spo2") == 0 &&
               v >= 0 && v <= 100) {
        o->spo2 = (int)v;
    } else if (sscanf(line, "value %15s %lf", what, &v) == 2 && strcmp(what, "hr") == 0 && v >= 0 &&
               v <= 510) {
        o->hr = (int)v;
    } else {
        return vsd_sim_answer("nonin-sim", line, -EINVAL);
    }
    return vsd_sim_answer("nonin-sim", line, 0);
}

static int parse_args(int argc, char **argv, void *ctx)
{
    struct oxi *o = ctx;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--format") == 0)
            o->format = strcmp(argv[i + 1], "ascii") == 0 ? ASCII : atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--stamp") == 0)
            o->stamp = atoi(argv[i + 1]) != 0;
        else if (strcmp(argv[i], "--hr") == 0)
            o->hr = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--spo2") == 0)
            o->spo2 = atoi(argv[i + 1]);
        else
            return -EINVAL;
    }
    if ((argc - 1) % 2 ||
        (o->format != 2 && o->format != 7 && o->format != 8 && o->format != ASCII))
        return -EINVAL;
    return 0;
}

/* The next frame or line: DF8 and ASCII once a second, DF7 and DF2 75 a second. */
static int64_t send_frame(void *ctx, struct vsd_sim_link *l, struct vsd_sim_faults *f, int64_t t0)
{
    struct oxi *o = ctx;
    char frame[64];
    size_t n = o->format == ASCII ? encode_ascii(o, f, frame, sizeof(frame))
                                  : encode(o, f, (uint8_t *)frame);

    vsd_sim_send_frame(l, f, frame, n);
    return o->format == 8 || o->format == ASCII ? t0 + (int64_t)o->frame * 1000
                                                : t0 + (int64_t)o->frame * 40 / 3;
}

int main(int argc, char **argv)
{
    static const struct vsd_sim_stream stream = {.send = send_frame, .own = own_command};
    static const char usage[] =
        "usage: vsd-nonin-sim --pty LINK | --tcp PORT [--format 7|2|8|ascii] "
        "[--stamp 0|1] [--hr N] [--spo2 N]\n(commands on stdin: see tests/sim/README.md)\n";
    struct oxi o = {.format = 7, .hr = 72, .spo2 = 97, .rng = 1};
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;

    if (vsd_sim_start(argc, argv, parse_args, &o, usage, 42, &l, &f) < 0)
        return 2;
    return vsd_sim_run_stream(l, &f, &stream, &o);
}
