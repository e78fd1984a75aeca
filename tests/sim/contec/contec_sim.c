/* SPDX-License-Identifier: MIT */
/* vsd-contec-sim: a Contec CMS50D+ / CMS50E finger oximeter with its own packet encoder, written
 * from the published layouts (docs/devices/contec.md, 'Protocol facts'). Legacy: 5-byte packets
 * at 60/s, sent unasked. New: 9-byte packets at 60/s once the host sent the start command, until
 * no command came for STALE_MS. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

#define PERIOD_US 16667 /* 60 packets a second */
#define STALE_MS 10000  /* new protocol: the stream stops this long after the last command */

struct oxi {
    bool new_proto;
    int hr, spo2;
    int64_t finger_out_until, searching_until, probe_error_until;
    bool streaming;      /* new protocol: started by the host */
    int64_t last_cmd_ms; /* new protocol: the last start or keep-alive */
    uint8_t rx[16];      /* new protocol: command bytes so far */
    size_t rx_len;
    unsigned packet;
    unsigned ticks; /* 60 a second since the start, whether sent or not */
};

static bool active(int64_t until)
{
    return until && vsd_sim_now_ms() < until;
}

/* The numbers on the display: "no value" codes while the finger is out or searching. */
static void shown(const struct oxi *o, int *hr, int *spo2)
{
    bool none =
        active(o->finger_out_until) || active(o->searching_until) || active(o->probe_error_until);

    *hr = none ? (o->new_proto ? 127 : 255) : o->hr;
    *spo2 = none ? 127 : o->spo2;
}

/* Legacy: byte 1 sync, finger out, signal; 2 pleth; 3 PR bit 7, searching, probe error, bar;
 * 4 PR bits 6..0; 5 SpO2. */
static size_t encode_legacy(struct oxi *o, uint8_t *out)
{
    int hr, spo2;
    bool off = active(o->finger_out_until);

    shown(o, &hr, &spo2);
    out[0] = (uint8_t)(0x80 | (off ? 0x10 : 0) | (off ? 0 : 6) | (o->packet % 60 == 0 ? 0x40 : 0));
    out[1] = (uint8_t)(o->packet * 5 % 128);
    out[2] = (uint8_t)((hr & 0x80 ? 0x40 : 0) | (active(o->searching_until) ? 0x20 : 0) |
                       (active(o->probe_error_until) ? 0x10 : 0) | (o->packet % 9));
    out[3] = (uint8_t)(hr & 0x7f);
    out[4] = (uint8_t)(spo2 & 0x7f);
    return 5;
}

/* New: type 01, status (bit 0 finger out, bit 1 searching), beat marker, pleth, -, PR, SpO2,
 * padding FF FF; every byte after the type has bit 7 set. */
static size_t encode_new(struct oxi *o, uint8_t *out)
{
    int hr, spo2;

    shown(o, &hr, &spo2);
    out[0] = 0x01;
    out[1] = (uint8_t)(0x80 | (active(o->finger_out_until) ? 0x01 : 0) |
                       (active(o->searching_until) ? 0x02 : 0));
    out[2] = (uint8_t)(0x80 | (o->packet % 60 == 0 ? 0x40 : 0));
    out[3] = (uint8_t)(0x80 | (o->packet * 5 % 128));
    out[4] = 0x80;
    out[5] = (uint8_t)(0x80 | (hr & 0x7f));
    out[6] = (uint8_t)(0x80 | (spo2 & 0x7f));
    out[7] = out[8] = 0xFF;
    return 9;
}

/* "badsum": there is no checksum; the packet breaks the sync rule instead (a data byte that
 * looks like the start of a packet), which is what a receiver can notice. */
static size_t encode(struct oxi *o, struct vsd_sim_faults *f, uint8_t *out)
{
    size_t n = o->new_proto ? encode_new(o, out) : encode_legacy(o, out);

    if (vsd_sim_faults_take(&f->badsum))
        out[2] ^= 0x80;
    o->packet++;
    return n;
}

