/* SPDX-License-Identifier: MIT */
/* Nonin Data Formats 2, 7 and 8: frame checks, sync recovery and one-second averaging. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include <vitalsd/reading.h>

#include "nonin_frame.h"

/* Slots of the DF2/DF7 float byte that carry the display values (docs/devices/nonin.md,
 * 'Float byte schedule', from Nonin's 9560 specification). */
#define SLOT_SPO2_D 9
#define SLOT_HR_D_MSB 20
#define SLOT_HR_D_LSB 21

static size_t frame_size(int format)
{
    return format == 8 ? 4 : 5;
}

int vsd_nonin_init(struct vsd_nonin *p, int format)
{
    if (format != 2 && format != 7 && format != 8)
        return -EINVAL;
    memset(p, 0, sizeof(*p));
    p->format = format;
    p->hr_msb = -1;
    return 0;
}

bool vsd_nonin_frame_valid(int format, const uint8_t *f)
{
    if (format == 8)
        return (f[0] & 0x80) && !(f[1] & 0x80) && !(f[2] & 0x80) && !(f[3] & 0x80);
    if (format == 2 && (f[0] != 0x01 || !(f[1] & 0x80)))
        return false;
    if (format == 7 && !(f[0] & 0x80))
        return false;
    return (uint8_t)(f[0] + f[1] + f[2] + f[3]) == f[4];
}

int vsd_nonin_hr(uint8_t msb, uint8_t lsb)
{
    return ((msb & 0x03) << 7) | (lsb & 0x7f);
}

uint32_t vsd_nonin_status_flags(int format, uint8_t status)
{
    uint32_t q = 0;

    if (status & 0x40) /* SNSD: sensor disconnect (OEM III) */
        q |= VSD_Q_SENSOR_OFF;
    if (format == 8) {
        if (status & 0x20) /* OOT */
            q |= VSD_Q_ARTIFACT | VSD_Q_SEARCHING;
        if (status & 0x10) /* LPRF */
            q |= VSD_Q_LOW_PERFUSION;
        if (status & 0x04) /* ARTF */
            q |= VSD_Q_ARTIFACT;
        return q;
    }
    if (status & 0x20) /* ARTF */
        q |= VSD_Q_ARTIFACT;
    if (status & 0x10) /* OOT: sustained artifact, out of track */
        q |= VSD_Q_ARTIFACT | VSD_Q_SEARCHING;
    if (status & 0x08) /* SNSA: sensor alarm, unusable data or finger out */
        q |= VSD_Q_SENSOR_OFF;
    if (((status >> 1) & 0x03) == 0x02) /* perfusion class red */
        q |= VSD_Q_LOW_PERFUSION;
    return q;
}

static void add_hr(struct vsd_nonin *p, int hr)
{
    if (hr == VSD_NONIN_HR_MISSING) {
        p->hr_missing++;
        return;
    }
    p->hr_sum += hr;
    p->hr_n++;
}

static void add_spo2(struct vsd_nonin *p, uint8_t v)
{
    if (v & 0x80 || v > 100) { /* 127 = missing; bit 7 set or > 100 % is no value either */
        p->spo2_missing++;
        return;
    }
    p->spo2_sum += v;
    p->spo2_n++;
}

static struct vsd_nonin_value close_value(double sum, unsigned n, unsigned missing, uint32_t q)
{
    struct vsd_nonin_value v = {.present = n > 0 || missing > 0, .flags = q};

    v.value = n ? sum / n : NAN;
    if (!n)
        v.flags |= VSD_Q_INVALID;
    return v;
}

static void close_second(struct vsd_nonin *p)
{
    struct vsd_nonin_second s = {
        .hr = close_value(p->hr_sum, p->hr_n, p->hr_missing, p->flags),
        .spo2 = close_value(p->spo2_sum, p->spo2_n, p->spo2_missing, p->flags),
    };

    if (s.hr.present || s.spo2.present) {
        if (p->n_done == VSD_NONIN_MAX_SECONDS) {
            memmove(p->done, p->done + 1, sizeof(p->done[0]) * (VSD_NONIN_MAX_SECONDS - 1));
            p->n_done--;
            p->dropped_seconds++;
        }
        p->done[p->n_done++] = s;
    }
    p->frames = p->hr_n = p->spo2_n = p->hr_missing = p->spo2_missing = 0;
    p->hr_sum = p->spo2_sum = 0;
    p->flags = 0;
}

