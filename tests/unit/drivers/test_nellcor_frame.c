/* SPDX-License-Identifier: MIT */
/* Tests of the Nellcor data port decoder: the worked example, headings, dashes, status codes as
 * quality flags, garbage lines, the stream splitter. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/reading.h>

#include "nellcor_line.h"

#define HEAD1 "N-595 VERSION 1.5.0.0 CRC:3A7F SpO2 Limit: 85-100% PR Limit: 40-170BPM"
#define HEAD2 "TIME                %SPO2  BPM  PA  Status"
#define HEAD3 "ADULT 0SAT-S SPO2 RESP MODE: NORMAL"
#define DATA1 "14-MAY-24 10:15:02    97    72  45"
#define DATA2 "14-MAY-24 10:15:04   ---   ---   0  SO PS"

static enum vsd_nellcor_kind parse(const char *line, struct vsd_nellcor_record *r, char *model)
{
    return vsd_nellcor_parse_line(line, strlen(line), r, model);
}

static void test_worked_example(void **state)
{
    struct vsd_nellcor_record r;
    char model[VSD_NELLCOR_MODEL_MAX + 1], name[8];

    (void)state;
    assert_int_equal(parse(HEAD1, &r, model), VSD_NELLCOR_HEADING);
    assert_string_equal(model, "N-595 VERSION 1.5.0.0");
    vsd_nellcor_model_name(model, name, sizeof(name)); /* the identity reported */
    assert_string_equal(name, "N-595");
    vsd_nellcor_model_name("NPB-2900X VERSION 1", name, sizeof(name));
    assert_string_equal(name, "NPB-290"); /* cut to fit */
    assert_int_equal(parse(HEAD2, &r, model), VSD_NELLCOR_HEADING);
    assert_string_equal(model, "");
    assert_int_equal(parse(HEAD3, &r, NULL), VSD_NELLCOR_HEADING);
    assert_int_equal(parse(DATA1, &r, NULL), VSD_NELLCOR_DATA);
    assert_true(r.spo2.value == 97 && r.bpm.value == 72 && r.pa.value == 45);
    assert_int_equal(r.status, 0);
    assert_int_equal(vsd_nellcor_status_flags(r.status), 0);
    assert_int_equal(parse(DATA2, &r, NULL), VSD_NELLCOR_DATA);
    assert_true(isnan(r.spo2.value) && isnan(r.bpm.value) && r.pa.value == 0);
    assert_int_equal(r.status, VSD_NELLCOR_SO | VSD_NELLCOR_PS);
    assert_int_equal(vsd_nellcor_status_flags(r.status), VSD_Q_SENSOR_OFF | VSD_Q_SEARCHING);
}

static void test_status_codes(void **state)
{
    static const struct {
        const char *code;
        uint32_t bit, flags;
    } cases[] = {
        {"AO", VSD_NELLCOR_AO, 0},
        {"AS", VSD_NELLCOR_AS, 0},
        {"LB", VSD_NELLCOR_LB, 0},
        {"LM", VSD_NELLCOR_LM, VSD_Q_SEARCHING | VSD_Q_ARTIFACT},
        {"LP", VSD_NELLCOR_LP, VSD_Q_SEARCHING},
        {"MO", VSD_NELLCOR_MO, VSD_Q_ARTIFACT},
        {"PH", VSD_NELLCOR_PH, 0},
        {"PL", VSD_NELLCOR_PL, 0},
        {"PS", VSD_NELLCOR_PS, VSD_Q_SEARCHING},
        {"SD", VSD_NELLCOR_SD, VSD_Q_SENSOR_OFF},
        {"SH", VSD_NELLCOR_SH, 0},
        {"SL", VSD_NELLCOR_SL, 0},
        {"SO", VSD_NELLCOR_SO, VSD_Q_SENSOR_OFF},
    };
    struct vsd_nellcor_record r;
    char line[96];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(line, sizeof(line), "01-JAN-25 00:00:00  98 80 50 %s", cases[i].code);
        assert_int_equal(parse(line, &r, NULL), VSD_NELLCOR_DATA);
        assert_int_equal(r.status, cases[i].bit);
        assert_int_equal(vsd_nellcor_status_flags(r.status), cases[i].flags);
    }
    /* an unknown code is counted and ignored; '*' marks keep the value */
    assert_int_equal(parse("31-DEC-99 23:59:59 85* 140* 12 SL ZZ", &r, NULL), VSD_NELLCOR_DATA);
    assert_true(r.spo2.value == 85 && r.spo2.marked && r.bpm.value == 140 && !r.pa.marked);
    assert_int_equal(r.status, VSD_NELLCOR_SL);
    assert_int_equal(r.unknown, 1);
}

