/* SPDX-License-Identifier: MIT */
/* The alarm engine: physiological and technical alert state machines driven by readings and time.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm.h"

/*
 * Semantics. All state is allocated by vsd_alarm_new(); afterwards the engine
 * allocates nothing, does no I/O, reads no clock and logs nothing. Calls are
 * not reentrant: an emit callback may call vsd_alarm_active() but must not
 * feed the engine.
 *
 * A reading is *usable* when it carries none of VSD_Q_UNUSABLE and its value
 * is not NAN.
 *
 * Physiological alerts (per bed and vital, low and high independently):
 *  - condition low: value < low; high: value > high (strict). Only usable
 *    readings are tested, and only when the vital has that limit.
 *  - IDLE -> PENDING when a usable reading satisfies the condition; t0 is its
 *    now.mono_ms. PENDING -> ACTIVE (raised) when a usable reading at t with
 *    t - t0 >= delay_ms still satisfies it, or on vsd_alarm_tick(now) when
 *    now - t0 >= delay_ms (a pending condition always means the last usable
 *    reading satisfied it). delay_ms <= 0 raises on the reading itself.
 *  - PENDING -> IDLE on a usable reading that does not satisfy the condition,
 *    on any unusable reading of that vital at that bed (a stale value must not
 *    satisfy later), and when the device that last fed the condition goes down.
 *  - ACTIVE -> IDLE (cleared) on a usable reading with value >= low + h (low)
 *    or value <= high - h (high); h is the hysteresis, a negative or NAN h
 *    counts as 0. Missing, unusable data or a device going down never clear it.
 *  - Raised alert: value = the reading value that raised it (on tick: the last
 *    satisfying value), limit = low or high, priority = low_priority or
 *    high_priority, device = the device of that reading. The cleared event
 *    carries the clearing value.
 *
 * Technical alerts:
 *  - COMMS_LOSS (per device): raised at once when the device goes down
 *    (vital VSD_VITAL_COUNT, value and limit NAN), never twice in a row;
 *    cleared when it comes up. The bed is the one given by the caller.
 *  - SENSOR_OFF (per device): a reading with VSD_Q_SENSOR_OFF starts a timer
 *    (t0); it raises when sensor-off readings persist for sensor_off_delay_ms
 *    (on a reading or on tick; <= 0 raises at once); vital = the vital of the
 *    first sensor-off reading. A reading from that device of that vital without
 *    VSD_Q_SENSOR_OFF cancels the timer or clears the alert (event value = its
 *    value); readings of other vitals change nothing.
 *  - INVALID (per bed and vital): an *invalid* reading is one with
 *    VSD_Q_INVALID, VSD_Q_IMPLAUSIBLE or VSD_Q_SEARCHING (a monitor searching
 *    for minutes shows no value either), or a NAN value, and without
 *    VSD_Q_SENSOR_OFF (which has its own alert). Invalid readings persisting
 *    for invalid_delay_ms raise it (value = the last invalid value, may be NAN;
 *    limit NAN; device = the device of that reading). Any other reading of the
 *    vital (usable, sensor off) cancels the timer; only a usable
 *    reading clears the alert.
 *  - A device going down cancels its pending SENSOR_OFF timer and the pending
 *    INVALID and physiological conditions it last fed at that bed; active
 *    alerts stay.
 *
 * Ids: id_fn(id_ctx, alert->id) is called once for each raise (a counter makes
 * the id when id_fn is NULL).
 *
 * Event order (deterministic): for a reading, SENSOR_OFF, then INVALID, then
 * LOW, then HIGH. For a tick: beds in order, per bed vitals in order, per
 * vital LOW, HIGH, INVALID; then devices in order (SENSOR_OFF). During a
 * callback the alert already has its new state in vsd_alarm_active().
 *
 * vsd_alarm_active() orders by priority (highest first), then raised_wall_ms
 * (oldest first), then raise order. Out-of-range bed, device or vital
 * arguments are ignored.
 */

enum cond_state { COND_IDLE, COND_PENDING, COND_ACTIVE };

/* One alert condition. The alert is the first member so that a pointer handed
 * out by vsd_alarm_active() leads back to its slot. */
