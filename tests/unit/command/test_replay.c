/* SPDX-License-Identifier: MIT */
/* The answers to repeated request ids: found per user and id, within the window, oldest dropped. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"

static void test_same_user_same_id(void **state)
{
    struct vsd_replay *r = vsd_replay_new(4, 1000);

    (void)state;
    assert_null(vsd_replay_find(r, "nurse1", "s:r1", 0));
    assert_int_equal(vsd_replay_put(r, "nurse1", "s:r1", "{\"ok\":true}", 100), 0);
    assert_string_equal(vsd_replay_find(r, "nurse1", "s:r1", 600), "{\"ok\":true}");
    assert_null(vsd_replay_find(r, "nurse2", "s:r1", 600)); /* another user's id is another request */
    assert_null(vsd_replay_find(r, "nurse1", "s:r2", 600));
    assert_null(vsd_replay_find(r, "nurse1", "n:1", 600));
    vsd_replay_free(r);
}

static void test_window(void **state)
{
    struct vsd_replay *r = vsd_replay_new(4, 1000);

    (void)state;
    vsd_replay_put(r, "nurse1", "s:r1", "first", 100);
    assert_non_null(vsd_replay_find(r, "nurse1", "s:r1", 1100));
    assert_null(vsd_replay_find(r, "nurse1", "s:r1", 1101));
    vsd_replay_free(r);
}

/* The newest answer for an id wins; past capacity the oldest is forgotten. */
static void test_capacity(void **state)
{
    struct vsd_replay *r = vsd_replay_new(3, 100000);
    char id[16];

    (void)state;
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof(id), "s:r%d", i);
        assert_int_equal(vsd_replay_put(r, "nurse1", id, id, i), 0);
    }
    assert_null(vsd_replay_find(r, "nurse1", "s:r0", 10));
    assert_string_equal(vsd_replay_find(r, "nurse1", "s:r1", 10), "s:r1");
    assert_string_equal(vsd_replay_find(r, "nurse1", "s:r3", 10), "s:r3");
    vsd_replay_free(r);
}

static void test_too_long(void **state)
{
    struct vsd_replay *r = vsd_replay_new(2, 1000);
    char id[VSD_REQUEST_ID_MAX + 2];

    (void)state;
    memset(id, 'x', sizeof(id) - 1);
    id[sizeof(id) - 1] = '\0';
    assert_int_equal(vsd_replay_put(r, "nurse1", id, "a", 0), -EINVAL);
    assert_null(vsd_replay_find(r, "nurse1", id, 0));
    id[VSD_REQUEST_ID_MAX] = '\0';
    assert_int_equal(vsd_replay_put(r, "nurse1", id, "a", 0), 0);
    assert_string_equal(vsd_replay_find(r, "nurse1", id, 0), "a");
    vsd_replay_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_user_same_id),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
