/* SPDX-License-Identifier: MIT */
/* Modbus register decoding and encoding in every word/byte order, and read-request planning. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/option.h>

#include "profile.h"

unsigned vsd_mb_type_regs(enum vsd_mb_type t)
{
    return t == VSD_MB_U32 || t == VSD_MB_I32 || t == VSD_MB_F32 ? 2 : 1;
}

const char *vsd_mb_type_name(enum vsd_mb_type t)
{
    static const char *const names[] = {"u16", "i16", "u32", "i32", "f32", "u8-high", "u8-low"};

    return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

const char *vsd_mb_order_name(enum vsd_mb_order o)
{
    static const char *const names[] = {"ABCD", "CDAB", "BADC", "DCBA"};

    return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

/* Where byte A, B, C, D (A most significant) sits among the wire bytes of two registers
 * (0 = first register's high byte ... 3 = second register's low byte), per order. */
static const unsigned char wire_pos[4][4] = {
    [VSD_MB_ABCD] = {0, 1, 2, 3},
    [VSD_MB_CDAB] = {2, 3, 0, 1},
    [VSD_MB_BADC] = {1, 0, 3, 2},
    [VSD_MB_DCBA] = {3, 2, 1, 0},
};

static uint32_t get32(enum vsd_mb_order order, const uint16_t *regs)
{
    unsigned char wire[4] = {regs[0] >> 8, regs[0] & 0xff, regs[1] >> 8, regs[1] & 0xff};
    uint32_t v = 0;

    for (unsigned i = 0; i < 4; i++)
        v = (v << 8) | wire[wire_pos[order & 3][i]];
    return v;
}

static void put32(enum vsd_mb_order order, uint32_t v, uint16_t *regs)
{
    unsigned char wire[4];

    for (unsigned i = 0; i < 4; i++)
        wire[wire_pos[order & 3][i]] = (unsigned char)(v >> (24 - 8 * i));
    regs[0] = (uint16_t)(wire[0] << 8 | wire[1]);
    regs[1] = (uint16_t)(wire[2] << 8 | wire[3]);
}

/* One register; BADC (and DCBA, which loading refuses for 16 bits) swap its two bytes. */
static uint16_t get16(enum vsd_mb_order order, uint16_t reg)
{
    if (order == VSD_MB_BADC || order == VSD_MB_DCBA)
        return (uint16_t)(reg << 8 | reg >> 8);
    return reg;
}

double vsd_mb_raw(enum vsd_mb_type type, enum vsd_mb_order order, const uint16_t *regs)
{
    uint32_t u;
    float f;

    switch (type) {
    case VSD_MB_U16:
        return get16(order, regs[0]);
    case VSD_MB_I16:
        return (int16_t)get16(order, regs[0]);
    case VSD_MB_U8_HIGH:
        return regs[0] >> 8;
    case VSD_MB_U8_LOW:
        return regs[0] & 0xff;
    case VSD_MB_U32:
        return get32(order, regs);
    case VSD_MB_I32:
        return (int32_t)get32(order, regs);
    case VSD_MB_F32:
        u = get32(order, regs);
        memcpy(&f, &u, sizeof(f));
        return f;
    }
    return NAN;
}

double vsd_mb_decode(const struct vsd_mb_field *f, const uint16_t *regs)
{
    double raw = vsd_mb_raw(f->type, f->order, regs);
    double v;

    if (!isfinite(raw))
        return NAN;
    for (size_t i = 0; i < f->n_sentinels; i++)
        if (raw == f->sentinels[i])
            return NAN;
    v = raw * f->scale + f->offset;
    return isfinite(v) ? v : NAN;
}

double vsd_mb_ambient(const struct vsd_mb_field *f, double percent, const uint16_t *ambient_reg)
{
    double amb = f->ambient_mmhg;

    if (f->ambient_reg)
        amb = ambient_reg ? *ambient_reg * f->ambient_scale : NAN;
    if (isnan(percent) || !(amb >= VSD_MB_AMBIENT_MIN && amb <= VSD_MB_AMBIENT_MAX))
        return NAN;
    return percent / 100.0 * amb;
}

