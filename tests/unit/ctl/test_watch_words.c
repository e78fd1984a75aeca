/* SPDX-License-Identifier: MIT */
/* The words a nurse reads in vitalsctl watch, alerts and status (issue 16, item 3): each line
 * carries the short alert id; a latched or escalated line says what is true now, never the value
 * it was raised at; values are whole numbers as the monitor shows them; a probe-off names the
 * probe's vitals. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "watch.h"

#define ID "1a2b3c4d5e6f00112233445566778899"
#define BASE "\"alert_id\":\"" ID "\",\"kind\":\"physiological\",\"code\":\"low\"," \
             "\"priority\":\"high\",\"vital\":\"spo2\",\"limit\":88,\"bed\":\"b1\"," \
             "\"session\":\"S-7\",\"raised\":\"2026-11-22T10:42:17.000Z\""

static int setup(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    return 0;
}

static void line(const char *payload, const char *ended, const char *want)
{
    char buf[512];

    assert_int_equal(vsd_watch_format_ended(payload, ended, buf, sizeof(buf)), 0);
    assert_string_equal(buf, want);
}

static void raised_rounded_with_short_id(void **state)
{
    (void)state;
    line("{\"event\":\"raised\"," BASE ",\"value\":84.6667,\"condition\":true,"
         "\"time\":\"2026-11-22T10:42:17.000Z\"}", NULL,
         "10:42:17  RAISED     HIGH    1a2b3c4d  bed b1         session S-7          "
         "SpO2 below 88: 85 %");
}

/* Apnea: its value is seconds without a breath, never breaths per minute. */
static void apnea_in_seconds(void **state)
{
#define APNEA "\"alert_id\":\"" ID "\",\"kind\":\"physiological\",\"code\":\"apnea\"," \
              "\"priority\":\"high\",\"vital\":\"rr\",\"unit\":\"s\",\"bed\":\"b1\"," \
              "\"session\":\"S-7\",\"raised\":\"2026-11-22T10:42:17.000Z\""
    (void)state;
    line("{\"event\":\"raised\"," APNEA ",\"limit\":20,\"value\":20.2,\"condition\":true,"
         "\"time\":\"2026-11-22T10:42:17.000Z\"}", NULL,
         "10:42:17  RAISED     HIGH    1a2b3c4d  bed b1         session S-7          "
         "apnea: no breath detected: 20 s");
    line("{\"event\":\"raised\"," APNEA ",\"limit\":null,\"value\":0,\"condition\":true,"
         "\"time\":\"2026-11-22T10:42:17.000Z\"}", NULL,
         "10:42:17  RAISED     HIGH    1a2b3c4d  bed b1         session S-7          "
         "apnea: no breath detected (monitor): 0 s");
    line("{\"event\":\"cleared\"," APNEA ",\"limit\":20,\"value\":31.6,\"condition\":false,"
         "\"acknowledged\":true,\"time\":\"2026-11-22T10:42:29.000Z\"}", NULL,
         "10:42:29  cleared    HIGH    1a2b3c4d  bed b1         session S-7          "
         "apnea: no breath detected: over, breathing after 32 s");
#undef APNEA
}

static void latched_says_condition_ended(void **state)
{
    (void)state;
    line("{\"event\":\"latched\"," BASE ",\"value\":93.3333,\"condition\":false,"
         "\"time\":\"2026-11-22T10:43:05.000Z\"}", NULL,
         "10:43:05  latched    HIGH    1a2b3c4d  bed b1         session S-7          "
         "SpO2 below 88: condition ended 10:43:05, still needs acknowledgement");
}

