/* SPDX-License-Identifier: MIT */
/* The engine across a reload: what stays keeps its alerts (same id, nothing raised again) under
 * its new index; what was removed is cleared; a changed limit treats its active alert as a staff
 * change does (it ends by its own band) and the new band alarms from the next reading. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alarm.h"

struct rec {
    enum vsd_alarm_event_type type[16];
    char id[16][33];
    size_t bed[16];
    double limit[16];
    size_t n;
};

static void emit(void *ctx, const struct vsd_alarm_event *ev)
{
    struct rec *r = ctx;

    if (r->n >= 16)
        return;
    r->type[r->n] = ev->type;
    snprintf(r->id[r->n], 33, "%s", ev->alert->id);
    r->bed[r->n] = ev->alert->bed;
    r->limit[r->n] = ev->alert->limit;
    r->n++;
}

static struct vsd_alarm_config bed_cfg(double spo2_low)
{
    struct vsd_alarm_config c;

    memset(&c, 0, sizeof(c));
    c.limits[VSD_VITAL_SPO2].n_bands = 1;
    c.limits[VSD_VITAL_SPO2].bands[0] = (struct vsd_band){false, spo2_low, VSD_PRIO_MEDIUM};
    for (int k = VSD_ALERT_COMMS_LOSS; k < VSD_ALERT_CODE_COUNT; k++)
        c.technical_priority[k] = VSD_PRIO_HIGH;
    c.latch_priority = VSD_PRIO_HIGH + 1; /* nothing latches: an ended condition clears */
    c.escalate_priority = VSD_PRIO_HIGH + 1;
    return c;
}

static void spo2(struct vsd_alarm *a, int64_t t, size_t bed, size_t dev, double v, struct rec *r)
{
    struct vsd_reading rd = {.vital = VSD_VITAL_SPO2, .value = v, .flags = 0, .measured_ms = 0};

    vsd_alarm_reading(a, (struct vsd_alarm_now){t, t}, bed, dev, &rd,
                      (struct vsd_alarm_out){emit, r});
}

static void test_rebuild(void **state)
{
    struct vsd_alarm_config old_cfgs[2] = {bed_cfg(90), bed_cfg(90)}, new_cfgs[2];
    struct vsd_alarm *a = vsd_alarm_new(old_cfgs, 2, 2, NULL, NULL), *b;
    const size_t bed_from[2] = {SIZE_MAX, 0}, dev_from[2] = {0, SIZE_MAX};
    const struct vsd_alert *act[4];
    struct rec r = {0};
    char spo2_id[33], comms_id[33];

    (void)state;
    spo2(a, 1000, 0, 0, 85, &r); /* bed 0: SpO2 below 90 */
    vsd_alarm_device(a, (struct vsd_alarm_now){1000, 1000}, 1, 1, false,
                     (struct vsd_alarm_out){emit, &r}); /* bed 1: its device is silent */
    assert_int_equal(r.n, 2);
    snprintf(spo2_id, sizeof(spo2_id), "%s", r.id[0]);
    snprintf(comms_id, sizeof(comms_id), "%s", r.id[1]);
    /* reload: a new bed first, old bed 0 second; device 0 stays, device 1 replaced */
    new_cfgs[0] = bed_cfg(90);
    new_cfgs[1] = bed_cfg(90);
    r.n = 0;
    b = vsd_alarm_rebuild(a, new_cfgs, 2, 2, bed_from, dev_from, (struct vsd_alarm_now){2000, 2000},
                          (struct vsd_alarm_out){emit, &r});
    assert_non_null(b);
    vsd_alarm_free(a);
    assert_int_equal(r.n, 1); /* the removed device's alert, cleared; nothing else */
    assert_int_equal(r.type[0], VSD_ALARM_CLEARED);
    assert_string_equal(r.id[0], comms_id);
    assert_int_equal(vsd_alarm_active(b, 0, act, 4), 0);
    assert_int_equal(vsd_alarm_active(b, 1, act, 4), 1);
    assert_string_equal(act[0]->id, spo2_id);
    assert_int_equal(act[0]->bed, 1);
    assert_int_equal(act[0]->device, 0);
    r.n = 0;
    spo2(b, 3000, 1, 0, 84, &r); /* still below: no second raise */
    assert_int_equal(r.n, 0);

    /* the limit changes to 80: the alert stays, ends by its own band (90), 80 alarms anew */
    new_cfgs[1] = bed_cfg(80);
    const size_t same_beds[2] = {0, 1}, same_devs[2] = {0, 1};
    a = vsd_alarm_rebuild(b, new_cfgs, 2, 2, same_beds, same_devs,
                          (struct vsd_alarm_now){4000, 4000}, (struct vsd_alarm_out){emit, &r});
    assert_non_null(a);
    vsd_alarm_free(b);
    assert_int_equal(r.n, 0);
    assert_int_equal(vsd_alarm_active(a, 1, act, 4), 1);
    assert_string_equal(act[0]->id, spo2_id);
    spo2(a, 5000, 1, 0, 85, &r); /* above the new limit, below the old: nothing */
    assert_int_equal(r.n, 0);
    spo2(a, 6000, 1, 0, 91, &r); /* back above its own band: cleared */
    assert_int_equal(r.n, 1);
    assert_int_equal(r.type[0], VSD_ALARM_CLEARED);
    assert_string_equal(r.id[0], spo2_id);
    spo2(a, 7000, 1, 0, 79, &r); /* below the new one: a new alert at 80 */
    assert_int_equal(r.n, 2);
    assert_int_equal(r.type[1], VSD_ALARM_RAISED);
    assert_true(r.limit[1] == 80);
    assert_string_not_equal(r.id[1], spo2_id);
    vsd_alarm_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rebuild),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
