/* SPDX-License-Identifier: MIT */
/* Tests of the Accutorr 3 P: line parser: the manual's example, dashes, status bytes as quality
 * flags, garbage lines, and one measurement time per cuff measurement across polls. */
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

#include "accutorr_frame.h"

#define T0 1800000000000LL /* a UTC wall time, ms */
#define M0 5000000LL       /* a monotonic time, ms */

static int parse(const char *line, struct vsd_accutorr_p *p)
{
    return vsd_accutorr_parse_p(line, strlen(line), VSD_ACCUTORR_SYS_MEAN_DIA, p);
}

/* The service manual's example, as printed there. */
static void test_manual_example(void **state)
{
    struct vsd_accutorr_p p;

    (void)state;
    assert_int_equal(parse("P:--,85,120, 45, 80,000,010,000, 5", &p), 0);
    assert_true(isnan(p.spo2));
    assert_true(p.pr == 85 && p.sys == 120 && p.mean == 45 && p.dia == 80);
    assert_true(p.status[0] == 0 && p.status[1] == 10 && p.status[2] == 0);
    assert_int_equal(p.age_min, 5);
    assert_int_equal(vsd_accutorr_parse_p("P:--,85,120, 45, 80,000,010,000, 5", 34,
                                          VSD_ACCUTORR_SYS_DIA_MEAN, &p),
                     0);
    assert_true(p.mean == 80 && p.dia == 45);
}

static void test_dashes_blanks(void **state)
{
    struct vsd_accutorr_p p;

    (void)state;
    assert_int_equal(parse("P: 97, 72,---,  -,   ,001,000,000,--", &p), 0);
    assert_true(p.spo2 == 97 && p.pr == 72);
    assert_true(isnan(p.sys) && isnan(p.mean) && isnan(p.dia));
    assert_int_equal(p.status[0], 1);
    assert_int_equal(p.age_min, -1);
}

static void test_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "P",
        "P:",
        "L:90,50,100,60,160,90,110,70,100,60",
        "p: 97, 72,120, 93, 80,0,0,0,1",
        "P: 97, 72,120, 93, 80,000,000,000",
        "P: 97, 72,120, 93, 80,000,000,000, 1,2",
        "P: 97, 72,120, 93, 80,000,256,000, 1",
        "P: 97, 72,120, 93, 80,---,000,000, 1",
        "P: 97, 7 2,120, 93, 80,000,000,000, 1",
        "P: 97, 72,1200, 93, 80,000,000,000, 1",
        "P: 97, 72,12-, 93, 80,000,000,000, 1",
        "P: 9?, 72,120, 93, 80,000,000,000, 1",
        "P: 97, 72,120, 93, 80,000,000,000,-1",
        /* found by fuzz_accutorr: a long run of digits once overflowed the accumulator */
        "P:99999999999999999999, 72,120, 93, 80,000,000,000, 1",
    };
    struct vsd_accutorr_p p;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(parse(bad[i], &p), -EBADMSG);
}

static void test_status_flags(void **state)
{
    (void)state;
    assert_int_equal(vsd_accutorr_spo2_flags(0, 0), 0);
    assert_int_equal(vsd_accutorr_spo2_flags(1, 0), VSD_Q_SENSOR_OFF);
    assert_int_equal(vsd_accutorr_spo2_flags(2, 0), VSD_Q_SENSOR_OFF);
    assert_int_equal(vsd_accutorr_spo2_flags(4, 0), VSD_Q_ARTIFACT);
    assert_int_equal(vsd_accutorr_spo2_flags(8, 0), VSD_Q_SEARCHING);
    assert_int_equal(vsd_accutorr_spo2_flags(16, 0), VSD_Q_LOW_PERFUSION);
    assert_int_equal(vsd_accutorr_spo2_flags(32, 0), VSD_Q_INVALID);
    /* check sensor site, PR < 30, PR > 250, alarm overlapped: the value stands */
    assert_int_equal(vsd_accutorr_spo2_flags(64 | 128, 1 | 4), 0);
    assert_int_equal(vsd_accutorr_spo2_flags(0, 2), VSD_Q_INVALID);
    for (unsigned b = 3; b <= 7; b++)
        assert_int_equal(vsd_accutorr_spo2_flags(0, (uint8_t)(1u << b)), VSD_Q_INVALID);
}

static size_t readings(const char *line, struct vsd_accutorr_nibp *t, int64_t dt_ms,
                       struct vsd_reading *out)
{
    struct vsd_accutorr_p p;

    assert_int_equal(parse(line, &p), 0);
    return vsd_accutorr_readings(&p, true, t, T0 + dt_ms, M0 + dt_ms, out, 5);
}

