/* SPDX-License-Identifier: MIT */
/* The alarm engine's apnea condition: no breath detected at a bed. */
#include <math.h>
#include <stdint.h>

#include "alarm_int.h"

/*
 * Apnea (per bed, watched while apnea_after_ms > 0), fed by the bed's rr readings only:
 *  - A reading "without a breath" is one the monitor flags VSD_Q_APNEA (whatever its value),
 *    or a usable rr of 0: the device counted no breath, which is a value, not a missing one.
 *  - A reading "with a breath" is a usable rr above 0 without the flag.
 *  - IDLE -> PENDING on the first reading without a breath (t0 = the onset). Raised when a
 *    reading or a tick finds now - t0 >= apnea_after_ms, and at once on a flagged reading:
 *    the monitor has timed its own apnea alarm. Alert value: the seconds since the onset;
 *    limit: apnea_after_ms in seconds (NAN when the monitor flagged it).
 *  - PENDING -> IDLE on a reading with a breath, on an unusable reading without the flag (a
 *    stale "no breath" must not count, as for limit bands), and when the device that fed it
 *    goes down (comms_loss says why).
 *  - The raised alert's condition ends on a reading with a breath; the event carries the
 *    apnea's whole duration in seconds. Missing or unusable data never end it.
 */

static double seconds_since(const struct slot *s, int64_t mono_ms)
{
    return (double)(mono_ms - s->t0) / 1000.0;
}

static void apnea_raise(struct vsd_alarm *a, struct slot *s, size_t bed, bool flagged,
                        const struct sink *k)
{
    const struct vsd_alarm_config *cfg = vsd_alarm_cfg(a, bed);
    struct raise_info ri = {.code = VSD_ALERT_APNEA,
                            .priority = cfg->apnea_priority,
                            .bed = bed,
                            .vital = VSD_VITAL_RR,
                            .limit = flagged ? NAN : (double)cfg->apnea_after_ms / 1000.0};

    s->value = seconds_since(s, k->now.mono_ms);
    vsd_alarm_slot_raise(a, s, &ri, k);
}

void vsd_alarm_apnea_reading(struct vsd_alarm *a, size_t bed, size_t device,
                             const struct vsd_reading *r, bool usable, const struct sink *k)
{
    struct slot *s = &vsd_alarm_bed(a, bed)->apnea;
    int64_t after = vsd_alarm_cfg(a, bed)->apnea_after_ms;
    bool flagged = (r->flags & VSD_Q_APNEA) != 0;
    bool none = flagged || (usable && r->value == 0);

    if (r->vital != VSD_VITAL_RR || after <= 0)
        return;
    if (s->state == COND_ACTIVE) {
        if (!none && usable && vsd_alarm_slot_holding(s))
            vsd_alarm_slot_end(a, s, seconds_since(s, k->now.mono_ms), k);
        return;
    }
    if (!none) {
        vsd_alarm_slot_cancel(s);
        return;
    }
    if (vsd_alarm_slot_pend(s, k->now.mono_ms, NAN, device, flagged ? 0 : after))
        apnea_raise(a, s, bed, flagged, k);
}

void vsd_alarm_apnea_tick(struct vsd_alarm *a, size_t bed, const struct sink *k)
{
    struct slot *s = &vsd_alarm_bed(a, bed)->apnea;
    int64_t after = vsd_alarm_cfg(a, bed)->apnea_after_ms;

    if (after > 0 && vsd_alarm_slot_due(s, k->now.mono_ms, after))
        apnea_raise(a, s, bed, false, k);
}

void vsd_alarm_apnea_device_down(struct vsd_alarm *a, size_t bed, size_t device)
{
    struct slot *s = &vsd_alarm_bed(a, bed)->apnea;

    if (s->device == device)
        vsd_alarm_slot_cancel(s);
}
