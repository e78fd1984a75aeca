/* SPDX-License-Identifier: MIT */
/* Table-driven alarm engine tests: operation at time t -> expected events, on an injected clock. */
#ifndef VSD_TEST_ALARM_STEPS_H
#define VSD_TEST_ALARM_STEPS_H

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alarm.h"

/*
 * Included by test_alarm.c and test_alarm_states.c (one executable each).
 * Time: a step at t runs with mono = MONO0 + t and wall = WALL0 + t, so a mix-up of the two
 * clocks, or a timestamp left at zero, is off by far.
 */
#define MONO0 5000000000LL
#define WALL0 1700000000000LL
#define N_BEDS 3
#define N_DEVICES 4
#define MAX_EV 4
#define MAX_LOG 16
#define MAX_IDS 64
#define MAX_STEPS 48

enum op {
    OP_READ,
    OP_DOWN,
    OP_UP,
    OP_DEGR,
    OP_HEAL,
    OP_WATCH,
    OP_UNWATCH,
    OP_DAEMON_ON,
    OP_DAEMON_OFF,
    OP_TICK,
    OP_ACK,
    OP_LIMIT
};

/* One expected event. REF (not for RAISED): the alert raised by step REF (J(k, j): its j-th). */
struct exp_ev {
    bool set;
    enum vsd_alarm_event_type type;
    enum vsd_alert_code code;
    enum vsd_vital vital;
    double value; /* the event's value (raised: the alert's value too) */
    double limit;
    enum vsd_priority prio;
    size_t device;
    int ref;
};

/* One step: an operation at time t, then the events it must emit, in order. BED is the bed of
 * the events (for a tick and an acknowledgement too). */
struct step {
    enum op op;
    int64_t t;
    size_t bed, device;
    enum vsd_vital vital;
    double value;
    uint32_t flags;
    enum vsd_alert_code code;    /* DAEMON_ON/OFF */
    int ref;                     /* ACK: as exp_ev.ref; NOREF: an id never raised */
    const char *by;              /* ACK */
    int ret;                     /* ACK, LIMIT: the expected return */
    const struct vsd_limit *lim; /* LIMIT */
    struct exp_ev ev[MAX_EV];
};

struct tcase {
    const char *name;
    const struct step *steps;
    size_t n;
};

#define J(k, j) ((k) + (j)*1000)
#define NOREF (-1)
#define NOD SIZE_MAX
#define DAEMON VSD_ALARM_DAEMON