/* VALUE rounded and clamped into [LO, HI]. */
static double clamp_round(double value, double lo, double hi)
{
    value = round(value);
    return value < lo ? lo : value > hi ? hi : value;
}

/* Write RAW (already in the type's range) into REGS in F's order. */
static void put_raw(const struct vsd_mb_field *f, double raw, uint16_t *regs)
{
    uint32_t u;
    float fl;

    switch (f->type) {
    case VSD_MB_U16:
    case VSD_MB_I16:
        regs[0] = get16(f->order, (uint16_t)(int32_t)raw);
        return;
    case VSD_MB_U8_HIGH:
        regs[0] = (uint16_t)((regs[0] & 0x00ff) | ((unsigned)raw << 8));
        return;
    case VSD_MB_U8_LOW:
        regs[0] = (uint16_t)((regs[0] & 0xff00) | (unsigned)raw);
        return;
    case VSD_MB_U32:
        put32(f->order, (uint32_t)raw, regs);
        return;
    case VSD_MB_I32:
        put32(f->order, (uint32_t)(int32_t)raw, regs);
        return;
    case VSD_MB_F32:
        fl = (float)raw;
        memcpy(&u, &fl, sizeof(u));
        put32(f->order, u, regs);
        return;
    }
}

void vsd_mb_encode(const struct vsd_mb_field *f, double value, uint16_t *regs)
{
    static const double lo[] = {0, -32768, 0, -2147483648.0, 0, 0, 0};
    static const double hi[] = {65535, 32767, 4294967295.0, 2147483647.0, 0, 255, 255};
    double raw;

    if (isnan(value)) {
        /* "no value": the first sentinel; without one, NaN for f32, all ones otherwise */
        raw = f->n_sentinels ? f->sentinels[0] : f->type == VSD_MB_F32 ? NAN : hi[f->type];
        if (f->type == VSD_MB_I16 || f->type == VSD_MB_I32)
            raw = f->n_sentinels ? raw : -1;
        put_raw(f, raw, regs);
        return;
    }
    if (f->percent) /* mmHg back to % of the fixed pressure, or of 760 mmHg for a register */
        value = value * 100.0 / (f->ambient_reg ? 760.0 : f->ambient_mmhg);
    raw = (value - f->offset) / f->scale;
    if (f->type != VSD_MB_F32)
        raw = clamp_round(raw, lo[f->type], hi[f->type]);
    put_raw(f, raw, regs);
}

/* A span of registers to read. */
struct want {
    enum vsd_mb_table table;
    unsigned start, end; /* [start, end) */
};

