/* SPDX-License-Identifier: MIT */
/* The sorted string set: members found, non-members not, duplicates kept once, order kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "strset.h"

static void test_members(void **state)
{
    struct vsd_strset s = {0};
    char id[16];

    (void)state;
    assert_false(vsd_strset_has(&s, "S-1"));
    for (int i = 999; i >= 0; i--) { /* backwards: every insertion at the front */
        snprintf(id, sizeof(id), "S-%d", i);
        assert_int_equal(vsd_strset_add(&s, id), 0);
    }
    assert_int_equal(vsd_strset_add(&s, "S-500"), 0); /* already there */
    assert_int_equal(s.n, 1000);
    for (size_t i = 1; i < s.n; i++)
        assert_true(strcmp(s.items[i - 1], s.items[i]) < 0);
    assert_true(vsd_strset_has(&s, "S-0"));
    assert_true(vsd_strset_has(&s, "S-999"));
    assert_false(vsd_strset_has(&s, "S-1000"));
    assert_false(vsd_strset_has(&s, "s-1")); /* ids are case-sensitive */
    vsd_strset_clear(&s);
    assert_int_equal(s.n, 0);
    assert_false(vsd_strset_has(&s, "S-0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_members)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