#define STEP(o, t_, b_, d_, ...) .op = (o), .t = (t_), .bed = (b_), .device = (d_), __VA_ARGS__
#define R(t_, b_, d_, v_, val_, fl_, ...)                                                          \
    {                                                                                              \
        STEP(OP_READ, t_, b_, d_, .vital = (v_), .value = (val_), .flags = (fl_)), .ev = {         \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define DEV(o, t_, b_, d_, ...)                                                                    \
    {                                                                                              \
        STEP(o, t_, b_, d_, .vital = VSD_VITAL_COUNT), .ev = { __VA_ARGS__ }                       \
    }
#define DOWN(t_, b_, d_, ...) DEV(OP_DOWN, t_, b_, d_, __VA_ARGS__)
#define UP(t_, b_, d_, ...) DEV(OP_UP, t_, b_, d_, __VA_ARGS__)
#define DEGR(t_, b_, d_, ...) DEV(OP_DEGR, t_, b_, d_, __VA_ARGS__)
#define HEAL(t_, b_, d_, ...) DEV(OP_HEAL, t_, b_, d_, __VA_ARGS__)
#define WATCH(t_, b_, ...) DEV(OP_WATCH, t_, b_, 0, __VA_ARGS__)
#define UNWATCH(t_, b_, ...) DEV(OP_UNWATCH, t_, b_, 0, __VA_ARGS__)
#define TICK(t_, b_, ...) DEV(OP_TICK, t_, b_, 0, __VA_ARGS__)
#define DON(t_, c_, ...)                                                                           \
    {                                                                                              \
        STEP(OP_DAEMON_ON, t_, DAEMON, 0, .code = (c_)), .ev = { __VA_ARGS__ }                     \
    }
#define DOFF(t_, c_, ...)                                                                          \
    {                                                                                              \
        STEP(OP_DAEMON_OFF, t_, DAEMON, 0, .code = (c_)), .ev = { __VA_ARGS__ }                    \
    }
#define ACK(t_, b_, k_, by_, ret_, ...)                                                            \
    {                                                                                              \
        STEP(OP_ACK, t_, b_, 0, .ref = (k_), .by = (by_), .ret = (ret_)), .ev = { __VA_ARGS__ }    \
    }
#define LIMIT(t_, b_, v_, lim_, ret_)                                                              \
    {                                                                                              \
        STEP(OP_LIMIT, t_, b_, 0, .vital = (v_), .lim = (lim_), .ret = (ret_))                     \
    }

#define EV(ty, k, c, v, val, lim, p, d)                                                            \
    {                                                                                              \
        .set = true, .type = (ty), .code = (c), .vital = (v), .value = (val), .limit = (lim),      \
        .prio = (p), .device = (d), .ref = (k)                                                     \
    }
#define RAISE(c, v, val, lim, p, d) EV(VSD_ALARM_RAISED, NOREF, c, v, val, lim, p, d)
#define ACKD(k, c, v, val, lim, p, d) EV(VSD_ALARM_ACKNOWLEDGED, k, c, v, val, lim, p, d)
#define ESC(k, c, v, val, lim, p, d) EV(VSD_ALARM_ESCALATED, k, c, v, val, lim, p, d)
#define LATCH(k, c, v, val, lim, p, d) EV(VSD_ALARM_LATCHED, k, c, v, val, lim, p, d)
#define CLEAR(k, c, v, val, lim, p, d) EV(VSD_ALARM_CLEARED, k, c, v, val, lim, p, d)
#define CASE(arr)                                                                                  \
    {                                                                                              \
#arr, arr, sizeof(arr) / sizeof(arr[0])                                                    \
    }

/* Shorthands. */
#define HR VSD_VITAL_HR
#define PR VSD_VITAL_PR
#define SPO2 VSD_VITAL_SPO2
#define SYS VSD_VITAL_NIBP_SYS
#define DIA VSD_VITAL_NIBP_DIA
#define RR VSD_VITAL_RR
#define ETCO2 VSD_VITAL_ETCO2
#define NOV VSD_VITAL_COUNT
#define LOW VSD_ALERT_LOW
#define HIGH VSD_ALERT_HIGH
#define RISE VSD_ALERT_RISE
#define FALL VSD_ALERT_FALL
#define APNEA VSD_ALERT_APNEA
#define COMMS VSD_ALERT_COMMS_LOSS
#define DEGRADED VSD_ALERT_COMMS_DEGRADED
#define SOFF VSD_ALERT_SENSOR_OFF
#define INVAL VSD_ALERT_INVALID
#define NIBP VSD_ALERT_NIBP_OVERDUE
#define STORAGE VSD_ALERT_STORAGE
#define QOVER VSD_ALERT_QUEUE_OVERFLOW
#define APATH VSD_ALERT_ALERT_PATH
#define P_LO VSD_PRIO_LOW
#define P_MED VSD_PRIO_MEDIUM
#define P_HI VSD_PRIO_HIGH
#define Q_INV VSD_Q_INVALID
#define Q_OFF VSD_Q_SENSOR_OFF
#define Q_IMPL VSD_Q_IMPLAUSIBLE
#define Q_SRCH VSD_Q_SEARCHING
#define Q_ART VSD_Q_ARTIFACT
#define Q_PERF VSD_Q_LOW_PERFUSION
#define Q_APNEA VSD_Q_APNEA
#define BY "Nurse Kim"

/*
 * The configured limits (every bed):
 *   HR    below 50 high, above 120 medium; delay 10 s, hysteresis 5
 *   SpO2  below 92 medium, below 88 high; delay 10 s, hysteresis 2
 *   SYS   below 90 medium, above 160 medium; delay 0, hysteresis 5;
 *         rise > 30 medium within 10 min, fall > 40 high at any interval
 *   RR    below 8 high, above 30 low; delay 0, hysteresis 2
 *   EtCO2 above 50 medium, below 10 low; delay 5 s, hysteresis 2
 *   PR, DIA, MEAN: none
 */
static const struct vsd_limit lim_hr = {.bands = {{false, 50, P_HI}, {true, 120, P_MED}},
                                        .n_bands = 2,
                                        .delay_ms = 10000,
                                        .hysteresis = 5};
static const struct vsd_limit lim_spo2 = {.bands = {{false, 92, P_MED}, {false, 88, P_HI}},
                                          .n_bands = 2,
                                          .delay_ms = 10000,
                                          .hysteresis = 2};
static const struct vsd_limit lim_sys = {.bands = {{false, 90, P_MED}, {true, 160, P_MED}},
                                         .n_bands = 2,
                                         .rise = {true, 30, P_MED, 600000},
                                         .fall = {true, 40, P_HI, 0},
                                         .hysteresis = 5};
static const struct vsd_limit lim_rr = {
    .bands = {{false, 8, P_HI}, {true, 30, P_LO}}, .n_bands = 2, .hysteresis = 2};
static const struct vsd_limit lim_etco2 = {.bands = {{true, 50, P_MED}, {false, 10, P_LO}},
                                           .n_bands = 2,
                                           .delay_ms = 5000,
                                           .hysteresis = 2};

/*
 * Technical priorities: comms_loss high, comms_degraded low, wrong_device high, sensor_off medium (after 10 s),
 * invalid low (after 15 s), nibp_overdue medium (300 s), storage high, queue_overflow medium,
 * alert_path high. High latches; medium and above escalate.
 * Bed 0 (and the daemon): escalation at 60 s and 180 s. Bed 1: escalation off (step 1 is 0).
 * Bed 2: escalation at 60 s only; sensor_off_delay 0; NIBP overdue not watched (0).
 * Apnea: after 20 s, bed 0 high, bed 1 medium; bed 2 not watched (0).
 */
static struct vsd_alarm_config test_config(size_t bed)
{
    struct vsd_alarm_config c;

    memset(&c, 0, sizeof(c));
    c.limits[HR] = lim_hr;
    c.limits[SPO2] = lim_spo2;
    c.limits[SYS] = lim_sys;
    c.limits[RR] = lim_rr;
    c.limits[ETCO2] = lim_etco2;
    c.apnea_after_ms = bed == 2 ? 0 : 20000;
    c.apnea_priority = bed == 1 ? P_MED : P_HI;
    c.technical_priority[COMMS] = P_HI;
    c.technical_priority[DEGRADED] = P_LO;
    c.technical_priority[VSD_ALERT_WRONG_DEVICE] = P_HI;
    c.technical_priority[SOFF] = P_MED;
    c.technical_priority[INVAL] = P_LO;
    c.technical_priority[NIBP] = P_MED;
    c.technical_priority[STORAGE] = P_HI;
    c.technical_priority[QOVER] = P_MED;
    c.technical_priority[APATH] = P_HI;
    c.sensor_off_delay_ms = bed == 2 ? 0 : 10000;
    c.invalid_delay_ms = 15000;
    c.nibp_overdue_ms = bed == 2 ? 0 : 300000;
    c.latch_priority = P_HI;
    c.escalate_priority = P_MED;
    c.escalate_ms[0] = bed == 1 ? 0 : 60000;
    c.escalate_ms[1] = bed == 2 ? 0 : 180000;
    return c;
}

/* What the callbacks saw during one call. */
struct recorder {
    struct vsd_alarm_event ev[MAX_LOG];
    struct vsd_alert alert[MAX_LOG]; /* copies: ev[i].alert is valid only in the callback */
    size_t n;
    unsigned id_calls;
};

static void record_event(void *ctx, const struct vsd_alarm_event *ev)
{
    struct recorder *rec = ctx;

    assert_non_null(ev->alert);
    assert_true(rec->n < MAX_LOG);
    rec->ev[rec->n] = *ev;
    rec->alert[rec->n] = *ev->alert;
    rec->ev[rec->n].alert = &rec->alert[rec->n];
    rec->n++;
}

static void make_id(void *ctx, char out[33])
{
    struct recorder *rec = ctx;

    /* Unique per call, not sequential-looking. */
    snprintf(out, 33, "%016x%016x", rec->id_calls * 2654435761u, rec->id_calls);
    rec->id_calls++;
}

static struct vsd_alarm *new_engine(struct recorder *rec)
{
    struct vsd_alarm_config cfgs[N_BEDS];

    for (size_t b = 0; b < N_BEDS; b++)
        cfgs[b] = test_config(b);
    return vsd_alarm_new(cfgs, N_BEDS, N_DEVICES, make_id, rec);
}

static struct vsd_alarm_now at(int64_t t)
{
    return (struct vsd_alarm_now){MONO0 + t, WALL0 + t};
}

static struct vsd_alarm_out out_to(struct recorder *rec)
{
    return (struct vsd_alarm_out){record_event, rec};
}

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* An alert as the events so far told it. */
struct model {
    char id[33];
    size_t bed;
    enum vsd_priority prio;
    bool live, condition, acked;
    int escalation;
    int64_t raised_wall;
};

struct run {
    const struct tcase *c;
    struct vsd_alarm *a;
    struct recorder rec;
    char raised[MAX_STEPS][MAX_EV][33]; /* id raised by event j of step i */
    struct model m[MAX_IDS];
    size_t n_m;
};

static const char *ref_id(struct run *ru, size_t i, int ref)
{
    int k = ref % 1000, j = ref / 1000;

    if (ref < 0 || (size_t)k >= i || j >= MAX_EV || !ru->raised[k][j][0])
        fail_msg("%s step %zu: ref %d (step %d event %d) raised nothing", ru->c->name, i, ref, k,
                 j);
    return ru->raised[k][j];
}

static int run_op(struct run *ru, size_t i)
{
    const struct step *st = &ru->c->steps[i];
    struct vsd_alarm_now now = at(st->t);
    struct vsd_alarm_out out = out_to(&ru->rec);
    struct vsd_reading r = {st->vital, st->value, st->flags, 0};
    bool on = true;

    switch (st->op) {
    case OP_READ:
        vsd_alarm_reading(ru->a, now, st->bed, st->device, &r, out);
        return 0;
    case OP_UP:
    case OP_DOWN:
        vsd_alarm_device(ru->a, now, st->bed, st->device, st->op == OP_UP, out);
        return 0;
    case OP_HEAL:
        on = false;
        /* fall through */
    case OP_DEGR:
        vsd_alarm_degraded(ru->a, now, st->bed, st->device, on, out);
        return 0;
    case OP_UNWATCH:
        on = false;
        /* fall through */
    case OP_WATCH:
        vsd_alarm_watch(ru->a, now, st->bed, on, out);
        return 0;
    case OP_DAEMON_OFF:
        on = false;
        /* fall through */
    case OP_DAEMON_ON:
        vsd_alarm_daemon(ru->a, now, st->code, on, out);
        return 0;
    case OP_TICK:
        vsd_alarm_tick(ru->a, now, out);
        return 0;
    case OP_ACK:
        return vsd_alarm_ack(ru->a, now,
                             st->ref == NOREF ? "0123456789abcdef0123456789abcdef"
                                              : ref_id(ru, i, st->ref),
                             st->by, out);
    case OP_LIMIT:
        return vsd_alarm_set_limit(ru->a, st->bed, st->vital, st->lim);
    }
    return -EINVAL;
}

static struct model *model_of(struct run *ru, size_t i, const char *id)
{
    for (size_t k = 0; k < ru->n_m; k++)
        if (strcmp(ru->m[k].id, id) == 0) {
            if (!ru->m[k].live)
                fail_msg("%s step %zu: event for %s, cleared before", ru->c->name, i, id);
            return &ru->m[k];
        }
    fail_msg("%s step %zu: event for %s, never raised", ru->c->name, i, id);
    return NULL;
}

/* A raise: a fresh 32-char id, a new model. */
static void raised(struct run *ru, size_t i, size_t j, const struct vsd_alert *al)
{
    struct model *m;

    if (strlen(al->id) != 32)
        fail_msg("%s step %zu: id '%s' is not 32 chars", ru->c->name, i, al->id);
    for (size_t k = 0; k < ru->n_m; k++)
        if (strcmp(ru->m[k].id, al->id) == 0)
            fail_msg("%s step %zu: id %s raised twice", ru->c->name, i, al->id);
    assert_true(ru->n_m < MAX_IDS && i < MAX_STEPS);
    assert_true(al->condition && !al->acked && al->escalation == 0 && !al->acked_by[0]);
    assert_int_equal(al->raised_wall_ms, WALL0 + ru->c->steps[i].t);
    assert_int_equal(al->raised_mono_ms, MONO0 + ru->c->steps[i].t);
    strcpy(ru->raised[i][j], al->id);
    m = &ru->m[ru->n_m++];
    *m = (struct model){.bed = al->bed,
                        .prio = al->priority,
                        .live = true,
                        .condition = true,
                        .raised_wall = al->raised_wall_ms};
    strcpy(m->id, al->id);
}

/* Any other event: the transition must be one the model allows. */
static void transition(struct run *ru, size_t i, const struct vsd_alarm_event *ev)
{
    const struct step *st = &ru->c->steps[i];
    const struct vsd_alert *al = ev->alert;
    struct model *m = model_of(ru, i, al->id);
    char by[VSD_ALARM_ACTOR_MAX + 1];

    switch (ev->type) {
    case VSD_ALARM_ACKNOWLEDGED:
        snprintf(by, sizeof(by), "%s", st->by ? st->by : "");
        assert_false(m->acked);
        assert_true(al->acked);
        assert_string_equal(al->acked_by, by);
        assert_int_equal(al->acked_wall_ms, WALL0 + st->t);
        m->acked = true;
        break;
    case VSD_ALARM_ESCALATED:
        assert_false(m->acked);
        assert_int_equal(al->escalation, m->escalation + 1);
        m->escalation++;
        break;
    case VSD_ALARM_LATCHED:
        assert_true(m->condition && !m->acked && al->priority >= P_HI);
        assert_false(al->condition);
        m->condition = false;
        break;
    case VSD_ALARM_CLEARED:
        assert_true(!m->condition || m->acked || al->priority < P_HI);
        m->live = false;
        break;
    case VSD_ALARM_RAISED:
        break;
    }
}

static void check_event(struct run *ru, size_t i, size_t j)
{
    const struct step *st = &ru->c->steps[i];
    const struct vsd_alarm_event *ev = &ru->rec.ev[j];
    const struct vsd_alert *al = ev->alert;
    const struct exp_ev *x = &st->ev[j];
    bool ok = ev->type == x->type && al->code == x->code && al->vital == x->vital &&
              same_double(ev->value, x->value) && same_double(al->limit, x->limit) &&
              al->priority == x->prio && al->bed == st->bed && al->device == x->device &&
              ev->wall_ms == WALL0 + st->t;

    if (x->type == VSD_ALARM_RAISED)
        ok = ok && same_double(al->value, x->value);
    else
        ok = ok && strcmp(al->id, ref_id(ru, i, x->ref)) == 0;
    if (!ok)
        fail_msg("%s step %zu event %zu: got %s code %s vital %d value %g limit %g prio %d "
                 "bed %zu device %zu wall %lld id %s",
                 ru->c->name, i, j, vsd_alarm_event_name(ev->type), vsd_alert_code_name(al->code),
                 al->vital, ev->value, al->limit, al->priority, al->bed, al->device,
                 (long long)(ev->wall_ms - WALL0), al->id);
    if (ev->type == VSD_ALARM_RAISED)
        raised(ru, i, j, al);
    else
        transition(ru, i, ev);
}

/* vsd_alarm_active() of each bed holds exactly its live alerts, in their state and in order;
 * vsd_alarm_find() finds the live ones and no cleared one. */
static void check_bed(struct run *ru, size_t i, size_t bed)
{
    const struct vsd_alert *out[MAX_IDS];
    size_t n = vsd_alarm_active(ru->a, bed, out, MAX_IDS), want = 0;

    for (size_t k = 1; k < n; k++)
        assert_true(out[k - 1]->priority > out[k]->priority ||
                    (out[k - 1]->priority == out[k]->priority &&
                     out[k - 1]->raised_wall_ms <= out[k]->raised_wall_ms));
    for (size_t k = 0; k < ru->n_m; k++) {
        const struct model *m = &ru->m[k];
        const struct vsd_alert *f = NULL;

        if (!m->live || m->bed != bed)
            continue;
        want++;
        for (size_t q = 0; q < n; q++)
            f = strcmp(out[q]->id, m->id) == 0 ? out[q] : f;
        if (!f || f != vsd_alarm_find(ru->a, m->id))
            fail_msg("%s step %zu: %s missing from bed %zu or find()", ru->c->name, i, m->id, bed);
        if (f->condition != m->condition || f->acked != m->acked ||
            f->escalation != m->escalation || f->raised_wall_ms != m->raised_wall)
            fail_msg("%s step %zu: %s state differs from its events", ru->c->name, i, m->id);
    }
    if (n != want)
        fail_msg("%s step %zu: bed %zu has %zu active, expected %zu", ru->c->name, i, bed, n, want);
}

static void check_active(struct run *ru, size_t i)
{
    for (size_t b = 0; b < N_BEDS; b++)
        check_bed(ru, i, b);
    check_bed(ru, i, DAEMON);
    for (size_t k = 0; k < ru->n_m; k++)
        if (!ru->m[k].live && vsd_alarm_find(ru->a, ru->m[k].id))
            fail_msg("%s step %zu: cleared %s still found", ru->c->name, i, ru->m[k].id);
}

static void run_step(struct run *ru, size_t i)
{
    const struct step *st = &ru->c->steps[i];
    size_t n_exp = 0;
    int ret;

    ru->rec.n = 0;
    ret = run_op(ru, i);
    if (ret != st->ret)
        fail_msg("%s step %zu: returned %d, expected %d", ru->c->name, i, ret, st->ret);
    if (st->op == OP_LIMIT && ret == 0)
        assert_memory_equal(vsd_alarm_limit(ru->a, st->bed, st->vital), st->lim, sizeof(*st->lim));
    while (n_exp < MAX_EV && st->ev[n_exp].set)
        n_exp++;
    if (ru->rec.n != n_exp) {
        for (size_t j = 0; j < ru->rec.n; j++)
            print_message("  got %s %s\n", vsd_alarm_event_name(ru->rec.ev[j].type),
                          vsd_alert_code_name(ru->rec.alert[j].code));
        fail_msg("%s step %zu (t %lld): %zu events, expected %zu", ru->c->name, i, (long long)st->t,
                 ru->rec.n, n_exp);
    }
    for (size_t j = 0; j < n_exp; j++)
        check_event(ru, i, j);
    assert_int_equal(ru->rec.id_calls, ru->n_m); /* one id per raise */
    check_active(ru, i);
}

static void test_table(void **state)
{
    struct run *ru = *state;
    const struct tcase *c = ru->c;

    memset(ru, 0, sizeof(*ru));
    ru->c = c;
    assert_true(c->n <= MAX_STEPS);
    ru->a = new_engine(&ru->rec);
    assert_non_null(ru->a);
    for (size_t i = 0; i < c->n; i++)
        run_step(ru, i);
}

/* Frees the engine also when a step failed. */
static int free_table(void **state)
{
    struct run *ru = *state;

    vsd_alarm_free(ru->a);
    ru->a = NULL;
    return 0;
}

/* Runs each case as its own test, then EXTRA (N_EXTRA tests). */
static int run_tables(const struct tcase *cases, size_t n, const struct CMUnitTest *extra,
                      size_t n_extra)
{
    struct CMUnitTest *tests = calloc(n + n_extra, sizeof(*tests));
    struct run *runs = calloc(n, sizeof(*runs));
    int failed = -1;

    if (!tests || !runs)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        runs[i].c = &cases[i];
        tests[i] = (struct CMUnitTest)cmocka_unit_test_prestate_setup_teardown(
            test_table, NULL, free_table, &runs[i]);
        tests[i].name = cases[i].name;
    }
    for (size_t i = 0; i < n_extra; i++)
        tests[n + i] = extra[i];
    failed = _cmocka_run_group_tests("alarm", tests, n + n_extra, NULL, NULL);

fail:
    free(tests);
    free(runs);
    return failed;
}

#endif
