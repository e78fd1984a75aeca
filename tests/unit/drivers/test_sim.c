/* SPDX-License-Identifier: MIT */
/* Tests of the sim driver: its options, event parsing and the values it reports over time. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "scenario.h"
#include "device.h"

extern const struct vsd_driver vsd_driver_sim;

#define WALL0 1700000000000LL /* the fake wall clock at open */
#define MONO0 5000000LL

/* A clock the test moves by hand. */
struct fake_time {
    int64_t mono, wall;
};

static int64_t fake_mono(void *ctx)
{
    return ((struct fake_time *)ctx)->mono;
}

static int64_t fake_wall(void *ctx)
{
    return ((struct fake_time *)ctx)->wall;
}

/* One sim monitor with hand-built configuration and a fake clock. */
struct monitor {
    struct fake_time time;
    struct vsd_clock clock;
    struct vsd_kv kv[8];
    struct vsd_device_config cfg;
    struct vsd_device dev;
    struct vsd_reading buf[VSD_SINK_MAX];
    struct vsd_sink sink;
};

/* Set up M with KEYS/VALUES (NULL-terminated pairs) and open it at fake time 0. */
static int monitor_open(struct monitor *m, const char *const *kv)
{
    size_t n = 0;

    memset(m, 0, sizeof(*m));
    m->time = (struct fake_time){MONO0, WALL0};
    m->clock = (struct vsd_clock){fake_mono, fake_wall, &m->time};
    for (; kv && kv[0] && n < 8; kv += 2, n++)
        m->kv[n] = (struct vsd_kv){(char *)kv[0], (char *)kv[1], (int)n + 2};
    m->cfg = (struct vsd_device_config){.name = (char *)"bed1-mon",
                                        .driver = &vsd_driver_sim,
                                        .poll_ms = 1000,
                                        .timeout_ms = 500,
                                        .options = m->kv,
                                        .n_options = n,
                                        .line = 1};
    vsd_device_init(&m->dev, &m->cfg, 0, &m->clock);
    return vsd_driver_sim.open(&m->dev);
}

/* Poll at T ms after open. */
static int monitor_poll(struct monitor *m, int64_t t)
{
    m->time.mono = MONO0 + t;
    m->time.wall = WALL0 + t;
    m->sink = (struct vsd_sink){.readings = m->buf, .n = 0};
    return vsd_driver_sim.poll(&m->dev, &m->sink);
}

static void monitor_close(struct monitor *m)
{
    vsd_driver_sim.close(&m->dev);
    assert_null(vsd_device_data(&m->dev));
}

/* The reading of VITAL in the last poll, NULL when absent. */
static const struct vsd_reading *find(const struct monitor *m, enum vsd_vital vital)
{
    for (size_t i = 0; i < m->sink.n; i++)
        if (m->sink.readings[i].vital == vital)
            return &m->sink.readings[i];
    return NULL;
}

static double value_at(struct monitor *m, int64_t t, enum vsd_vital vital)
{
    const struct vsd_reading *r;

    assert_int_equal(monitor_poll(m, t), 0);
    r = find(m, vital);
    assert_non_null(r);
    return r->value;
}

/* Do the N readings at A and B carry the same vitals, values, flags and times? */
static bool same_readings(const struct vsd_reading *a, const struct vsd_reading *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].vital != b[i].vital || a[i].value != b[i].value || a[i].flags != b[i].flags ||
            a[i].measured_ms != b[i].measured_ms)
            return false;
    return true;
}

/* ---- options and event parsing ---- */

