/* SPDX-License-Identifier: MIT */
/* Unit tests of the export progress bar: its text, and silence when not on a terminal. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "progress.h"

static void test_format(void **state)
{
    struct vsd_progress p = {.total = 1000};
    char line[128];

    (void)state;
    vsd_progress_format(&p, 450, 12500, line, sizeof(line));
    assert_string_equal(line, "[=============>                ]  45%  450/1000 rows  12 s");
    vsd_progress_format(&p, 1000, 1000, line, sizeof(line));
    assert_string_equal(line, "[==============================] 100%  1000/1000 rows  1 s");
    vsd_progress_format(&p, 0, 0, line, sizeof(line));
    assert_string_equal(line, "[>                             ]   0%  0/1000 rows  0 s");
    p.total = 0;
    vsd_progress_format(&p, 77, 3000, line, sizeof(line));
    assert_string_equal(line, "77 rows  3 s");
}

/* Piped or redirected: nothing is drawn, however long the export. */
static void test_silent_off_terminal(void **state)
{
    struct vsd_progress p;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    (void)state;
    assert_non_null(f);
    vsd_progress_init(&p, f, false, 100);
    assert_null(p.tty);
    p.start_ms -= 60000; /* as if a minute had passed */
    vsd_progress_update(&p, 50);
    vsd_progress_end(&p);
    fclose(f);
    assert_int_equal(len, 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_silent_off_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
