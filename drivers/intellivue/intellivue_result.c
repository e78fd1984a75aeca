/* SPDX-License-Identifier: MIT */
/* IntelliVue poll results: the nested lists of a (linked) poll reply down to the numeric
 * observations, and the readings they give (see intellivue_pdu.h). */
#include <math.h>
#include <string.h>

#include "intellivue_pdu.h"
#include "intellivue_rd.h"

static void add_obs(struct vsd_ivue_poll *p, const struct vsd_ivue_obs *o)
{
    if (p->n < VSD_IVUE_MAX_OBS)
        p->obs[p->n++] = *o;
    else
        p->dropped++;
}

/* NU_VAL_OBS: physio id, state, unit, FLOAT value (10 bytes). */
static void read_value(struct rd *r, struct vsd_ivue_obs *o)
{
    o->physio = u16(r);
    o->state = u16(r);
    o->unit = u16(r);
    o->value = u32(r);
}

/* One observation object's attribute list: its values, and its absolute time stamp for all of
 * them. Observations go to TMP first, then to P once the object held together. */
static void read_object(struct rd *r, struct vsd_ivue_poll *p)
{
    struct vsd_ivue_obs tmp[8], stamp = {0};
    size_t n = 0;
    uint16_t count, len;
    struct rd list;

    u16(r); /* object handle */
    count = u16(r);
    len = u16(r);
    list = sub(r, len);
    for (uint16_t i = 0; i < count && !list.bad; i++) {
        uint16_t id = u16(&list), alen = u16(&list);
        struct rd a = sub(&list, alen);

        if (id == VSD_IVUE_ATTR_NU_VAL_OBS && n < 8) {
            read_value(&a, &tmp[n]);
            n += !a.bad;
        } else if (id == VSD_IVUE_ATTR_NU_CMPD_VAL_OBS) {
            uint16_t c = u16(&a);
            struct rd e = sub(&a, u16(&a));

            for (uint16_t k = 0; k < c && n < 8 && !e.bad; k++) {
                read_value(&e, &tmp[n]);
                n += !e.bad;
            }
            a.bad |= e.bad;
        } else if (id == VSD_IVUE_ATTR_TIME_STAMP_ABS && alen == 8) {
            bytes(&a, stamp.time, 8);
            stamp.has_time = !a.bad;
        }
        list.bad |= a.bad;
    }
    r->bad |= list.bad;
    for (size_t i = 0; i < n && !r->bad; i++) {
        tmp[i].has_time = stamp.has_time;
        memcpy(tmp[i].time, stamp.time, 8);
        add_obs(p, &tmp[i]);
    }
}

/* The poll info list: single-context polls, each a list of observation objects. */
static void read_contexts(struct rd *r, struct vsd_ivue_poll *p)
{
    uint16_t count = u16(r);
    struct rd list = sub(r, u16(r));

    for (uint16_t i = 0; i < count && !list.bad; i++) {
        uint16_t objects;
        struct rd ctx;

        u16(&list); /* MDS context */
        objects = u16(&list);
        ctx = sub(&list, u16(&list));
        for (uint16_t k = 0; k < objects && !ctx.bad; k++)
            read_object(&ctx, p);
        list.bad |= ctx.bad;
    }
    r->bad |= list.bad;
}

int vsd_ivue_parse_result(const struct vsd_ivue_msg *m, struct vsd_ivue_poll *p)
{
    struct rd r = {.p = m->arg, .n = m->arg_len}, reply;
    struct vsd_ivue_poll save = *p;
    uint16_t action;
    uint8_t t[8];

    if (m->kind != VSD_IVUE_RESULT && m->kind != VSD_IVUE_LINKED)
        return 1;
    skip(&r, 6); /* managed object */
    action = u16(&r);
    reply = sub(&r, u16(&r));
    if (r.bad)
        return -1;
    if (action != VSD_IVUE_ACT_POLL && action != VSD_IVUE_ACT_POLL_EXT)
        return 1;
    u16(&reply); /* poll number */
    if (action == VSD_IVUE_ACT_POLL_EXT)
        u16(&reply); /* sequence number */
    u32(&reply);     /* relative time stamp */
    bytes(&reply, t, 8);
    skip(&reply, 6); /* polled object type, attribute group */
    if (!reply.bad && memcmp(t, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) != 0) {
        p->has_time = true;
        memcpy(p->time, t, 8);
    }
    read_contexts(&reply, p);
    if (reply.bad) {
        *p = save;
        return -1;
    }
    return 0;
}