static void test_bad_lines(void **state)
{
    static const char *const bad[] = {
        "14-MAY-24 10:15:02 97 72",           /* a column missing */
        "14-MAY-24 10:15:02 97 72 45 S",      /* a 1-letter code */
        "14-MAY-24 10:15:02 97 72 45 so",     /* lower case */
        "14-MAY-24 10:15:02 9?7 72 45",       /* a garbled digit */
        "14-MAY-24 10:15:02 1000 72 45",      /* 4 digits */
        "14-MAY-24 10:15:02 9- 72 45",        /* digits and dashes */
        "14-XYZ-24 10:15:02 97 72 45",        /* no such month */
        "14-MAY-24 10:15:0297 72 45",         /* stamp run into the value */
        "14-MAY-24 10:15 97 72 45",           /* short stamp */
        "14-MAY-24 10:15:02 97 72 45 SO\x01", /* control byte */
        "1) Dump Instrument Info",            /* the interactive menu */
        "",
    };
    struct vsd_nellcor_record r;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse(bad[i], &r, NULL), VSD_NELLCOR_BAD);
}

static void feed(struct vsd_nellcor *p, const char *s)
{
    vsd_nellcor_feed(p, (const uint8_t *)s, strlen(s));
}

static void test_stream(void **state)
{
    struct vsd_nellcor p;
    struct vsd_nellcor_record r[VSD_NELLCOR_MAX_RECORDS];
    unsigned bad, good;
    char big[600];

    (void)state;
    vsd_nellcor_init(&p);
    feed(&p, "LE\r\n" HEAD1 "\r\n" HEAD2 "\r\n\r\n" DATA1 "\r\n" DATA2 "\r\n14-MAY-24 1");
    assert_string_equal(vsd_nellcor_take_model(&p), "N-595 VERSION 1.5.0.0");
    assert_null(vsd_nellcor_take_model(&p));
    vsd_nellcor_take_counts(&p, &bad, &good);
    assert_int_equal(bad, 1); /* the tail of a line joined mid-way; blank lines are nothing */
    assert_int_equal(good, 2);
    assert_int_equal(vsd_nellcor_take(&p, r, 1), 1);
    assert_true(r[0].spo2.value == 97);
    assert_int_equal(vsd_nellcor_take(&p, r, 8), 1);
    assert_true(isnan(r[0].spo2.value));
    feed(&p, "0:15:06    96    70  40\r\n" HEAD1 "\r\n"); /* the same heading: no change */
    assert_null(vsd_nellcor_take_model(&p));
    assert_int_equal(vsd_nellcor_take(&p, r, 8), 1);
    assert_true(r[0].spo2.value == 96 && r[0].bpm.value == 70);
    /* an endless line is dropped and counted once; more records than kept drop the oldest */
    memset(big, 'x', sizeof(big));
    vsd_nellcor_feed(&p, (const uint8_t *)big, sizeof(big));
    feed(&p, "\n");
    for (int i = 0; i < 10; i++)
        feed(&p, DATA1 "\r\n");
    vsd_nellcor_take_counts(&p, &bad, &good);
    assert_int_equal(bad, 1);
    assert_int_equal(good, 11);
    assert_int_equal(vsd_nellcor_take(&p, r, 16), VSD_NELLCOR_MAX_RECORDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_status_codes),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_stream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
