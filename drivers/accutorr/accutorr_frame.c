/* SPDX-License-Identifier: MIT */
/* Datascope Accutorr 3 PC interface: the P: line parser and its readings. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "accutorr_frame.h"

/* One comma-separated field, spaces around it removed: dashes or nothing give NAN (1), digits
 * (1 to 3) give their value (0); anything else is -EBADMSG. */
static int field_value(const char *s, size_t n, double *ret)
{
    size_t dashes = 0, digits = 0;
    int v = 0;

    while (n && s[0] == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-')
            dashes++;
        else if (s[i] >= '0' && s[i] <= '9' && digits < 3)
            v = v * 10 + (s[i] - '0'), digits++;
        else
            return -EBADMSG; /* another character, or a 4th digit (before v can overflow) */
    }
    if (digits == 0 && dashes == n) {
        *ret = NAN;
        return 1;
    }
    if (dashes)
        return -EBADMSG;
    *ret = v;
    return 0;
}

/* Split LINE after its "P:" into exactly VSD_ACCUTORR_FIELDS values. */
static int split(const char *line, size_t len, double v[VSD_ACCUTORR_FIELDS])
{
    size_t start = 2, k = 0;

    if (len < 2 || line[0] != 'P' || line[1] != ':')
        return -EBADMSG;
    for (size_t i = 2; i <= len; i++) {
        if (i < len && line[i] != ',')
            continue;
        if (k == VSD_ACCUTORR_FIELDS || field_value(line + start, i - start, &v[k]) < 0)
            return -EBADMSG;
        k++;
        start = i + 1;
    }
    return k == VSD_ACCUTORR_FIELDS ? 0 : -EBADMSG;
}

int vsd_accutorr_parse_p(const char *line, size_t len, enum vsd_accutorr_order order,
                         struct vsd_accutorr_p *out)
{
    double v[VSD_ACCUTORR_FIELDS];

    if (split(line, len, v) < 0)
        return -EBADMSG;
    for (int i = 5; i < 8; i++)
        if (isnan(v[i]) || v[i] > 255)
            return -EBADMSG; /* a status byte is always printed */
    out->spo2 = v[0];
    out->pr = v[1];
    out->sys = v[2];
    out->mean = order == VSD_ACCUTORR_SYS_MEAN_DIA ? v[3] : v[4];
    out->dia = order == VSD_ACCUTORR_SYS_MEAN_DIA ? v[4] : v[3];
    for (int i = 0; i < 3; i++)
        out->status[i] = (uint8_t)v[5 + i];
    out->age_min = isnan(v[8]) ? -1 : (int)v[8];
    return 0;
}

int vsd_accutorr_rx_byte(struct vsd_accutorr_rx *rx, uint8_t b)
{
    if (rx->done)
        rx->len = 0;
    rx->done = false;
    if (b == '\r' || b == '\n') {
        bool over = rx->overflow;

        rx->overflow = false;
        if (over || rx->len == 0) {
            rx->len = 0;
            return over ? -EMSGSIZE : 0;
        }
        rx->line[rx->len] = '\0';
        rx->done = true;
        return 1;
    }
    if (rx->len == 0 && b == '>')
        return 0; /* the prompt */
    if (rx->overflow || rx->len >= VSD_ACCUTORR_LINE_MAX) {
        rx->overflow = true;
        return 0;
    }
    rx->line[rx->len++] = (char)b;
    return 0;
}

uint32_t vsd_accutorr_spo2_flags(uint8_t s0, uint8_t s1)
{
    uint32_t f = 0;

    if (s0 & (VSD_ACCUTORR_S0_NO_SENSOR | VSD_ACCUTORR_S0_SENSOR_OFF))
        f |= VSD_Q_SENSOR_OFF;
    if (s0 & VSD_ACCUTORR_S0_INTERFERENCE)
        f |= VSD_Q_ARTIFACT;
    if (s0 & VSD_ACCUTORR_S0_PULSE_SEARCH)
        f |= VSD_Q_SEARCHING;
    if (s0 & VSD_ACCUTORR_S0_PULSE_WEAK)
        f |= VSD_Q_LOW_PERFUSION;
    if ((s0 & VSD_ACCUTORR_S0_NO_PULSE) ||
        (s1 & (VSD_ACCUTORR_S1_UNCALIBRATED | VSD_ACCUTORR_S1_SELFTEST_FAIL |
               VSD_ACCUTORR_S1_TEST_RUNNING)))
        f |= VSD_Q_INVALID;
    return f;
}

