/* SPDX-License-Identifier: MIT */
/* The sim monitor's scenario: event parsing and a value model, pure functions of time. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/option.h>

#include "scenario.h"

#define EVENT_DEFAULT_FOR_MS 30000
#define GLIDE_MAX_MS 10000
#define EVENT_MAX_MS (8760LL * 3600000) /* a year: keeps at + for far from overflow */

/* Per kind: its name, whether value= applies, its default and allowed range. */
static const struct kind_info {
    const char *name;
    bool takes_value;
    double def, min, max;
} kinds[VSD_SIM_KIND_COUNT] = {
    [VSD_SIM_DESATURATION] = {"desaturation", true, 84, 1, 100},
    [VSD_SIM_HYPERTENSION] = {"hypertension", true, 185, 40, 300},
    [VSD_SIM_TACHYCARDIA] = {"tachycardia", true, 130, 20, 300},
    [VSD_SIM_BRADYPNEA] = {"bradypnea", true, 6, 0, 120},
    [VSD_SIM_PROBE_OFF] = {"probe_off", false, NAN, 0, 0},
    [VSD_SIM_SILENT] = {"silent", false, NAN, 0, 0},
    [VSD_SIM_IMPLAUSIBLE] = {"implausible", true, NAN, -HUGE_VAL, HUGE_VAL},
    [VSD_SIM_LEAD_OFF] = {"lead_off", false, NAN, 0, 0},
    [VSD_SIM_HANG] = {"hang", false, NAN, 0, 0},
    [VSD_SIM_HYPOVENTILATION] = {"hypoventilation", true, 60, 0, 150},
};

/* Configuration names of the vitals, indexed by enum vsd_vital (as in src/util/vitals.c). */
static const char *const vital_names[VSD_VITAL_COUNT] = {
    [VSD_VITAL_HR] = "hr",
    [VSD_VITAL_PR] = "pr",
    [VSD_VITAL_SPO2] = "spo2",
    [VSD_VITAL_NIBP_SYS] = "nibp_sys",
    [VSD_VITAL_NIBP_DIA] = "nibp_dia",
    [VSD_VITAL_NIBP_MEAN] = "nibp_mean",
    [VSD_VITAL_RR] = "rr",
    [VSD_VITAL_ETCO2] = "etco2",
};

/* The text of one event, split into its fields (pointers into a copy). */
struct fields {
    const char *at, *dur, *value, *vital;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static int parse_kind(const char *word, enum vsd_sim_kind *ret, char *err, size_t errlen)
{
    for (int k = 0; k < VSD_SIM_KIND_COUNT; k++) {
        if (strcmp(word, kinds[k].name) == 0) {
            *ret = (enum vsd_sim_kind)k;
            return 0;
        }
    }
    char known[256] = "";
    for (int k = 0; k < VSD_SIM_KIND_COUNT; k++) /* from the table: a new kind is listed too */
        snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", k ? ", " : "",
                 kinds[k].name);
    return fail(err, errlen, "unknown event kind '%s' (known: %s)", word, known);
}

/* Sort one NAME=VALUE token into its slot of F. */
static int take_field(char *tok, struct fields *f, char *err, size_t errlen)
{
    static const char *const names[] = {"at", "for", "value", "vital"};
    const char **slots[] = {&f->at, &f->dur, &f->value, &f->vital};
    char *eq = strchr(tok, '=');

    if (!eq || eq == tok)
        return fail(err, errlen, "expected FIELD=VALUE, got '%s'", tok);
    *eq = '\0';
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(tok, names[i]) != 0)
            continue;
        if (*slots[i])
            return fail(err, errlen, "'%s=' given twice", tok);
        if (eq[1] == '\0')
            return fail(err, errlen, "'%s=' needs a value", tok);
        *slots[i] = eq + 1;
        return 0;
    }
    return fail(err, errlen, "unknown field '%s='", tok);
}

static int parse_vital(const char *name, enum vsd_vital *ret, char *err, size_t errlen)
{
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        if (strcmp(name, vital_names[v]) == 0) {
            *ret = (enum vsd_vital)v;
            return 0;
        }
    }
    return fail(
        err, errlen,
        "unknown vital '%s' (known: hr, pr, spo2, nibp_sys, nibp_dia, nibp_mean, rr, etco2)", name);
}