static void test_readings(void **state)
{
    struct vsd_accutorr_nibp t = {0};
    struct vsd_reading r[5];

    (void)state;
    assert_int_equal(readings("P: 97, 72,120, 93, 80,000,000,000,  2", &t, 0, r), 5);
    assert_true(r[0].vital == VSD_VITAL_SPO2 && r[0].value == 97 && r[0].measured_ms == 0);
    assert_true(r[1].vital == VSD_VITAL_PR && r[1].value == 72 && r[1].flags == 0);
    assert_true(r[2].vital == VSD_VITAL_NIBP_SYS && r[2].value == 120);
    assert_true(r[3].vital == VSD_VITAL_NIBP_DIA && r[3].value == 80);
    assert_true(r[4].vital == VSD_VITAL_NIBP_MEAN && r[4].value == 93);
    for (int i = 2; i < 5; i++)
        assert_true(r[i].flags == 0 && r[i].measured_ms == T0 - 120000);
    /* no measurement yet: no NIBP reading; sensor off: SpO2 and PR flagged, no value */
    t = (struct vsd_accutorr_nibp){0};
    assert_int_equal(readings("P:---,---, --, --, --,002,000,000, --", &t, 0, r), 2);
    assert_true(isnan(r[0].value) && r[0].flags == (VSD_Q_SENSOR_OFF | VSD_Q_INVALID));
    assert_true(isnan(r[1].value) && (r[1].flags & VSD_Q_SENSOR_OFF));
    /* a model without SpO2: PR only, status byte 0 ignored */
    struct vsd_accutorr_p p;
    assert_int_equal(parse("P:--, 85,120, 93, 80,001,000,000,  5", &p), 0);
    assert_int_equal(vsd_accutorr_readings(&p, false, &t, T0, M0, r, 5), 4);
    assert_true(r[0].vital == VSD_VITAL_PR && r[0].flags == 0);
}

static void test_nibp_flags(void **state)
{
    struct vsd_accutorr_nibp t = {0};
    struct vsd_reading r[5];

    (void)state;
    readings("P: 97, 72,120, 93, 80,000,000,002,  0", &t, 0, r);
    assert_int_equal(r[2].flags, VSD_Q_ARTIFACT);
    readings("P: 97, 72,121, 93, 80,000,000,001,  0", &t, 0, r);
    assert_int_equal(r[2].flags, VSD_Q_INVALID);
    /* mean outside diastolic..systolic (the manual's example read in its stated order) */
    readings("P:--,85,120, 45, 80,000,000,000, 5", &t, 0, r);
    for (int i = 2; i < 5; i++)
        assert_true(r[i].flags == VSD_Q_INVALID && !isnan(r[i].value));
}

/* The same measurement polled for minutes keeps one time; a new one gets its own. */
static void test_nibp_same_measurement(void **state)
{
    struct vsd_accutorr_nibp t = {0};
    struct vsd_reading r[5];
    int64_t first;

    (void)state;
    readings("P: 97, 72,120, 93, 80,000,000,000,  0", &t, 0, r);
    first = r[2].measured_ms;
    assert_true(first == T0);
    /* polled every 5 s for 4 minutes: the age goes 0,0,..,1,..,4; one time throughout */
    for (int64_t dt = 5000; dt <= 240000; dt += 5000) {
        char line[64];

        snprintf(line, sizeof(line), "P: 97, 72,120, 93, 80,000,000,000,%3d", (int)(dt / 60000));
        readings(line, &t, dt, r);
        assert_true(r[2].measured_ms == first && r[3].measured_ms == first);
    }
    /* the next cuff cycle gives the same pressures: the age went back to 0, a new time */
    readings("P: 97, 72,120, 93, 80,000,000,000,  0", &t, 300000, r);
    assert_true(r[2].measured_ms == T0 + 300000);
    /* other pressures, same age: a new measurement, and times never go back */
    readings("P: 97, 72,118, 90, 78,000,000,000,  0", &t, 300000, r);
    assert_true(r[2].measured_ms == T0 + 300001);
    /* a 1-minute cycle with the same pressures: the age went from 1 back to 0 */
    readings("P: 97, 72,118, 90, 78,000,000,000,  1", &t, 361000, r);
    assert_true(r[2].measured_ms == T0 + 300001);
    readings("P: 97, 72,118, 90, 78,000,000,000,  0", &t, 365000, r);
    assert_true(r[2].measured_ms == T0 + 365000);
    /* a wall-clock step does not make it new: the comparison uses the monotonic clock */
    {
        struct vsd_accutorr_p p;

        parse("P: 97, 72,118, 90, 78,000,000,000,  0", &p);
        vsd_accutorr_readings(&p, true, &t, T0 + 3600000, M0 + 366000, r, 5);
        assert_true(r[2].measured_ms == T0 + 365000);
    }
}

static void test_rx_lines(void **state)
{
    struct vsd_accutorr_rx rx = {0};
    const char *in = "ACCUTORR PC Interface is ready\r\n>P: 97, 72,120, 93, 80,000,000,000, 1\r\n>";
    unsigned lines = 0;
    char big[200];

    (void)state;
    for (const char *s = in; *s; s++)
        if (vsd_accutorr_rx_byte(&rx, (uint8_t)*s) == 1) {
            lines++;
            if (lines == 2)
                assert_string_equal(rx.line, "P: 97, 72,120, 93, 80,000,000,000, 1");
        }
    assert_int_equal(lines, 2);
    memset(big, 'x', sizeof(big));
    for (size_t i = 0; i < sizeof(big); i++)
        assert_int_equal(vsd_accutorr_rx_byte(&rx, (uint8_t)big[i]), 0);
    assert_int_equal(vsd_accutorr_rx_byte(&rx, '\n'), -EMSGSIZE);
    assert_int_equal(vsd_accutorr_rx_byte(&rx, 'P'), 0);
    assert_int_equal(vsd_accutorr_rx_byte(&rx, '\r'), 1);
    assert_string_equal(rx.line, "P");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manual_example),
        cmocka_unit_test(test_dashes_blanks),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_status_flags),
        cmocka_unit_test(test_readings),
        cmocka_unit_test(test_nibp_flags),
        cmocka_unit_test(test_nibp_same_measurement),
        cmocka_unit_test(test_rx_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