/* New protocol: host commands are 7D 81 CMD 80 80 80 80 80 80; A1 starts, AF keeps alive. */
static void host_bytes(void *ctx, const uint8_t *b, size_t n)
{
    struct oxi *o = ctx;

    for (size_t i = 0; i < n; i++) {
        if (b[i] == 0x7D)
            o->rx_len = 0;
        if (o->rx_len < sizeof(o->rx))
            o->rx[o->rx_len++] = b[i];
        if (o->rx_len != 9 || o->rx[1] != 0x81)
            continue;
        if (o->rx[2] == 0xA1 || (o->rx[2] == 0xAF && o->streaming)) {
            o->streaming = true;
            o->last_cmd_ms = vsd_sim_now_ms();
        }
        printf("rx %s\n", o->rx[2] == 0xA1 ? "start" : o->rx[2] == 0xAF ? "keepalive" : "other");
        fflush(stdout);
        o->rx_len = 0;
    }
}

/* "finger_out S", "searching S", "probe_error S", "value spo2|hr N". Returns 0 or -EINVAL. */
static int own_command(void *ctx, const char *line)
{
    struct oxi *o = ctx;
    char what[16];
    double v;
    int64_t now = vsd_sim_now_ms();

    if (sscanf(line, "finger_out %lf", &v) == 1)
        o->finger_out_until = now + (int64_t)(v * 1000);
    else if (sscanf(line, "searching %lf", &v) == 1)
        o->searching_until = now + (int64_t)(v * 1000);
    else if (sscanf(line, "probe_error %lf", &v) == 1 && !o->new_proto)
        o->probe_error_until = now + (int64_t)(v * 1000);
    else if (sscanf(line, "value %15s %lf", what, &v) == 2 && !strcmp(what, "spo2") && v >= 1 &&
             v <= 100)
        o->spo2 = (int)v;
    else if (sscanf(line, "value %15s %lf", what, &v) == 2 && !strcmp(what, "hr") && v >= 1 &&
             v <= (o->new_proto ? 126 : 254))
        o->hr = (int)v;
    else
        return vsd_sim_answer("contec-sim", line, -EINVAL);
    return vsd_sim_answer("contec-sim", line, 0);
}

static int parse_args(int argc, char **argv, void *ctx)
{
    struct oxi *o = ctx;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--protocol") == 0 && strcmp(argv[i + 1], "new") == 0)
            o->new_proto = true;
        else if (strcmp(argv[i], "--protocol") == 0 && strcmp(argv[i + 1], "legacy") == 0)
            o->new_proto = false;
        else if (strcmp(argv[i], "--hr") == 0)
            o->hr = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--spo2") == 0)
            o->spo2 = atoi(argv[i + 1]);
        else
            return -EINVAL;
    }
    if ((argc - 1) % 2 || o->hr < 1 || o->hr > 254 || o->spo2 < 1 || o->spo2 > 100)
        return -EINVAL;
    return 0;
}

static bool sending(struct oxi *o)
{
    if (!o->new_proto)
        return true;
    if (o->streaming && vsd_sim_now_ms() - o->last_cmd_ms > STALE_MS) {
        o->streaming = false;
        printf("stream stopped\n");
        fflush(stdout);
    }
    return o->streaming;
}

/* The next packet when streaming; the next tick is due 1/60 s later. */
static int64_t send_packet(void *ctx, struct vsd_sim_link *l, struct vsd_sim_faults *f, int64_t t0)
{
    struct oxi *o = ctx;
    uint8_t packet[32];

    if (sending(o))
        vsd_sim_send_frame(l, f, packet, encode(o, f, packet));
    return t0 + (int64_t)++o->ticks * PERIOD_US / 1000;
}

int main(int argc, char **argv)
{
    static const struct vsd_sim_stream stream = {
        .send = send_packet, .rx = host_bytes, .own = own_command};
    static const char usage[] =
        "usage: vsd-contec-sim --pty LINK | --tcp PORT [--protocol legacy|new] "
        "[--hr N] [--spo2 N]\n(commands on stdin: see tests/sim/README.md)\n";
    struct oxi o = {.hr = 72, .spo2 = 97};
    struct vsd_sim_link *l = NULL;
    struct vsd_sim_faults f;

    if (vsd_sim_start(argc, argv, parse_args, &o, usage, 42, &l, &f) < 0)
        return 2;
    return vsd_sim_run_stream(l, &f, &stream, &o);
}