struct slot {
    struct vsd_alert alert;
    enum cond_state state;
    uint64_t seq;         /* raise order, for a stable ordering */
    int64_t t0;           /* mono ms the pending condition started */
    double value;         /* last value that fed the pending condition */
    size_t device;        /* device that last fed the condition */
    size_t bed;           /* technical per-device slots: bed of the condition */
    enum vsd_vital vital; /* SENSOR_OFF: vital of the first sensor-off reading */
};

struct vital_state {
    struct slot low, high, invalid;
};

struct device_state {
    struct slot comms, sensor_off;
};

struct vsd_alarm {
    size_t n_beds, n_devices;
    struct vsd_alarm_config *cfgs; /* one per bed */
    struct vital_state *vitals;    /* n_beds x VSD_VITAL_COUNT */
    struct device_state *devices;  /* n_devices */
    vsd_alarm_id_fn id_fn;
    void *id_ctx;
    uint64_t seq;
};

/* What a raise needs beyond the slot. */
struct raise_info {
    enum vsd_alert_code code;
    enum vsd_priority priority;
    size_t bed;
    enum vsd_vital vital;
    double limit;
};

/* Where events go. */
struct sink {
    vsd_alarm_emit_fn emit;
    void *ctx;
    struct vsd_alarm_now now;
};

static void emit_event(const struct sink *k, enum vsd_alarm_event_type type,
                       const struct vsd_alert *alert, double value)
{
    struct vsd_alarm_event ev = {
        .type = type, .alert = alert, .value = value, .wall_ms = k->now.wall_ms};

    if (k->emit)
        k->emit(k->ctx, &ev);
}

static void make_id(struct vsd_alarm *a, char out[33])
{
    if (a->id_fn) {
        a->id_fn(a->id_ctx, out);
        out[32] = '\0';
        return;
    }
    snprintf(out, 33, "%032llx", (unsigned long long)a->seq);
}

/* Raise S with its pending value and device. */
static void slot_raise(struct vsd_alarm *a, struct slot *s, const struct raise_info *ri,
                       const struct sink *k)
{
    struct vsd_alert *al = &s->alert;

    memset(al, 0, sizeof(*al));
    al->code = ri->code;
    al->priority = ri->priority;
    al->bed = ri->bed;
    al->device = s->device;
    al->vital = ri->vital;
    al->value = s->value;
    al->limit = ri->limit;
    al->raised_wall_ms = k->now.wall_ms;
    s->seq = ++a->seq;
    make_id(a, al->id);
    s->state = COND_ACTIVE;
    emit_event(k, VSD_ALARM_RAISED, al, al->value);
}

static void slot_clear(struct slot *s, double value, const struct sink *k)
{
    s->state = COND_IDLE;
    emit_event(k, VSD_ALARM_CLEARED, &s->alert, value);
}

/* Start or continue a pending condition; true when its delay has run out. */
static bool slot_pend(struct slot *s, int64_t mono_ms, double value, size_t device, int64_t delay)
{
    if (s->state == COND_IDLE) {
        s->state = COND_PENDING;
        s->t0 = mono_ms;
    }
    s->value = value;
    s->device = device;
    return mono_ms - s->t0 >= delay;
}

static void slot_cancel(struct slot *s)
{
    if (s->state == COND_PENDING)
        s->state = COND_IDLE;
}

static bool slot_due(const struct slot *s, int64_t mono_ms, int64_t delay)
{
    return s->state == COND_PENDING && mono_ms - s->t0 >= delay;
}

static struct vital_state *vital_at(const struct vsd_alarm *a, size_t bed, enum vsd_vital v)
{
    return &a->vitals[bed * VSD_VITAL_COUNT + (size_t)v];
}

static double hysteresis(const struct vsd_limit *lim)
{
    return lim->hysteresis > 0 ? lim->hysteresis : 0;
}

static struct raise_info phys_info(const struct vsd_limit *lim, size_t bed, enum vsd_vital v,
                                   bool high)
{
    struct raise_info ri = {
        .code = high ? VSD_ALERT_HIGH : VSD_ALERT_LOW,
        .priority = high ? lim->high_priority : lim->low_priority,
        .bed = bed,
        .vital = v,
        .limit = high ? lim->high : lim->low,
    };
    return ri;
}

