/* SPDX-License-Identifier: MIT */
/* Tests of the Nonin legacy ASCII decoder: data lines with and without a time, dashes, markers,
 * the power-up header, garbage lines, the stream splitter. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/reading.h>

#include "nonin_ascii.h"

static enum vsd_nonin_ascii_kind parse(const char *line, struct vsd_nonin_second *s)
{
    return vsd_nonin_ascii_parse_line(line, strlen(line), s);
}

static void test_data_lines(void **state)
{
    struct vsd_nonin_second s;

    (void)state;
    assert_int_equal(parse("SPO2=097 HR=072", &s), VSD_NONIN_ASCII_DATA);
    assert_true(s.spo2.present && s.spo2.value == 97 && s.spo2.flags == 0);
    assert_true(s.hr.present && s.hr.value == 72 && s.hr.flags == 0);
    assert_int_equal(parse("14:03:27 SPO2=100 HR=180", &s), VSD_NONIN_ASCII_DATA);
    assert_true(s.spo2.value == 100 && s.hr.value == 180);
    /* markers: an event, fast values, a breath (9847) */
    assert_int_equal(parse("SPO2=095 HR=064*", &s), VSD_NONIN_ASCII_DATA);
    assert_true(s.spo2.value == 95 && s.hr.value == 64);
    assert_int_equal(parse("SPO2=095 HR=064 F", &s), VSD_NONIN_ASCII_DATA);
    assert_int_equal(parse("SPO2=095 HR=064 B", &s), VSD_NONIN_ASCII_DATA);
    assert_int_equal(parse("SPO2=095 HR=064* F", &s), VSD_NONIN_ASCII_DATA);
    assert_true(s.hr.value == 64);
    /* dashes: no value, flagged invalid; an SpO2 above 100 is no value either */
    assert_int_equal(parse("SPO2=--- HR=---", &s), VSD_NONIN_ASCII_DATA);
    assert_true(s.spo2.present && isnan(s.spo2.value) && s.spo2.flags == VSD_Q_INVALID);
    assert_true(s.hr.present && isnan(s.hr.value) && s.hr.flags == VSD_Q_INVALID);
    assert_int_equal(parse("SPO2=127 HR=070", &s), VSD_NONIN_ASCII_DATA);
    assert_true(isnan(s.spo2.value) && s.hr.value == 70);
}

static void test_other_and_bad(void **state)
{
    static const char *const bad[] = {
        "SPO2=097",                 /* no HR */
        "HR=072",                   /* no SpO2 */
        "SPO2=0?7 HR=072",          /* a garbled digit */
        "SPO2=0977 HR=072",         /* 4 digits */
        "SPO2=09- HR=072",          /* digits and dashes */
        "SPO2=097 HR=072 X",        /* an unknown token */
        "SPO2=097 SPO2=096 HR=072", /* twice */
        "SPO2=097 HR=072\x01",      /* a control byte */
        "14:03 SPO2=097 HR=072 12", /* a stray number */
        "SPO2= HR=072",             /* empty */
        "SPO2=66666666666 HR=072",  /* regression: a long digit run overflowed (fuzzing) */
    };
    struct vsd_nonin_second s;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse(bad[i], &s), VSD_NONIN_ASCII_BAD);
    assert_int_equal(parse("NONIN 8500 V2.1", &s), VSD_NONIN_ASCII_OTHER); /* a header */
    assert_int_equal(parse("", &s), VSD_NONIN_ASCII_OTHER);
}

static void feed(struct vsd_nonin_ascii *p, const char *s)
{
    vsd_nonin_ascii_feed(p, (const uint8_t *)s, strlen(s));
}

static void test_stream(void **state)
{
    struct vsd_nonin_ascii p;
    struct vsd_nonin_second s[VSD_NONIN_MAX_SECONDS];
    unsigned bad, good;
    char big[200];

    (void)state;
    vsd_nonin_ascii_init(&p);
    feed(&p, "=72\r\nNONIN HEADER\r\n\r\nSPO2=097 HR=072\r\nSPO2=--- HR=---\r\nSPO2=0");
    vsd_nonin_ascii_take_counts(&p, &bad, &good);
    assert_int_equal(bad, 1); /* the tail of a line joined mid-way */
    assert_int_equal(good, 2);
    assert_int_equal(vsd_nonin_ascii_take(&p, s, 1), 1);
    assert_true(s[0].spo2.value == 97);
    feed(&p, "96 HR=070\r\n");
    assert_int_equal(vsd_nonin_ascii_take(&p, s, 8), 2);
    assert_true(isnan(s[0].hr.value) && s[1].spo2.value == 96 && s[1].hr.value == 70);
    /* an endless line is dropped and counted once; more seconds than kept drop the oldest */
    memset(big, 'x', sizeof(big));
    vsd_nonin_ascii_feed(&p, (const uint8_t *)big, sizeof(big));
    feed(&p, "\n");
    for (int i = 0; i < 10; i++)
        feed(&p, "SPO2=097 HR=072\r\n");
    vsd_nonin_ascii_take_counts(&p, &bad, &good);
    assert_int_equal(bad, 1);
    assert_int_equal(good, 11);
    assert_int_equal(vsd_nonin_ascii_take(&p, s, 16), VSD_NONIN_MAX_SECONDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_lines),
        cmocka_unit_test(test_other_and_bad),
        cmocka_unit_test(test_stream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