static void escalated_latched_never_repeats_the_old_value(void **state)
{
    char buf[512];
    const char *p = "{\"event\":\"escalated\"," BASE ",\"value\":85,\"condition\":false,"
                    "\"escalation\":1,\"time\":\"2026-11-22T10:44:17.000Z\"}";

    (void)state;
    line(p, "10:43:05",
         "10:44:17  ESCALATED  HIGH    1a2b3c4d  bed b1         session S-7          "
         "SpO2 below 88: condition ended 10:43:05, still needs acknowledgement "
         "(escalation step 1)");
    assert_int_equal(vsd_watch_format(p, buf, sizeof(buf)), 0);
    assert_non_null(strstr(buf, "SpO2 below 88: condition ended, still needs acknowledgement"));
    assert_null(strstr(buf, "85"));
    line("{\"event\":\"escalated\"," BASE ",\"value\":85,\"condition\":true,"
         "\"escalation\":2,\"time\":\"2026-11-22T10:47:17.000Z\"}", NULL,
         "10:47:17  ESCALATED  HIGH    1a2b3c4d  bed b1         session S-7          "
         "SpO2 below 88: still below, not acknowledged (escalation step 2)");
}

static void acknowledged_and_cleared(void **state)
{
    (void)state;
    line("{\"event\":\"acknowledged\"," BASE ",\"condition\":false,\"acknowledged\":true,"
         "\"acknowledged_by\":\"nurse1\",\"time\":\"2026-11-22T10:45:00.000Z\"}", NULL,
         "10:45:00  ack'd      HIGH    1a2b3c4d  bed b1         session S-7          "
         "SpO2 below 88: acknowledged by nurse1, condition had ended");
    line("{\"event\":\"cleared\"," BASE ",\"value\":95.5,\"condition\":false,"
         "\"time\":\"2026-11-22T10:45:00.000Z\"}", NULL,
         "10:45:00  cleared    HIGH    1a2b3c4d  bed b1         session S-7          "
         "SpO2 below 88: over, now 96 %");
}

static void probe_off_names_the_probes_vitals(void **state)
{
    (void)state;
    line("{\"event\":\"raised\",\"alert_id\":\"" ID "\",\"kind\":\"technical\","
         "\"code\":\"sensor_off\",\"priority\":\"low\",\"vital\":\"pr\",\"device\":\"m1\","
         "\"bed\":\"b1\",\"value\":null,\"time\":\"2026-11-22T10:50:00.000Z\"}", NULL,
         "10:50:00  RAISED     LOW     1a2b3c4d  bed b1         session (none)       "
         "sensor off: SpO2 probe off, no SpO2 or pulse (device m1)");
}

static void alert_in_words(void **state)
{
    cJSON *a = cJSON_Parse("{" BASE ",\"value\":84,\"condition\":false,\"acknowledged\":false,"
                           "\"escalation\":1}");
    char what[128], now[128];

    (void)state;
    vsd_alert_what(a, what, sizeof(what));
    assert_string_equal(what, "SpO2 below 88");
    vsd_alert_now(a, "10:43:05", now, sizeof(now));
    assert_string_equal(now, "ended 10:43:05, needs acknowledgement");
    vsd_alert_now(a, NULL, now, sizeof(now));
    assert_string_equal(now, "ended, needs acknowledgement");
    cJSON_ReplaceItemInObject(a, "condition", cJSON_CreateTrue());
    cJSON_ReplaceItemInObject(a, "acknowledged", cJSON_CreateTrue());
    cJSON_AddStringToObject(a, "acknowledged_by", "nurse1");
    cJSON_AddStringToObject(a, "acknowledged_at", "2026-11-22T10:44:00.000Z");
    vsd_alert_now(a, NULL, now, sizeof(now));
    assert_string_equal(now, "still below, acknowledged by nurse1 at 10:44:00");
    vsd_watch_value("spo2", 93.3333, now, sizeof(now));
    assert_string_equal(now, "93 %");
    vsd_watch_value("hr", 71.5, now, sizeof(now));
    assert_string_equal(now, "72 bpm");
    cJSON_Delete(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(raised_rounded_with_short_id),
        cmocka_unit_test(latched_says_condition_ended),
        cmocka_unit_test(apnea_in_seconds),
        cmocka_unit_test(escalated_latched_never_repeats_the_old_value),
        cmocka_unit_test(acknowledged_and_cleared),
        cmocka_unit_test(probe_off_names_the_probes_vitals),
        cmocka_unit_test(alert_in_words),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
