/* SPDX-License-Identifier: MIT */
/* Tests of the Masimo ASCII 1 decoder: worked examples, dashes, EXC flags, garbage lines. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/reading.h>

#include "masimo_line.h"

#define EXAMPLE                                                                                    \
    "05/14/24 10:15:02 SN=0000012345 SPO2=097% BPM=072 PI=03.45% SPCO=--.-% SPMET=--.-% "          \
    "DESAT=-- PIDELTA=+-- PVI=--- ALARM=0000 EXC=000800"

static int parse(const char *line, struct vsd_masimo_record *r)
{
    return vsd_masimo_parse_line(line, strlen(line), r);
}

static void test_worked_example(void **state)
{
    struct vsd_masimo_record r;

    (void)state;
    assert_int_equal(parse(EXAMPLE, &r), 0);
    assert_true(r.spo2.present && r.spo2.value == 97);
    assert_true(r.bpm.present && r.bpm.value == 72);
    assert_true(r.pi.present && fabs(r.pi.value - 3.45) < 1e-9);
    assert_true(r.spco.present && isnan(r.spco.value));
    assert_true(r.spmet.present && isnan(r.spmet.value));
    assert_true(r.pvi.present && isnan(r.pvi.value));
    assert_true(r.has_alarm && r.alarm == 0);
    assert_true(r.has_exc && r.exc == 0x800);
    assert_int_equal(vsd_masimo_exc_flags(r.exc), 0); /* SET mode is normal */
    assert_string_equal(r.sn, "0000012345");          /* the identity the driver reports */
}

static void test_serial_number(void **state)
{
    struct vsd_masimo_record r;

    (void)state;
    /* Radical-5: no SN= */
    assert_int_equal(parse("01/02/24 00:00:59 SPO2=100% BPM=180 ALARM=14 EXC=004", &r), 0);
    assert_string_equal(r.sn, "");
    assert_int_equal(parse("01/02/24 00:00:59 SN=A1 SPO2=100% BPM=180", &r), 0);
    assert_string_equal(r.sn, "A1");
    /* twice, or longer than any serial, is a malformed line like any repeated tag */
    assert_int_equal(parse("01/02/24 00:00:59 SN=A1 SN=B2 SPO2=100% BPM=180", &r), -EBADMSG);
    assert_int_equal(parse("01/02/24 00:00:59 SN=123456789012345678901234567890123 SPO2=100%", &r),
                     -EBADMSG);
    assert_int_equal(parse("01/02/24 00:00:59 SN=12345678901234567890123456789012 SPO2=100%", &r),
                     0);
    assert_int_equal(strlen(r.sn), VSD_MASIMO_SN_MAX);
}

static void test_models_and_finger_off(void **state)
{
    struct vsd_masimo_record r;

    (void)state;
    /* Radical-5: short line, 2-digit ALARM, 3-digit EXC */
    assert_int_equal(parse("01/02/24 00:00:59 SPO2=100% BPM=180 PI=10.00% ALARM=14 EXC=004", &r),
                     0);
    assert_true(r.spo2.value == 100 && r.bpm.value == 180 && r.alarm == 0x14 && r.exc == 4);
    assert_int_equal(vsd_masimo_exc_flags(r.exc), VSD_Q_LOW_PERFUSION);
    /* Rad-8 with a stray token; finger off */
    assert_int_equal(parse("05/14/24 10:15:03 SN=0000012345 SPO2=---% BPM=--- PI=--.--% # "
                           "ALARM=0000 EXC=000020",
                           &r),
                     0);
    assert_true(isnan(r.spo2.value) && isnan(r.bpm.value) && r.exc == 0x20);
    assert_int_equal(vsd_masimo_exc_flags(r.exc), VSD_Q_SENSOR_OFF);
    /* ASCII 2 / trend form: other tags, EXC with mnemonics */
    assert_int_equal(parse("05/14/24 10:15:04 SpO2=097 PR=069 PI=04.69 EXC=800:SET", &r), 0);
    assert_true(r.spo2.value == 97 && r.bpm.value == 69 && r.exc == 0x800);
    /* unknown tags and extra spaces are ignored */
    assert_int_equal(parse("05/14/24 10:15:05  SPO2=096%   NEW=1 FOO BPM=070", &r), 0);
    assert_true(r.spo2.value == 96 && r.bpm.value == 70 && !r.has_exc);
}

