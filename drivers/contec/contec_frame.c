/* SPDX-License-Identifier: MIT */
/* Contec CMS50D+ / CMS50E: packet checks, sync recovery, per-packet values, window medians.
 * Layouts: docs/devices/contec.md, 'Protocol facts' (legacy: atbrask's CMS50Dplus notes and a
 * translated Contec OEM board manual; new: Contec "CMS60DW communication protocol V7.0" as
 * implemented by open-source readers). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/reading.h>

#include "contec_frame.h"

#define PACK_SHIFT 9 /* packed = flags << 9 | value (0..511) */

int vsd_contec_init(struct vsd_contec *p, int proto)
{
    if (proto != VSD_CONTEC_LEGACY && proto != VSD_CONTEC_NEW)
        return -EINVAL;
    memset(p, 0, sizeof(*p));
    p->proto = proto;
    return 0;
}

size_t vsd_contec_packet_size(int proto)
{
    return proto == VSD_CONTEC_NEW ? VSD_CONTEC_NEW_SIZE : VSD_CONTEC_LEGACY_SIZE;
}

/* The first byte of a packet: legacy bit 7 set; new bit 7 clear (a packet type). */
static bool is_start(int proto, uint8_t b)
{
    return proto == VSD_CONTEC_NEW ? !(b & 0x80) : (b & 0x80);
}

bool vsd_contec_packet_valid(int proto, const uint8_t *f)
{
    size_t n = vsd_contec_packet_size(proto);

    if (proto == VSD_CONTEC_NEW && f[0] != 0x01) /* 01: real-time data */
        return false;
    if (!is_start(proto, f[0]))
        return false;
    for (size_t i = 1; i < n; i++)
        if (is_start(proto, f[i]))
            return false;
    return true;
}

void vsd_contec_command(uint8_t cmd, uint8_t out[VSD_CONTEC_CMD_SIZE])
{
    memset(out, 0x80, VSD_CONTEC_CMD_SIZE);
    out[0] = 0x7D;
    out[1] = 0x81;
    out[2] = cmd;
}

/* A value the packet gives, or none: a "no value" code, a zero (no measurement), a status that
 * makes the packet's numbers meaningless, or (SpO2) above 100 %. */
static struct vsd_contec_value value_of(int v, bool none, uint32_t q)
{
    struct vsd_contec_value r = {.value = v, .flags = q};

    if (none || v == 0 || (q & VSD_Q_UNUSABLE)) {
        r.value = NAN;
        r.flags |= VSD_Q_INVALID;
    }
    return r;
}

void vsd_contec_decode(int proto, const uint8_t *f, struct vsd_contec_value *pr,
                       struct vsd_contec_value *spo2)
{
    uint32_t q = 0;
    int rate, sat;

    if (proto == VSD_CONTEC_NEW) {
        if (f[1] & 0x01) /* finger out */
            q |= VSD_Q_SENSOR_OFF;
        if (f[1] & 0x02) /* searching */
            q |= VSD_Q_SEARCHING;
        rate = f[5] & 0x7f;
        sat = f[6] & 0x7f;
        *pr = value_of(rate, rate == VSD_CONTEC_PR_NONE_NEW, q);
        *spo2 = value_of(sat, sat == VSD_CONTEC_SPO2_NONE || sat > 100, q);
        return;
    }
    if (f[0] & 0x10) /* finger out (atbrask) or "searching too long" (OEM manual) */
        q |= VSD_Q_SENSOR_OFF;
    if (f[2] & 0x20) /* searching for a pulse */
        q |= VSD_Q_SEARCHING;
    if (f[2] & 0x10) /* probe / sensor error */
        q |= VSD_Q_SENSOR_OFF;
    rate = (f[2] & 0x40) << 1 | (f[3] & 0x7f);
    sat = f[4] & 0x7f;
    *pr = value_of(rate, rate == VSD_CONTEC_PR_NONE, q);
    *spo2 = value_of(sat, sat == VSD_CONTEC_SPO2_NONE || sat > 100, q);
}

static uint32_t pack(const struct vsd_contec_value *v)
{
    return v->flags << PACK_SHIFT | (isnan(v->value) ? 0u : (uint32_t)v->value);
}

static void accept(struct vsd_contec *p, const uint8_t *f)
{
    struct vsd_contec_value pr, spo2;

    vsd_contec_decode(p->proto, f, &pr, &spo2);
    p->pr[p->next] = pack(&pr);
    p->spo2[p->next] = pack(&spo2);
    p->next = (p->next + 1) % VSD_CONTEC_WINDOW;
    if (p->n < VSD_CONTEC_WINDOW)
        p->n++;
}

static void consume(struct vsd_contec *p, size_t k)
{
    memmove(p->buf, p->buf + k, p->len - k);
    p->len -= k;
}

/* Decode what the buffer holds. There is no checksum: a packet counts only when its sync and
 * data bits are right and the next packet's first byte follows it (so truncated and over-long
 * packets fail). A wrong packet where one was expected loses the lock (one bad frame); without
 * a lock, every packet's worth of bytes skipped is one bad frame (joining mid-packet costs none).
 */
static void run(struct vsd_contec *p)
{
    size_t fs = vsd_contec_packet_size(p->proto);

    while (p->len > fs) {
        if (vsd_contec_packet_valid(p->proto, p->buf) && is_start(p->proto, p->buf[fs])) {
            p->locked = true;
            p->skipped = 0;
            p->good_frames++;
            accept(p, p->buf);
            consume(p, fs);
            continue;
        }
        if (p->locked || ++p->skipped == fs)
            p->bad_frames++, p->skipped = 0;
        p->locked = false;
        consume(p, 1);
    }
}

void vsd_contec_feed(struct vsd_contec *p, const uint8_t *buf, size_t n)
{
    /* A byte at a time: run() leaves at most one packet and one byte, so the buffer never
     * fills. */
    for (size_t i = 0; i < n; i++) {
        p->buf[p->len++] = buf[i];
        run(p);
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static struct vsd_contec_value median(const uint32_t *ring, unsigned n)
{
    uint32_t s[VSD_CONTEC_WINDOW], m;
    struct vsd_contec_value v;

    memcpy(s, ring, sizeof(s[0]) * n);
    qsort(s, n, sizeof(s[0]), cmp_u32);
    m = s[n / 2];
    v.flags = m >> PACK_SHIFT;
    v.value = v.flags & VSD_Q_INVALID ? NAN : (double)(m & ((1u << PACK_SHIFT) - 1));
    return v;
}

bool vsd_contec_take(struct vsd_contec *p, struct vsd_contec_value *pr,
                     struct vsd_contec_value *spo2)
{
    if (p->n == 0)
        return false;
    /* The order in the ring does not matter to a median: only which packets it holds. */
    *pr = median(p->pr, p->n);
    *spo2 = median(p->spo2, p->n);
    p->n = p->next = 0;
    return true;
}

void vsd_contec_take_counts(struct vsd_contec *p, unsigned *bad, unsigned *good)
{
    *bad = p->bad_frames;
    *good = p->good_frames;
    p->bad_frames = p->good_frames = 0;
}
