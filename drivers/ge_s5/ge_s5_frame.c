/* SPDX-License-Identifier: MIT */
/* S/5 framing: checksum, byte stuffing on transmit, and a byte-at-a-time receive decoder. */
#include <errno.h>
#include <string.h>

#include "ge_s5_frame.h"

uint8_t vsd_ges5_checksum(const uint8_t *rec, size_t n)
{
    uint8_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum = (uint8_t)(sum + rec[i]);
    return sum;
}

/* Append B to OUT at *POS, stuffed. Returns 0 or -ENOSPC. */
static int put_stuffed(uint8_t *out, size_t cap, size_t *pos, uint8_t b)
{
    if (b == VSD_GES5_FLAG || b == VSD_GES5_ESC) {
        if (cap - *pos < 2)
            return -ENOSPC;
        out[(*pos)++] = VSD_GES5_ESC;
        out[(*pos)++] = (uint8_t)(b & ~0x20);
        return 0;
    }
    if (cap - *pos < 1)
        return -ENOSPC;
    out[(*pos)++] = b;
    return 0;
}

ssize_t vsd_ges5_frame_encode(const uint8_t *rec, size_t n, uint8_t *out, size_t cap)
{
    size_t pos = 0;
    int r = 0;

    if (n == 0 || n > VSD_GES5_RECORD_MAX)
        return -EINVAL;
    if (cap < 1)
        return -ENOSPC;
    out[pos++] = VSD_GES5_FLAG;
    for (size_t i = 0; i < n && r == 0; i++)
        r = put_stuffed(out, cap, &pos, rec[i]);
    if (r == 0)
        r = put_stuffed(out, cap, &pos, vsd_ges5_checksum(rec, n));
    if (r == 0 && pos >= cap)
        r = -ENOSPC;
    if (r < 0)
        return r;
    out[pos++] = VSD_GES5_FLAG;
    return (ssize_t)pos;
}

void vsd_ges5_deframer_reset(struct vsd_ges5_deframer *d)
{
    memset(d, 0, sizeof(*d));
}

/* Judge the bytes collected when the closing flag arrived. */
static enum vsd_ges5_frame_status finish(struct vsd_ges5_deframer *d)
{
    size_t r_len;

    if (d->len == 0 && !d->escape && !d->overflow && !d->bad_escape)
        return VSD_GES5_MORE; /* back-to-back flags */
    if (d->overflow)
        return VSD_GES5_TOO_LONG;
    if (d->escape || d->bad_escape)
        return VSD_GES5_BAD_ESCAPE;
    if (d->len < VSD_GES5_HEADER_LEN + 1)
        return VSD_GES5_BAD_LENGTH;
    r_len = (size_t)d->rec[0] | (size_t)d->rec[1] << 8;
    if (r_len != d->len - 1)
        return VSD_GES5_BAD_LENGTH;
    if (vsd_ges5_checksum(d->rec, r_len) != d->rec[r_len])
        return VSD_GES5_BAD_SUM;
    d->len = r_len;
    return VSD_GES5_GOOD;
}

enum vsd_ges5_frame_status vsd_ges5_deframe_byte(struct vsd_ges5_deframer *d, uint8_t b)
{
    enum vsd_ges5_frame_status st;

    if (d->done) {
        d->len = 0;
        d->escape = d->overflow = d->bad_escape = d->done = 0;
    }
    if (b == VSD_GES5_FLAG) {
        if (!d->in_frame) {
            d->in_frame = 1;
            return VSD_GES5_MORE;
        }
        st = finish(d);
        d->done = 1;
        return st;
    }
    if (!d->in_frame) {
        d->skipped++;
        return VSD_GES5_MORE;
    }
    if (d->escape) {
        d->escape = 0;
        if (b != (VSD_GES5_FLAG & ~0x20) && b != (VSD_GES5_ESC & ~0x20))
            d->bad_escape = 1;
        b |= 0x20;
    } else if (b == VSD_GES5_ESC) {
        d->escape = 1;
        return VSD_GES5_MORE;
    }
    if (d->len < sizeof(d->rec))
        d->rec[d->len++] = b;
    else
        d->overflow = 1;
    return VSD_GES5_MORE;
}

const char *vsd_ges5_frame_status_name(enum vsd_ges5_frame_status s)
{
    switch (s) {
    case VSD_GES5_MORE:
        return "incomplete";
    case VSD_GES5_GOOD:
        return "good";
    case VSD_GES5_BAD_SUM:
        return "bad checksum";
    case VSD_GES5_BAD_LENGTH:
        return "bad length";
    case VSD_GES5_TOO_LONG:
        return "too long";
    case VSD_GES5_BAD_ESCAPE:
        return "bad escape";
    }
    return "unknown";
}
