/* SPDX-License-Identifier: MIT */
/* The alarm engine's alert lifecycle: raise, latch, acknowledge, escalate, clear, list. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alarm_int.h"

/*
 * Semantics. All state is allocated by vsd_alarm_new(); afterwards the engine allocates
 * nothing, does no I/O, reads no clock and logs nothing. Calls are not reentrant: an emit
 * callback may call vsd_alarm_active() and vsd_alarm_find() but must not feed the engine.
 *
 * States of an alert (docs/alarms.md says the same in a nurse's words):
 *  - RAISED when its condition has held for the condition delay (alarm_cond.c).
 *  - ACKNOWLEDGED by a named person (vsd_alarm_ack): stops escalation; the alert stays
 *    active, and visible, for as long as its condition holds.
 *  - ESCALATED: an alert of at least escalate_priority not acknowledged escalate_ms[i] after
 *    it was raised takes escalation step i + 1 (on a tick), at most VSD_ESCALATION_STEPS.
 *  - When its condition ends: an alert of at least latch_priority that nobody acknowledged
 *    LATCHES (stays active, condition false) until acknowledged, and the acknowledgement
 *    then clears it (ACKNOWLEDGED, then CLEARED). Any other alert is CLEARED at once.
 *  - A latched alert moves out of its condition slot (to the bed's LATCHED_MAX detached
 *    slots) so that the condition can raise a new alert; when those are all taken it stays in
 *    its slot, which then raises nothing new until it is acknowledged.
 *  - When staff change a vital's limits, its active band alerts move to detached slots too:
 *    each still ends by the band it was raised under (with the vital's current hysteresis),
 *    while the new bands raise their own alerts.
 * Event order within one call is deterministic; during a callback the alert already has its
 * new state in vsd_alarm_active().
 *
 * vsd_alarm_active() orders by priority (highest first), then raised_wall_ms (oldest first),
 * then raise order. Out-of-range bed, device or vital arguments are ignored.
 */

