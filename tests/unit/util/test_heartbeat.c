/* SPDX-License-Identifier: MIT */
/* Thread progress: a thread that beats, or sleeps within its promise, is fine; one that stops
 * beating past its promise is named as stuck, and stays stuck until it beats again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "heartbeat.h"

static void test_beating_and_stuck(void **state)
{
    struct vsd_heartbeat_set set;
    struct vsd_heartbeat core, bus;
    char name[80] = "";
    int64_t late = 0;

    (void)state;
    assert_int_equal(vsd_heartbeat_set_init(&set), 0);
    vsd_heartbeat_add(&set, &core, "core", 0, 500);
    vsd_heartbeat_add(&set, &bus, "bus of device 'm1'", 0, 1500);
    assert_true(vsd_heartbeat_check(&set, 400, name, sizeof(name), &late));
    /* the core beats; the bus sleeps towards a deadline it has not passed: fine */
    vsd_heartbeat_beat(&core, 900, 500);
    assert_true(vsd_heartbeat_check(&set, 1000, name, sizeof(name), &late));
    /* the bus beats while inside a device call with a 2 s bound */
    vsd_heartbeat_beat(&bus, 1200, 2000);
    vsd_heartbeat_beat(&core, 1300, 500);
    assert_true(vsd_heartbeat_check(&set, 1400, name, sizeof(name), &late));
    vsd_heartbeat_beat(&core, 3100, 500);
    assert_true(vsd_heartbeat_check(&set, 3200, name, sizeof(name), &late));
    /* past its bound without a beat: stuck, named, and how late */
    vsd_heartbeat_beat(&core, 3300, 500);
    assert_false(vsd_heartbeat_check(&set, 3500, name, sizeof(name), &late));
    assert_string_equal(name, "bus of device 'm1'");
    assert_int_equal(late, 300);
    vsd_heartbeat_beat(&core, 3600, 500);
    assert_false(vsd_heartbeat_check(&set, 3700, name, sizeof(name), &late));
    /* it beats again: fine again */
    vsd_heartbeat_beat(&bus, 3800, 1000);
    vsd_heartbeat_beat(&core, 3800, 500);
    assert_true(vsd_heartbeat_check(&set, 3900, name, sizeof(name), &late));
    /* a removed thread is no longer watched */
    vsd_heartbeat_remove(&set, &bus);
    vsd_heartbeat_beat(&core, 9000, 500);
    assert_true(vsd_heartbeat_check(&set, 9100, name, sizeof(name), &late));
    vsd_heartbeat_set_destroy(&set);
}

static void test_core_stuck(void **state)
{
    struct vsd_heartbeat_set set;
    struct vsd_heartbeat core;
    char name[80] = "";
    int64_t late = 0;

    (void)state;
    assert_int_equal(vsd_heartbeat_set_init(&set), 0);
    vsd_heartbeat_add(&set, &core, "core", 0, 500);
    assert_true(vsd_heartbeat_check(&set, 400, name, sizeof(name), &late));
    assert_false(vsd_heartbeat_check(&set, 501, name, sizeof(name), &late));
    assert_string_equal(name, "core");
    vsd_heartbeat_add(NULL, &core, "alone", 0, 1); /* no set: nothing kept, no crash */
    vsd_heartbeat_set_destroy(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_beating_and_stuck),
        cmocka_unit_test(test_core_stuck),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
