/* SPDX-License-Identifier: MIT */
/* The trend rings: one point per 10-s slot, the last reading of the slot, the window asked for,
 * oldest first, vitals without points left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "trend.h"

#define T0 1796000000000LL /* a slot boundary: divisible by 10 000 */

static const cJSON *series(const cJSON *o, const char *vital)
{
    return cJSON_GetObjectItemCaseSensitive(o, vital);
}

static double at(const cJSON *s, int i, int field)
{
    return cJSON_GetArrayItem(cJSON_GetArrayItem(s, i), field)->valuedouble;
}

static void test_last_reading_of_a_slot(void **state)
{
    struct vsd_trend *t = vsd_trend_new(2);
    cJSON *o;

    (void)state;
    vsd_trend_add(t, 0, VSD_VITAL_HR, T0 + 1000, 70);
    vsd_trend_add(t, 0, VSD_VITAL_HR, T0 + 9000, 72);  /* same slot: replaces */
    vsd_trend_add(t, 0, VSD_VITAL_HR, T0 + 5000, 99);  /* older, same slot: ignored */
    vsd_trend_add(t, 0, VSD_VITAL_HR, T0 + 10000, 74); /* next slot */
    o = vsd_trend_json(t, 0, 30, T0 + 15000);
    assert_int_equal(cJSON_GetArraySize(series(o, "hr")), 2);
    assert_true(at(series(o, "hr"), 0, 0) == (double)(T0 + 9000));
    assert_true(at(series(o, "hr"), 0, 1) == 72);
    assert_true(at(series(o, "hr"), 1, 1) == 74);
    assert_null(series(o, "spo2")); /* no points: left out */
    cJSON_Delete(o);
    o = vsd_trend_json(t, 1, 30, T0 + 15000); /* another bed: empty */
    assert_int_equal(cJSON_GetArraySize(o), 0);
    cJSON_Delete(o);
    vsd_trend_free(t);
}

/* 30 minutes are 180 slots: older points fall out; a shorter window shows fewer. */
static void test_window(void **state)
{
    struct vsd_trend *t = vsd_trend_new(1);
    int64_t now = T0 + 200 * VSD_TREND_SLOT_MS;
    cJSON *o;

    (void)state;
    for (int i = 0; i <= 200; i++)
        vsd_trend_add(t, 0, VSD_VITAL_SPO2, T0 + (int64_t)i * VSD_TREND_SLOT_MS, 90 + i % 10);
    o = vsd_trend_json(t, 0, 30, now);
    assert_int_equal(cJSON_GetArraySize(series(o, "spo2")), VSD_TREND_SLOTS);
    assert_true(at(series(o, "spo2"), 0, 0) == (double)(T0 + 21 * VSD_TREND_SLOT_MS));
    assert_true(at(series(o, "spo2"), VSD_TREND_SLOTS - 1, 0) == (double)now);
    cJSON_Delete(o);
    o = vsd_trend_json(t, 0, 1, now);
    assert_int_equal(cJSON_GetArraySize(series(o, "spo2")), 6);
    cJSON_Delete(o);
    o = vsd_trend_json(t, 0, 30, now + 31 * 60000); /* half an hour later: nothing left */
    assert_null(series(o, "spo2"));
    cJSON_Delete(o);
    vsd_trend_free(t);
}

/* Points are kept as floats: a vital's decimals come back as they went in; a late point inside
 * the window is kept, one older than the ring's 30 minutes is not, a gap in between is empty. */
static void test_values_and_late_points(void **state)
{
    struct vsd_trend *t = vsd_trend_new(1);
    int64_t now = T0 + 300 * VSD_TREND_SLOT_MS;
    cJSON *o;

    (void)state;
    vsd_trend_add(t, 0, VSD_VITAL_NIBP_MEAN, T0 + 10 * VSD_TREND_SLOT_MS, 71.3);
    vsd_trend_add(t, 0, VSD_VITAL_NIBP_MEAN, now - 9999, 36.6); /* the ring moves on */
    vsd_trend_add(t, 0, VSD_VITAL_NIBP_MEAN, now - 100 * VSD_TREND_SLOT_MS + 1, 118.25); /* late */
    vsd_trend_add(t, 0, VSD_VITAL_NIBP_MEAN, now - 200 * VSD_TREND_SLOT_MS, 99); /* too old */
    o = vsd_trend_json(t, 0, 30, now);
    assert_int_equal(cJSON_GetArraySize(series(o, "nibp_mean")), 2);
    assert_true(at(series(o, "nibp_mean"), 0, 0) == (double)(now - 100 * VSD_TREND_SLOT_MS + 1));
    assert_true(at(series(o, "nibp_mean"), 0, 1) == 118.25);
    assert_true(at(series(o, "nibp_mean"), 1, 0) == (double)(now - 9999));
    assert_true(at(series(o, "nibp_mean"), 1, 1) == 36.6);
    cJSON_Delete(o);
    vsd_trend_free(t);
}

/* Out-of-range beds and vitals, times of 0: ignored, never a crash. */
static void test_bad_input(void **state)
{
    struct vsd_trend *t = vsd_trend_new(1);
    cJSON *o;

    (void)state;
    vsd_trend_add(t, 5, VSD_VITAL_HR, T0, 1);
    vsd_trend_add(t, 0, VSD_VITAL_COUNT, T0, 1);
    vsd_trend_add(t, 0, VSD_VITAL_HR, 0, 1);
    vsd_trend_add(NULL, 0, VSD_VITAL_HR, T0, 1);
    o = vsd_trend_json(t, 0, 30, T0);
    assert_int_equal(cJSON_GetArraySize(o), 0);
    cJSON_Delete(o);
    vsd_trend_free(t);
    vsd_trend_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_last_reading_of_a_slot),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_values_and_late_points),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