static int parse_duration(const char *field, const char *text, int64_t *ret, char *err,
                          size_t errlen)
{
    if (vsd_option_parse_duration_ms(text, ret) < 0 || *ret < 0)
        return fail(err, errlen, "'%s=' expects a duration such as 250ms, 20s or 2m, got '%s'",
                    field, text);
    if (*ret > EVENT_MAX_MS)
        return fail(err, errlen, "'%s=' must be at most 8760h, got '%s'", field, text);
    return 0;
}

/* The value= field against the kind's rules. */
static int parse_value(const struct fields *f, struct vsd_sim_event *ev, char *err, size_t errlen)
{
    const struct kind_info *k = &kinds[ev->kind];

    ev->value = k->def;
    if (!f->value)
        return 0;
    if (!k->takes_value)
        return fail(err, errlen, "'value=' does not apply to %s", k->name);
    if (vsd_option_parse_double(f->value, &ev->value) < 0 || !isfinite(ev->value))
        return fail(err, errlen, "'value=' expects a number, got '%s'", f->value);
    if (ev->value < k->min || ev->value > k->max)
        return fail(err, errlen, "'value=' must be between %g and %g for %s, got %s", k->min,
                    k->max, k->name, f->value);
    return 0;
}

/* Turn the split fields into EV (kind already set). */
static int parse_fields(const struct fields *f, struct vsd_sim_event *ev, char *err, size_t errlen)
{
    int r;

    if (!f->at)
        return fail(err, errlen, "'at=' is required");
    r = parse_duration("at", f->at, &ev->at_ms, err, errlen);
    if (r < 0)
        return r;
    ev->for_ms = EVENT_DEFAULT_FOR_MS;
    if (f->dur) {
        r = parse_duration("for", f->dur, &ev->for_ms, err, errlen);
        if (r < 0)
            return r;
        if (ev->for_ms == 0)
            return fail(err, errlen, "'for=' must be longer than 0, got '%s'", f->dur);
    }
    if (ev->kind == VSD_SIM_IMPLAUSIBLE && (!f->vital || !f->value))
        return fail(err, errlen, "implausible needs vital= and value=");
    if (ev->kind != VSD_SIM_IMPLAUSIBLE && f->vital)
        return fail(err, errlen, "'vital=' only applies to implausible");
    ev->vital = VSD_VITAL_COUNT;
    if (f->vital) {
        r = parse_vital(f->vital, &ev->vital, err, errlen);
        if (r < 0)
            return r;
    }
    return parse_value(f, ev, err, errlen);
}

int vsd_sim_event_parse(const char *text, struct vsd_sim_event *ret, char *err, size_t errlen)
{
    static const char *const sep = " \t";
    struct vsd_sim_event ev = {0};
    struct fields f = {0};
    char *copy = strdup(text ? text : "");
    char *save = NULL, *tok;
    int r;

    if (!copy)
        return -ENOMEM;
    tok = strtok_r(copy, sep, &save);
    if (!tok) {
        r = fail(err, errlen,
                 "empty event (expected KIND at=DURATION [for=DURATION] "
                 "[value=NUMBER] [vital=NAME])");
        goto fail;
    }
    r = parse_kind(tok, &ev.kind, err, errlen);
    if (r < 0)
        goto fail;
    while ((tok = strtok_r(NULL, sep, &save))) {
        r = take_field(tok, &f, err, errlen);
        if (r < 0)
            goto fail;
    }
    r = parse_fields(&f, &ev, err, errlen);
    if (r < 0)
        goto fail;
    *ret = ev;
    r = 0;
fail:
    free(copy);
    return r;
}

