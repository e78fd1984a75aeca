/* SPDX-License-Identifier: MIT */
/* The alarm engine's conditions: limit bands, rate of change, and the technical conditions. */
#include <math.h>
#include <stdint.h>

#include "alarm_int.h"

/*
 * A reading is *usable* when it carries none of VSD_Q_UNUSABLE and its value is not NAN.
 *
 * Limit bands (per bed, vital and band): condition low: value < limit; high: value > limit
 * (strict). Only usable readings are tested.
 *  - IDLE -> PENDING when a usable reading satisfies the condition (t0 = its now.mono_ms).
 *    PENDING -> raised when a usable reading at t with t - t0 >= delay_ms still satisfies it,
 *    or on a tick when now - t0 >= delay_ms. delay_ms <= 0 raises on the reading itself.
 *  - PENDING -> IDLE on a usable reading that does not satisfy it, on any unusable reading of
 *    that vital at that bed (a stale value must not satisfy later), and when the device that
 *    last fed it goes down.
 *  - The condition of a raised alert ends on a usable reading with value >= limit + h (low) or
 *    value <= limit - h (high), h = hysteresis (negative or NAN counts as 0), limit = the band
 *    it was raised under. Missing, unusable data or a device going down never end it.
 * Rate of change (per bed and vital): between two consecutive usable readings of the vital at
 * the bed, rise: new - old > delta (fall: old - new > delta), within within_ms if set. Raised
 * at once (no delay); the next usable reading that does not show the change ends it.
 *
 * Technical conditions:
 *  - COMMS_LOSS (per device): raised at once when the device goes down, ends when it comes up.
 *  - COMMS_DEGRADED (per device): raised when the bus reports garbled frames persisting, ends
 *    when it reports them gone.
 *  - WRONG_DEVICE (per device): raised at once when the caller reports that the device on the
 *    link is not the configured one (it also cancels what the device fed, as going down does),
 *    ends when the caller reports the expected device again or a technician's confirmation.
 *  - SENSOR_OFF (per device): readings with VSD_Q_SENSOR_OFF persisting sensor_off_delay_ms;
 *    a reading of that vital from that device without the flag ends it.
 *  - INVALID (per bed and vital): readings with VSD_Q_INVALID, VSD_Q_IMPLAUSIBLE or
 *    VSD_Q_SEARCHING, or a NAN value, without VSD_Q_SENSOR_OFF or VSD_Q_APNEA, persisting
 *    invalid_delay_ms;
 *    only a usable reading ends it.
 *  - NIBP_OVERDUE (per bed, while a session is open and nibp_overdue_ms > 0): no NIBP
 *    systolic reading for nibp_overdue_ms since the last one (or the session's start); the
 *    next one, or the session's end, ends it.
 *  - Daemon conditions (STORAGE, QUEUE_OVERFLOW, ALERT_PATH): raised and ended by the caller.
 *  - A device going down cancels its pending SENSOR_OFF and the pending conditions it last fed
 *    at that bed; active alerts stay.
 *  - APNEA (per bed): alarm_apnea.c.
 * Event order for a reading: SENSOR_OFF, INVALID, bands in order, RISE, FALL, APNEA,
 * NIBP_OVERDUE. For a tick: beds in order, per bed vitals in order, per vital bands then
 * INVALID; then devices (SENSOR_OFF); then APNEA and NIBP_OVERDUE per bed; then escalations
 * (alarm.c).
 */

static struct raise_info tech_info(const struct vsd_alarm *a, enum vsd_alert_code code,
                                   size_t bed, enum vsd_vital v)
{
    return (struct raise_info){.code = code,
                               .priority = vsd_alarm_cfg(a, bed)->technical_priority[code],
                               .bed = bed,
                               .vital = v,
                               .limit = NAN};
}

static double hysteresis(const struct vsd_limit *lim)
{
    return lim->hysteresis > 0 ? lim->hysteresis : 0;
}

