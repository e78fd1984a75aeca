/* SPDX-License-Identifier: MIT */
/* Command input validation, alert payloads, and the one-line alert format staff read. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "command.h"
#include "payload.h"
#include "watch.h"

static void session_ids(void **state)
{
    char err[256], long_id[VSD_SESSION_ID_MAX + 2];
    (void)state;

    assert_int_equal(vsd_session_id_check("S-1002", err, sizeof(err)), 0);
    assert_int_equal(vsd_session_id_check("a.b_c-9", err, sizeof(err)), 0);
    assert_int_equal(vsd_session_id_check("", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "session id must be 1-64 characters");
    assert_int_equal(vsd_session_id_check(NULL, err, sizeof(err)), -EINVAL);
    memset(long_id, 'x', sizeof(long_id) - 1);
    long_id[sizeof(long_id) - 1] = '\0';
    assert_int_equal(vsd_session_id_check(long_id, err, sizeof(err)), -EINVAL);
    long_id[VSD_SESSION_ID_MAX] = '\0';
    assert_int_equal(vsd_session_id_check(long_id, err, sizeof(err)), 0);
    assert_int_equal(vsd_session_id_check("Jane Doe", err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "character 5 is not allowed"));
    assert_int_equal(vsd_session_id_check("-S1", err, sizeof(err)), -EINVAL);
    assert_int_equal(vsd_session_id_check("S/1", err, sizeof(err)), -EINVAL);
    assert_int_equal(vsd_session_id_check("S+1", err, sizeof(err)), -EINVAL);
    assert_int_equal(vsd_session_id_check("S\xc3\xa9" "1", err, sizeof(err)), -EINVAL);
}

static void actors(void **state)
{
    char err[256];
    (void)state;

    assert_int_equal(vsd_actor_check("A. Nurse", err, sizeof(err)), 0);
    assert_int_equal(vsd_actor_check("Zo\xc3\xa9 M\xc3\xbcller", err, sizeof(err)), 0);
    assert_int_equal(vsd_actor_check("", err, sizeof(err)), -EINVAL);
    assert_int_equal(vsd_actor_check(NULL, err, sizeof(err)), -EINVAL);
    assert_int_equal(vsd_actor_check("a\nb", err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "the name may not hold control characters");
}

static struct vsd_alert sample_alert(void)
{
    struct vsd_alert a = {.code = VSD_ALERT_LOW, .priority = VSD_PRIO_HIGH, .bed = 0,
                          .device = 0, .vital = VSD_VITAL_SPO2, .value = 86, .limit = 90,
                          .raised_wall_ms = 1795000000123, .condition = true};
    strcpy(a.id, "0123456789abcdef0123456789abcdef");
    return a;
}

static void alert_event_payload(void **state)
{
    struct vsd_alert a = sample_alert();
    struct vsd_alarm_event ev = {VSD_ALARM_RAISED, &a, 86, 1795000000123};
    struct vsd_alert_event_info info = {&ev, 42, "chair-2", "S-1002", "mon-2"};
    char *text = vsd_payload_alert_event(&info);
    cJSON *o = cJSON_Parse(text);
    (void)state;

    assert_non_null(o);
    assert_string_equal(cJSON_GetObjectItem(o, "alert_id")->valuestring, a.id);
    assert_int_equal(cJSON_GetObjectItem(o, "seq")->valueint, 42);
    assert_string_equal(cJSON_GetObjectItem(o, "event")->valuestring, "raised");
    assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring, "active");
    assert_string_equal(cJSON_GetObjectItem(o, "bed")->valuestring, "chair-2");
    assert_string_equal(cJSON_GetObjectItem(o, "session")->valuestring, "S-1002");
    assert_string_equal(cJSON_GetObjectItem(o, "vital")->valuestring, "spo2");
    assert_string_equal(cJSON_GetObjectItem(o, "priority")->valuestring, "high");
    assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "physiological");
    assert_true(cJSON_GetObjectItem(o, "value")->valuedouble == 86);
    assert_true(cJSON_GetObjectItem(o, "limit")->valuedouble == 90);
    assert_string_equal(cJSON_GetObjectItem(o, "time")->valuestring, "2026-11-18T11:06:40.123Z");
    cJSON_Delete(o);
    free(text);
}

static void technical_payload_has_nulls(void **state)
{
    struct vsd_alert a = sample_alert();
    struct vsd_alarm_event ev = {VSD_ALARM_CLEARED, &a, NAN, 1795000000123};
    struct vsd_alert_event_info info = {&ev, 7, "chair-4", NULL, "mon-4"};
    char *text;
    cJSON *o;
    (void)state;

    a.code = VSD_ALERT_COMMS_LOSS;
    a.vital = VSD_VITAL_COUNT;
    a.value = a.limit = NAN;
    text = vsd_payload_alert_event(&info);
    o = cJSON_Parse(text);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "session")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "vital")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "value")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(o, "limit")));
    assert_string_equal(cJSON_GetObjectItem(o, "kind")->valuestring, "technical");
    assert_string_equal(cJSON_GetObjectItem(o, "state")->valuestring, "cleared");
    cJSON_Delete(o);
    free(text);
}

static void watch_line(void **state)
{
    struct vsd_alert a = sample_alert();
    struct vsd_alarm_event ev = {VSD_ALARM_RAISED, &a, 86, 1795000000123};
    struct vsd_alert_event_info info = {&ev, 42, "chair-2", "S-1002", "mon-2"};
    char *text = vsd_payload_alert_event(&info), line[512];
    (void)state;

    setenv("TZ", "UTC", 1);
    assert_int_equal(vsd_watch_format(text, line, sizeof(line)), 0);
    assert_non_null(strstr(line, "11:06:40  RAISED     HIGH"));
    assert_non_null(strstr(line, "bed chair-2"));
    assert_non_null(strstr(line, "session S-1002"));
    assert_non_null(strstr(line, "SpO2 below 90: 86 %"));
    free(text);
    assert_int_equal(vsd_watch_format("{\"x\":1}", line, sizeof(line)), -EINVAL);
    assert_int_equal(vsd_watch_format("not json", line, sizeof(line)), -EINVAL);
}

static void topics(void **state)
{
    char buf[64];
    (void)state;
    assert_int_equal(vsd_topic_bed(buf, sizeof(buf), "obs", "chair-1", "alert"), 0);
    assert_string_equal(buf, "vitals/obs/bed/chair-1/alert");
    assert_int_equal(vsd_topic_device(buf, sizeof(buf), "obs", "mon-1"), 0);
    assert_string_equal(buf, "vitals/obs/device/mon-1/status");
    assert_int_equal(vsd_topic_bed(buf, 10, "obs", "chair-1", "alert"), -ENAMETOOLONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_ids),          cmocka_unit_test(actors),
        cmocka_unit_test(alert_event_payload),  cmocka_unit_test(technical_payload_has_nulls),
        cmocka_unit_test(watch_line),           cmocka_unit_test(topics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