static void test_exc_flags(void **state)
{
    (void)state;
    assert_int_equal(vsd_masimo_exc_flags(0x000001), VSD_Q_SENSOR_OFF);
    assert_int_equal(vsd_masimo_exc_flags(0x000002), VSD_Q_SENSOR_OFF);
    assert_int_equal(vsd_masimo_exc_flags(0x001000), VSD_Q_SENSOR_OFF);
    assert_int_equal(vsd_masimo_exc_flags(0x000008), VSD_Q_SEARCHING);
    assert_int_equal(vsd_masimo_exc_flags(0x000010), VSD_Q_ARTIFACT);
    assert_int_equal(vsd_masimo_exc_flags(0x000040), VSD_Q_ARTIFACT);
    assert_int_equal(vsd_masimo_exc_flags(0x000400), VSD_Q_ARTIFACT);
    assert_int_equal(vsd_masimo_exc_flags(0x00002C),
                     VSD_Q_SENSOR_OFF | VSD_Q_SEARCHING | VSD_Q_LOW_PERFUSION);
}

static void test_bad_lines(void **state)
{
    static const char *const bad[] = {
        "",                                                  /* empty */
        "SPO2=097% BPM=072",                                 /* no timestamp */
        "05/14/24 10:15:0 SPO2=097%",                        /* short timestamp */
        "05-14-24 10:15:02 SPO2=097%",                       /* wrong separators */
        "05/14/24 10:15:02 SN=0000012345 PI=03.45%",         /* neither SpO2 nor pulse */
        "05/14/24 10:15:02 SPO2=0?7% BPM=072",               /* garbled digit */
        "05/14/24 10:15:02 SPO2=09-% BPM=072",               /* digits and dashes */
        "05/14/24 10:15:02 SPO2=097% BPM=072 SPO2=097%",     /* repeated tag (merged lines) */
        "05/14/24 10:15:02 SPO2=097% BPM=07205/14/24",       /* truncated line run-on */
        "05/14/24 10:15:02 SPO2=097% BPM=072 EXC=00G800",    /* bad hex */
        "05/14/24 10:15:02 SPO2=097% BPM=072 EXC=123456789", /* too many hex digits */
        "05/14/24 10:15:02 SPO2=097% BPM=\x87\x32",          /* bit 7 set */
        "05/14/24 10:15:02 SPO2=% BPM=072",                  /* empty value */
        "05/14/24 10:15:02 SPO2=1.2.3% BPM=072",             /* two points */
        /* fuzz finding (fuzz_masimo, crash-1f2cf9ff): a run of digits was taken as a value */
        "05/14/24 10:15:02 SPO2=0999999999999999999% BPM=072",
        "05/14/24 10:15:02 SPO2=097% BPM=0720000",
    };
    struct vsd_masimo_record r;
    char longline[400];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse(bad[i], &r), -EBADMSG);
    memset(longline, 'A', sizeof(longline));
    memcpy(longline, EXAMPLE, strlen(EXAMPLE));
    longline[sizeof(longline) - 1] = '\0';
    assert_int_equal(parse(longline, &r), -EBADMSG);
}

static void test_stream(void **state)
{
    const char *stream = "garbage\r\n" EXAMPLE "\r\n\r\n05/14/24 10:15:03 SPO2=0"
                         "05/14/24 10:15:04 SPO2=095% BPM=070\r\n";
    struct vsd_masimo m;
    struct vsd_masimo_record r[8];
    unsigned bad, good;
    char big[600];

    (void)state;
    vsd_masimo_init(&m);
    for (size_t i = 0; stream[i]; i++)
        vsd_masimo_feed(&m, (const uint8_t *)stream + i, 1);
    vsd_masimo_take_counts(&m, &bad, &good);
    assert_int_equal(bad, 2);
    assert_int_equal(good, 1);
    assert_int_equal(vsd_masimo_take(&m, r, 8), 1);
    assert_true(r[0].spo2.value == 97);
    /* an endless line is dropped and counted once, then decoding resumes */
    memset(big, 'x', sizeof(big));
    vsd_masimo_feed(&m, (const uint8_t *)big, sizeof(big));
    vsd_masimo_feed(&m, (const uint8_t *)"\n" EXAMPLE "\n", strlen(EXAMPLE) + 2);
    vsd_masimo_take_counts(&m, &bad, &good);
    assert_int_equal(bad, 1);
    assert_int_equal(good, 1);
    assert_int_equal(vsd_masimo_take(&m, r, 8), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_serial_number),
        cmocka_unit_test(test_models_and_finger_off),
        cmocka_unit_test(test_exc_flags),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_stream),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