static bool band_satisfied(const struct vsd_band *b, double value)
{
    return b->high ? value > b->limit : value < b->limit;
}

static struct raise_info band_info(const struct vsd_band *b, size_t bed, enum vsd_vital v)
{
    return (struct raise_info){.code = b->high ? VSD_ALERT_HIGH : VSD_ALERT_LOW,
                               .priority = b->priority,
                               .bed = bed,
                               .vital = v,
                               .limit = b->limit};
}

static void band_raise(struct vsd_alarm *a, struct slot *s, const struct vsd_band *b, size_t bed,
                       enum vsd_vital v, const struct sink *k)
{
    struct raise_info ri = band_info(b, bed, v);

    s->band = *b;
    vsd_alarm_slot_raise(a, s, &ri, k);
}

/* One band for a usable value. */
static void band_reading(struct vsd_alarm *a, struct slot *s, size_t i, size_t bed,
                         size_t device, const struct vsd_reading *r, const struct sink *k)
{
    const struct vsd_limit *lim = &a->cfgs[bed].limits[r->vital];
    const struct vsd_band *b = &lim->bands[i];
    double h = hysteresis(lim);

    if (s->state == COND_ACTIVE) {
        bool ends = s->band.high ? r->value <= s->band.limit - h : r->value >= s->band.limit + h;
        if (vsd_alarm_slot_holding(s) && ends)
            vsd_alarm_slot_end(a, s, r->value, k);
        return;
    }
    if (i >= lim->n_bands || !band_satisfied(b, r->value)) {
        vsd_alarm_slot_cancel(s);
        return;
    }
    if (vsd_alarm_slot_pend(s, k->now.mono_ms, r->value, device, lim->delay_ms))
        band_raise(a, s, b, bed, r->vital, k);
}

/* One direction of a rate-of-change condition; CHANGE is signed in its direction. */
static void rate_side(struct vsd_alarm *a, struct slot *s, const struct vsd_rate *rate,
                      enum vsd_alert_code code, double change, bool in_time, size_t bed,
                      size_t device, const struct vsd_reading *r, const struct sink *k)
{
    bool shows = rate->set && in_time && change > rate->delta;
    struct raise_info ri = {code, rate->priority, bed, r->vital, NAN};

    if (s->state == COND_ACTIVE) {
        if (vsd_alarm_slot_holding(s) && !shows)
            vsd_alarm_slot_end(a, s, r->value, k);
        return;
    }
    if (!shows)
        return;
    ri.limit = code == VSD_ALERT_RISE ? r->value - change + rate->delta
                                      : r->value + change - rate->delta;
    s->value = r->value;
    s->device = device;
    vsd_alarm_slot_raise(a, s, &ri, k);
}

static void rate_reading(struct vsd_alarm *a, struct vital_state *vs, size_t bed, size_t device,
                         const struct vsd_reading *r, const struct sink *k)
{
    const struct vsd_limit *lim = &a->cfgs[bed].limits[r->vital];

    if (vs->has_last) {
        double d = r->value - vs->last_value;
        int64_t dt = k->now.mono_ms - vs->last_mono;
        bool rise_in = lim->rise.within_ms <= 0 || dt <= lim->rise.within_ms;
        bool fall_in = lim->fall.within_ms <= 0 || dt <= lim->fall.within_ms;

        rate_side(a, &vs->rise, &lim->rise, VSD_ALERT_RISE, d, rise_in, bed, device, r, k);
        rate_side(a, &vs->fall, &lim->fall, VSD_ALERT_FALL, -d, fall_in, bed, device, r, k);
    }
    vs->has_last = true;
    vs->last_value = r->value;
    vs->last_mono = k->now.mono_ms;
}