static void test_options_table(void **state)
{
    const struct vsd_option *t = vsd_driver_sim.options;
    const struct vsd_option *o;

    (void)state;
    assert_string_equal(vsd_driver_sim.name, "sim");
    assert_null(vsd_driver_sim.bus_key);
    o = vsd_option_find(t, "seed");
    assert_non_null(o);
    assert_int_equal(o->type, VSD_OPT_INT);
    assert_string_equal(o->def, "1");
    assert_true(o->max == 2147483647.0 && o->min == 0);
    o = vsd_option_find(t, "vitals");
    assert_int_equal(o->type, VSD_OPT_LIST);
    assert_string_equal(o->def, "hr,pr,spo2,rr,nibp");
    assert_non_null(o->check);
    o = vsd_option_find(t, "nibp_interval");
    assert_int_equal(o->type, VSD_OPT_DURATION);
    assert_string_equal(o->def, "180s");
    assert_true(o->min == 10000 && o->max == 3600000);
    o = vsd_option_find(t, "spo2");
    assert_true(o->min == 50 && o->max == 100 && (o->flags & VSD_OPT_RANGE));
    o = vsd_option_find(t, "event");
    assert_int_equal(o->type, VSD_OPT_STRING);
    assert_true(o->flags & VSD_OPT_MULTI);
    assert_null(o->def);
    assert_non_null(o->check);
    assert_non_null(vsd_option_find(t, "hr"));
    assert_non_null(vsd_option_find(t, "rr"));
    assert_non_null(vsd_option_find(t, "nibp_sys"));
    assert_non_null(vsd_option_find(t, "nibp_dia"));
    assert_null(vsd_option_find(t, "temp"));
}