/* One side (low or high) of a physiological condition for a usable value. */
static void phys_side(struct vsd_alarm *a, struct slot *s, const struct raise_info *ri,
                      const struct vsd_limit *lim, size_t device, double value,
                      const struct sink *k)
{
    bool high = ri->code == VSD_ALERT_HIGH;
    bool satisfied = high ? value > ri->limit : value < ri->limit;
    double h = hysteresis(lim);

    if (s->state == COND_ACTIVE) {
        bool clears = high ? value <= ri->limit - h : value >= ri->limit + h;
        if (clears)
            slot_clear(s, value, k);
        return;
    }
    if (!satisfied) {
        slot_cancel(s);
        return;
    }
    if (slot_pend(s, k->now.mono_ms, value, device, lim->delay_ms))
        slot_raise(a, s, ri, k);
}

static void phys_reading(struct vsd_alarm *a, size_t bed, size_t device,
                         const struct vsd_reading *r, bool usable, const struct sink *k)
{
    const struct vsd_limit *lim = &a->cfgs[bed].limits[r->vital];
    struct vital_state *vs = vital_at(a, bed, r->vital);
    struct raise_info ri;

    if (!usable) {
        slot_cancel(&vs->low);
        slot_cancel(&vs->high);
        return;
    }
    if (lim->has_low) {
        ri = phys_info(lim, bed, r->vital, false);
        phys_side(a, &vs->low, &ri, lim, device, r->value, k);
    }
    if (lim->has_high) {
        ri = phys_info(lim, bed, r->vital, true);
        phys_side(a, &vs->high, &ri, lim, device, r->value, k);
    }
}

static struct raise_info invalid_info(const struct vsd_alarm_config *cfg, size_t bed,
                                      enum vsd_vital v)
{
    struct raise_info ri = {.code = VSD_ALERT_INVALID,
                            .priority = cfg->invalid_priority,
                            .bed = bed,
                            .vital = v,
                            .limit = NAN};
    return ri;
}

static void invalid_reading(struct vsd_alarm *a, size_t bed, size_t device,
                            const struct vsd_reading *r, bool usable, const struct sink *k)
{
    const struct vsd_alarm_config *cfg = &a->cfgs[bed];
    struct slot *s = &vital_at(a, bed, r->vital)->invalid;
    bool invalid = !(r->flags & VSD_Q_SENSOR_OFF) &&
                   ((r->flags & (VSD_Q_INVALID | VSD_Q_IMPLAUSIBLE | VSD_Q_SEARCHING)) ||
                    isnan(r->value));
    struct raise_info ri;

    if (s->state == COND_ACTIVE) {
        if (usable)
            slot_clear(s, r->value, k);
        return;
    }
    if (!invalid) {
        slot_cancel(s);
        return;
    }
    if (slot_pend(s, k->now.mono_ms, r->value, device, cfg->invalid_delay_ms)) {
        ri = invalid_info(cfg, bed, r->vital);
        slot_raise(a, s, &ri, k);
    }
}

static struct raise_info sensor_off_info(const struct vsd_alarm_config *cfg, const struct slot *s)
{
    struct raise_info ri = {.code = VSD_ALERT_SENSOR_OFF,
                            .priority = cfg->sensor_off_priority,
                            .bed = s->bed,
                            .vital = s->vital,
                            .limit = NAN};
    return ri;
}

static void sensor_off_reading(struct vsd_alarm *a, size_t bed, size_t device,
                               const struct vsd_reading *r, const struct sink *k)
{
    struct slot *s = &a->devices[device].sensor_off;
    struct raise_info ri;

    if (!(r->flags & VSD_Q_SENSOR_OFF)) {
        if (s->state == COND_ACTIVE && s->alert.vital == r->vital)
            slot_clear(s, r->value, k);
        else if (s->state == COND_PENDING && s->vital == r->vital)
            slot_cancel(s);
        return;
    }
    if (s->state == COND_ACTIVE)
        return;
    if (s->state == COND_IDLE) {
        s->vital = r->vital;
        s->bed = bed;
    }
    if (slot_pend(s, k->now.mono_ms, NAN, device, a->cfgs[s->bed].sensor_off_delay_ms)) {
        ri = sensor_off_info(&a->cfgs[s->bed], s);
        slot_raise(a, s, &ri, k);
    }
}