/* Band alerts detached by a limit change: each ends by its own band. */
static void detached_reading(struct vsd_alarm *a, size_t bed, const struct vsd_reading *r,
                             const struct sink *k)
{
    struct bed_state *bs = vsd_alarm_bed(a, bed);
    double h = hysteresis(&a->cfgs[bed].limits[r->vital]);

    for (size_t i = 0; i < LATCHED_MAX; i++) {
        struct slot *s = &bs->latched[i];
        bool ends;

        if (!vsd_alarm_slot_holding(s) || s->body->alert.vital != r->vital ||
            (s->body->alert.code != VSD_ALERT_LOW && s->body->alert.code != VSD_ALERT_HIGH))
            continue;
        ends = s->band.high ? r->value <= s->band.limit - h : r->value >= s->band.limit + h;
        if (ends)
            vsd_alarm_slot_end(a, s, r->value, k);
    }
}

static void phys_reading(struct vsd_alarm *a, size_t bed, size_t device,
                         const struct vsd_reading *r, bool usable, const struct sink *k)
{
    struct vital_state *vs = vsd_alarm_vital(a, bed, r->vital);

    if (!usable) {
        for (size_t i = 0; i < VSD_BANDS_MAX; i++)
            vsd_alarm_slot_cancel(&vs->bands[i]);
        return;
    }
    for (size_t i = 0; i < VSD_BANDS_MAX; i++)
        band_reading(a, &vs->bands[i], i, bed, device, r, k);
    detached_reading(a, bed, r, k);
    rate_reading(a, vs, bed, device, r, k);
}

static void invalid_reading(struct vsd_alarm *a, size_t bed, size_t device,
                            const struct vsd_reading *r, bool usable, const struct sink *k)
{
    struct slot *s = &vsd_alarm_vital(a, bed, r->vital)->invalid;
    bool invalid =
        !(r->flags & (VSD_Q_SENSOR_OFF | VSD_Q_APNEA)) && /* the device said why */
        ((r->flags & (VSD_Q_INVALID | VSD_Q_IMPLAUSIBLE | VSD_Q_SEARCHING)) || isnan(r->value));
    struct raise_info ri;

    if (s->state == COND_ACTIVE) {
        if (usable && vsd_alarm_slot_holding(s))
            vsd_alarm_slot_end(a, s, r->value, k);
        return;
    }
    if (!invalid) {
        vsd_alarm_slot_cancel(s);
        return;
    }
    if (vsd_alarm_slot_pend(s, k->now.mono_ms, r->value, device, a->cfgs[bed].invalid_delay_ms)) {
        ri = tech_info(a, VSD_ALERT_INVALID, bed, r->vital);
        vsd_alarm_slot_raise(a, s, &ri, k);
    }
}

static void sensor_off_reading(struct vsd_alarm *a, size_t bed, size_t device,
                               const struct vsd_reading *r, const struct sink *k)
{
    struct slot *s = &a->devices[device].sensor_off;
    struct raise_info ri;

    if (!(r->flags & VSD_Q_SENSOR_OFF)) {
        if (vsd_alarm_slot_holding(s) && s->body->alert.vital == r->vital)
            vsd_alarm_slot_end(a, s, r->value, k);
        else if (s->state == COND_PENDING && s->vital == r->vital)
            vsd_alarm_slot_cancel(s);
        return;
    }
    if (s->state == COND_ACTIVE)
        return;
    if (s->state == COND_IDLE) {
        s->vital = r->vital;
        s->bed = bed;
    }
    if (vsd_alarm_slot_pend(s, k->now.mono_ms, NAN, device,
                            a->cfgs[s->bed].sensor_off_delay_ms)) {
        ri = tech_info(a, VSD_ALERT_SENSOR_OFF, s->bed, s->vital);
        vsd_alarm_slot_raise(a, s, &ri, k);
    }
}

