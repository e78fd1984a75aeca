/* SPDX-License-Identifier: MIT */
/* S/5 records: building the transmission request, decoding basic displayed values to readings. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "ge_s5_frame.h"
#include "ge_s5_record.h"

#define SR_DESC_AT 16     /* header offset of sr_desc[0] */
#define R_TIME_AT 6       /* header offset of r_time */
#define MAINTYPE_AT 14    /* header offset of r_maintype */
#define CLASS_DATA_AT 4   /* subrecord offset of the class data */
#define CLASS_WORD_AT 276 /* subrecord offset of cl_drilvl_subt */
#define NIBP_OLD_MS 60000

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void vsd_ges5_request_build(int16_t tx_ival, uint32_t classes, uint8_t dri_level,
                            uint8_t out[VSD_GES5_REQUEST_LEN])
{
    uint8_t *req = out + VSD_GES5_HEADER_LEN;

    memset(out, 0, VSD_GES5_REQUEST_LEN);
    put16(out, VSD_GES5_REQUEST_LEN);
    out[3] = dri_level;
    put16(out + MAINTYPE_AT, VSD_GES5_MT_PHDB);
    /* sr_desc[0]: offset 0, type 0 (request); sr_desc[1]: end of list */
    out[SR_DESC_AT + 3 + 2] = VSD_GES5_SR_END;
    req[0] = VSD_GES5_SR_DISPL;
    put16(req + 1, (uint16_t)tx_ival);
    put16(req + 3, (uint16_t)(classes & 0xFFFF));
    put16(req + 5, (uint16_t)(classes >> 16));
}

static void read_group(const uint8_t *p, struct vsd_ges5_group *g)
{
    g->status = le32(p);
    g->label = le16(p + 4);
    for (int i = 0; i < 4; i++)
        g->v[i] = (int16_t)le16(p + 6 + 2 * i);
}

static void read_basic(const uint8_t *sub, uint32_t r_time, struct vsd_ges5_basic *b)
{
    const uint8_t *cd = sub + CLASS_DATA_AT;

    memset(b, 0, sizeof(*b));
    b->time = le32(sub) ? le32(sub) : r_time;
    read_group(cd + VSD_GES5_OFF_ECG, &b->ecg);
    b->ecg_imp_rr = (int16_t)le16(cd + VSD_GES5_OFF_ECG + 14);
    read_group(cd + VSD_GES5_OFF_NIBP, &b->nibp);
    read_group(cd + VSD_GES5_OFF_SPO2, &b->spo2);
    read_group(cd + VSD_GES5_OFF_CO2, &b->co2);
}

int vsd_ges5_record_decode(const uint8_t *rec, size_t n, struct vsd_ges5_basic *ret)
{
    bool found = false;

    if (n < VSD_GES5_HEADER_LEN || le16(rec) != n)
        return -EBADMSG;
    if ((int16_t)le16(rec + MAINTYPE_AT) != VSD_GES5_MT_PHDB)
        return -ENOMSG;
    for (int i = 0; i < VSD_GES5_SR_DESC_MAX; i++) {
        const uint8_t *desc = rec + SR_DESC_AT + 3 * i;
        int16_t off = (int16_t)le16(desc);
        const uint8_t *sub;

        if (desc[2] == VSD_GES5_SR_END)
            break;
        if (desc[2] != VSD_GES5_SR_DISPL)
            continue;
        if (off < 0 || (size_t)off + VSD_GES5_SUBREC_LEN > n - VSD_GES5_HEADER_LEN)
            return -EBADMSG;
        sub = rec + VSD_GES5_HEADER_LEN + off;
        if (((le16(sub + CLASS_WORD_AT) >> 8) & 0xF) != VSD_GES5_CLASS_BASIC)
            continue;
        read_basic(sub, le32(rec + R_TIME_AT), ret);
        found = true;
    }
    return found ? 0 : -ENOMSG;
}

static bool special(int16_t v)
{
    return v <= VSD_GES5_SPECIAL_MAX;
}

/* A reading of VITAL from raw value V scaled by 1/DIV, with FLAGS; NAN for codes. */
static struct vsd_reading reading(enum vsd_vital vital, int16_t v, double div, uint32_t flags)
{
    struct vsd_reading r = {.vital = vital, .value = NAN, .flags = flags};

    if (special(v))
        r.flags |= VSD_Q_INVALID;
    else if (!(flags & VSD_Q_SENSOR_OFF))
        r.value = v / div;
    return r;
}

/* HR from the ECG group: no leads or an inactive module is a sensor off. */
static uint32_t ecg_flags(const struct vsd_ges5_group *g)
{
    uint32_t f = 0;

    if (!(g->status & VSD_GES5_ST_ACTIVE) ||
        ((g->status & VSD_GES5_ECG_LEADS_OFF) && special(g->v[0])))
        f |= VSD_Q_SENSOR_OFF;
    if (g->status & (VSD_GES5_ECG_NOISE | VSD_GES5_ECG_ARTIFACT))
        f |= VSD_Q_ARTIFACT;
    if (g->status & VSD_GES5_ECG_LEARNING)
        f |= VSD_Q_SEARCHING;
    return f;
}

static bool exists(const struct vsd_ges5_group *g)
{
    return g->status & VSD_GES5_ST_EXISTS;
}