static int bcd(uint8_t b)
{
    return (b >> 4) > 9 || (b & 15) > 9 ? -1 : (b >> 4) * 10 + (b & 15);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Seconds since the epoch of a BCD absolute time read as UTC; false when not a date. */
static bool bcd_seconds(const uint8_t t[8], int64_t *s)
{
    int v[7];

    for (int i = 0; i < 7; i++)
        if ((v[i] = bcd(t[i])) < 0)
            return false;
    if (v[2] < 1 || v[2] > 12 || v[3] < 1 || v[3] > 31 || v[4] > 23 || v[5] > 59 || v[6] > 60)
        return false;
    *s = days_from_civil(v[0] * 100 + v[1], v[2], v[3]) * 86400 + v[4] * 3600 + v[5] * 60 + v[6];
    return true;
}

bool vsd_ivue_time_diff(const uint8_t a[8], const uint8_t b[8], int64_t *seconds)
{
    int64_t sa, sb;

    if (!bcd_seconds(a, &sa) || !bcd_seconds(b, &sb))
        return false;
    *seconds = sb - sa;
    return true;
}

/* The physiological ids this driver reads, with the unit each must come in. */
static const struct {
    uint16_t physio, unit;
    enum vsd_vital vital;
} known[] = {
    {0x4182, 0x0AA0, VSD_VITAL_HR},        /* NOM_ECG_CARD_BEAT_RATE, bpm */
    {0x4822, 0x0AA0, VSD_VITAL_PR},        /* NOM_PLETH_PULS_RATE, bpm */
    {0x4BB8, 0x0220, VSD_VITAL_SPO2},      /* NOM_PULS_OXIM_SAT_O2, % */
    {0x500A, 0x0AE0, VSD_VITAL_RR},        /* NOM_RESP_RATE, breaths/min */
    {0x4A05, 0x0F20, VSD_VITAL_NIBP_SYS},  /* NOM_PRESS_BLD_NONINV_SYS, mmHg */
    {0x4A06, 0x0F20, VSD_VITAL_NIBP_DIA},  /* NOM_PRESS_BLD_NONINV_DIA, mmHg */
    {0x4A07, 0x0F20, VSD_VITAL_NIBP_MEAN}, /* NOM_PRESS_BLD_NONINV_MEAN, mmHg */
};

/* The reading of one observation of a known vital (row K). */
static struct vsd_reading reading_of(const struct vsd_ivue_obs *o, size_t k)
{
    const uint16_t gone = VSD_IVUE_ST_INVALID | VSD_IVUE_ST_UNAVAILABLE | VSD_IVUE_ST_CALIBRATION |
                          VSD_IVUE_ST_TEST_DATA | VSD_IVUE_ST_DEMO_DATA;
    struct vsd_reading r = {.vital = known[k].vital, .value = vsd_ivue_float(o->value)};

    if ((o->state & gone) || o->unit != known[k].unit || isnan(r.value)) {
        r.value = NAN;
        r.flags |= VSD_Q_INVALID;
    } else if (o->state & VSD_IVUE_ST_QUESTIONABLE) {
        r.flags |= VSD_Q_ARTIFACT;
    }
    return r;
}

size_t vsd_ivue_readings(const struct vsd_ivue_poll *p, struct vsd_reading *out, size_t timed[],
                         size_t cap)
{
    size_t n = 0;

    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]) && n < cap; k++) {
        size_t last = p->n;

        for (size_t i = 0; i < p->n; i++)
            if (p->obs[i].physio == known[k].physio)
                last = i;
        if (last == p->n)
            continue;
        out[n] = reading_of(&p->obs[last], k);
        timed[n++] = last;
    }
    return n;
}