/* A cuff measurement (any NIBP systolic reading, even a failed one) restarts the watch. */
static void nibp_reading(struct vsd_alarm *a, size_t bed, const struct vsd_reading *r,
                         const struct sink *k)
{
    struct bed_state *bs = vsd_alarm_bed(a, bed);

    if (r->vital != VSD_VITAL_NIBP_SYS)
        return;
    bs->nibp_since = k->now.mono_ms;
    if (vsd_alarm_slot_holding(&bs->nibp_overdue))
        vsd_alarm_slot_end(a, &bs->nibp_overdue, r->value, k);
}

void vsd_alarm_reading(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                       const struct vsd_reading *r, struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};
    bool usable;

    if (!a || !r || bed >= a->n_beds || device >= a->n_devices ||
        (unsigned)r->vital >= VSD_VITAL_COUNT)
        return;
    usable = !(r->flags & VSD_Q_UNUSABLE) && !isnan(r->value);
    sensor_off_reading(a, bed, device, r, &k);
    invalid_reading(a, bed, device, r, usable, &k);
    phys_reading(a, bed, device, r, usable, &k);
    vsd_alarm_apnea_reading(a, bed, device, r, usable, &k);
    nibp_reading(a, bed, r, &k);
}

void vsd_alarm_reading_as(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed,
                          size_t device, const struct vsd_reading *r, enum vsd_vital measured,
                          struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now, .stand_in = true, .measured = measured};

    if (!a || !r || bed >= a->n_beds || device >= a->n_devices ||
        (unsigned)r->vital >= VSD_VITAL_COUNT || (r->flags & VSD_Q_UNUSABLE) || isnan(r->value))
        return;
    phys_reading(a, bed, device, r, true, &k);
}

/* Cancel what DEVICE has pending: its sensor-off timer and, at BED, the
 * invalid and band conditions it last fed. */
static void cancel_device(struct vsd_alarm *a, size_t bed, size_t device)
{
    vsd_alarm_slot_cancel(&a->devices[device].sensor_off);
    vsd_alarm_apnea_device_down(a, bed, device);
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        struct vital_state *vs = vsd_alarm_vital(a, bed, (enum vsd_vital)v);

        for (size_t i = 0; i < VSD_BANDS_MAX; i++)
            if (vs->bands[i].device == device)
                vsd_alarm_slot_cancel(&vs->bands[i]);
        if (vs->invalid.device == device)
            vsd_alarm_slot_cancel(&vs->invalid);
    }
}

/* Raise S (a per-device technical slot) at once, or end it. */
static void device_condition(struct vsd_alarm *a, struct slot *s, enum vsd_alert_code code,
                             size_t bed, size_t device, bool on, const struct sink *k)
{
    struct raise_info ri;

    if (!on) {
        if (vsd_alarm_slot_holding(s))
            vsd_alarm_slot_end(a, s, NAN, k);
        return;
    }
    if (s->state == COND_ACTIVE)
        return;
    ri = tech_info(a, code, bed, VSD_VITAL_COUNT);
    s->value = NAN;
    s->device = device;
    s->bed = bed;
    vsd_alarm_slot_raise(a, s, &ri, k);
}

void vsd_alarm_device(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                      bool up, struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};

    if (!a || bed >= a->n_beds || device >= a->n_devices)
        return;
    if (!up)
        cancel_device(a, bed, device);
    device_condition(a, &a->devices[device].comms, VSD_ALERT_COMMS_LOSS, bed, device, !up, &k);
}

void vsd_alarm_degraded(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                        bool degraded, struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};

    if (!a || bed >= a->n_beds || device >= a->n_devices)
        return;
    device_condition(a, &a->devices[device].degraded, VSD_ALERT_COMMS_DEGRADED, bed, device,
                     degraded, &k);
}

void vsd_alarm_wrong_device(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed,
                            size_t device, bool wrong, struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};

    if (!a || bed >= a->n_beds || device >= a->n_devices)
        return;
    if (wrong)
        cancel_device(a, bed, device);
    device_condition(a, &a->devices[device].wrong, VSD_ALERT_WRONG_DEVICE, bed, device, wrong,
                     &k);
}