static bool active(const struct vsd_ges5_group *g)
{
    return exists(g) && (g->status & VSD_GES5_ST_ACTIVE);
}

/* The measurement time of a new cuff result shown in B. */
static int64_t nibp_time(const struct vsd_ges5_basic *b, const struct vsd_ges5_nibp_track *t,
                         int64_t wall_ms)
{
    int64_t ms = (int64_t)b->time * 1000;

    if (ms - wall_ms > VSD_GES5_CLOCK_SKEW_MAX_MS || wall_ms - ms > VSD_GES5_CLOCK_SKEW_MAX_MS)
        ms = wall_ms;
    if (!t->have && (b->nibp.label & VSD_GES5_NIBP_OLD))
        ms -= NIBP_OLD_MS; /* first seen after open, already older than a minute */
    if (t->have && ms <= t->measured_ms)
        ms = t->measured_ms + 1;
    return ms;
}

/* NIBP readings for a completed cuff measurement; none while the cuff cycles. */
static size_t nibp_readings(const struct vsd_ges5_basic *b, struct vsd_ges5_nibp_track *t,
                            int64_t wall_ms, struct vsd_reading *out, size_t cap)
{
    const struct vsd_ges5_group *g = &b->nibp;
    const int16_t *v = g->v;

    if (!exists(g) || cap < 3)
        return 0;
    if (g->label & (VSD_GES5_NIBP_MEASURING | VSD_GES5_NIBP_STASIS | VSD_GES5_NIBP_CALIBRATING)) {
        t->cycle_seen = true;
        return 0;
    }
    if (special(v[0]))
        return 0; /* no result shown: nothing measured yet, or the cuff cycle failed */
    if (!t->have || t->cycle_seen || v[0] != t->sys || v[1] != t->dia || v[2] != t->mean) {
        t->measured_ms = nibp_time(b, t, wall_ms);
        t->sys = v[0];
        t->dia = v[1];
        t->mean = v[2];
        t->have = true;
        t->cycle_seen = false;
    }
    out[0] = reading(VSD_VITAL_NIBP_SYS, v[0], 100, 0);
    out[1] = reading(VSD_VITAL_NIBP_DIA, v[1], 100, 0);
    out[2] = reading(VSD_VITAL_NIBP_MEAN, v[2], 100, 0);
    for (int i = 0; i < 3; i++)
        out[i].measured_ms = t->measured_ms;
    return 3;
}

/* RR from the CO2 group when it measures (flagged while the monitor reports apnea; a rate of
 * 0 stays a value), else the ECG impedance RR when there is one. */
static size_t rr_reading(const struct vsd_ges5_basic *b, struct vsd_reading *out, size_t cap)
{
    if (cap < 1)
        return 0;
    if (active(&b->co2)) {
        out[0] = reading(VSD_VITAL_RR, b->co2.v[2], 1,
                         (b->co2.status & VSD_GES5_CO2_APNEA) ? VSD_Q_APNEA : 0);
        return 1;
    }
    if (active(&b->ecg) && !special(b->ecg_imp_rr)) {
        out[0] = reading(VSD_VITAL_RR, b->ecg_imp_rr, 1, 0);
        return 1;
    }
    return 0;
}

/* EtCO2 in mmHg from the CO2 group: et is a fraction of the ambient pressure the monitor
 * reports beside it (S/5 Computer Interface Specification, CO2 group: et in 1/100 %, amb_press
 * in 1/10 mmHg). A module that does not measure is a sensor off; a special value, or an
 * ambient pressure no person breathes at, is invalid (never a guessed 760 mmHg). */
static size_t etco2_reading(const struct vsd_ges5_basic *b, struct vsd_reading *out, size_t cap)
{
    const struct vsd_ges5_group *g = &b->co2;
    int16_t et = g->v[0], amb = g->v[3];

    if (cap < 1 || !exists(g))
        return 0;
    out[0] = reading(VSD_VITAL_ETCO2, et, 1, active(g) ? 0 : VSD_Q_SENSOR_OFF);
    if (isnan(out[0].value))
        return 1;
    if (special(amb) || amb < VSD_GES5_AMB_MIN || amb > VSD_GES5_AMB_MAX) {
        out[0].value = NAN;
        out[0].flags |= VSD_Q_INVALID;
    } else {
        out[0].value = (double)et * amb / 100000.0;
    }
    return 1;
}

size_t vsd_ges5_readings(const struct vsd_ges5_basic *b, struct vsd_ges5_nibp_track *nibp,
                         int64_t wall_ms, struct vsd_reading *out, size_t cap)
{
    size_t n = 0;

    if (exists(&b->ecg) && n < cap)
        out[n++] = reading(VSD_VITAL_HR, b->ecg.v[0], 1, ecg_flags(&b->ecg));
    if (exists(&b->spo2) && cap - n >= 2) {
        uint32_t f = active(&b->spo2) ? 0 : VSD_Q_SENSOR_OFF;

        out[n++] = reading(VSD_VITAL_SPO2, b->spo2.v[0], 100, f);
        out[n++] = reading(VSD_VITAL_PR, b->spo2.v[1], 1, f);
    }
    n += rr_reading(b, out + n, cap - n);
    n += etco2_reading(b, out + n, cap - n);
    n += nibp_readings(b, nibp, wall_ms, out + n, cap - n);
    return n;
}