static void emit_event(const struct sink *k, enum vsd_alarm_event_type type,
                       const struct vsd_alert *alert, double value)
{
    struct vsd_alarm_event ev = {
        .type = type, .alert = alert, .value = value, .wall_ms = k->now.wall_ms};

    if (k->out.emit)
        k->out.emit(k->out.ctx, &ev);
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

void vsd_alarm_slot_raise(struct vsd_alarm *a, struct slot *s, const struct raise_info *ri,
                          const struct sink *k)
{
    struct vsd_alert *al;

    if (!s->body && a->n_bodies < a->max_escalating)
        s->body = &a->bodies[a->n_bodies++];
    if (!s->body)
        return; /* cannot happen: the pool has a body for every slot */
    al = &s->body->alert;
    memset(al, 0, sizeof(*al));
    al->code = ri->code;
    al->priority = ri->priority;
    al->bed = ri->bed;
    al->device = s->device;
    al->vital = ri->vital;
    al->measured = k->stand_in ? k->measured : ri->vital;
    al->value = s->value;
    al->limit = ri->limit;
    al->raised_wall_ms = k->now.wall_ms;
    al->raised_mono_ms = k->now.mono_ms;
    al->condition = true;
    s->body->seq = ++a->seq;
    make_id(a, al->id);
    s->state = COND_ACTIVE;
    if (!s->listed && a->n_escalating < a->max_escalating) {
        s->listed = true;
        a->escalating[a->n_escalating++] = s;
    } else if (!s->listed) {
        a->relist = true; /* cannot happen (one entry a slot); never lose one if it did */
    }
    emit_event(k, VSD_ALARM_RAISED, al, al->value);
}

static bool latches(const struct vsd_alarm *a, const struct vsd_alert *al)
{
    return !al->acked && al->priority >= vsd_alarm_cfg(a, al->bed)->latch_priority;
}

/* A free latched slot of the alert's bed, NULL when all are taken. */
static struct slot *free_latched(const struct vsd_alarm *a, size_t bed)
{
    struct bed_state *bs = vsd_alarm_bed(a, bed);

    for (size_t i = 0; i < LATCHED_MAX; i++)
        if (bs->latched[i].state == COND_IDLE)
            return &bs->latched[i];
    return NULL;
}

/* The alert of S moves to the idle slot TO (with S's condition state); S, idle, keeps TO's
 * body, if any, for its next raise: a body belongs to one slot at a time. */
static void move_alert(struct slot *to, struct slot *s)
{
    struct body *spare = to->body;

    *to = *s;
    s->body = spare;
    s->state = COND_IDLE;
}

void vsd_alarm_slot_end(struct vsd_alarm *a, struct slot *s, double value, const struct sink *k)
{
    struct slot *keep;

    if (!latches(a, &s->body->alert)) {
        s->state = COND_IDLE;
        emit_event(k, VSD_ALARM_CLEARED, &s->body->alert, value);
        return;
    }
    s->body->alert.condition = false;
    keep = free_latched(a, s->body->alert.bed);
    if (keep) {
        move_alert(keep, s);
        s = keep;
        a->relist = true;
    }
    emit_event(k, VSD_ALARM_LATCHED, &s->body->alert, value);
}

bool vsd_alarm_slot_pend(struct slot *s, int64_t mono_ms, double value, size_t device,
                         int64_t delay)
{
    if (s->state == COND_IDLE) {
        s->state = COND_PENDING;
        s->t0 = mono_ms;
    }
    s->value = value;
    s->device = device;
    return mono_ms - s->t0 >= delay;
}

void vsd_alarm_slot_cancel(struct slot *s)
{
    if (s->state == COND_PENDING)
        s->state = COND_IDLE;
}

bool vsd_alarm_slot_due(const struct slot *s, int64_t mono_ms, int64_t delay)
{
    return s->state == COND_PENDING && mono_ms - s->t0 >= delay;
}

bool vsd_alarm_slot_holding(const struct slot *s)
{
    return s->state == COND_ACTIVE && s->body->alert.condition;
}

struct vital_state *vsd_alarm_vital(const struct vsd_alarm *a, size_t bed, enum vsd_vital v)
{
    return &a->vitals[bed * VSD_VITAL_COUNT + (size_t)v];
}

struct bed_state *vsd_alarm_bed(const struct vsd_alarm *a, size_t bed)
{
    return &a->beds[bed == VSD_ALARM_DAEMON ? a->n_beds : bed];
}

const struct vsd_alarm_config *vsd_alarm_cfg(const struct vsd_alarm *a, size_t bed)
{
    return &a->cfgs[bed == VSD_ALARM_DAEMON || bed >= a->n_beds ? a->n_beds : bed];
}

void vsd_alarm_each_device_slot(struct device_state *ds, vsd_alarm_slot_fn fn, void *ctx)
{
    fn(&ds->comms, ctx);
    fn(&ds->degraded, ctx);
    fn(&ds->wrong, ctx);
    fn(&ds->sensor_off, ctx);
}

static void each_vital_slot(const struct vsd_alarm *a, vsd_alarm_slot_fn fn, void *ctx)
{
    for (size_t i = 0; i < a->n_beds * VSD_VITAL_COUNT; i++) {
        struct vital_state *vs = &a->vitals[i];

        for (size_t b = 0; b < VSD_BANDS_MAX; b++)
            fn(&vs->bands[b], ctx);
        fn(&vs->rise, ctx);
        fn(&vs->fall, ctx);
        fn(&vs->invalid, ctx);
    }
}

void vsd_alarm_each_slot(const struct vsd_alarm *a, vsd_alarm_slot_fn fn, void *ctx)
{
    each_vital_slot(a, fn, ctx);
    for (size_t d = 0; d < a->n_devices; d++)
        vsd_alarm_each_device_slot(&a->devices[d], fn, ctx);
    for (size_t b = 0; b <= a->n_beds; b++) {
        struct bed_state *bs = &a->beds[b];

        fn(&bs->nibp_overdue, ctx);
        fn(&bs->apnea, ctx);
        for (size_t i = 0; i < LATCHED_MAX; i++)
            fn(&bs->latched[i], ctx);
        for (size_t c = 0; b == a->n_beds && c < VSD_ALERT_CODE_COUNT; c++)
            fn(&bs->daemon[c], ctx);
    }
}

struct escalate_ctx {
    struct vsd_alarm *a;
    const struct sink *k;
};

static void escalate_slot(struct slot *s, void *ctx)
{
    struct escalate_ctx *e = ctx;
    struct vsd_alert *al;
    const struct vsd_alarm_config *cfg;
    int64_t after;

    if (s->state != COND_ACTIVE)
        return;
    al = &s->body->alert;
    if (al->acked || al->escalation >= VSD_ESCALATION_STEPS)
        return;
    cfg = vsd_alarm_cfg(e->a, al->bed);
    while (al->escalation < VSD_ESCALATION_STEPS && al->priority >= cfg->escalate_priority) {
        after = cfg->escalate_ms[al->escalation];
        if (after <= 0 || e->k->now.mono_ms - al->raised_mono_ms < after)
            return;
        al->escalation++; /* a late tick takes every step that is due, in order */
        emit_event(e->k, VSD_ALARM_ESCALATED, al, al->value);
    }
}

/* An alert that may still escalate: active, not acknowledged, a step left. */
static bool may_escalate(const struct slot *s)
{
    return s->state == COND_ACTIVE && !s->body->alert.acked &&
           s->body->alert.escalation < VSD_ESCALATION_STEPS;
}

static void list_slot(struct slot *s, void *ctx)
{
    struct vsd_alarm *a = ctx;

    s->listed = may_escalate(s) && a->n_escalating < a->max_escalating;
    if (s->listed)
        a->escalating[a->n_escalating++] = s;
}

/* Escalation visits the listed slots only (in raise order), dropping those that are done. */
static void escalate(struct vsd_alarm *a, const struct sink *k)
{
    struct escalate_ctx e = {a, k};
    size_t kept = 0;

    if (a->relist) {
        a->relist = false;
        a->n_escalating = 0;
        vsd_alarm_each_slot(a, list_slot, a);
    }
    for (size_t i = 0; i < a->n_escalating; i++) {
        struct slot *s = a->escalating[i];

        escalate_slot(s, &e);
        s->listed = may_escalate(s);
        if (s->listed)
            a->escalating[kept++] = s;
    }
    a->n_escalating = kept;
}

void vsd_alarm_tick(struct vsd_alarm *a, struct vsd_alarm_now now, struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};

    if (!a)
        return;
    vsd_alarm_tick_conditions(a, &k);
    escalate(a, &k);
}