void vsd_alarm_reading(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                       const struct vsd_reading *r, vsd_alarm_emit_fn emit, void *ctx)
{
    struct sink k = {.emit = emit, .ctx = ctx, .now = now};
    bool usable;

    if (!a || !r || bed >= a->n_beds || device >= a->n_devices ||
        (unsigned)r->vital >= VSD_VITAL_COUNT)
        return;
    usable = !(r->flags & VSD_Q_UNUSABLE) && !isnan(r->value);
    sensor_off_reading(a, bed, device, r, &k);
    invalid_reading(a, bed, device, r, usable, &k);
    phys_reading(a, bed, device, r, usable, &k);
}

/* Cancel what DEVICE has pending: its sensor-off timer and, at BED, the
 * invalid and physiological conditions it last fed. */
static void cancel_device(struct vsd_alarm *a, size_t bed, size_t device)
{
    slot_cancel(&a->devices[device].sensor_off);
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        struct vital_state *vs = vital_at(a, bed, (enum vsd_vital)v);
        struct slot *slots[] = {&vs->low, &vs->high, &vs->invalid};

        for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
            if (slots[i]->state == COND_PENDING && slots[i]->device == device)
                slot_cancel(slots[i]);
    }
}

void vsd_alarm_device(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                      bool up, vsd_alarm_emit_fn emit, void *ctx)
{
    struct sink k = {.emit = emit, .ctx = ctx, .now = now};
    struct slot *s;
    struct raise_info ri;

    if (!a || bed >= a->n_beds || device >= a->n_devices)
        return;
    s = &a->devices[device].comms;
    if (up) {
        if (s->state == COND_ACTIVE)
            slot_clear(s, NAN, &k);
        return;
    }
    cancel_device(a, bed, device);
    if (s->state == COND_ACTIVE)
        return;
    ri = (struct raise_info){.code = VSD_ALERT_COMMS_LOSS,
                             .priority = a->cfgs[bed].comms_loss_priority,
                             .bed = bed,
                             .vital = VSD_VITAL_COUNT,
                             .limit = NAN};
    s->value = NAN;
    s->device = device;
    s->bed = bed;
    slot_raise(a, s, &ri, &k);
}

static void tick_bed(struct vsd_alarm *a, size_t bed, const struct sink *k)
{
    const struct vsd_alarm_config *cfg = &a->cfgs[bed];
    int64_t t = k->now.mono_ms;

    for (int i = 0; i < VSD_VITAL_COUNT; i++) {
        enum vsd_vital v = (enum vsd_vital)i;
        const struct vsd_limit *lim = &cfg->limits[v];
        struct vital_state *vs = vital_at(a, bed, v);
        struct raise_info ri;

        if (lim->has_low && slot_due(&vs->low, t, lim->delay_ms)) {
            ri = phys_info(lim, bed, v, false);
            slot_raise(a, &vs->low, &ri, k);
        }
        if (lim->has_high && slot_due(&vs->high, t, lim->delay_ms)) {
            ri = phys_info(lim, bed, v, true);
            slot_raise(a, &vs->high, &ri, k);
        }
        if (slot_due(&vs->invalid, t, cfg->invalid_delay_ms)) {
            ri = invalid_info(cfg, bed, v);
            slot_raise(a, &vs->invalid, &ri, k);
        }
    }
}

void vsd_alarm_tick(struct vsd_alarm *a, struct vsd_alarm_now now, vsd_alarm_emit_fn emit,
                    void *ctx)
{
    struct sink k = {.emit = emit, .ctx = ctx, .now = now};

    if (!a)
        return;
    for (size_t b = 0; b < a->n_beds; b++)
        tick_bed(a, b, &k);
    for (size_t d = 0; d < a->n_devices; d++) {
        struct slot *s = &a->devices[d].sensor_off;
        const struct vsd_alarm_config *cfg;
        struct raise_info ri;

        if (s->state != COND_PENDING)
            continue;
        cfg = &a->cfgs[s->bed];
        if (slot_due(s, now.mono_ms, cfg->sensor_off_delay_ms)) {
            ri = sensor_off_info(cfg, s);
            slot_raise(a, s, &ri, &k);
        }
    }
}

/* True when X goes before Y in vsd_alarm_active(). */
static bool active_before(const struct slot *x, const struct slot *y)
{
    if (x->alert.priority != y->alert.priority)
        return x->alert.priority > y->alert.priority;
    if (x->alert.raised_wall_ms != y->alert.raised_wall_ms)
        return x->alert.raised_wall_ms < y->alert.raised_wall_ms;
    return x->seq < y->seq;
}