/* One DF8 frame: a whole second by itself. */
static void accept_df8(struct vsd_nonin *p, const uint8_t *f)
{
    p->flags |= vsd_nonin_status_flags(8, f[0]);
    if (f[3] & 0x08) /* SNSA in STATUS2 */
        p->flags |= VSD_Q_SENSOR_OFF;
    add_hr(p, vsd_nonin_hr(f[0], f[1]));
    add_spo2(p, f[2]);
    close_second(p);
}

/* One DF2/DF7 frame: status flags, the slot's float byte, 75 frames close a second. */
static void accept_df27(struct vsd_nonin *p, const uint8_t *f)
{
    uint8_t status = p->format == 2 ? f[1] : f[0];
    uint8_t fb = f[3];

    p->flags |= vsd_nonin_status_flags(p->format, status);
    if (status & 0x01)
        p->slot = 1;
    else if (p->slot > 0)
        p->slot = p->slot < VSD_NONIN_SLOTS ? p->slot + 1 : 0; /* missed SYNC: unknown */
    if (p->slot == SLOT_SPO2_D)
        add_spo2(p, fb);
    else if (p->slot == SLOT_HR_D_MSB)
        p->hr_msb = fb;
    else if (p->slot == SLOT_HR_D_LSB && p->hr_msb >= 0)
        add_hr(p, vsd_nonin_hr((uint8_t)p->hr_msb, fb));
    if (p->slot != SLOT_HR_D_MSB)
        p->hr_msb = -1;
    if (++p->frames == VSD_NONIN_FRAMES_PER_S)
        close_second(p);
}

static void consume(struct vsd_nonin *p, size_t k)
{
    memmove(p->buf, p->buf + k, p->len - k);
    p->len -= k;
}

/* Decode what the buffer holds. Locked: each frame must be valid where expected, else the lock
 * is lost (one bad frame). Unlocked: two consecutive valid frames (DF2/7) take the lock, and
 * every frame's worth of bytes skipped counts as one bad frame (joining mid-frame costs none). */
static void run(struct vsd_nonin *p)
{
    size_t fs = frame_size(p->format);

    while (p->len >= fs) {
        bool ok = vsd_nonin_frame_valid(p->format, p->buf);

        if (!p->locked && ok && p->format != 8) {
            if (p->len < 2 * fs)
                return; /* wait for the second frame */
            ok = vsd_nonin_frame_valid(p->format, p->buf + fs);
            p->locked = ok;
        } else if (!p->locked && ok) {
            p->locked = true;
        }
        if (!ok) {
            if (p->locked)
                p->bad_frames++, p->skipped = 0;
            else if (++p->skipped == fs)
                p->bad_frames++, p->skipped = 0;
            p->locked = false;
            p->slot = 0;
            p->hr_msb = -1;
            consume(p, 1);
            continue;
        }
        p->good_frames++;
        p->skipped = 0;
        if (p->format == 8)
            accept_df8(p, p->buf);
        else
            accept_df27(p, p->buf);
        consume(p, fs);
    }
}

void vsd_nonin_feed(struct vsd_nonin *p, const uint8_t *buf, size_t n)
{
    while (n > 0) {
        size_t k = sizeof(p->buf) - p->len;

        if (k > n)
            k = n;
        memcpy(p->buf + p->len, buf, k);
        p->len += k;
        buf += k;
        n -= k;
        run(p);
    }
}

unsigned vsd_nonin_take(struct vsd_nonin *p, struct vsd_nonin_second *out, unsigned max)
{
    unsigned k = p->n_done < max ? p->n_done : max;

    memcpy(out, p->done, sizeof(out[0]) * k);
    memmove(p->done, p->done + k, sizeof(p->done[0]) * (p->n_done - k));
    p->n_done -= k;
    return k;
}

void vsd_nonin_take_counts(struct vsd_nonin *p, unsigned *bad, unsigned *good)
{
    *bad = p->bad_frames;
    *good = p->good_frames;
    p->bad_frames = p->good_frames = 0;
}
