/* SPDX-License-Identifier: MIT */
/* The vitals table: every vital described once, with the codes interoperability needs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/vitals.h>

static void every_vital_is_described(void **state)
{
    (void)state;
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)v);
        assert_non_null(vi);
        assert_int_equal(vi->vital, v);
        assert_true(strlen(vi->name) > 0 && strlen(vi->loinc) > 0 && strlen(vi->ucum) > 0);
        assert_true(vi->mdc_code > 0 && vi->mdc_unit > 0);
        assert_true(vi->plausible_min < vi->plausible_max);
        assert_int_equal(vsd_vital_from_name(vi->name), v);
    }
    assert_null(vsd_vital_info(VSD_VITAL_COUNT));
    assert_int_equal(vsd_vital_from_name("spo3"), -EINVAL);
}

static void codes_match_the_domain_page(void **state)
{
    (void)state;
    /* LOINC (as the FHIR R4 vital-signs profile uses it), IEEE 11073-10101 MDC codes and UCUM
     * units; the table and its sources: docs/protocols.md, 'Codes and units'. */
    assert_string_equal(vsd_vital_info(VSD_VITAL_HR)->loinc, "8867-4");
    assert_string_equal(vsd_vital_info(VSD_VITAL_SPO2)->loinc, "2708-6");
    assert_string_equal(vsd_vital_info(VSD_VITAL_NIBP_SYS)->loinc, "8480-6");
    assert_string_equal(vsd_vital_info(VSD_VITAL_NIBP_DIA)->loinc, "8462-4");
    assert_string_equal(vsd_vital_info(VSD_VITAL_NIBP_MEAN)->loinc, "8478-0");
    assert_string_equal(vsd_vital_info(VSD_VITAL_RR)->loinc, "9279-1");
    assert_int_equal(vsd_vital_info(VSD_VITAL_HR)->mdc_code, 147842);
    assert_int_equal(vsd_vital_info(VSD_VITAL_PR)->mdc_code, 149530);
    assert_int_equal(vsd_vital_info(VSD_VITAL_SPO2)->mdc_code, 150456);
    assert_int_equal(vsd_vital_info(VSD_VITAL_NIBP_SYS)->mdc_code, 150021);
    assert_int_equal(vsd_vital_info(VSD_VITAL_NIBP_DIA)->mdc_code, 150022);
    assert_int_equal(vsd_vital_info(VSD_VITAL_NIBP_MEAN)->mdc_code, 150023);
    assert_int_equal(vsd_vital_info(VSD_VITAL_RR)->mdc_code, 151562);
    assert_string_equal(vsd_vital_info(VSD_VITAL_SPO2)->ucum, "%");
    assert_string_equal(vsd_vital_info(VSD_VITAL_HR)->ucum, "/min");
    assert_string_equal(vsd_vital_info(VSD_VITAL_NIBP_SYS)->ucum, "mm[Hg]");
    assert_int_equal(vsd_vital_info(VSD_VITAL_NIBP_SYS)->mdc_unit, 266016);
    /* End-tidal CO2: LOINC 19891-1, MDC_AWAY_CO2_ET 151708 (2 x 65536 + 20636), mm[Hg]. */
    assert_string_equal(vsd_vital_info(VSD_VITAL_ETCO2)->name, "etco2");
    assert_string_equal(vsd_vital_info(VSD_VITAL_ETCO2)->loinc, "19891-1");
    assert_int_equal(vsd_vital_info(VSD_VITAL_ETCO2)->mdc_code, 2 * 65536 + 20636);
    assert_string_equal(vsd_vital_info(VSD_VITAL_ETCO2)->ucum, "mm[Hg]");
    assert_int_equal(vsd_vital_info(VSD_VITAL_ETCO2)->mdc_unit, 266016);
    assert_int_equal(vsd_vital_from_name("etco2"), VSD_VITAL_ETCO2);
}

static void plausible_ranges_admit_real_values(void **state)
{
    (void)state;
    /* Extreme but real values must not be flagged; impossible ones must fall outside. */
    assert_true(vsd_vital_info(VSD_VITAL_SPO2)->plausible_max == 100);
    assert_true(vsd_vital_info(VSD_VITAL_HR)->plausible_min <= 20);
    assert_true(vsd_vital_info(VSD_VITAL_HR)->plausible_max >= 250);
    assert_true(vsd_vital_info(VSD_VITAL_HR)->plausible_max < 400);
    assert_true(vsd_vital_info(VSD_VITAL_NIBP_SYS)->plausible_max >= 250);
    /* No breath is a value: rr 0 and EtCO2 0 (apnea, room air at the sensor) are plausible;
     * severe hypercapnia (over 100 mmHg) is too. */
    assert_true(vsd_vital_info(VSD_VITAL_RR)->plausible_min == 0);
    assert_true(vsd_vital_info(VSD_VITAL_ETCO2)->plausible_min == 0);
    assert_true(vsd_vital_info(VSD_VITAL_ETCO2)->plausible_max >= 100);
    assert_true(vsd_vital_info(VSD_VITAL_ETCO2)->plausible_max < 760);
}

static void quality_text_is_stable(void **state)
{
    char buf[128];
    (void)state;
    vsd_quality_text(0, buf, sizeof(buf));
    assert_string_equal(buf, "");
    vsd_quality_text(VSD_Q_SENSOR_OFF | VSD_Q_INVALID, buf, sizeof(buf));
    assert_string_equal(buf, "invalid|sensor_off");
    vsd_quality_text(VSD_Q_IMPLAUSIBLE, buf, sizeof(buf));
    assert_string_equal(buf, "implausible");
    vsd_quality_text(VSD_Q_APNEA | VSD_Q_INVALID, buf, sizeof(buf));
    assert_string_equal(buf, "invalid|apnea");
    vsd_quality_text(VSD_Q_INVALID | VSD_Q_ARTIFACT, buf, 8); /* truncation stays a prefix */
    assert_string_equal(buf, "invalid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_vital_is_described),
        cmocka_unit_test(codes_match_the_domain_page),
        cmocka_unit_test(plausible_ranges_admit_real_values),
        cmocka_unit_test(quality_text_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