/* Insert S into the sorted OUT (N entries, room for MAX), dropping the last. */
static void active_insert(const struct slot *s, const struct vsd_alert **out, size_t n, size_t max)
{
    size_t i = n < max ? n : max;

    while (i > 0 && active_before(s, (const struct slot *)out[i - 1])) {
        if (i < max)
            out[i] = out[i - 1];
        i--;
    }
    if (i < max)
        out[i] = &s->alert;
}

size_t vsd_alarm_active(const struct vsd_alarm *a, size_t bed, const struct vsd_alert **out,
                        size_t max)
{
    size_t n = 0;

    if (!a || bed >= a->n_beds)
        return 0;
    if (!out)
        max = 0;
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        const struct vital_state *vs = vital_at(a, bed, (enum vsd_vital)v);
        const struct slot *slots[] = {&vs->low, &vs->high, &vs->invalid};

        for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
            if (slots[i]->state == COND_ACTIVE)
                active_insert(slots[i], out, n++, max);
    }
    for (size_t d = 0; d < a->n_devices; d++) {
        const struct device_state *ds = &a->devices[d];
        const struct slot *slots[] = {&ds->comms, &ds->sensor_off};

        for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
            if (slots[i]->state == COND_ACTIVE && slots[i]->alert.bed == bed)
                active_insert(slots[i], out, n++, max);
    }
    return n;
}

struct vsd_alarm *vsd_alarm_new(const struct vsd_alarm_config *bed_cfgs, size_t n_beds,
                                size_t n_devices, vsd_alarm_id_fn id_fn, void *id_ctx)
{
    struct vsd_alarm *a = NULL;

    if (n_beds > 0 && !bed_cfgs) {
        errno = EINVAL;
        return NULL;
    }
    a = calloc(1, sizeof(*a));
    if (!a)
        goto fail;
    a->n_beds = n_beds;
    a->n_devices = n_devices;
    a->id_fn = id_fn;
    a->id_ctx = id_ctx;
    /* calloc checks the products for overflow; +1 keeps zero counts allocating. */
    a->cfgs = calloc(n_beds + 1, sizeof(*a->cfgs));
    a->vitals = calloc(n_beds + 1, sizeof(*a->vitals) * VSD_VITAL_COUNT);
    a->devices = calloc(n_devices + 1, sizeof(*a->devices));
    if (!a->cfgs || !a->vitals || !a->devices)
        goto fail;
    if (n_beds > 0)
        memcpy(a->cfgs, bed_cfgs, n_beds * sizeof(*a->cfgs));
    return a;

fail:
    vsd_alarm_free(a);
    errno = ENOMEM;
    return NULL;
}

void vsd_alarm_free(struct vsd_alarm *a)
{
    if (!a)
        return;
    free(a->cfgs);
    free(a->vitals);
    free(a->devices);
    free(a);
}

static const char *const priority_names[] = {
    [VSD_PRIO_LOW] = "low", [VSD_PRIO_MEDIUM] = "medium", [VSD_PRIO_HIGH] = "high"};

const char *vsd_priority_name(enum vsd_priority p)
{
    if (p < VSD_PRIO_LOW || p > VSD_PRIO_HIGH)
        return "unknown";
    return priority_names[p];
}

int vsd_priority_parse(const char *s)
{
    if (!s)
        return -EINVAL;
    for (int p = VSD_PRIO_LOW; p <= VSD_PRIO_HIGH; p++)
        if (strcmp(s, priority_names[p]) == 0)
            return p;
    return -EINVAL;
}

const char *vsd_alert_code_name(enum vsd_alert_code c)
{
    static const char *const names[VSD_ALERT_CODE_COUNT] = {
        [VSD_ALERT_LOW] = "low",
        [VSD_ALERT_HIGH] = "high",
        [VSD_ALERT_COMMS_LOSS] = "comms_loss",
        [VSD_ALERT_SENSOR_OFF] = "sensor_off",
        [VSD_ALERT_INVALID] = "invalid",
    };

    if ((unsigned)c >= VSD_ALERT_CODE_COUNT)
        return "unknown";
    return names[c];
}

bool vsd_alert_code_technical(enum vsd_alert_code c)
{
    return c == VSD_ALERT_COMMS_LOSS || c == VSD_ALERT_SENSOR_OFF || c == VSD_ALERT_INVALID;
}