struct find_ctx {
    const char *id;
    struct slot *found;
};

static void find_slot(struct slot *s, void *ctx)
{
    struct find_ctx *f = ctx;

    if (!f->found && s->state == COND_ACTIVE && strcmp(s->body->alert.id, f->id) == 0)
        f->found = s;
}

static struct slot *find(const struct vsd_alarm *a, const char *id)
{
    struct find_ctx f = {id, NULL};

    if (a && id)
        vsd_alarm_each_slot(a, find_slot, &f);
    return f.found;
}

const struct vsd_alert *vsd_alarm_find(const struct vsd_alarm *a, const char *id)
{
    struct slot *s = find(a, id);

    return s ? &s->body->alert : NULL;
}

int vsd_alarm_ack(struct vsd_alarm *a, struct vsd_alarm_now now, const char *id, const char *by,
                  struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};
    struct slot *s = find(a, id);

    if (!s)
        return -ENOENT;
    if (s->body->alert.acked)
        return -EALREADY;
    s->body->alert.acked = true;
    snprintf(s->body->alert.acked_by, sizeof(s->body->alert.acked_by), "%s", by ? by : "");
    s->body->alert.acked_wall_ms = now.wall_ms;
    emit_event(&k, VSD_ALARM_ACKNOWLEDGED, &s->body->alert, s->body->alert.value);
    if (!s->body->alert.condition) {
        s->state = COND_IDLE;
        emit_event(&k, VSD_ALARM_CLEARED, &s->body->alert, NAN);
    }
    return 0;
}