void vsd_alarm_watch(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, bool watched,
                     struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};
    struct bed_state *bs;

    if (!a || bed >= a->n_beds)
        return;
    bs = vsd_alarm_bed(a, bed);
    bs->watched = watched;
    bs->nibp_since = now.mono_ms;
    if (!watched && vsd_alarm_slot_holding(&bs->nibp_overdue))
        vsd_alarm_slot_end(a, &bs->nibp_overdue, NAN, &k);
}

void vsd_alarm_daemon(struct vsd_alarm *a, struct vsd_alarm_now now, enum vsd_alert_code code,
                      bool on, struct vsd_alarm_out out)
{
    struct sink k = {.out = out, .now = now};
    struct bed_state *bs;

    if (!a || (code != VSD_ALERT_STORAGE && code != VSD_ALERT_QUEUE_OVERFLOW &&
               code != VSD_ALERT_ALERT_PATH))
        return;
    bs = vsd_alarm_bed(a, VSD_ALARM_DAEMON);
    device_condition(a, &bs->daemon[code], code, VSD_ALARM_DAEMON, SIZE_MAX, on, &k);
}

static void tick_bed(struct vsd_alarm *a, size_t bed, const struct sink *k)
{
    const struct vsd_alarm_config *cfg = &a->cfgs[bed];
    int64_t t = k->now.mono_ms;

    for (int i = 0; i < VSD_VITAL_COUNT; i++) {
        enum vsd_vital v = (enum vsd_vital)i;
        const struct vsd_limit *lim = &cfg->limits[v];
        struct vital_state *vs = vsd_alarm_vital(a, bed, v);
        struct raise_info ri;

        for (size_t b = 0; b < lim->n_bands; b++)
            if (vsd_alarm_slot_due(&vs->bands[b], t, lim->delay_ms))
                band_raise(a, &vs->bands[b], &lim->bands[b], bed, v, k);
        if (vsd_alarm_slot_due(&vs->invalid, t, cfg->invalid_delay_ms)) {
            ri = tech_info(a, VSD_ALERT_INVALID, bed, v);
            vsd_alarm_slot_raise(a, &vs->invalid, &ri, k);
        }
    }
}

static void tick_nibp(struct vsd_alarm *a, size_t bed, const struct sink *k)
{
    struct bed_state *bs = vsd_alarm_bed(a, bed);
    int64_t overdue = a->cfgs[bed].nibp_overdue_ms;
    struct raise_info ri;

    if (!bs->watched || overdue <= 0 || bs->nibp_overdue.state == COND_ACTIVE ||
        k->now.mono_ms - bs->nibp_since < overdue)
        return;
    ri = tech_info(a, VSD_ALERT_NIBP_OVERDUE, bed, VSD_VITAL_NIBP_SYS);
    bs->nibp_overdue.value = NAN;
    bs->nibp_overdue.device = SIZE_MAX;
    vsd_alarm_slot_raise(a, &bs->nibp_overdue, &ri, k);
}

void vsd_alarm_tick_conditions(struct vsd_alarm *a, const struct sink *k)
{
    for (size_t b = 0; b < a->n_beds; b++)
        tick_bed(a, b, k);
    for (size_t d = 0; d < a->n_devices; d++) {
        struct slot *s = &a->devices[d].sensor_off;
        struct raise_info ri;

        if (vsd_alarm_slot_due(s, k->now.mono_ms, a->cfgs[s->bed].sensor_off_delay_ms)) {
            ri = tech_info(a, VSD_ALERT_SENSOR_OFF, s->bed, s->vital);
            vsd_alarm_slot_raise(a, s, &ri, k);
        }
    }
    for (size_t b = 0; b < a->n_beds; b++) {
        vsd_alarm_apnea_tick(a, b, k);
        tick_nibp(a, b, k);
    }
}
