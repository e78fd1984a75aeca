/* SPDX-License-Identifier: MIT */
/* Tests of option parsing and configuration loading: typed values, defaults, every error form. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitalsd/option.h>

#include "config.h"
#include "config_schema.h"
#include "registry.h"

/* Path of REL under the source tree (VSD_SOURCE_DIR, else the working directory). */
static void src_path(char *buf, size_t size, const char *rel)
{
    const char *root = getenv("VSD_SOURCE_DIR");

    snprintf(buf, size, "%s/%s", root ? root : ".", rel);
}

/* Load REL from the source tree; asserts it loads without a single problem. */
static struct vsd_config *load_good(const char *rel)
{
    struct vsd_diag diag = {0};
    struct vsd_config *cfg = NULL;
    char path[4096];
    int r;

    src_path(path, sizeof(path), rel);
    r = vsd_config_load(path, &cfg, &diag);
    for (size_t i = 0; i < diag.n; i++)
        print_message("unexpected: %s\n", diag.lines[i]);
    assert_int_equal(r, 0);
    assert_int_equal(diag.n, 0);
    assert_non_null(cfg);
    vsd_diag_free(&diag);
    return cfg;
}

static void test_parse_int(void **state)
{
    long long v = 0;

    (void)state;
    assert_int_equal(vsd_option_parse_int("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(vsd_option_parse_int("-7", &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(vsd_option_parse_int("+3", &v), 0);
    assert_int_equal(v, 3);
    assert_int_equal(vsd_option_parse_int("9223372036854775807", &v), 0);
    assert_true(v == INT64_MAX);
    v = 5;
    assert_int_equal(vsd_option_parse_int("9223372036854775808", &v), -ERANGE);
    assert_int_equal(vsd_option_parse_int("-9223372036854775809", &v), -ERANGE);
    assert_int_equal(vsd_option_parse_int("", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int(" 1", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int("1 ", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int("12abc", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int("0x10", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int("1.0", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int("-", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_int(NULL, &v), -EINVAL);
    assert_int_equal(v, 5); /* untouched on failure */
}

static void test_parse_double(void **state)
{
    double v = 0;

    (void)state;
    assert_int_equal(vsd_option_parse_double("98.6", &v), 0);
    assert_true(v == 98.6);
    assert_int_equal(vsd_option_parse_double("-1e3", &v), 0);
    assert_true(v == -1000.0);
    assert_int_equal(vsd_option_parse_double(".5", &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(vsd_option_parse_double("7", &v), 0);
    assert_true(v == 7.0);
    v = 1;
    assert_int_equal(vsd_option_parse_double("1e999", &v), -ERANGE);
    assert_int_equal(vsd_option_parse_double("nan", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double("inf", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double("0x1p3", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double(" 1", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double("1.5.2", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double("1e", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double("", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double(".", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_double("84%", &v), -EINVAL);
    assert_true(v == 1.0);
}

static void test_parse_bool(void **state)
{
    static const char *const yes[] = {"true", "yes", "on", "1", "TRUE", "Yes"};
    static const char *const no[] = {"false", "no", "off", "0", "OFF"};
    int v;

    (void)state;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        v = -1;
        assert_int_equal(vsd_option_parse_bool(yes[i], &v), 0);
        assert_int_equal(v, 1);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        v = -1;
        assert_int_equal(vsd_option_parse_bool(no[i], &v), 0);
        assert_int_equal(v, 0);
    }
    assert_int_equal(vsd_option_parse_bool("maybe", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_bool("", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_bool("2", &v), -EINVAL);
    assert_int_equal(vsd_option_parse_bool(NULL, &v), -EINVAL);
}

static void test_parse_duration(void **state)
{
    static const struct {
        const char *text;
        int r;
        int64_t ms;
    } cases[] = {
        {"250ms", 0, 250},
        {"2s", 0, 2000},
        {"5m", 0, 300000},
        {"1h", 0, 3600000},
        {"30", 0, 30000}, /* bare number: seconds */
        {"0", 0, 0},
        {"0ms", 0, 0},
        {"9223372036854775807ms", 0, INT64_MAX},
        {"9223372036854775807s", -ERANGE, 0},
        {"99999999999999999999999ms", -ERANGE, 0},
        {"2562047788016h", -ERANGE, 0},
        {"1.5s", -EINVAL, 0}, /* whole numbers only: write 1500ms */
        {"-5s", -EINVAL, 0},
        {"+5s", -EINVAL, 0},
        {"5 s", -EINVAL, 0},
        {" 5s", -EINVAL, 0},
        {"5s ", -EINVAL, 0},
        {"5sec", -EINVAL, 0},
        {"5S", -EINVAL, 0},
        {"5d", -EINVAL, 0},
        {"ms", -EINVAL, 0},
        {"", -EINVAL, 0},
        {"5 parsecs", -EINVAL, 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t ms = -1;
        int r = vsd_option_parse_duration_ms(cases[i].text, &ms);

        if (r != cases[i].r)
            print_message("'%s'\n", cases[i].text);
        assert_int_equal(r, cases[i].r);
        assert_true(ms == (r == 0 ? cases[i].ms : -1));
    }
    assert_int_equal(vsd_option_parse_duration_ms(NULL, &(int64_t){0}), -EINVAL);
}

static int check_even(const char *value, char *err, size_t errlen)
{
    if ((strlen(value) % 2) == 0)
        return 0;
    snprintf(err, errlen, "odd length %zu", strlen(value));
    return -EINVAL;
}

static int check_silent(const char *value, char *err, size_t errlen)
{
    (void)value, (void)err, (void)errlen;
    return -EINVAL;
}

/* OPT checked against VALUE gives EXPECT ("" = accepted). */
static void expect_reason(const struct vsd_option *opt, const char *value, const char *expect)
{
    char err[256] = "junk";
    int r = vsd_option_check(opt, value, err, sizeof(err));

    if (strcmp(err, expect) != 0)
        print_message("%s = '%s': got '%s'\n", opt->key, value, err);
    assert_int_equal(r, expect[0] ? -EINVAL : 0);
    assert_string_equal(err, expect);
}

static void test_option_check(void **state)
{
    static const char *const prio[] = {"low", "medium", "high", NULL};
#define OPT(...) ((struct vsd_option){.key = "k", __VA_ARGS__})
    const struct vsd_option i =
        OPT(.type = VSD_OPT_INT, .flags = VSD_OPT_RANGE, .min = 16, .max = 1000000);
    const struct vsd_option free_int = OPT(.type = VSD_OPT_INT);
    const struct vsd_option d =
        OPT(.type = VSD_OPT_DOUBLE, .flags = VSD_OPT_RANGE, .min = 20, .max = 250.5);
    const struct vsd_option pos =
        OPT(.type = VSD_OPT_DOUBLE, .flags = VSD_OPT_RANGE, .min = 0, .max = HUGE_VAL);
    const struct vsd_option b = OPT(.type = VSD_OPT_BOOL);
    const struct vsd_option t =
        OPT(.type = VSD_OPT_DURATION, .flags = VSD_OPT_RANGE, .min = 100, .max = 3600000);
    const struct vsd_option t10 =
        OPT(.type = VSD_OPT_DURATION, .flags = VSD_OPT_RANGE, .min = 10, .max = 60000);
    const struct vsd_option e = OPT(.type = VSD_OPT_ENUM, .choices = prio);
    const struct vsd_option l = OPT(.type = VSD_OPT_LIST);
    const struct vsd_option s = OPT(.type = VSD_OPT_STRING, .check = check_even);
    const struct vsd_option q = OPT(.type = VSD_OPT_STRING, .check = check_silent);
#undef OPT

    (void)state;
    expect_reason(&i, "4096", "");
    expect_reason(&i, "16", "");
    expect_reason(&i, "1000000", "");
    expect_reason(&i, "abc", "expected an integer, got 'abc'");
    expect_reason(&i, "15", "must be between 16 and 1000000, got 15");
    expect_reason(&i, "99999999999999999999",
                  "must be between 16 and 1000000, got "
                  "'99999999999999999999'");
    expect_reason(&free_int, "99999999999999999999", "out of range, got '99999999999999999999'");
    expect_reason(&free_int, "-5", "");
    expect_reason(&d, "x", "expected a number, got 'x'");
    expect_reason(&d, "250.6", "must be between 20 and 250.5, got 250.6");
    expect_reason(&d, "19.5", "must be between 20 and 250.5, got 19.5");
    expect_reason(&pos, "-1", "must be at least 0, got -1");
    expect_reason(&pos, "1e300", "");
    expect_reason(&b, "maybe", "expected true or false, got 'maybe'");
    expect_reason(&b, "on", "");
    expect_reason(&t, "5 parsecs", "expected a duration such as 500ms, 2s or 5m, got '5 parsecs'");
    expect_reason(&t, "50ms", "must be between 100ms and 1h, got 50ms");
    expect_reason(&t, "2h", "must be between 100ms and 1h, got 2h");
    /* A bare number is seconds: said, with milliseconds suggested when they would fit. */
    expect_reason(&t, "5000", "must be between 100ms and 1h, got 5000 (a bare number is "
                              "seconds: 5000 s); for milliseconds write 5000ms");
    expect_reason(&t, "0", "must be between 100ms and 1h, got 0 (a bare number is seconds: 0 s)");
    expect_reason(&t10, "500", "must be between 10ms and 1m, got 500 (a bare number is seconds: "
                               "500 s); for milliseconds write 500ms");
    expect_reason(&t10, "1500", "must be between 10ms and 1m, got 1500 (a bare number is "
                                "seconds: 1500 s); for milliseconds write 1500ms");
    expect_reason(&t10, "90000", "must be between 10ms and 1m, got 90000 (a bare number is "
                                 "seconds: 90000 s)");
    expect_reason(&t10, "30", "");
    expect_reason(&t, "1h", "");
    expect_reason(&e, "urgent", "expected one of low, medium, high, got 'urgent'");
    expect_reason(&e, "High", "expected one of low, medium, high, got 'High'");
    expect_reason(&e, "high", "");
    expect_reason(&l, "m1,m2", "");
    expect_reason(&l, " m1 , m2 ", "");
    expect_reason(&l, "m1", "");
    expect_reason(&l, "m1,,m2", "expected a comma-separated list of names, got 'm1,,m2'");
    expect_reason(&l, "m1,", "expected a comma-separated list of names, got 'm1,'");
    expect_reason(&l, "m 1", "expected a comma-separated list of names, got 'm 1'");
    expect_reason(&l, "", "expected a comma-separated list of names, got ''");
    expect_reason(&s, "", "must not be empty");
    expect_reason(&s, "ab", "");
    expect_reason(&s, "abc", "odd length 3, got 'abc'"); /* the value always echoed */
    expect_reason(&q, "x", "invalid value 'x'");
}

static void test_option_find(void **state)
{
    const struct vsd_option table[] = {{.key = "a"}, {.key = "b"}, {.key = NULL}};

    (void)state;
    assert_ptr_equal(vsd_option_find(table, "a"), &table[0]);
    assert_ptr_equal(vsd_option_find(table, "b"), &table[1]);
    assert_null(vsd_option_find(table, "c"));
    assert_null(vsd_option_find(table, ""));
    assert_null(vsd_option_find(NULL, "a"));
}

/* Every default of every table (the core's and each driver's) passes its own check. */
static void check_table(const char *what, const struct vsd_option *table)
{
    char err[256];
    size_t n = 0;

    assert_non_null(table);
    for (; table->key; table++, n++) {
        assert_non_null(table->help);
        if (!table->def)
            continue;
        if (vsd_option_check(table, table->def, err, sizeof(err)) < 0)
            print_message("%s %s default '%s': %s\n", what, table->key, table->def, err);
        assert_int_equal(vsd_option_check(table, table->def, err, sizeof(err)), 0);
        assert_false(table->flags & VSD_OPT_REQUIRED); /* a default never applies */
    }
    assert_true(n > 0 && n < 64);
}

static const char *const kinds[] = {"daemon", "mqtt",   "access", "technical", "alerts",
                                    "alarm",  "device", "bed",    "retention", "apnea"};

static void test_schema_defaults(void **state)
{
    const struct vsd_driver *drv;

    (void)state;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        check_table(kinds[i], vsd_cfg_schema(kinds[i]));
    for (size_t i = 0; (drv = vsd_registry_at(i)); i++)
        check_table(drv->name, drv->options);
    assert_null(vsd_cfg_schema("nope"));
}

static void test_good_full(void **state)
{
    struct vsd_config *cfg = load_good("tests/config/good/full.conf");
    const struct vsd_alarm_config *a = &cfg->alarm;
    const struct vsd_limit *spo2 = &a->limits[VSD_VITAL_SPO2], *hr = &a->limits[VSD_VITAL_HR];
    const struct vsd_device_config *d;

    (void)state;
    assert_string_equal(cfg->area, "ward-3");
    assert_int_equal(a->apnea_after_ms, 15000);
    assert_int_equal(a->apnea_priority, VSD_PRIO_MEDIUM);
    assert_int_equal(a->limits[VSD_VITAL_ETCO2].n_bands, 2);
    assert_int_equal(a->limits[VSD_VITAL_ETCO2].delay_ms, 20000);
    assert_string_equal(cfg->database, "/var/lib/vitalsd/ward3.db");
    assert_string_equal(cfg->control_socket, "/run/vitalsd/ward3.sock");
    assert_int_equal(cfg->synchronous, VSD_SYNC_NORMAL);
    assert_int_equal(cfg->commit_ms, 100);
    assert_int_equal(cfg->retention.readings_days, 90);
    assert_string_equal(cfg->retention.archive_dir, "/var/lib/vitalsd/archive");
    assert_int_equal(cfg->log_level, LOG_DEBUG);
    assert_int_equal(cfg->queue_depth, 20000);
    assert_string_equal(cfg->mqtt.host, "broker.example");
    assert_int_equal(cfg->mqtt.port, 8883);
    assert_string_equal(cfg->mqtt.client_id, "vitalsd-test");
    assert_string_equal(cfg->mqtt.username, "vitalsd");
    assert_string_equal(cfg->mqtt.password, "s3cret");
    assert_null(cfg->mqtt.tls_ca_file);
    assert_int_equal(cfg->mqtt.keepalive_s, 30);
    assert_int_equal(cfg->mqtt.reconnect_min_ms, 1000);
    assert_int_equal(cfg->mqtt.reconnect_max_ms, 120000);
    assert_int_equal(a->technical_priority[VSD_ALERT_COMMS_LOSS], VSD_PRIO_MEDIUM);
    assert_int_equal(a->technical_priority[VSD_ALERT_SENSOR_OFF], VSD_PRIO_LOW);
    assert_int_equal(a->technical_priority[VSD_ALERT_INVALID], VSD_PRIO_HIGH);
    assert_int_equal(a->sensor_off_delay_ms, 20000);
    assert_int_equal(a->invalid_delay_ms, 60000);
    assert_int_equal(spo2->n_bands, 1);
    assert_false(spo2->bands[0].high);
    assert_true(spo2->bands[0].limit == 90.0);
    assert_int_equal(spo2->bands[0].priority, VSD_PRIO_HIGH);
    assert_int_equal(spo2->delay_ms, 10000);
    assert_true(spo2->hysteresis == 1.0);
    assert_int_equal(hr->n_bands, 2);
    assert_true(!hr->bands[0].high && hr->bands[0].limit == 45.0);
    assert_true(hr->bands[1].high && hr->bands[1].limit == 130.0);
    assert_int_equal(hr->bands[0].priority, VSD_PRIO_MEDIUM);
    assert_int_equal(hr->bands[1].priority, VSD_PRIO_LOW);
    assert_int_equal(hr->delay_ms, 0);
    assert_true(hr->hysteresis == 2.5);
    assert_int_equal(a->limits[VSD_VITAL_RR].n_bands, 0);

    assert_int_equal(cfg->n_devices, 3);
    d = &cfg->devices[0];
    assert_string_equal(d->name, "mon1");
    assert_string_equal(d->driver->name, "sim");
    assert_int_equal(d->poll_ms, 2000);
    assert_int_equal(d->timeout_ms, 1500);
    assert_int_equal(d->line, 42);
    assert_int_equal(d->n_options, 4); /* driver keys only, in file order, repeats kept */
    assert_string_equal(d->options[0].key, "seed");
    assert_string_equal(d->options[0].value, "7");
    assert_int_equal(d->options[0].line, 46);
    assert_string_equal(d->options[1].value, "desaturation at=20s for=40s value=84");
    assert_string_equal(d->options[2].key, "hr");
    assert_string_equal(d->options[3].key, "event");
    assert_string_equal(d->options[3].value, "probe_off at=2m for=20s");
    assert_int_equal(cfg->devices[1].n_options, 0);
    assert_null(cfg->devices[1].options);
    assert_string_equal(cfg->devices[2].name, "mon-3");
    assert_int_equal(cfg->devices[2].poll_ms, 500000); /* bare number: seconds */

    assert_int_equal(cfg->n_beds, 2);
    assert_string_equal(cfg->beds[0].name, "b1");
    assert_int_equal(cfg->beds[0].n_devices, 2);
    assert_int_equal(cfg->beds[0].devices[0], 0);
    assert_int_equal(cfg->beds[0].devices[1], 1);
    assert_string_equal(cfg->beds[1].name, "B_2");
    assert_int_equal(cfg->beds[1].n_devices, 1);
    assert_int_equal(cfg->beds[1].devices[0], 2);
    assert_int_equal(cfg->devices[0].bed, 0);
    assert_int_equal(cfg->devices[1].bed, 0);
    assert_int_equal(cfg->devices[2].bed, 1);
    assert_memory_equal(&cfg->beds[1].alarm, a, sizeof(*a)); /* the area's, for now */

    assert_int_equal(vsd_config_bed_index(cfg, "B_2"), 1);
    assert_int_equal(vsd_config_bed_index(cfg, "b2"), -ENOENT);
    assert_int_equal(vsd_config_device_index(cfg, "mon-3"), 2);
    assert_int_equal(vsd_config_device_index(cfg, "mon4"), -ENOENT);
    assert_non_null(strstr(cfg->path, "tests/config/good/full.conf"));
    vsd_config_free(cfg);
}

static void test_good_defaults(void **state)
{
    struct vsd_config *cfg = load_good("tests/config/good/minimal.conf");
    const struct vsd_alarm_config *a = &cfg->alarm;

    (void)state;
    assert_string_equal(cfg->control_socket, "/run/vitalsd/control.sock");
    assert_int_equal(cfg->synchronous, VSD_SYNC_FULL);
    assert_int_equal(cfg->commit_ms, 250);
    assert_int_equal(cfg->log_level, LOG_INFO);
    assert_int_equal(cfg->queue_depth, 4096);
    assert_string_equal(cfg->mqtt.host, "127.0.0.1");
    assert_int_equal(cfg->mqtt.port, 1883);
    assert_string_equal(cfg->mqtt.client_id, "vitalsd-a");
    assert_null(cfg->mqtt.username);
    assert_null(cfg->mqtt.password);
    assert_null(cfg->mqtt.tls_ca_file);
    assert_null(cfg->mqtt.tls_cert_file);
    assert_null(cfg->mqtt.tls_key_file);
    assert_int_equal(cfg->mqtt.keepalive_s, 10);
    assert_int_equal(cfg->mqtt.reconnect_min_ms, 500);
    assert_int_equal(cfg->mqtt.reconnect_max_ms, 10000);
    assert_int_equal(a->technical_priority[VSD_ALERT_COMMS_LOSS], VSD_PRIO_HIGH);
    assert_int_equal(a->technical_priority[VSD_ALERT_SENSOR_OFF], VSD_PRIO_MEDIUM);
    assert_int_equal(a->technical_priority[VSD_ALERT_INVALID], VSD_PRIO_MEDIUM);
    assert_int_equal(a->technical_priority[VSD_ALERT_COMMS_DEGRADED], VSD_PRIO_MEDIUM);
    assert_int_equal(a->technical_priority[VSD_ALERT_STORAGE], VSD_PRIO_HIGH);
    assert_int_equal(a->nibp_overdue_ms, 0);
    assert_int_equal(a->latch_priority, VSD_PRIO_HIGH);
    assert_int_equal(a->escalate_priority, VSD_PRIO_MEDIUM);
    assert_int_equal(a->escalate_ms[0], 120000);
    assert_int_equal(a->escalate_ms[1], 300000);
    assert_int_equal(a->sensor_off_delay_ms, 10000);
    assert_int_equal(a->invalid_delay_ms, 5000);
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        assert_int_equal(a->limits[v].n_bands, 0);
        assert_false(a->limits[v].rise.set || a->limits[v].fall.set);
        assert_int_equal(a->limits[v].delay_ms, 0);
        assert_true(a->limits[v].hysteresis == 0.0);
    }
    assert_int_equal(cfg->devices[0].poll_ms, 1000);
    assert_int_equal(cfg->devices[0].timeout_ms, 500);
    assert_int_equal(cfg->devices[0].n_options, 0);
    vsd_config_free(cfg);
}

/* A byte order mark, CR LF line ends, tabs and blanks inside brackets are all fine. */
static void test_good_crlf_bom(void **state)
{
    struct vsd_config *cfg = load_good("tests/config/good/crlf_bom.conf");

    (void)state;
    assert_string_equal(cfg->area, "a");
    assert_string_equal(cfg->database, "x.db");
    assert_int_equal(cfg->n_devices, 1);
    assert_string_equal(cfg->devices[0].name, "m1");
    assert_int_equal(cfg->devices[0].line, 5);
    assert_string_equal(cfg->beds[0].name, "b1");
    vsd_config_free(cfg);
}

/* vitalsctl's load leaves out the daemon's credentials, unread; the daemon's keeps them and
 * knows an inline password is there (it warns at start). */
static void test_client_load_has_no_secrets(void **state)
{
    struct vsd_config *cfg = NULL;
    struct vsd_diag diag = {0};
    char path[4096];

    (void)state;
    src_path(path, sizeof(path), "tests/config/good/full.conf");
    assert_int_equal(vsd_config_load_client(path, &cfg, &diag), 0);
    assert_null(cfg->mqtt.username);
    assert_null(cfg->mqtt.password);
    assert_null(cfg->mqtt.tls_cert_file);
    assert_string_equal(cfg->mqtt.host, "broker.example"); /* the rest is all there */
    vsd_config_free(cfg);
    cfg = load_good("tests/config/good/full.conf");
    assert_string_equal(cfg->mqtt.username, "vitalsd");
    assert_true(cfg->mqtt_password_inline);
    vsd_config_free(cfg);
}

/* A remote broker without account or TLS loads only with allow_insecure (bad/mqtt_remote*.conf
 * are the refusals); a loopback broker needs neither. */
static void test_mqtt_insecure_allowed(void **state)
{
    struct vsd_config *cfg = load_good("tests/config/good/mqtt_insecure.conf");

    (void)state;
    assert_string_equal(cfg->mqtt.host, "192.0.2.10");
    assert_null(cfg->mqtt.username);
    assert_null(cfg->mqtt.tls_ca_file);
    vsd_config_free(cfg);
    cfg = load_good("tests/config/good/minimal.conf");
    assert_string_equal(cfg->mqtt.host, "127.0.0.1");
    assert_null(cfg->mqtt.username);
    vsd_config_free(cfg);
}

static void test_example_config(void **state)
{
    struct vsd_config *cfg = load_good("config/vitalsd.conf");

    (void)state;
    assert_true(cfg->n_beds > 0 && cfg->n_devices > 0);
    vsd_config_free(cfg);
}

/* Lines of PATH, without newlines and without trailing blank lines. */
static size_t read_lines(const char *path, char ***ret)
{
    FILE *f = fopen(path, "r");
    char **lines = NULL, *line = NULL;
    size_t n = 0, cap = 0;
    ssize_t len;

    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    while ((len = getline(&line, &cap, f)) >= 0) {
        line[strcspn(line, "\r\n")] = '\0';
        lines = realloc(lines, (n + 1) * sizeof(*lines));
        assert_non_null(lines);
        lines[n++] = strdup(line);
    }
    free(line);
    fclose(f);
    while (n > 0 && lines[n - 1][0] == '\0')
        free(lines[--n]);
    *ret = lines;
    return n;
}

/* Load DIR/NAME.conf into *CFG and DIAG and assert that DIAG holds exactly the lines of
 * DIR/NAME.expected (paths relative to DIR), at least one. Returns the load's result. */
static int load_case(const char *dir, const char *name, struct vsd_config **cfg,
                     struct vsd_diag *diag)
{
    char path[2048], expected_path[2048];
    char **expected;
    size_t n, prefix = strlen(dir) + 1;
    bool same;
    int r;

    snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
    snprintf(expected_path, sizeof(expected_path), "%s/%s.expected", dir, name);
    n = read_lines(expected_path, &expected);
    r = vsd_config_load(path, cfg, diag);
    same = diag->n == n;
    for (size_t i = 0; same && i < n; i++)
        same = strncmp(diag->lines[i], path, prefix) == 0 &&
               strcmp(diag->lines[i] + prefix, expected[i]) == 0;
    if (!same) {
        print_message("%s: expected %zu lines:\n", name, n);
        for (size_t i = 0; i < n; i++)
            print_message("  %s\n", expected[i]);
        print_message("got %zu (%zu warnings):\n", diag->n, diag->n_warnings);
        for (size_t i = 0; i < diag->n; i++) {
            const char *line = diag->lines[i];
            print_message("  %s\n", line + (strlen(line) > prefix ? prefix : 0));
        }
    }
    assert_true(same);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        free(expected[i]);
    free(expected);
    return r;
}

/* DIR/NAME.conf fails with exactly the lines of DIR/NAME.expected. */
static void expect_bad(const char *dir, const char *name)
{
    struct vsd_diag diag = {0};
    struct vsd_config *cfg = NULL;

    assert_int_equal(load_case(dir, name, &cfg, &diag), -EINVAL);
    assert_null(cfg);
    vsd_diag_free(&diag);
}

/* DIR/NAME.conf loads, with exactly the warnings of DIR/NAME.expected. */
static void expect_warn(const char *dir, const char *name)
{
    struct vsd_diag diag = {0};
    struct vsd_config *cfg = NULL;

    assert_int_equal(load_case(dir, name, &cfg, &diag), 0);
    assert_int_equal(diag.n_warnings, diag.n); /* every line a warning */
    assert_non_null(cfg);
    vsd_config_free(cfg);
    vsd_diag_free(&diag);
}

/* CHECK(DIR, NAME) for every NAME.conf in DIR; returns how many. */
static size_t for_each_case(const char *dir, void (*check)(const char *dir, const char *name))
{
    struct dirent *de;
    size_t cases = 0;
    DIR *d = opendir(dir);

    assert_non_null(d);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        char name[256];

        if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
            continue;
        snprintf(name, sizeof(name), "%.*s", (int)(len - 5), de->d_name);
        check(dir, name);
        cases++;
    }
    closedir(d);
    return cases;
}

/* tests/config/warn: files that load, with warnings (never counted as errors). */
static void test_warn_cases(void **state)
{
    char dir[1024];

    (void)state;
    src_path(dir, sizeof(dir), "tests/config/warn");
    assert_true(for_each_case(dir, expect_warn) >= 1);
}

static void test_bad_cases(void **state)
{
    char dir[1024], other[1400];
    struct dirent *de;
    DIR *d;

    (void)state;
    src_path(dir, sizeof(dir), "tests/config/bad");
    assert_true(for_each_case(dir, expect_bad) >= 10);
    /* and no .expected without its .conf */
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);

        if (len <= 9 || strcmp(de->d_name + len - 9, ".expected") != 0)
            continue;
        snprintf(other, sizeof(other), "%s/%.*s.conf", dir, (int)(len - 9), de->d_name);
        if (access(other, R_OK) != 0)
            fail_msg("%s has no .conf", de->d_name);
    }
    closedir(d);
}

static void test_unreadable(void **state)
{
    struct vsd_diag diag = {0};
    struct vsd_config *cfg = NULL;
    char dir[1024], expect[1200];

    (void)state;
    assert_int_equal(vsd_config_load("/nonexistent/vitalsd.conf", &cfg, &diag), -ENOENT);
    assert_null(cfg);
    assert_int_equal(diag.n, 1);
    assert_string_equal(diag.lines[0],
                        "/nonexistent/vitalsd.conf: cannot read: No such file or directory");
    /* A directory opens but cannot be read; problems append to the same DIAG. */
    src_path(dir, sizeof(dir), "tests/config");
    assert_int_equal(vsd_config_load(dir, &cfg, &diag), -EISDIR);
    assert_null(cfg);
    assert_int_equal(diag.n, 2);
    snprintf(expect, sizeof(expect), "%s: cannot read: Is a directory", dir);
    assert_string_equal(diag.lines[1], expect);
    vsd_diag_free(&diag);
    assert_int_equal(diag.n, 0);
    assert_null(diag.lines);
    vsd_diag_free(&diag);
    vsd_diag_free(NULL);
    vsd_config_free(NULL);
    /* DIAG may be NULL: the problems are dropped. */
    assert_int_equal(vsd_config_load("/nonexistent/vitalsd.conf", &cfg, NULL), -ENOENT);
}

/* A temporary directory with the files the [mqtt] section names. */
struct tmp {
    char dir[64];
    char conf[128];
};

static void write_file(const char *dir, const char *name, const char *text, char *path, size_t size)
{
    FILE *f;

    snprintf(path, size, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Write MQTT (the [mqtt] section; "%1$s" is the temp dir) with a valid rest around it. */
static void write_conf(struct tmp *t, const char *mqtt)
{
    char text[4096], section[2048];

    snprintf(section, sizeof(section), mqtt, t->dir);
    snprintf(text, sizeof(text),
             "[daemon]\narea = a\ndatabase = x.db\n[mqtt]\n%s[device.m]\ndriver = sim\n"
             "[bed.b]\ndevices = m\n",
             section);
    write_file(t->dir, "v.conf", text, t->conf, sizeof(t->conf));
}

static int tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof(*t));
    char path[128];

    assert_non_null(t);
    snprintf(t->dir, sizeof(t->dir), "/tmp/vsd-cfg-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    write_file(t->dir, "pw", "hunter2\r\nsecond line\n", path, sizeof(path));
    write_file(t->dir, "empty", "\n", path, sizeof(path));
    write_file(t->dir, "ca.pem", "ca\n", path, sizeof(path));
    write_file(t->dir, "cert.pem", "cert\n", path, sizeof(path));
    write_file(t->dir, "key.pem", "key\n", path, sizeof(path));
    *state = t;
    return 0;
}

static int tmp_teardown(void **state)
{
    static const char *const names[] = {"pw", "empty", "ca.pem", "cert.pem", "key.pem", "v.conf"};
    struct tmp *t = *state;
    char path[128];

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", t->dir, names[i]);
        unlink(path);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

static void test_mqtt_files(void **state)
{
    struct tmp *t = *state;
    struct vsd_diag diag = {0};
    struct vsd_config *cfg = NULL;
    char expect[512];

    write_conf(t, "password_file = %1$s/pw\ntls_ca_file = %1$s/ca.pem\n"
                  "tls_cert_file = %1$s/cert.pem\ntls_key_file = %1$s/key.pem\n");
    assert_int_equal(vsd_config_load(t->conf, &cfg, &diag), 0);
    assert_int_equal(diag.n, 0);
    assert_string_equal(cfg->mqtt.password, "hunter2"); /* first line, CR LF removed */
    snprintf(expect, sizeof(expect), "%s/ca.pem", t->dir);
    assert_string_equal(cfg->mqtt.tls_ca_file, expect);
    snprintf(expect, sizeof(expect), "%s/key.pem", t->dir);
    assert_string_equal(cfg->mqtt.tls_key_file, expect);
    vsd_config_free(cfg);
    cfg = NULL;

    write_conf(t, "password_file = %1$s/empty\ntls_ca_file = %1$s\n");
    assert_int_equal(vsd_config_load(t->conf, &cfg, &diag), -EINVAL);
    assert_null(cfg);
    assert_int_equal(diag.n, 2);
    snprintf(expect, sizeof(expect),
             "%s:5: [mqtt] password_file: first line of '%s/empty' is empty", t->conf, t->dir);
    assert_string_equal(diag.lines[0], expect);
    snprintf(expect, sizeof(expect), "%s:6: [mqtt] tls_ca_file: '%s' is not a regular file",
             t->conf, t->dir);
    assert_string_equal(diag.lines[1], expect);
    vsd_diag_free(&diag);
}

/* KEY appears as `key` in DOC and as a (maybe commented) "key = " line in EXAMPLE. */
static void expect_documented(const char *key, char **doc, size_t n_doc, char **example,
                              size_t n_example)
{
    size_t len = strlen(key);
    bool in_doc = false, in_example = false;
    char needle[128];

    snprintf(needle, sizeof(needle), "`%s`", key);
    for (size_t i = 0; i < n_doc && !in_doc; i++)
        in_doc = strstr(doc[i], needle) != NULL;
    for (size_t i = 0; i < n_example && !in_example; i++) {
        const char *p = example[i] + strspn(example[i], "#; ");

        in_example = strncmp(p, key, len) == 0 && p[len + strspn(p + len, " ")] == '=';
    }
    if (!in_doc || !in_example)
        print_message("key '%s': in docs %d, in example %d\n", key, in_doc, in_example);
    assert_true(in_doc && in_example);
}

/* Every key of the core's tables and of each driver is documented and shown in the example. */
static void test_docs_cover_schema(void **state)
{
    const struct vsd_option *tables[32];
    const struct vsd_driver *drv;
    char **doc, **example;
    size_t n_doc, n_example, n = 0;
    char path[4096];

    (void)state;
    src_path(path, sizeof(path), "docs/configuration.md");
    n_doc = read_lines(path, &doc);
    src_path(path, sizeof(path), "config/vitalsd.conf");
    n_example = read_lines(path, &example);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        tables[n++] = vsd_cfg_schema(kinds[k]);
    for (size_t d = 0; (drv = vsd_registry_at(d)) && n < 32; d++)
        tables[n++] = drv->options;
    for (size_t t = 0; t < n; t++)
        for (const struct vsd_option *opt = tables[t]; opt->key; opt++)
            expect_documented(opt->key, doc, n_doc, example, n_example);
    for (size_t i = 0; i < n_doc; i++)
        free(doc[i]);
    for (size_t i = 0; i < n_example; i++)
        free(example[i]);
    free(doc);
    free(example);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_parse_double),
        cmocka_unit_test(test_parse_bool),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_option_check),
        cmocka_unit_test(test_option_find),
        cmocka_unit_test(test_schema_defaults),
        cmocka_unit_test(test_good_full),
        cmocka_unit_test(test_mqtt_insecure_allowed),
        cmocka_unit_test(test_client_load_has_no_secrets),
        cmocka_unit_test(test_good_defaults),
        cmocka_unit_test(test_good_crlf_bom),
        cmocka_unit_test(test_example_config),
        cmocka_unit_test(test_bad_cases),
        cmocka_unit_test(test_warn_cases),
        cmocka_unit_test(test_unreadable),
        cmocka_unit_test_setup_teardown(test_mqtt_files, tmp_setup, tmp_teardown),
        cmocka_unit_test(test_docs_cover_schema),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