static struct vsd_reading reading(enum vsd_vital vital, double v, uint32_t flags, int64_t t)
{
    if (isnan(v))
        flags |= VSD_Q_INVALID;
    return (struct vsd_reading){.vital = vital, .value = v, .flags = flags, .measured_ms = t};
}

/* Whether P's pressures are another measurement than the one T holds: other pressures, an age
 * that went back, or an age that puts it well after (the age is in whole minutes, so one
 * measurement read twice gives times less than a minute apart). */
static bool new_measurement(const struct vsd_accutorr_p *p, const struct vsd_accutorr_nibp *t,
                            int64_t mono_at)
{
    if (!t->have || p->sys != t->sys || p->mean != t->mean || p->dia != t->dia)
        return true;
    return p->age_min < t->age_min || mono_at > t->measured_mono_ms + VSD_ACCUTORR_SAME_MEAS_MS;
}

static size_t nibp_readings(const struct vsd_accutorr_p *p, struct vsd_accutorr_nibp *t,
                            int64_t wall_ms, int64_t mono_ms, struct vsd_reading *out)
{
    int64_t age_ms = (int64_t)p->age_min * 60000;
    uint32_t f = 0;

    if (p->age_min < 0 || isnan(p->sys) || isnan(p->mean) || isnan(p->dia))
        return 0; /* no measurement shown (none yet, or the cuff cycle failed) */
    if (new_measurement(p, t, mono_ms - age_ms)) {
        int64_t ms = wall_ms - age_ms;

        if (t->have && ms <= t->measured_ms)
            ms = t->measured_ms + 1;
        *t = (struct vsd_accutorr_nibp){true, p->sys, p->mean, p->dia, ms, mono_ms - age_ms, 0};
    }
    t->age_min = p->age_min;
    if (p->status[2] & VSD_ACCUTORR_S2_OVERPRESSURE)
        f |= VSD_Q_INVALID;
    if (p->status[2] & VSD_ACCUTORR_S2_MOTION)
        f |= VSD_Q_ARTIFACT;
    if (p->status[1] & (VSD_ACCUTORR_S1_SELFTEST_FAIL | VSD_ACCUTORR_S1_TEST_RUNNING))
        f |= VSD_Q_INVALID;
    if (p->mean < p->dia || p->mean > p->sys)
        f |= VSD_Q_INVALID; /* contradicts itself: never alarm on it */
    out[0] = reading(VSD_VITAL_NIBP_SYS, p->sys, f, t->measured_ms);
    out[1] = reading(VSD_VITAL_NIBP_DIA, p->dia, f, t->measured_ms);
    out[2] = reading(VSD_VITAL_NIBP_MEAN, p->mean, f, t->measured_ms);
    return 3;
}

size_t vsd_accutorr_readings(const struct vsd_accutorr_p *p, bool spo2, struct vsd_accutorr_nibp *t,
                             int64_t wall_ms, int64_t mono_ms, struct vsd_reading *out, size_t cap)
{
    uint32_t f = vsd_accutorr_spo2_flags(spo2 ? p->status[0] : 0, p->status[1]);
    size_t n = 0;

    if (cap < 5)
        return 0;
    if (spo2)
        out[n++] = reading(VSD_VITAL_SPO2, p->spo2, f, 0);
    out[n++] = reading(VSD_VITAL_PR, p->pr, f, 0);
    return n + nibp_readings(p, t, wall_ms, mono_ms, out + n);
}