/* True when X goes before Y in vsd_alarm_active(). */
static bool active_before(const struct body *x, const struct body *y)
{
    if (x->alert.priority != y->alert.priority)
        return x->alert.priority > y->alert.priority;
    if (x->alert.raised_wall_ms != y->alert.raised_wall_ms)
        return x->alert.raised_wall_ms < y->alert.raised_wall_ms;
    return x->seq < y->seq;
}

struct active_ctx {
    size_t bed;
    const struct vsd_alert **out;
    size_t n, max;
};

/* Insert active slots of the bed into the sorted list, dropping what does not fit. */
static void active_slot(struct slot *s, void *ctx)
{
    struct active_ctx *c = ctx;
    size_t i;

    if (s->state != COND_ACTIVE || s->body->alert.bed != c->bed)
        return;
    i = c->n < c->max ? c->n : c->max;
    while (i > 0 && active_before(s->body, (const struct body *)c->out[i - 1])) {
        if (i < c->max)
            c->out[i] = c->out[i - 1];
        i--;
    }
    if (i < c->max)
        c->out[i] = &s->body->alert;
    c->n++;
}

/* The slots that can hold BED's alerts: its vitals', its own (latched ones included; the
 * daemon's for VSD_ALARM_DAEMON) and every device's, not every bed's: the core lists a bed's
 * alerts on each of its alert events, which at thousands of beds must not cost them all. */
static void each_bed_slot(const struct vsd_alarm *a, size_t bed, vsd_alarm_slot_fn fn, void *ctx)
{
    struct bed_state *bs = vsd_alarm_bed(a, bed);

    for (int v = 0; bed != VSD_ALARM_DAEMON && v < VSD_VITAL_COUNT; v++) {
        struct vital_state *vs = vsd_alarm_vital(a, bed, (enum vsd_vital)v);

        for (size_t b = 0; b < VSD_BANDS_MAX; b++)
            fn(&vs->bands[b], ctx);
        fn(&vs->rise, ctx);
        fn(&vs->fall, ctx);
        fn(&vs->invalid, ctx);
    }
    for (size_t d = 0; d < a->n_devices; d++)
        vsd_alarm_each_device_slot(&a->devices[d], fn, ctx);
    fn(&bs->nibp_overdue, ctx);
    fn(&bs->apnea, ctx);
    for (size_t i = 0; i < LATCHED_MAX; i++)
        fn(&bs->latched[i], ctx);
    for (size_t c = 0; bed == VSD_ALARM_DAEMON && c < VSD_ALERT_CODE_COUNT; c++)
        fn(&bs->daemon[c], ctx);
}

size_t vsd_alarm_active(const struct vsd_alarm *a, size_t bed, const struct vsd_alert **out,
                        size_t max)
{
    struct active_ctx c = {bed, out, 0, out ? max : 0};

    if (!a || (bed >= a->n_beds && bed != VSD_ALARM_DAEMON))
        return 0;
    each_bed_slot(a, bed, active_slot, &c);
    return c.n;
}

int vsd_alarm_set_limit(struct vsd_alarm *a, size_t bed, enum vsd_vital vital,
                        const struct vsd_limit *lim)
{
    struct vital_state *vs;

    if (!a || !lim || bed >= a->n_beds || (unsigned)vital >= VSD_VITAL_COUNT ||
        lim->n_bands > VSD_BANDS_MAX)
        return -EINVAL;
    a->cfgs[bed].limits[vital] = *lim;
    vs = vsd_alarm_vital(a, bed, vital);
    for (size_t i = 0; i < VSD_BANDS_MAX; i++) {
        struct slot *keep = vs->bands[i].state == COND_ACTIVE ? free_latched(a, bed) : NULL;

        vsd_alarm_slot_cancel(&vs->bands[i]);
        if (keep) { /* the alert lives on apart; the slot serves the new band */
            move_alert(keep, &vs->bands[i]);
            a->relist = true;
        }
    }
    vsd_alarm_slot_cancel(&vs->rise);
    vsd_alarm_slot_cancel(&vs->fall);
    return 0;
}