static int cmp_want(const void *a, const void *b)
{
    const struct want *x = a, *y = b;

    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Sorted by table and start, each span joins the current request when it is of the same table,
 * begins at most MAX_GAP registers after its end, and keeps it within VSD_MB_MAX_REGS; otherwise
 * it starts a new one. Greedy in start order gives the fewest requests for these rules. */
size_t vsd_mb_plan(const struct vsd_mb_profile *p, unsigned max_gap, struct vsd_mb_request *out,
                   size_t max)
{
    struct want w[2 * VSD_VITAL_COUNT + 4];
    size_t n = 0, k = 0;
    unsigned start = 0, end = 0;

    for (size_t i = 0; i < p->n_fields && i < VSD_VITAL_COUNT; i++) {
        w[n++] = (struct want){p->fields[i].table, p->fields[i].address,
                               p->fields[i].address + vsd_mb_type_regs(p->fields[i].type)};
        if (p->fields[i].ambient_reg)
            w[n++] = (struct want){p->fields[i].table, p->fields[i].ambient_address,
                                   p->fields[i].ambient_address + 1u};
    }
    if (p->status.present)
        w[n++] = (struct want){p->status.table, p->status.address, p->status.address + 1u};
    if (p->identity.serial.regs)
        w[n++] = (struct want){p->identity.table, p->identity.serial.address,
                               p->identity.serial.address + p->identity.serial.regs};
    if (p->identity.model.regs)
        w[n++] = (struct want){p->identity.table, p->identity.model.address,
                               p->identity.model.address + p->identity.model.regs};
    if (p->nibp_stamp.kind != VSD_MB_STAMP_NONE)
        w[n++] = (struct want){p->nibp_stamp.table, p->nibp_stamp.address,
                               p->nibp_stamp.address + vsd_mb_type_regs(p->nibp_stamp.type)};
    qsort(w, n, sizeof(w[0]), cmp_want);
    for (size_t i = 0; i < n; i++) {
        unsigned new_end = w[i].end > end ? w[i].end : end;

        if (k > 0 && w[i].table == out[k - 1].table && w[i].start <= end + max_gap &&
            new_end - start <= VSD_MB_MAX_REGS) {
            end = new_end;
            out[k - 1].count = (uint16_t)(end - start);
            continue;
        }
        if (k == max)
            break;
        start = w[i].start;
        end = w[i].end;
        out[k++] = (struct vsd_mb_request){w[i].table, (uint16_t)start, (uint16_t)(end - start)};
    }
    return k;
}

int vsd_mb_parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    char *end;

    if (!*s || *s == '-' || *s == '+' || (hex && !s[2]))
        return -EINVAL;
    errno = 0;
    *ret = strtoull(hex ? s + 2 : s, &end, hex ? 16 : 10);
    if (*end || errno || *ret > max)
        return -ERANGE;
    return 0;
}

void vsd_mb_type_range(enum vsd_mb_type type, double *lo, double *hi)
{
    static const double ranges[][2] = {
        [VSD_MB_U16] = {0, 65535},
        [VSD_MB_I16] = {-32768, 32767},
        [VSD_MB_U32] = {0, 4294967295.0},
        [VSD_MB_I32] = {-2147483648.0, 2147483647.0},
        [VSD_MB_F32] = {-HUGE_VAL, HUGE_VAL},
        [VSD_MB_U8_HIGH] = {0, 255},
        [VSD_MB_U8_LOW] = {0, 255},
    };

    *lo = ranges[type][0];
    *hi = ranges[type][1];
}

int vsd_mb_parse_sentinel(const char *s, enum vsd_mb_type type, double *ret)
{
    unsigned bits = vsd_mb_type_regs(type) == 2 ? 32 : 16;
    unsigned long long v;

    if (type == VSD_MB_U8_HIGH || type == VSD_MB_U8_LOW)
        bits = 8;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        uint16_t regs[2];

        if (vsd_mb_parse_uint(s, (1ull << bits) - 1, &v) < 0)
            return -ERANGE;
        regs[0] = bits == 32 ? (uint16_t)(v >> 16) : (uint16_t)v;
        regs[1] = (uint16_t)v;
        if (type == VSD_MB_U8_HIGH)
            regs[0] = (uint16_t)(v << 8);
        *ret = vsd_mb_raw(type, VSD_MB_ABCD, regs);
        return 0;
    }
    if (vsd_option_parse_double(s, ret) < 0)
        return -EINVAL;
    return 0;
}

void vsd_mb_text(const uint16_t *regs, unsigned n, char *out, size_t size)
{
    size_t len = 0;

    for (unsigned i = 0; i < 2 * n && len + 1 < size; i++)
        out[len++] = (char)(i % 2 ? regs[i / 2] & 0xff : regs[i / 2] >> 8);
    out[len] = '\0';
    len = strlen(out); /* a NUL ends the text */
    while (len > 0 && out[len - 1] == ' ')
        out[--len] = '\0';
}
