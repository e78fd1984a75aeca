/* SPDX-License-Identifier: MIT */
/* Unit tests of the alarm engine: table-driven steps on an injected clock, to the millisecond. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alarm.h"

#define WALL0 1700000000000LL /* wall ms = WALL0 + step time */
#define N_BEDS 2
#define N_DEVICES 3
#define MAX_EV 4
#define MAX_LOG 16
#define MAX_IDS 64

enum op { OP_READ, OP_DOWN, OP_UP, OP_TICK };

/* One expected event. */
struct exp_ev {
    int set;
    enum vsd_alarm_event_type type;
    enum vsd_alert_code code;
    enum vsd_vital vital;
    double value; /* the event value (raise: the alert value too) */
    double limit;
    enum vsd_priority prio;
    size_t device;
};

/* One step: an operation at time t, then the events it must emit, in order.
 * For a tick, BED is the bed the events concern. */
struct step {
    enum op op;
    int64_t t;
    size_t bed, device;
    enum vsd_vital vital;
    double value;
    uint32_t flags;
    struct exp_ev ev[MAX_EV];
};

struct tcase {
    const char *name;
    const struct step *steps;
    size_t n;
};

#define R(t, b, d, v, val, fl, ...)                                                                \
    {                                                                                              \
        OP_READ, t, b, d, v, val, fl,                                                              \
        {                                                                                          \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define DOWN(t, b, d, ...)                                                                         \
    {                                                                                              \
        OP_DOWN, t, b, d, VSD_VITAL_COUNT, NAN, 0,                                                 \
        {                                                                                          \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define UP(t, b, d, ...)                                                                           \
    {                                                                                              \
        OP_UP, t, b, d, VSD_VITAL_COUNT, NAN, 0,                                                   \
        {                                                                                          \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define TICK(t, b, ...)                                                                            \
    {                                                                                              \
        OP_TICK, t, b, 0, VSD_VITAL_COUNT, NAN, 0,                                                 \
        {                                                                                          \
            __VA_ARGS__                                                                            \
        }                                                                                          \
    }
#define RAISE(code, v, val, lim, prio, d)                                                          \
    {                                                                                              \
        1, VSD_ALARM_RAISED, code, v, val, lim, prio, d                                            \
    }
#define CLEAR(code, v, val, lim, prio, d)                                                          \
    {                                                                                              \
        1, VSD_ALARM_CLEARED, code, v, val, lim, prio, d                                           \
    }
#define CASE(arr)                                                                                  \
    {                                                                                              \
#arr, arr, sizeof(arr) / sizeof(arr[0])                                                    \
    }

/* Shorthands for the configuration below. */
#define HR VSD_VITAL_HR
#define PR VSD_VITAL_PR
#define SPO2 VSD_VITAL_SPO2
#define SYS VSD_VITAL_NIBP_SYS
#define RR VSD_VITAL_RR
#define NOV VSD_VITAL_COUNT
#define LOW VSD_ALERT_LOW
#define HIGH VSD_ALERT_HIGH
#define COMMS VSD_ALERT_COMMS_LOSS
#define SOFF VSD_ALERT_SENSOR_OFF
#define INVAL VSD_ALERT_INVALID
#define P_LO VSD_PRIO_LOW
#define P_MED VSD_PRIO_MEDIUM
#define P_HI VSD_PRIO_HIGH
#define Q_INV VSD_Q_INVALID
#define Q_OFF VSD_Q_SENSOR_OFF
#define Q_IMPL VSD_Q_IMPLAUSIBLE
#define Q_SRCH VSD_Q_SEARCHING

/*
 * Configuration of every case (bed 1 differs only in sensor_off_delay_ms = 0):
 *   HR        low 50 (high prio), high 120 (medium), delay 10 s, hysteresis 5
 *   SpO2      low 90 (high), no high limit, delay 0, hysteresis 2
 *   NIBP sys  low 90, high 160 (medium), delay 5 s, hysteresis 5
 *   RR        low 8 (high), high 30 (low), delay 0, hysteresis 2
 *   PR        no limits
 *   comms loss medium, sensor off medium after 10 s, invalid low after 15 s
 */
static struct vsd_alarm_config test_config(size_t bed)
{
    struct vsd_alarm_config c;

    memset(&c, 0, sizeof(c));
    c.limits[HR] = (struct vsd_limit){true, true, 50, 120, P_HI, P_MED, 10000, 5};
    c.limits[SPO2] = (struct vsd_limit){true, false, 90, 0, P_HI, P_HI, 0, 2};
    c.limits[SYS] = (struct vsd_limit){true, true, 90, 160, P_MED, P_MED, 5000, 5};
    c.limits[RR] = (struct vsd_limit){true, true, 8, 30, P_HI, P_LO, 0, 2};
    c.comms_loss_priority = P_MED;
    c.sensor_off_priority = P_MED;
    c.invalid_priority = P_LO;
    c.sensor_off_delay_ms = bed == 1 ? 0 : 10000;
    c.invalid_delay_ms = 15000;
    return c;
}

/* What the callbacks saw. */
struct recorder {
    struct vsd_alarm_event ev[MAX_LOG];
    struct vsd_alert alert[MAX_LOG]; /* copies: ev[i].alert is valid only in the callback */
    size_t n;
    unsigned id_calls;
    char ids[MAX_IDS][33]; /* every id raised so far */
    size_t n_ids;
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

    /* Deliberately nonsequential-looking but unique per call. */
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

static bool same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static void run_op(struct vsd_alarm *a, const struct step *st, struct recorder *rec)
{
    struct vsd_alarm_now now = {st->t, WALL0 + st->t};
    struct vsd_reading r = {st->vital, st->value, st->flags, 0};

    switch (st->op) {
    case OP_READ:
        vsd_alarm_reading(a, now, st->bed, st->device, &r, record_event, rec);
        break;
    case OP_DOWN:
    case OP_UP:
        vsd_alarm_device(a, now, st->bed, st->device, st->op == OP_UP, record_event, rec);
        break;
    case OP_TICK:
        vsd_alarm_tick(a, now, record_event, rec);
        break;
    }
}

static void check_event(const char *name, size_t i, size_t j, const struct step *st,
                        const struct vsd_alarm_event *ev, const struct exp_ev *x)
{
    const struct vsd_alert *al = ev->alert;
    bool ok = ev->type == x->type && al->code == x->code && al->vital == x->vital &&
              same_double(ev->value, x->value) && same_double(al->limit, x->limit) &&
              al->priority == x->prio && al->bed == st->bed && al->device == x->device &&
              ev->wall_ms == WALL0 + st->t;

    if (x->type == VSD_ALARM_RAISED)
        ok = ok && same_double(al->value, x->value) && al->raised_wall_ms == WALL0 + st->t;
    if (!ok)
        fail_msg("%s step %zu event %zu: got type %d code %s vital %d value %g limit %g "
                 "prio %d bed %zu device %zu wall %lld",
                 name, i, j, ev->type, vsd_alert_code_name(al->code), al->vital, ev->value,
                 al->limit, al->priority, al->bed, al->device, (long long)ev->wall_ms);
}

/* Each raise gets a fresh id from id_fn, never seen before. */
static void check_ids(const char *name, size_t i, struct recorder *rec)
{
    for (size_t j = 0; j < rec->n; j++) {
        const char *id = rec->alert[j].id;

        if (rec->ev[j].type != VSD_ALARM_RAISED)
            continue;
        if (strlen(id) != 32)
            fail_msg("%s step %zu: id '%s' is not 32 chars", name, i, id);
        for (size_t k = 0; k < rec->n_ids; k++)
            if (strcmp(rec->ids[k], id) == 0)
                fail_msg("%s step %zu: id %s raised twice", name, i, id);
        assert_true(rec->n_ids < MAX_IDS);
        strcpy(rec->ids[rec->n_ids++], id);
    }
    assert_int_equal(rec->id_calls, rec->n_ids);
}

/* Alerts raised and not yet cleared, as the events told them. */
struct live {
    char id[MAX_IDS][33];
    size_t bed[MAX_IDS];
    size_t n;
};

static void live_update(const char *name, size_t i, struct live *lv, const struct recorder *rec)
{
    for (size_t j = 0; j < rec->n; j++) {
        const struct vsd_alert *al = &rec->alert[j];
        size_t k = 0;

        if (rec->ev[j].type == VSD_ALARM_RAISED) {
            assert_true(lv->n < MAX_IDS);
            strcpy(lv->id[lv->n], al->id);
            lv->bed[lv->n++] = al->bed;
            continue;
        }
        while (k < lv->n && strcmp(lv->id[k], al->id) != 0)
            k++;
        if (k == lv->n)
            fail_msg("%s step %zu: cleared %s was not active", name, i, al->id);
        lv->n--;
        memmove(lv->id[k], lv->id[lv->n], sizeof(lv->id[k]));
        lv->bed[k] = lv->bed[lv->n];
    }
}

/* vsd_alarm_active() of each bed must hold exactly the live alerts of that bed. */
static void check_active(const char *name, size_t i, const struct vsd_alarm *a,
                         const struct live *lv)
{
    const struct vsd_alert *out[MAX_IDS];

    for (size_t b = 0; b < N_BEDS; b++) {
        size_t n = vsd_alarm_active(a, b, out, MAX_IDS), want = 0;

        for (size_t k = 0; k < lv->n; k++) {
            bool found = false;

            if (lv->bed[k] != b)
                continue;
            want++;
            for (size_t m = 0; m < n; m++)
                found = found || strcmp(out[m]->id, lv->id[k]) == 0;
            if (!found)
                fail_msg("%s step %zu: %s missing from bed %zu", name, i, lv->id[k], b);
        }
        if (n != want)
            fail_msg("%s step %zu: bed %zu has %zu active, expected %zu", name, i, b, n, want);
    }
}

static void run_case(const struct tcase *c)
{
    struct recorder rec;
    struct live lv;
    struct vsd_alarm *a;

    memset(&rec, 0, sizeof(rec));
    memset(&lv, 0, sizeof(lv));
    a = new_engine(&rec);
    assert_non_null(a);
    for (size_t i = 0; i < c->n; i++) {
        const struct step *st = &c->steps[i];
        size_t n_exp = 0;

        rec.n = 0;
        run_op(a, st, &rec);
        while (n_exp < MAX_EV && st->ev[n_exp].set)
            n_exp++;
        if (rec.n != n_exp)
            fail_msg("%s step %zu: %zu events, expected %zu", c->name, i, rec.n, n_exp);
        for (size_t j = 0; j < n_exp; j++)
            check_event(c->name, i, j, st, &rec.ev[j], &st->ev[j]);
        check_ids(c->name, i, &rec);
        live_update(c->name, i, &lv, &rec);
        check_active(c->name, i, a, &lv);
    }
    vsd_alarm_free(a);
}

/* Raise exactly at t0 + delay, on a reading and on a tick, never at t0 + delay - 1. */
static const struct step delay_boundary[] = {
    R(1000, 0, 0, HR, 40, 0),
    R(10999, 0, 0, HR, 40, 0),
    R(11000, 0, 0, HR, 41, 0, RAISE(LOW, HR, 41, 50, P_HI, 0)),
    R(11500, 0, 0, HR, 39, 0), /* already active: nothing new */
    R(12000, 0, 0, HR, 55, 0, CLEAR(LOW, HR, 55, 50, P_HI, 0)),
    R(20000, 0, 1, HR, 130, 0),
    TICK(29999, 0),
    TICK(30000, 0, RAISE(HIGH, HR, 130, 120, P_MED, 1)),
    TICK(40000, 0),
};

/* Delay 0 raises on the reading itself. */
static const struct step delay_zero[] = {
    R(100, 0, 0, SPO2, 85, 0, RAISE(LOW, SPO2, 85, 90, P_HI, 0)),
    R(200, 0, 0, SPO2, 80, 0),
    TICK(60000, 0),
};

/* value == low + h clears, just under does not; symmetric for high - h. */
static const struct step hysteresis_boundary[] = {
    R(0, 0, 0, SPO2, 85, 0, RAISE(LOW, SPO2, 85, 90, P_HI, 0)),
    R(1000, 0, 0, SPO2, 90, 0),
    R(2000, 0, 0, SPO2, 91.9, 0),
    R(3000, 0, 0, SPO2, 92, 0, CLEAR(LOW, SPO2, 92, 90, P_HI, 0)),
    R(4000, 0, 0, RR, 31, 0, RAISE(HIGH, RR, 31, 30, P_LO, 0)),
    R(5000, 0, 0, RR, 30, 0),
    R(6000, 0, 0, RR, 28.1, 0),
    R(7000, 0, 0, RR, 28, 0, CLEAR(HIGH, RR, 28, 30, P_LO, 0)),
};

/* A value equal to the limit does not satisfy the condition. */
static const struct step strict_limit[] = {
    R(0, 0, 0, SPO2, 90, 0),
    R(0, 0, 0, RR, 8, 0),
    R(0, 0, 0, RR, 30, 0),
    R(0, 0, 0, HR, 50, 0),
    R(5000, 0, 0, HR, 120, 0),
    TICK(100000, 0),
    R(100001, 0, 0, RR, 7.99, 0, RAISE(LOW, RR, 7.99, 8, P_HI, 0)),
};

/* A usable reading not satisfying the condition cancels a pending one; the
 * delay then starts again from the next satisfying reading. */
static const struct step pending_cancel_normal[] = {
    R(1000, 0, 0, HR, 40, 0),
    R(5000, 0, 0, HR, 60, 0),
    R(11000, 0, 0, HR, 40, 0),
    TICK(20999, 0),
    TICK(21000, 0, RAISE(LOW, HR, 40, 50, P_HI, 0)),
};

/* Unusable readings (invalid, implausible, searching, NAN) cancel a pending condition. */
static const struct step pending_cancel_unusable[] = {
    R(1000, 0, 0, HR, 40, 0),
    R(5000, 0, 0, HR, 40, Q_INV),
    TICK(11000, 0),
    R(12000, 0, 0, HR, 40, 0),
    R(13000, 0, 0, HR, 40, Q_SRCH),
    TICK(22000, 0),
    R(23000, 0, 0, HR, 40, 0),
    R(24000, 0, 0, HR, NAN, 0),
    R(24500, 0, 0, HR, 70, 0), /* stops the INVALID timer the NAN started */
    TICK(33000, 0),
    R(34000, 0, 0, SYS, 80, 0),
    R(35000, 0, 0, SYS, 80, Q_IMPL),
    R(36000, 0, 0, SYS, 120, 0),
    TICK(39000, 0),
    R(40000, 0, 0, HR, 40, 0),
    TICK(50000, 0, RAISE(LOW, HR, 40, 50, P_HI, 0)),
};

/* Device down cancels the pending conditions that device fed; others go on. */
static const struct step pending_cancel_down[] = {
    R(1000, 0, 0, HR, 40, 0),
    R(1000, 0, 1, SYS, 200, 0),
    DOWN(5000, 0, 0, RAISE(COMMS, NOV, NAN, NAN, P_MED, 0)),
    TICK(11000, 0, RAISE(HIGH, SYS, 200, 160, P_MED, 1)),
    UP(12000, 0, 0, CLEAR(COMMS, NOV, NAN, NAN, P_MED, 0)),
    TICK(30000, 0),
};

/* Unusable readings never raise and never clear; missing data and a device
 * down leave an active alert active. Artifact-flagged values are usable. */
static const struct step unusable_never[] = {
    R(0, 0, 0, RR, 3, Q_INV),
    R(0, 0, 0, RR, 50, Q_SRCH),
    R(0, 0, 0, HR, 20, Q_IMPL),
    R(1000, 0, 0, SPO2, 85, 0, RAISE(LOW, SPO2, 85, 90, P_HI, 0)),
    R(2000, 0, 0, SPO2, 99, Q_IMPL),
    R(3000, 0, 0, SPO2, 99, Q_SRCH),
    R(4000, 0, 0, SPO2, NAN, 0),
    DOWN(5000, 0, 0, RAISE(COMMS, NOV, NAN, NAN, P_MED, 0)),
    UP(6000, 0, 0, CLEAR(COMMS, NOV, NAN, NAN, P_MED, 0)),
    R(7000, 0, 0, SPO2, 95, VSD_Q_ARTIFACT, CLEAR(LOW, SPO2, 95, 90, P_HI, 0)),
};

/* Sensor off while a physiological alert is active: the alert stays; device
 * down cancels the pending sensor-off timer. */
static const struct step active_survives[] = {
    R(0, 0, 0, SPO2, 85, 0, RAISE(LOW, SPO2, 85, 90, P_HI, 0)),
    R(1000, 0, 0, SPO2, 99, Q_OFF),
    DOWN(2000, 0, 0, RAISE(COMMS, NOV, NAN, NAN, P_MED, 0)),
    TICK(60000, 0),
    UP(61000, 0, 0, CLEAR(COMMS, NOV, NAN, NAN, P_MED, 0)),
    R(62000, 0, 0, SPO2, 95, 0, CLEAR(LOW, SPO2, 95, 90, P_HI, 0)),
};

/* A single NIBP measurement with a delay raises on tick. */
static const struct step nibp_single[] = {
    R(0, 0, 2, SYS, 80, 0),
    TICK(1000, 0),
    TICK(4999, 0),
    TICK(5000, 0, RAISE(LOW, SYS, 80, 90, P_MED, 2)),
    TICK(6000, 0),
    R(300000, 0, 2, SYS, 94.9, 0),
    R(600000, 0, 2, SYS, 95, 0, CLEAR(LOW, SYS, 95, 90, P_MED, 2)),
    R(900000, 0, 2, SYS, 170, 0),
    TICK(905000, 0, RAISE(HIGH, SYS, 170, 160, P_MED, 2)),
};

/* Low and high are independent; in one reading LOW events come before HIGH. */
static const struct step low_high_independent[] = {
    R(0, 0, 0, RR, 5, 0, RAISE(LOW, RR, 5, 8, P_HI, 0)),
    R(1000, 0, 0, RR, 35, 0, CLEAR(LOW, RR, 35, 8, P_HI, 0), RAISE(HIGH, RR, 35, 30, P_LO, 0)),
    R(2000, 0, 0, RR, 29, 0),
    R(3000, 0, 0, RR, 5, 0, RAISE(LOW, RR, 5, 8, P_HI, 0), CLEAR(HIGH, RR, 5, 30, P_LO, 0)),
    R(4000, 0, 0, RR, 6, 0),
};

/* Bed 1 is untouched by bed 0 and the reverse, even with the same vital. */
static const struct step two_beds[] = {
    R(0, 0, 0, HR, 40, 0),
    R(0, 1, 1, HR, 40, 0),
    R(5000, 1, 1, HR, 70, 0),
    TICK(10000, 0, RAISE(LOW, HR, 40, 50, P_HI, 0)),
    R(11000, 1, 1, SPO2, 85, 0, RAISE(LOW, SPO2, 85, 90, P_HI, 1)),
    R(12000, 0, 0, SPO2, 95, 0),
    DOWN(13000, 1, 1, RAISE(COMMS, NOV, NAN, NAN, P_MED, 1)),
    R(14000, 0, 0, HR, 60, 0, CLEAR(LOW, HR, 60, 50, P_HI, 0)),
};

/* COMMS_LOSS: raised at once, once; cleared when the device comes back. */
static const struct step comms_loss[] = {
    DOWN(0, 0, 2, RAISE(COMMS, NOV, NAN, NAN, P_MED, 2)),
    DOWN(1000, 0, 2),
    TICK(2000, 0),
    UP(3000, 0, 2, CLEAR(COMMS, NOV, NAN, NAN, P_MED, 2)),
    UP(4000, 0, 2),
    DOWN(5000, 0, 2, RAISE(COMMS, NOV, NAN, NAN, P_MED, 2)),
};

/* SENSOR_OFF: delay on readings, vital of the first sensor-off reading, other
 * vitals neither cancel nor clear, same vital without the flag clears. */
static const struct step sensor_off[] = {
    R(0, 0, 0, SPO2, NAN, Q_OFF),
    R(5000, 0, 0, PR, NAN, Q_OFF),
    R(6000, 0, 0, HR, 70, 0),
    R(9999, 0, 0, SPO2, NAN, Q_OFF),
    R(10000, 0, 0, PR, NAN, Q_OFF, RAISE(SOFF, SPO2, NAN, NAN, P_MED, 0)),
    R(11000, 0, 0, PR, 70, 0),
    R(11500, 0, 0, SPO2, NAN, Q_OFF),
    R(12000, 0, 0, SPO2, 97, 0, CLEAR(SOFF, SPO2, 97, NAN, P_MED, 0)),
};

/* SENSOR_OFF on tick, cancelled by a good reading; sensor off does not feed
 * INVALID; delay 0 (bed 1) raises at once. */
static const struct step sensor_off_tick[] = {
    R(0, 0, 0, SPO2, NAN, Q_OFF),
    R(3000, 0, 0, SPO2, 97, 0),
    TICK(10000, 0),
    R(20000, 0, 0, HR, NAN, Q_OFF | Q_INV),
    TICK(29999, 0),
    TICK(30000, 0, RAISE(SOFF, HR, NAN, NAN, P_MED, 0)),
    TICK(50000, 0),
    R(60000, 1, 1, SPO2, NAN, Q_OFF, RAISE(SOFF, SPO2, NAN, NAN, P_MED, 1)),
};

/* INVALID: invalid values persisting for the delay, on a reading and on tick;
 * cleared by a usable reading (before the physiological check of that reading). */
static const struct step invalid[] = {
    R(0, 0, 0, HR, NAN, Q_INV),
    R(14999, 0, 0, HR, NAN, Q_INV),
    R(15000, 0, 0, HR, NAN, Q_INV, RAISE(INVAL, HR, NAN, NAN, P_LO, 0)),
    R(16000, 0, 0, HR, NAN, Q_OFF),
    R(17000, 0, 0, HR, 70, 0, CLEAR(INVAL, HR, 70, NAN, P_LO, 0)),
    R(20000, 0, 1, SPO2, 20, Q_IMPL),
    TICK(34999, 0),
    TICK(35000, 0, RAISE(INVAL, SPO2, 20, NAN, P_LO, 1)),
    R(36000, 0, 1, SPO2, 30, Q_IMPL),
    R(37000, 0, 1, SPO2, 85, 0, CLEAR(INVAL, SPO2, 85, NAN, P_LO, 1),
      RAISE(LOW, SPO2, 85, 90, P_HI, 1)),
};

/* INVALID timer is cancelled by a reading that is not invalid and restarts. */
static const struct step invalid_cancel[] = {
    R(0, 0, 0, RR, NAN, Q_INV),
    R(10000, 0, 0, RR, 12, 0),
    TICK(15000, 0),
    R(20000, 0, 0, RR, 200, Q_IMPL),
    R(25000, 0, 0, RR, 20, 0),
    TICK(35000, 0),
    R(40000, 0, 0, RR, NAN, 0),
    DOWN(41000, 0, 0, RAISE(COMMS, NOV, NAN, NAN, P_MED, 0)),
    TICK(60000, 0),
};

/* A monitor that keeps searching shows no value: persistent, it is an INVALID alert. */
static const struct step searching[] = {
    R(0, 0, 0, SPO2, NAN, Q_SRCH),
    R(14999, 0, 0, SPO2, NAN, Q_SRCH),
    TICK(15000, 0, RAISE(INVAL, SPO2, NAN, NAN, P_LO, 0)),
    R(16000, 0, 0, SPO2, 97, 0, CLEAR(INVAL, SPO2, 97, NAN, P_LO, 0)),
};

/* An implausible value never raises a physiological alert, however long. */
static const struct step implausible[] = {
    R(0, 0, 0, SPO2, 20, Q_IMPL),
    R(1000, 0, 0, RR, 0.5, Q_IMPL),
    R(1000, 0, 0, HR, 400, Q_IMPL),
    TICK(14999, 0),
    TICK(15000, 0, RAISE(INVAL, SPO2, 20, NAN, P_LO, 0)),
    TICK(16000, 0, RAISE(INVAL, HR, 400, NAN, P_LO, 0), RAISE(INVAL, RR, 0.5, NAN, P_LO, 0)),
    R(17000, 0, 0, SPO2, 20, Q_IMPL),
    TICK(100000, 0),
};

static const struct tcase cases[] = {
    CASE(delay_boundary),
    CASE(delay_zero),
    CASE(hysteresis_boundary),
    CASE(strict_limit),
    CASE(pending_cancel_normal),
    CASE(pending_cancel_unusable),
    CASE(pending_cancel_down),
    CASE(unusable_never),
    CASE(active_survives),
    CASE(nibp_single),
    CASE(low_high_independent),
    CASE(two_beds),
    CASE(comms_loss),
    CASE(sensor_off),
    CASE(sensor_off_tick),
    CASE(invalid),
    CASE(invalid_cancel),
    CASE(searching),
    CASE(implausible),
};

static void test_table(void **state)
{
    const struct tcase *c = *state;

    run_case(c);
}

static void feed(struct vsd_alarm *a, int64_t t, size_t bed, size_t dev, enum vsd_vital v,
                 double value, struct recorder *rec)
{
    struct vsd_alarm_now now = {t, WALL0 + t};
    struct vsd_reading r = {v, value, 0, 0};

    vsd_alarm_reading(a, now, bed, dev, &r, record_event, rec);
}

/* Highest priority first, then oldest, then raise order; MAX truncates. */
static void test_active_order(void **state)
{
    struct recorder rec;
    struct vsd_alarm *a;
    const struct vsd_alert *out[8];
    struct vsd_alarm_now now = {2000, WALL0 + 2000};
    size_t n;

    (void)state;
    memset(&rec, 0, sizeof(rec));
    a = new_engine(&rec);
    assert_non_null(a);
    feed(a, 0, 0, 0, RR, 40, &rec);                            /* high, prio low, wall 0 */
    feed(a, 0, 0, 0, HR, 40, &rec);                            /* pending 10 s */
    feed(a, 1000, 0, 0, SPO2, 80, &rec);                       /* prio high, wall 1000 */
    vsd_alarm_device(a, now, 0, 2, false, record_event, &rec); /* prio medium, wall 2000 */
    vsd_alarm_device(a, now, 0, 1, false, record_event, &rec); /* same time: raise order */
    now = (struct vsd_alarm_now){10000, WALL0 + 10000};
    vsd_alarm_tick(a, now, record_event, &rec); /* HR low, prio high, wall 10000 */
    feed(a, 10000, 1, 0, SPO2, 80, &rec);       /* bed 1: not in bed 0's list */
    assert_int_equal(rec.n, 6);

    n = vsd_alarm_active(a, 0, out, 8);
    assert_int_equal(n, 5);
    assert_int_equal(out[0]->vital, SPO2);
    assert_int_equal(out[1]->vital, HR);
    assert_int_equal(out[1]->code, LOW);
    assert_int_equal(out[2]->code, COMMS);
    assert_int_equal(out[2]->device, 2);
    assert_int_equal(out[3]->code, COMMS);
    assert_int_equal(out[3]->device, 1);
    assert_int_equal(out[4]->vital, RR);
    assert_int_equal(out[4]->code, HIGH);

    memset(out, 0, sizeof(out));
    assert_int_equal(vsd_alarm_active(a, 0, out, 2), 5);
    assert_int_equal(out[0]->vital, SPO2);
    assert_int_equal(out[1]->vital, HR);
    assert_null(out[2]);
    assert_int_equal(vsd_alarm_active(a, 0, NULL, 0), 5);
    assert_int_equal(vsd_alarm_active(a, 1, out, 8), 1);
    assert_int_equal(out[0]->bed, 1);
    assert_int_equal(vsd_alarm_active(a, 2, out, 8), 0);
    vsd_alarm_free(a);
}

/* Ids come from id_fn, one call per raise; without id_fn they are still unique. */
static void test_ids(void **state)
{
    struct recorder rec;
    struct vsd_alarm_config cfg = test_config(0);
    struct vsd_alarm *a;

    (void)state;
    memset(&rec, 0, sizeof(rec));
    a = new_engine(&rec);
    assert_non_null(a);
    for (int i = 0; i < 10; i++) {
        rec.n = 0;
        feed(a, i * 1000, 0, 0, SPO2, i % 2 ? 99 : 80, &rec);
        check_ids("ids", (size_t)i, &rec);
    }
    assert_int_equal(rec.id_calls, 5);
    vsd_alarm_free(a);

    memset(&rec, 0, sizeof(rec));
    a = vsd_alarm_new(&cfg, 1, 1, NULL, NULL);
    assert_non_null(a);
    for (int i = 0; i < 6; i++) {
        rec.n = 0;
        feed(a, i * 1000, 0, 0, SPO2, i % 2 ? 99 : 80, &rec);
        assert_int_equal(rec.n, 1);
        rec.id_calls += rec.ev[0].type == VSD_ALARM_RAISED; /* no id_fn: count raises */
        check_ids("ids-null", (size_t)i, &rec);
    }
    vsd_alarm_free(a);
}

/* Bad arguments are ignored; NULL is fine where documented. */
static void test_edges(void **state)
{
    struct recorder rec;
    struct vsd_alarm *a;
    struct vsd_alarm_now now = {0, WALL0};
    struct vsd_reading r = {SPO2, 10, 0, 0};

    (void)state;
    vsd_alarm_free(NULL);
    assert_null(vsd_alarm_new(NULL, 1, 1, NULL, NULL));
    a = vsd_alarm_new(NULL, 0, 0, NULL, NULL);
    assert_non_null(a);
    assert_int_equal(vsd_alarm_active(a, 0, NULL, 0), 0);
    vsd_alarm_free(a);

    memset(&rec, 0, sizeof(rec));
    a = new_engine(&rec);
    assert_non_null(a);
    vsd_alarm_reading(a, now, N_BEDS, 0, &r, record_event, &rec);
    vsd_alarm_reading(a, now, 0, N_DEVICES, &r, record_event, &rec);
    r.vital = VSD_VITAL_COUNT;
    vsd_alarm_reading(a, now, 0, 0, &r, record_event, &rec);
    vsd_alarm_device(a, now, N_BEDS, 0, false, record_event, &rec);
    vsd_alarm_device(a, now, 0, N_DEVICES, false, record_event, &rec);
    assert_int_equal(rec.n, 0);
    r.vital = SPO2;
    vsd_alarm_reading(a, now, 0, 0, &r, NULL, NULL); /* no emit: state still moves */
    assert_int_equal(vsd_alarm_active(a, 0, NULL, 0), 1);
    vsd_alarm_free(a);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(vsd_priority_name(VSD_PRIO_LOW), "low");
    assert_string_equal(vsd_priority_name(VSD_PRIO_MEDIUM), "medium");
    assert_string_equal(vsd_priority_name(VSD_PRIO_HIGH), "high");
    assert_int_equal(vsd_priority_parse("low"), VSD_PRIO_LOW);
    assert_int_equal(vsd_priority_parse("medium"), VSD_PRIO_MEDIUM);
    assert_int_equal(vsd_priority_parse("high"), VSD_PRIO_HIGH);
    assert_int_equal(vsd_priority_parse("urgent"), -EINVAL);
    assert_int_equal(vsd_priority_parse(""), -EINVAL);
    assert_int_equal(vsd_priority_parse(NULL), -EINVAL);
    assert_string_equal(vsd_alert_code_name(VSD_ALERT_LOW), "low");
    assert_string_equal(vsd_alert_code_name(VSD_ALERT_HIGH), "high");
    assert_string_equal(vsd_alert_code_name(VSD_ALERT_COMMS_LOSS), "comms_loss");
    assert_string_equal(vsd_alert_code_name(VSD_ALERT_SENSOR_OFF), "sensor_off");
    assert_string_equal(vsd_alert_code_name(VSD_ALERT_INVALID), "invalid");
    assert_false(vsd_alert_code_technical(VSD_ALERT_LOW));
    assert_false(vsd_alert_code_technical(VSD_ALERT_HIGH));
    assert_true(vsd_alert_code_technical(VSD_ALERT_COMMS_LOSS));
    assert_true(vsd_alert_code_technical(VSD_ALERT_SENSOR_OFF));
    assert_true(vsd_alert_code_technical(VSD_ALERT_INVALID));
}

int main(void)
{
    struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 4];
    size_t n = 0;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct CMUnitTest t = cmocka_unit_test_prestate(test_table, (void *)&cases[i]);
        t.name = cases[i].name;
        tests[n++] = t;
    }
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_active_order);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_ids);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_edges);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_names);
    assert_true(n == sizeof(tests) / sizeof(tests[0]));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