const struct vsd_limit *vsd_alarm_limit(const struct vsd_alarm *a, size_t bed,
                                        enum vsd_vital vital)
{
    if (!a || bed >= a->n_beds || (unsigned)vital >= VSD_VITAL_COUNT)
        return NULL;
    return &a->cfgs[bed].limits[vital];
}

struct vsd_alarm *vsd_alarm_new(const struct vsd_alarm_config *bed_cfgs, size_t n_beds,
                                size_t n_devices, vsd_alarm_id_fn id_fn, void *id_ctx)
{
    struct vsd_alarm *a = NULL;

    if (n_beds == 0 || !bed_cfgs) {
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
    /* calloc checks the products for overflow; +1: the daemon's entry. */
    a->cfgs = calloc(n_beds + 1, sizeof(*a->cfgs));
    a->vitals = calloc(n_beds, sizeof(*a->vitals) * VSD_VITAL_COUNT);
    a->devices = calloc(n_devices + 1, sizeof(*a->devices));
    a->beds = calloc(n_beds + 1, sizeof(*a->beds));
    a->max_escalating = n_beds * VSD_VITAL_COUNT * (VSD_BANDS_MAX + 3) +
                        (n_devices + 1) * DEVICE_SLOTS + (n_beds + 1) * (2 + LATCHED_MAX) +
                        VSD_ALERT_CODE_COUNT; /* every slot */
    a->escalating = malloc(a->max_escalating * sizeof(*a->escalating));
    a->bodies = malloc(a->max_escalating * sizeof(*a->bodies)); /* touched as given out */
    a->relist = true;
    if (!a->cfgs || !a->vitals || !a->devices || !a->beds || !a->escalating || !a->bodies)
        goto fail;
    memcpy(a->cfgs, bed_cfgs, n_beds * sizeof(*a->cfgs));
    a->cfgs[n_beds] = bed_cfgs[0];
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
    free(a->beds);
    free(a->escalating);
    free(a->bodies);
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
        [VSD_ALERT_RISE] = "rise",
        [VSD_ALERT_FALL] = "fall",
        [VSD_ALERT_APNEA] = "apnea",
        [VSD_ALERT_COMMS_LOSS] = "comms_loss",
        [VSD_ALERT_COMMS_DEGRADED] = "comms_degraded",
        [VSD_ALERT_WRONG_DEVICE] = "wrong_device",
        [VSD_ALERT_SENSOR_OFF] = "sensor_off",
        [VSD_ALERT_INVALID] = "invalid",
        [VSD_ALERT_NIBP_OVERDUE] = "nibp_overdue",
        [VSD_ALERT_STORAGE] = "storage_failing",
        [VSD_ALERT_QUEUE_OVERFLOW] = "queue_overflow",
        [VSD_ALERT_ALERT_PATH] = "alert_path_down",
    };

    if ((unsigned)c >= VSD_ALERT_CODE_COUNT)
        return "unknown";
    return names[c];
}

bool vsd_alert_code_technical(enum vsd_alert_code c)
{
    return c >= VSD_ALERT_COMMS_LOSS && c < VSD_ALERT_CODE_COUNT;
}

const char *vsd_alarm_event_name(enum vsd_alarm_event_type t)
{
    static const char *const names[] = {
        [VSD_ALARM_RAISED] = "raised",   [VSD_ALARM_ACKNOWLEDGED] = "acknowledged",
        [VSD_ALARM_ESCALATED] = "escalated", [VSD_ALARM_LATCHED] = "latched",
        [VSD_ALARM_CLEARED] = "cleared",
    };

    if ((unsigned)t > VSD_ALARM_CLEARED)
        return "unknown";
    return names[t];
}