int vsd_sim_vitals_parse(const char *text, unsigned *ret, char *err, size_t errlen)
{
    static const char *const names[] = {"hr", "pr", "spo2", "rr", "nibp", "etco2"};
    unsigned mask = 0;
    const char *p = text ? text : "";

    for (;;) {
        size_t len = strcspn(p, ",");
        size_t lead = strspn(p, " \t");
        size_t n = len > lead ? len - lead : 0;
        size_t i;

        while (n > 0 && (p[lead + n - 1] == ' ' || p[lead + n - 1] == '\t'))
            n--;
        for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (n == strlen(names[i]) && strncmp(p + lead, names[i], n) == 0)
                break;
        if (n == 0)
            return fail(err, errlen, "empty name in list");
        if (i == sizeof(names) / sizeof(names[0]))
            return fail(err, errlen, "unknown vital '%.*s' (known: hr, pr, spo2, rr, nibp, etco2)",
                        (int)n, p + lead);
        if (mask & (1u << i))
            return fail(err, errlen, "'%s' listed twice", names[i]);
        mask |= 1u << i;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    *ret = mask;
    return 0;
}

/* ---- the value model ---- */

/* Noise channels: one independent random stream per quantity. */
enum channel { CH_HR = 1, CH_PR, CH_SPO2, CH_RR, CH_SYS, CH_DIA, CH_ETCO2 };

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* A uniform value in [-1, 1] for knot K of channel CH. */
static double knot(uint32_t seed, unsigned ch, int64_t k)
{
    uint64_t h = splitmix64(((uint64_t)seed << 32) ^ ((uint64_t)ch << 24));

    h = splitmix64(h ^ (uint64_t)k);
    return (double)(h >> 11) / (double)(1ull << 53) * 2.0 - 1.0;
}

/* Smoothly interpolated value noise with knots every PERIOD ms, in [-1, 1]. */
static double noise(uint32_t seed, unsigned ch, int64_t t, int64_t period)
{
    int64_t k = t >= 0 ? t / period : -((-t + period - 1) / period);
    double f = (double)(t - k * period) / (double)period;
    double s = f * f * (3.0 - 2.0 * f);

    return knot(seed, ch, k) * (1.0 - s) + knot(seed, ch, k + 1) * s;
}

/* A slow random walk in [-1, 1]: a fast and a slow octave. */
static double walk(uint32_t seed, unsigned ch, int64_t t)
{
    return 0.6 * noise(seed, ch, t, 7000) + 0.4 * noise(seed, 64 + ch, t, 41000);
}

static bool active(const struct vsd_sim_event *e, int64_t t)
{
    return t >= e->at_ms && t - e->at_ms < e->for_ms;
}

/* 0 outside the event, gliding to 1 over min(10 s, for/3) and back at the end. */
static double envelope(const struct vsd_sim_event *e, int64_t t)
{
    int64_t ramp = e->for_ms / 3 < GLIDE_MAX_MS ? e->for_ms / 3 : GLIDE_MAX_MS;
    int64_t in = t - e->at_ms, left = e->at_ms + e->for_ms - t;

    if (!active(e, t))
        return 0.0;
    if (ramp <= 0)
        return 1.0;
    if (in < ramp)
        return (double)in / (double)ramp;
    if (left < ramp)
        return (double)left / (double)ramp;
    return 1.0;
}

/* V glided towards the value of every active event of KIND. */
static double glide(const struct vsd_sim_model *m, enum vsd_sim_kind kind, double v, int64_t t)
{
    for (size_t i = 0; i < m->n_events; i++) {
        const struct vsd_sim_event *e = &m->events[i];
        double env;

        if (e->kind != kind)
            continue;
        env = envelope(e, t);
        v = v * (1.0 - env) + e->value * env;
    }
    return v;
}

static bool kind_active(const struct vsd_sim_model *m, enum vsd_sim_kind kind, int64_t t)
{
    for (size_t i = 0; i < m->n_events; i++)
        if (m->events[i].kind == kind && active(&m->events[i], t))
            return true;
    return false;
}

int64_t vsd_sim_hang_left(const struct vsd_sim_model *m, int64_t t)
{
    int64_t left = 0;

    for (size_t i = 0; i < m->n_events; i++) {
        const struct vsd_sim_event *e = &m->events[i];

        if (e->kind == VSD_SIM_HANG && active(e, t) && e->at_ms + e->for_ms - t > left)
            left = e->at_ms + e->for_ms - t;
    }
    return left;
}

static bool is_nibp(enum vsd_vital v)
{
    return v == VSD_VITAL_NIBP_SYS || v == VSD_VITAL_NIBP_DIA || v == VSD_VITAL_NIBP_MEAN;
}

/* Does event E trigger a cuff measurement at its start and end? */
static bool cuff_event(const struct vsd_sim_event *e)
{
    return e->kind == VSD_SIM_HYPERTENSION || (e->kind == VSD_SIM_IMPLAUSIBLE && is_nibp(e->vital));
}

int64_t vsd_sim_last_cuff(const struct vsd_sim_model *m, int64_t t)
{
    int64_t last = -1;

    if (t >= VSD_SIM_FIRST_CUFF_MS && m->nibp_interval_ms > 0)
        last = VSD_SIM_FIRST_CUFF_MS +
               (t - VSD_SIM_FIRST_CUFF_MS) / m->nibp_interval_ms * m->nibp_interval_ms;
    for (size_t i = 0; i < m->n_events; i++) {
        const struct vsd_sim_event *e = &m->events[i];
        int64_t end = e->at_ms + e->for_ms;

        if (!cuff_event(e))
            continue;
        if (e->at_ms <= t && e->at_ms > last)
            last = e->at_ms;
        if (end <= t && end > last)
            last = end;
    }
    return last;
}

/* VALUE of an active "implausible" event for VITAL at T, passed through as given. */
static double implausible(const struct vsd_sim_model *m, enum vsd_vital vital, int64_t t, double v)
{
    for (size_t i = 0; i < m->n_events; i++) {
        const struct vsd_sim_event *e = &m->events[i];

        if (e->kind == VSD_SIM_IMPLAUSIBLE && e->vital == vital && active(e, t))
            v = e->value;
    }
    return v;
}

static void add(struct vsd_sim_sample *out, enum vsd_vital vital, double value, uint32_t flags,
                int64_t measured)
{
    if (out->n < VSD_SIM_MAX_READINGS)
        out->r[out->n++] = (struct vsd_sim_reading){vital, value, flags, measured};
}

/* The cuff measurement taken at TM: sys, dia and mean. */
static void add_cuff(const struct vsd_sim_model *m, int64_t tm, struct vsd_sim_sample *out)
{
    double sys = m->nibp_sys + 6.0 * walk(m->seed, CH_SYS, tm);
    double dia = m->nibp_dia + 4.0 * walk(m->seed, CH_DIA, tm);
    double mean;

    for (size_t i = 0; i < m->n_events; i++) {
        const struct vsd_sim_event *e = &m->events[i];

        if (e->kind == VSD_SIM_HYPERTENSION && active(e, tm)) {
            sys = e->value;
            dia = e->value * 0.6;
        }
    }
    sys = round(sys);
    dia = round(dia);
    mean = round(dia + (sys - dia) / 3.0);
    add(out, VSD_VITAL_NIBP_SYS, implausible(m, VSD_VITAL_NIBP_SYS, tm, sys), 0, tm);
    add(out, VSD_VITAL_NIBP_DIA, implausible(m, VSD_VITAL_NIBP_DIA, tm, dia), 0, tm);
    add(out, VSD_VITAL_NIBP_MEAN, implausible(m, VSD_VITAL_NIBP_MEAN, tm, mean), 0, tm);
}

/* Where an active hypoventilation event is at T, as a fraction of its length (*EV: it), or -1. */
static double hypo_phase(const struct vsd_sim_model *m, int64_t t, const struct vsd_sim_event **ev)
{
    for (size_t i = 0; i < m->n_events; i++) {
        const struct vsd_sim_event *e = &m->events[i];

        if (e->kind == VSD_SIM_HYPOVENTILATION && active(e, t)) {
            *ev = e;
            return (double)(t - e->at_ms) / (double)e->for_ms;
        }
    }
    return -1.0;
}

/* SpO2 during a hypoventilation: unchanged at first, down late, back with the breathing. */
static double hypo_spo2(const struct vsd_sim_model *m, int64_t t, double spo2)
{
    const struct vsd_sim_event *e = NULL;
    double ph = hypo_phase(m, t, &e);

    if (ph >= VSD_SIM_HYPO_DESAT && ph < VSD_SIM_HYPO_RECOVER)
        return spo2 - (spo2 - VSD_SIM_HYPO_SPO2) * (ph - VSD_SIM_HYPO_DESAT) /
                          (VSD_SIM_HYPO_RECOVER - VSD_SIM_HYPO_DESAT);
    if (ph >= VSD_SIM_HYPO_RECOVER)
        return VSD_SIM_HYPO_SPO2 + (spo2 - VSD_SIM_HYPO_SPO2) * (ph - VSD_SIM_HYPO_RECOVER) /
                                       (1.0 - VSD_SIM_HYPO_RECOVER);
    return spo2;
}

/* The capnograph's readings (RR, EtCO2), with a hypoventilation's course applied. */
static void add_breathing(const struct vsd_sim_model *m, int64_t t, struct vsd_sim_sample *out)
{
    double rr = glide(m, VSD_SIM_BRADYPNEA, m->rr + 2.0 * walk(m->seed, CH_RR, t), t);
    double et = m->etco2 + 1.5 * walk(m->seed, CH_ETCO2, t);
    const struct vsd_sim_event *e = NULL;
    double ph = hypo_phase(m, t, &e);

    if (ph >= 0 && ph < VSD_SIM_HYPO_APNEA) {
        rr += (VSD_SIM_HYPO_RR - rr) * ph / VSD_SIM_HYPO_APNEA;
        et += (e->value - et) * ph / VSD_SIM_HYPO_APNEA;
    } else if (ph >= VSD_SIM_HYPO_APNEA && ph < VSD_SIM_HYPO_RECOVER) {
        rr = 0; /* no breath: the monitor counts 0, a value */
        et = 0; /* no exhaled CO2 reaches the sensor */
    }
    if (m->vitals & VSD_SIM_V_RR)
        add(out, VSD_VITAL_RR, implausible(m, VSD_VITAL_RR, t, round(fmax(rr, 0.0))), 0, -1);
    if (m->vitals & VSD_SIM_V_ETCO2)
        add(out, VSD_VITAL_ETCO2, implausible(m, VSD_VITAL_ETCO2, t, round(fmax(et, 0.0))), 0,
            -1);
}

/* The oximeter's readings (SpO2, PR): none while the probe is off. */
static void add_oximetry(const struct vsd_sim_model *m, int64_t t, double hr,
                         struct vsd_sim_sample *out)
{
    bool off = kind_active(m, VSD_SIM_PROBE_OFF, t);
    double pr = hr + walk(m->seed, CH_PR, t);
    double spo2 = fmin(m->spo2 + walk(m->seed, CH_SPO2, t), 100.0);

    pr = round(fmax(glide(m, VSD_SIM_TACHYCARDIA, pr, t), 0.0));
    spo2 = hypo_spo2(m, t, glide(m, VSD_SIM_DESATURATION, spo2, t));
    spo2 = round(fmin(fmax(spo2, 0.0), 100.0));
    /* SpO2 first: a probe-off alert names the first vital it silenced. */
    if (m->vitals & VSD_SIM_V_SPO2)
        add(out, VSD_VITAL_SPO2, off ? NAN : implausible(m, VSD_VITAL_SPO2, t, spo2),
            off ? VSD_Q_SENSOR_OFF : 0, -1);
    if (m->vitals & VSD_SIM_V_PR)
        add(out, VSD_VITAL_PR, off ? NAN : implausible(m, VSD_VITAL_PR, t, pr),
            off ? VSD_Q_SENSOR_OFF : 0, -1);
}

int vsd_sim_sample(const struct vsd_sim_model *m, int64_t t, struct vsd_sim_sample *out)
{
    double hr = m->hr + 4.0 * walk(m->seed, CH_HR, t);
    int64_t cuff;

    out->n = 0;
    if (kind_active(m, VSD_SIM_SILENT, t))
        return -ETIMEDOUT;
    if (m->vitals & VSD_SIM_V_HR) {
        double v = round(fmax(glide(m, VSD_SIM_TACHYCARDIA, hr, t), 0.0));
        bool lead_off = kind_active(m, VSD_SIM_LEAD_OFF, t);
        add(out, VSD_VITAL_HR, lead_off ? NAN : implausible(m, VSD_VITAL_HR, t, v),
            lead_off ? VSD_Q_SENSOR_OFF : 0, -1);
    }
    add_oximetry(m, t, hr, out);
    add_breathing(m, t, out);
    cuff = vsd_sim_last_cuff(m, t);
    if ((m->vitals & VSD_SIM_V_NIBP) && cuff >= 0)
        add_cuff(m, cuff, out);
    return 0;
}