static void test_event_good(void **state)
{
    struct vsd_sim_event e;

    (void)state;
    assert_int_equal(vsd_sim_event_parse("desaturation at=20s for=40s value=84", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_DESATURATION);
    assert_int_equal(e.at_ms, 20000);
    assert_int_equal(e.for_ms, 40000);
    assert_true(e.value == 84);
    assert_int_equal(
        vsd_sim_event_parse("  hypertension   at=25s\tfor=40s value=186 ", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_HYPERTENSION);
    assert_true(e.value == 186);
    assert_int_equal(vsd_sim_event_parse("hypertension at=25s", &e, NULL, 0), 0);
    assert_true(e.value == 185);
    assert_int_equal(e.for_ms, 30000);
    assert_int_equal(vsd_sim_event_parse("desaturation at=1m", &e, NULL, 0), 0);
    assert_true(e.value == 84);
    assert_int_equal(e.at_ms, 60000);
    assert_int_equal(vsd_sim_event_parse("probe_off at=30s for=20s", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_PROBE_OFF);
    assert_int_equal(vsd_sim_event_parse("silent at=2m for=30s", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_SILENT);
    assert_int_equal(e.at_ms, 120000);
    assert_int_equal(
        vsd_sim_event_parse("implausible at=50s for=10s vital=spo2 value=127", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_IMPLAUSIBLE);
    assert_int_equal(e.vital, VSD_VITAL_SPO2);
    assert_true(e.value == 127);
    assert_int_equal(vsd_sim_event_parse("tachycardia at=1m for=30s value=135", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_TACHYCARDIA);
    assert_int_equal(vsd_sim_event_parse("bradypnea at=250ms value=5", &e, NULL, 0), 0);
    assert_int_equal(e.kind, VSD_SIM_BRADYPNEA);
    assert_int_equal(e.at_ms, 250);
}

/* TEXT must be rejected with exactly REASON, both directly and through the options table. */
static void expect_bad_event(const char *text, const char *reason)
{
    const struct vsd_option *o = vsd_option_find(vsd_driver_sim.options, "event");
    struct vsd_sim_event e;
    char err[256] = "";

    assert_int_equal(vsd_sim_event_parse(text, &e, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, reason);
    err[0] = '\0';
    assert_int_equal(o->check(text, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, reason);
}

static void test_event_bad(void **state)
{
    (void)state;
    expect_bad_event("desat at=20s", "unknown event kind 'desat' (known: desaturation, "
                                     "hypertension, tachycardia, bradypnea, probe_off, silent, "
                                     "implausible, lead_off, hang, hypoventilation)");
    expect_bad_event("desaturation for=40s value=84", "'at=' is required");
    expect_bad_event("implausible at=50s value=127", "implausible needs vital= and value=");
    expect_bad_event("implausible at=50s vital=spo2", "implausible needs vital= and value=");
    expect_bad_event("desaturation at=20s foo=1", "unknown field 'foo='");
    expect_bad_event("desaturation at=20s at=30s", "'at=' given twice");
    expect_bad_event("desaturation at=soon", "'at=' expects a duration such as 250ms, 20s or 2m, "
                                             "got 'soon'");
    expect_bad_event("desaturation at=1s for=-5s", "'for=' expects a duration such as 250ms, 20s "
                                                   "or 2m, got '-5s'");
    expect_bad_event("silent at=8761h", "'at=' must be at most 8760h, got '8761h'");
    expect_bad_event("silent at=1s for=99999999999999999h",
                     "'for=' expects a duration such as 250ms, 20s or 2m, got "
                     "'99999999999999999h'");
    expect_bad_event("desaturation at=1s for=0s", "'for=' must be longer than 0, got '0s'");
    expect_bad_event("desaturation at=1s value=low", "'value=' expects a number, got 'low'");
    expect_bad_event("desaturation at=1s value=120",
                     "'value=' must be between 1 and 100 for desaturation, got 120");
    expect_bad_event("probe_off at=1s value=3", "'value=' does not apply to probe_off");
    expect_bad_event("silent at=1s value=3", "'value=' does not apply to silent");
    expect_bad_event("tachycardia at=1s vital=hr value=140",
                     "'vital=' only applies to implausible");
    expect_bad_event(
        "implausible at=1s vital=temp value=3",
        "unknown vital 'temp' (known: hr, pr, spo2, nibp_sys, nibp_dia, nibp_mean, rr, etco2)");
    expect_bad_event("desaturation at=20s 84", "expected FIELD=VALUE, got '84'");
    expect_bad_event("desaturation at=20s =84", "expected FIELD=VALUE, got '=84'");
    expect_bad_event("desaturation at=20s value=", "'value=' needs a value");
    expect_bad_event("   ", "empty event (expected KIND at=DURATION [for=DURATION] [value=NUMBER] "
                            "[vital=NAME])");
}

static void expect_bad_vitals(const char *text, const char *reason)
{
    const struct vsd_option *o = vsd_option_find(vsd_driver_sim.options, "vitals");
    char err[256] = "";

    assert_int_equal(o->check(text, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, reason);
}

static void test_vitals_list(void **state)
{
    unsigned mask = 0;
    char err[128];

    (void)state;
    assert_int_equal(vsd_sim_vitals_parse("hr,pr,spo2,rr,nibp", &mask, err, sizeof(err)), 0);
    assert_int_equal(mask,
                     VSD_SIM_V_HR | VSD_SIM_V_PR | VSD_SIM_V_SPO2 | VSD_SIM_V_RR | VSD_SIM_V_NIBP);
    assert_int_equal(vsd_sim_vitals_parse("spo2, nibp", &mask, err, sizeof(err)), 0);
    assert_int_equal(mask, VSD_SIM_V_SPO2 | VSD_SIM_V_NIBP);
    expect_bad_vitals("hr,temp", "unknown vital 'temp' (known: hr, pr, spo2, rr, nibp, etco2)");
    expect_bad_vitals("hr,nibp_sys", "unknown vital 'nibp_sys' (known: hr, pr, spo2, rr, nibp, etco2)");
    expect_bad_vitals("hr,hr", "'hr' listed twice");
    expect_bad_vitals("hr,,rr", "empty name in list");
}

static void test_open_rejects_bad_options(void **state)
{
    static const char *const bad_event[] = {"event", "desat at=1s", NULL};
    static const char *const bad_hr[] = {"hr", "fast", NULL};
    static const char *const hr_range[] = {"hr", "400", NULL};
    static const char *const bad_vitals[] = {"vitals", "hr,temp", NULL};
    static const char *const dia_high[] = {"nibp_sys", "90", "nibp_dia", "95", NULL};
    static const char *const bad_seed[] = {"seed", "-1", NULL};
    static const char *const *const cases[] = {bad_event,  bad_hr,   hr_range,
                                               bad_vitals, dia_high, bad_seed};
    struct monitor m;

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(monitor_open(&m, cases[i]), -EINVAL);
        assert_null(vsd_device_data(&m.dev));
    }
}

/* ---- values ---- */

static void test_determinism(void **state)
{
    static const char *const seed7[] = {"seed", "7", "nibp_interval", "30s", NULL};
    static const char *const seed8[] = {"seed", "8", "nibp_interval", "30s", NULL};
    struct monitor a, b, c;
    int differ = 0;

    (void)state;
    assert_int_equal(monitor_open(&a, seed7), 0);
    assert_int_equal(monitor_open(&b, seed7), 0);
    assert_int_equal(monitor_open(&c, seed8), 0);
    for (int64_t t = 0; t < 600000; t += 1000) {
        assert_int_equal(monitor_poll(&a, t), 0);
        assert_int_equal(monitor_poll(&b, t), 0);
        assert_int_equal(monitor_poll(&c, t), 0);
        assert_int_equal(a.sink.n, b.sink.n);
        assert_true(same_readings(a.buf, b.buf, a.sink.n));
        differ += !same_readings(a.buf, c.buf, a.sink.n);
    }
    assert_true(differ > 100);
    monitor_close(&a);
    monitor_close(&b);
    monitor_close(&c);
}

/* Over an hour of defaults every value stays integer and near its baseline. */
static void test_plausible_ranges(void **state)
{
    struct monitor m;
    double hr_min = 1e9, hr_max = -1e9;

    (void)state;
    assert_int_equal(monitor_open(&m, NULL), 0);
    for (int64_t t = 0; t < 3600000; t += 2000) {
        double hr = value_at(&m, t, VSD_VITAL_HR);
        double pr = find(&m, VSD_VITAL_PR)->value;
        double spo2 = find(&m, VSD_VITAL_SPO2)->value;
        double rr = find(&m, VSD_VITAL_RR)->value;

        for (size_t i = 0; i < m.sink.n; i++) {
            assert_true(m.buf[i].value == round(m.buf[i].value));
            assert_int_equal(m.buf[i].flags, 0);
        }
        assert_true(hr >= 68 && hr <= 76);
        assert_true(fabs(pr - hr) <= 2);
        assert_true(spo2 >= 97 && spo2 <= 99);
        assert_true(rr >= 12 && rr <= 16);
        hr_min = fmin(hr_min, hr);
        hr_max = fmax(hr_max, hr);
        if (t >= VSD_SIM_FIRST_CUFF_MS) {
            double sys = find(&m, VSD_VITAL_NIBP_SYS)->value;
            double dia = find(&m, VSD_VITAL_NIBP_DIA)->value;
            double mean = find(&m, VSD_VITAL_NIBP_MEAN)->value;

            assert_true(sys >= 114 && sys <= 126);
            assert_true(dia >= 74 && dia <= 82);
            assert_true(mean == round(dia + (sys - dia) / 3.0));
        }
    }
    assert_true(hr_max - hr_min >= 3); /* it does wander */
    monitor_close(&m);
}

static void test_spo2_never_above_100(void **state)
{
    static const char *const full[] = {"spo2", "100", "seed", "3", NULL};
    struct monitor m;
    int at_100 = 0;

    (void)state;
    assert_int_equal(monitor_open(&m, full), 0);
    for (int64_t t = 0; t < 1800000; t += 1000) {
        double v = value_at(&m, t, VSD_VITAL_SPO2);

        assert_true(v <= 100 && v >= 99);
        at_100 += v == 100;
    }
    assert_true(at_100 > 0);
    monitor_close(&m);
}

static void test_vitals_subset(void **state)
{
    static const char *const some[] = {"vitals", "spo2,nibp", NULL};
    struct monitor m;

    (void)state;
    assert_int_equal(monitor_open(&m, some), 0);
    assert_int_equal(monitor_poll(&m, 1000), 0);
    assert_int_equal(m.sink.n, 1);
    assert_int_equal(m.buf[0].vital, VSD_VITAL_SPO2);
    assert_int_equal(monitor_poll(&m, 6000), 0);
    assert_int_equal(m.sink.n, 4);
    assert_null(find(&m, VSD_VITAL_HR));
    assert_non_null(find(&m, VSD_VITAL_NIBP_MEAN));
    monitor_close(&m);
}

static void test_desaturation(void **state)
{
    static const char *const ev[] = {"event", "desaturation at=20s for=40s value=84", NULL};
    struct monitor m;
    double mid;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_true(value_at(&m, 19000, VSD_VITAL_SPO2) >= 97);
    mid = value_at(&m, 25000, VSD_VITAL_SPO2);
    assert_true(mid > 84 && mid < 97); /* gliding down */
    for (int64_t t = 30000; t <= 50000; t += 1000)
        assert_true(value_at(&m, t, VSD_VITAL_SPO2) == 84);
    mid = value_at(&m, 55000, VSD_VITAL_SPO2);
    assert_true(mid > 84 && mid < 97); /* gliding back */
    for (int64_t t = 60000; t <= 90000; t += 1000)
        assert_true(value_at(&m, t, VSD_VITAL_SPO2) >= 97);
    monitor_close(&m);
}

static void test_short_desaturation_glides_over_a_third(void **state)
{
    static const char *const ev[] = {"event", "desaturation at=10s for=9s value=80", NULL};
    struct monitor m;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_true(value_at(&m, 13000, VSD_VITAL_SPO2) == 80);
    assert_true(value_at(&m, 15999, VSD_VITAL_SPO2) == 80);
    assert_true(value_at(&m, 19000, VSD_VITAL_SPO2) >= 97);
    monitor_close(&m);
}

static void test_tachycardia_and_bradypnea(void **state)
{
    static const char *const ev[] = {"event", "tachycardia at=1m for=30s value=135", "event",
                                     "bradypnea at=1m for=60s value=5", NULL};
    struct monitor m;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_true(value_at(&m, 75000, VSD_VITAL_HR) == 135);
    assert_true(find(&m, VSD_VITAL_PR)->value == 135);
    assert_true(find(&m, VSD_VITAL_RR)->value == 5);
    assert_true(value_at(&m, 95000, VSD_VITAL_HR) <= 76);
    assert_true(find(&m, VSD_VITAL_RR)->value == 5);
    monitor_close(&m);
}

/* Hypoventilation at 10 s for 30 s: 10-22 s the rate falls and EtCO2 rises to 62; 22-34 s
 * apnea (rate 0 and EtCO2 0, values); SpO2 only from 26.5 s; 34-40 s recovery. */
static void test_hypoventilation(void **state)
{
    static const char *const kv[] = {"vitals", "hr,spo2,rr,etco2", "event",
                                     "hypoventilation at=10s for=30s value=62", NULL};
    struct monitor m;
    double rr0, et0, last_rr = 99, last_et = 0;

    (void)state;
    assert_int_equal(monitor_open(&m, kv), 0);
    rr0 = value_at(&m, 9000, VSD_VITAL_RR);
    et0 = value_at(&m, 9000, VSD_VITAL_ETCO2);
    assert_true(rr0 >= 11 && rr0 <= 17 && et0 >= 35 && et0 <= 41);
    assert_int_equal(find(&m, VSD_VITAL_ETCO2)->flags, 0);
    for (int64_t t = 10000; t < 22000; t += 2000) { /* slower and higher, never the reverse */
        double rr = value_at(&m, t, VSD_VITAL_RR), et = find(&m, VSD_VITAL_ETCO2)->value;

        assert_true(rr <= last_rr + 1 && et >= last_et - 1.5);
        last_rr = rr;
        last_et = et;
    }
    assert_true(last_rr <= 8 && last_et >= 55); /* at 20 s */
    assert_true(value_at(&m, 21900, VSD_VITAL_SPO2) >= 96); /* SpO2 not yet */
    for (int64_t t = 22000; t < 34000; t += 1000) {
        const struct vsd_reading *rr;

        assert_true(value_at(&m, t, VSD_VITAL_ETCO2) == 0);
        rr = find(&m, VSD_VITAL_RR);
        assert_true(rr->value == 0 && rr->flags == 0); /* no breath is a value */
    }
    assert_true(value_at(&m, 26000, VSD_VITAL_SPO2) >= 96); /* late */
    assert_true(value_at(&m, 33900, VSD_VITAL_SPO2) <= 85);
    assert_true(value_at(&m, 34000, VSD_VITAL_RR) >= 10);
    assert_true(find(&m, VSD_VITAL_ETCO2)->value >= 35);
    assert_true(value_at(&m, 41000, VSD_VITAL_SPO2) >= 96);
    monitor_close(&m);
}

static void test_hypertension_cuff(void **state)
{
    static const char *const ev[] = {"event", "hypertension at=25s for=40s value=186", NULL};
    struct monitor m;
    const struct vsd_reading *sys, *dia, *mean;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_int_equal(monitor_poll(&m, 24900), 0);
    sys = find(&m, VSD_VITAL_NIBP_SYS);
    assert_int_equal(sys->measured_ms, WALL0 + 5000);
    assert_true(sys->value < 130);
    assert_int_equal(monitor_poll(&m, 25000), 0);
    sys = find(&m, VSD_VITAL_NIBP_SYS);
    dia = find(&m, VSD_VITAL_NIBP_DIA);
    mean = find(&m, VSD_VITAL_NIBP_MEAN);
    assert_true(sys->value == 186);
    assert_true(dia->value == 112); /* 186 * 0.6 = 111.6 */
    assert_true(mean->value == round(112 + (186 - 112) / 3.0));
    assert_int_equal(sys->measured_ms, WALL0 + 25000);
    assert_int_equal(dia->measured_ms, WALL0 + 25000);
    assert_int_equal(mean->measured_ms, WALL0 + 25000);
    /* Repeated unchanged until the next measurement, at the end of the event. */
    assert_int_equal(monitor_poll(&m, 64000), 0);
    assert_true(find(&m, VSD_VITAL_NIBP_SYS)->value == 186);
    assert_int_equal(find(&m, VSD_VITAL_NIBP_SYS)->measured_ms, WALL0 + 25000);
    assert_int_equal(monitor_poll(&m, 65500), 0);
    sys = find(&m, VSD_VITAL_NIBP_SYS);
    assert_int_equal(sys->measured_ms, WALL0 + 65000);
    assert_true(sys->value >= 114 && sys->value <= 126);
    monitor_close(&m);
}

static void test_nibp_measured_only_at_measurements(void **state)
{
    static const char *const opts[] = {"nibp_interval", "60s", "seed", "11", NULL};
    static const int64_t expected[] = {5000, 65000, 125000, 185000, 245000};
    struct monitor m;
    int64_t last = -1;
    size_t changes = 0;

    (void)state;
    assert_int_equal(monitor_open(&m, opts), 0);
    for (int64_t t = 0; t < 300000; t += 500) {
        const struct vsd_reading *sys;

        assert_int_equal(monitor_poll(&m, t), 0);
        sys = find(&m, VSD_VITAL_NIBP_SYS);
        if (t < 5000) {
            assert_null(sys);
            continue;
        }
        assert_non_null(sys);
        assert_int_equal(find(&m, VSD_VITAL_NIBP_DIA)->measured_ms, sys->measured_ms);
        if (sys->measured_ms != last) {
            assert_true(changes < 5);
            assert_int_equal(sys->measured_ms, WALL0 + expected[changes]);
            assert_int_equal(t, expected[changes]); /* the first poll at/after it */
            changes++;
            last = sys->measured_ms;
        }
    }
    assert_int_equal(changes, 5);
    monitor_close(&m);
}

static void test_probe_off(void **state)
{
    static const char *const ev[] = {"event", "probe_off at=30s for=20s", NULL};
    struct monitor m;
    const struct vsd_reading *r;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_int_equal(monitor_poll(&m, 35000), 0);
    r = find(&m, VSD_VITAL_SPO2);
    assert_true(isnan(r->value));
    assert_int_equal(r->flags, VSD_Q_SENSOR_OFF);
    r = find(&m, VSD_VITAL_PR);
    assert_true(isnan(r->value));
    assert_int_equal(r->flags, VSD_Q_SENSOR_OFF);
    r = find(&m, VSD_VITAL_HR);
    assert_false(isnan(r->value));
    assert_int_equal(r->flags, 0);
    assert_int_equal(monitor_poll(&m, 50000), 0);
    r = find(&m, VSD_VITAL_SPO2);
    assert_false(isnan(r->value));
    assert_int_equal(r->flags, 0);
    monitor_close(&m);
}

static void test_silent(void **state)
{
    static const char *const ev[] = {"event", "silent at=2m for=30s", NULL};
    struct monitor m;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_int_equal(monitor_poll(&m, 119000), 0);
    assert_int_equal(monitor_poll(&m, 120000), -ETIMEDOUT);
    assert_int_equal(monitor_poll(&m, 149999), -ETIMEDOUT);
    assert_int_equal(monitor_poll(&m, 150000), 0);
    assert_true(m.sink.n > 0);
    monitor_close(&m);
}

/* A hang blocks a poll until the event ends: the model says how long, outside it nothing. */
static void test_hang_left(void **state)
{
    struct vsd_sim_event e;
    struct vsd_sim_model m = {.events = &e, .n_events = 1};
    char err[128];

    (void)state;
    assert_int_equal(vsd_sim_event_parse("hang at=3s for=8s", &e, err, sizeof(err)), 0);
    assert_int_equal(e.kind, VSD_SIM_HANG);
    assert_int_equal(vsd_sim_hang_left(&m, 2999), 0);
    assert_int_equal(vsd_sim_hang_left(&m, 3000), 8000);
    assert_int_equal(vsd_sim_hang_left(&m, 10500), 500);
    assert_int_equal(vsd_sim_hang_left(&m, 11000), 0);
}

static void test_implausible(void **state)
{
    static const char *const ev[] = {"event", "implausible at=50s for=10s vital=spo2 value=127",
                                     "event", "implausible at=50s for=10s vital=nibp_sys value=400",
                                     NULL};
    struct monitor m;

    (void)state;
    assert_int_equal(monitor_open(&m, ev), 0);
    assert_true(value_at(&m, 49000, VSD_VITAL_SPO2) <= 100);
    assert_true(value_at(&m, 55000, VSD_VITAL_SPO2) == 127);
    assert_int_equal(find(&m, VSD_VITAL_SPO2)->flags, 0); /* the core flags it */
    assert_true(find(&m, VSD_VITAL_NIBP_SYS)->value == 400);
    assert_int_equal(find(&m, VSD_VITAL_NIBP_SYS)->measured_ms, WALL0 + 50000);
    assert_true(value_at(&m, 60000, VSD_VITAL_SPO2) <= 100);
    assert_true(find(&m, VSD_VITAL_NIBP_SYS)->value < 130);
    assert_int_equal(find(&m, VSD_VITAL_NIBP_SYS)->measured_ms, WALL0 + 60000);
    monitor_close(&m);
}

/* The model itself, without a device: pure in (model, t). */
static void test_model_is_pure(void **state)
{
    struct vsd_sim_event ev;
    struct vsd_sim_model model = {.seed = 42,
                                  .vitals = VSD_SIM_V_HR | VSD_SIM_V_NIBP,
                                  .hr = 80,
                                  .spo2 = 97,
                                  .rr = 12,
                                  .nibp_sys = 130,
                                  .nibp_dia = 85,
                                  .nibp_interval_ms = 600000,
                                  .events = &ev,
                                  .n_events = 1};
    struct vsd_sim_sample s1, s2;

    (void)state;
    assert_int_equal(vsd_sim_event_parse("hypertension at=3s for=1m", &ev, NULL, 0), 0);
    assert_int_equal(vsd_sim_last_cuff(&model, 2999), -1);
    assert_int_equal(vsd_sim_last_cuff(&model, 3000), 3000);
    assert_int_equal(vsd_sim_last_cuff(&model, 62999), 5000);
    assert_int_equal(vsd_sim_last_cuff(&model, 63000), 63000);
    assert_int_equal(vsd_sim_last_cuff(&model, 605000), 605000);
    assert_int_equal(vsd_sim_sample(&model, 4000, &s1), 0);
    assert_int_equal(s1.n, 4);
    assert_true(s1.r[1].value == 185 && s1.r[1].measured_ms == 3000);
    assert_int_equal(vsd_sim_sample(&model, 30000, &s1), 0);
    assert_true(s1.r[1].value == 185 && s1.r[1].measured_ms == 5000); /* inside: high too */
    assert_int_equal(vsd_sim_sample(&model, 30000, &s2), 0);
    assert_int_equal(s1.n, s2.n);
    for (size_t i = 0; i < s1.n; i++) {
        assert_int_equal(s1.r[i].vital, s2.r[i].vital);
        assert_true(s1.r[i].value == s2.r[i].value);
        assert_int_equal(s1.r[i].measured_ms, s2.r[i].measured_ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_table),
        cmocka_unit_test(test_event_good),
        cmocka_unit_test(test_event_bad),
        cmocka_unit_test(test_vitals_list),
        cmocka_unit_test(test_open_rejects_bad_options),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_hang_left),
        cmocka_unit_test(test_plausible_ranges),
        cmocka_unit_test(test_spo2_never_above_100),
        cmocka_unit_test(test_vitals_subset),
        cmocka_unit_test(test_desaturation),
        cmocka_unit_test(test_short_desaturation_glides_over_a_third),
        cmocka_unit_test(test_tachycardia_and_bradypnea),
        cmocka_unit_test(test_hypoventilation),
        cmocka_unit_test(test_hypertension_cuff),
        cmocka_unit_test(test_nibp_measured_only_at_measurements),
        cmocka_unit_test(test_probe_off),
        cmocka_unit_test(test_silent),
        cmocka_unit_test(test_implausible),
        cmocka_unit_test(test_model_is_pure),
    };

    vsd_log_set_level(LOG_CRIT); /* open() failures log at LOG_ERR on purpose */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
