/* SPDX-License-Identifier: MIT */
/* Unit tests of JSONL, alerts/audit, FHIR and manifest exports on a database the store wrote. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, open_memstream */
#endif
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <sqlite3.h>

#include <vitalsd/vitals.h>

#include "audit_verify.h"
#include "clock.h"
#include "digest.h"
#include "export_table.h"
#include "fhir.h"
#include "manifest.h"
#include "store.h"

#define T0 1763782055000LL /* 2025-11-22T03:27:35.000Z */

struct fx {
    char dir[64];
    char path[128];
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void put(struct vsd_store *s, int64_t ts, const char *device, const char *session,
                enum vsd_vital v, double value, uint32_t flags)
{
    struct vsd_store_reading r = {.ts_ms = ts,
                                  .bed = "bed-1",
                                  .device = device,
                                  .session_id = session,
                                  .vital = v,
                                  .value = value,
                                  .flags = flags};

    assert_int_equal(vsd_store_reading(s, &r), 0);
}

/* S-1: 4 SpO2 readings (one without a value), one cuff (sys, dia, mean) at T0 + 2000;
 * three audit rows; one alert whose text would be a spreadsheet formula. */
static int setup(void **state)
{
    struct vsd_store_options opt = {.commit_ms = 50, .queue_depth = 1024};
    struct fx *f = calloc(1, sizeof(*f));
    struct vsd_store *s = NULL;
    char err[256];
    sqlite3 *db = NULL;

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vsd-export-table-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vitals.db", f->dir);
    opt.path = f->path;
    assert_int_equal(vsd_store_open(&opt, &s, err, sizeof(err)), 0);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    for (int i = 0; i < 4; i++)
        put(s, T0 + 1000 * i, "mon-1", "S-1", VSD_VITAL_SPO2, i == 1 ? NAN : 95 + i,
            i == 1 ? VSD_Q_INVALID | VSD_Q_SENSOR_OFF : 0);
    put(s, T0 + 2000, "cuff-1", "S-1", VSD_VITAL_NIBP_SYS, 121, 0);
    put(s, T0 + 2000, "cuff-1", "S-1", VSD_VITAL_NIBP_DIA, 79, 0);
    put(s, T0 + 2000, "cuff-1", "S-1", VSD_VITAL_NIBP_MEAN, 93, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(vsd_store_audit(s, T0 + i, "Nurse A", "session_start",
                                         i == 1 ? NULL : "{\"session\":\"S-1\"}"),
                         0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_close(s);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO alerts (alert_id, code, priority, bed, device, "
                                  "session_id, vital, value, limit_value, raised_ms, state) "
                                  "VALUES ('a1', '=HYPERLINK(1)', 'high', '+bed', 'mon-1', "
                                  "'S-1', 'spo2', 84, 90, 1763782056000, 'active')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* Export WHAT/FORMAT of S-1 into a malloc'd string. */
static char *export_str(const char *path, enum vsd_export_what what, enum vsd_export_format format,
                        uint64_t *rows)
{
    struct vsd_export_filter flt = {.session_id = "S-1"};
    char err[256] = "", *buf = NULL;
    size_t len = 0;
    sqlite3 *db = NULL;
    FILE *out = open_memstream(&buf, &len);

    assert_non_null(out);
    assert_int_equal(vsd_export_open(path, &db, err, sizeof(err)), 0);
    assert_int_equal(vsd_export_write(db, what, format, &flt, out, rows, err, sizeof(err)), 0);
    assert_true(sqlite3_get_autocommit(db)); /* the export's transaction is over */
    sqlite3_close(db);
    fclose(out);
    return buf;
}

/* Split S into lines, parse each as JSON into OUT (up to MAX); returns how many. */
static int parse_lines(char *s, cJSON **out, int max)
{
    int n = 0;

    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        assert_true(n < max);
        out[n] = cJSON_Parse(line);
        assert_non_null(out[n]);
        n++;
    }
    return n;
}

static const cJSON *get(const cJSON *o, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(o, key);
}

static void test_readings_jsonl(void **state)
{
    struct fx *f = *state;
    cJSON *o[16];
    uint64_t rows = 0;
    char *buf = export_str(f->path, VSD_EXPORT_READINGS, VSD_FORMAT_JSONL, &rows);
    char time[32];
    int n = parse_lines(buf, o, 16), spo2 = 0;

    assert_int_equal(n, 7);
    assert_int_equal(rows, 7);
    vsd_clock_iso8601(T0, time, sizeof(time));
    assert_string_equal(get(o[0], "time")->valuestring, time);
    assert_true(get(o[0], "time_ms")->valuedouble == (double)T0);
    for (int i = 0; i < n; i++) {
        const cJSON *v = get(o[i], "value");
        assert_string_equal(get(o[i], "session")->valuestring, "S-1");
        if (strcmp(get(o[i], "vital")->valuestring, "spo2") != 0)
            continue;
        assert_string_equal(get(o[i], "loinc")->valuestring, "2708-6");
        assert_string_equal(get(o[i], "unit")->valuestring, "%");
        if (cJSON_IsNull(v)) {
            assert_string_equal(get(o[i], "quality")->valuestring, "invalid|sensor_off");
            assert_int_equal((int)get(o[i], "flags")->valuedouble, 3);
        } else {
            assert_true(v->valuedouble == 95 + spo2);
        }
        spo2++;
    }
    assert_int_equal(spo2, 4);
    for (int i = 0; i < n; i++)
        cJSON_Delete(o[i]);
    free(buf);
}

static void test_alerts_csv_neutralised_jsonl_raw(void **state)
{
    struct fx *f = *state;
    uint64_t rows = 0;
    char *csv = export_str(f->path, VSD_EXPORT_ALERTS, VSD_FORMAT_CSV, &rows);
    char *jsonl;
    cJSON *o[2];

    assert_int_equal(rows, 1);
    assert_non_null(strstr(csv, "alert_id,code,priority,session,bed,device,vital,value,limit,"
                                "raised,cleared,state\r\n"));
    assert_non_null(strstr(csv, "a1,\"'=HYPERLINK(1)\",high,S-1,\"'+bed\",mon-1,spo2,84,90,"
                                "2025-11-22T03:27:36.000Z,,active\r\n"));
    jsonl = export_str(f->path, VSD_EXPORT_ALERTS, VSD_FORMAT_JSONL, &rows);
    assert_int_equal(parse_lines(jsonl, o, 2), 1);
    assert_string_equal(get(o[0], "code")->valuestring, "=HYPERLINK(1)"); /* JSON keeps it */
    assert_true(cJSON_IsNull(get(o[0], "cleared")));
    assert_true(get(o[0], "limit")->valuedouble == 90);
    cJSON_Delete(o[0]);
    free(csv);
    free(jsonl);
}

static void test_audit_jsonl_and_chain(void **state)
{
    struct fx *f = *state;
    struct vsd_audit_verdict v;
    uint64_t rows = 0;
    char *buf = export_str(f->path, VSD_EXPORT_AUDIT, VSD_FORMAT_JSONL, &rows);
    char err[256];
    sqlite3 *db = NULL;
    cJSON *o[4];

    assert_int_equal(parse_lines(buf, o, 4), 3);
    assert_true(cJSON_IsObject(get(o[0], "detail")));
    assert_string_equal(get(get(o[0], "detail"), "session")->valuestring, "S-1");
    assert_true(cJSON_IsNull(get(o[1], "detail")));
    assert_string_equal(get(o[1], "prev_hash")->valuestring, get(o[0], "hash")->valuestring);
    /* the store's writer and the verifier agree on the hash of every row */
    assert_int_equal(vsd_export_open(f->path, &db, err, sizeof(err)), 0);
    assert_int_equal(vsd_audit_verify(db, &v, err, sizeof(err)), 0);
    assert_true(v.ok);
    assert_int_equal(v.rows, 3);
    assert_string_equal(v.head, get(o[2], "hash")->valuestring);
    sqlite3_close(db);
    for (int i = 0; i < 3; i++)
        cJSON_Delete(o[i]);
    free(buf);
}

static void test_fhir_panel_and_absent(void **state)
{
    struct fx *f = *state;
    uint64_t rows = 0;
    char *buf = export_str(f->path, VSD_EXPORT_READINGS, VSD_FORMAT_FHIR, &rows);
    const cJSON *comp, *c;
    cJSON *o[8];
    int n = parse_lines(buf, o, 8), panels = 0, absent = 0, i = 0;

    assert_int_equal(n, 5); /* 4 SpO2 + 1 panel for 3 cuff rows */
    assert_int_equal(rows, 5);
    for (int k = 0; k < n; k++) {
        const cJSON *code = get(o[k], "code");
        const char *loinc = get(cJSON_GetArrayItem(get(code, "coding"), 0), "code")->valuestring;
        assert_string_equal(get(get(get(o[k], "subject"), "identifier"), "value")->valuestring,
                            "S-1");
        assert_string_equal(get(get(get(o[k], "encounter"), "identifier"), "system")->valuestring,
                            VSD_FHIR_SESSION_SYSTEM);
        if (get(o[k], "dataAbsentReason")) {
            absent++;
            assert_null(get(o[k], "valueQuantity"));
            c = cJSON_GetArrayItem(get(get(o[k], "dataAbsentReason"), "coding"), 0);
            assert_string_equal(get(c, "code")->valuestring, "not-performed");
        }
        if (strcmp(loinc, "85354-9") != 0)
            continue;
        panels++;
        comp = get(o[k], "component");
        assert_int_equal(cJSON_GetArraySize(comp), 3);
        static const char *const want[] = {"8480-6", "8462-4", "8478-0"};
        static const double values[] = {121, 79, 93};
        i = 0;
        cJSON_ArrayForEach(c, comp)
        {
            const cJSON *coding = cJSON_GetArrayItem(get(get(c, "code"), "coding"), 0);
            assert_string_equal(get(coding, "code")->valuestring, want[i]);
            assert_true(get(get(c, "valueQuantity"), "value")->valuedouble == values[i]);
            assert_string_equal(get(get(c, "valueQuantity"), "code")->valuestring, "mm[Hg]");
            i++;
        }
    }
    assert_int_equal(panels, 1);
    assert_int_equal(absent, 1);
    for (int k = 0; k < n; k++)
        cJSON_Delete(o[k]);
    free(buf);
}

static void test_manifest(void **state)
{
    struct fx *f = *state;
    struct vsd_export_job job = {.what = VSD_EXPORT_READINGS,
                                 .format = VSD_FORMAT_CSV,
                                 .filter = {.session_id = "S-1", .from_ms = T0},
                                 .by = "Auditor Q"};
    char out[192], mpath[256], err[256] = "", sha[VSD_SHA256_HEX], *text;
    sqlite3 *db = NULL;
    cJSON *m;
    FILE *fp;
    long len;

    snprintf(out, sizeof(out), "%s/s1.csv", f->dir);
    job.output = out;
    job.db_path = f->path;
    assert_int_equal(vsd_export_open(f->path, &db, err, sizeof(err)), 0);
    assert_int_equal(vsd_export_job_run(db, &job, err, sizeof(err)), 0);
    sqlite3_close(db);
    assert_int_equal(job.rows, 7);
    assert_int_equal(job.head_id, 3);
    assert_int_equal(vsd_sha256_file(out, sha), 0);
    assert_string_equal(job.sha256, sha);
    assert_int_equal(vsd_manifest_path(out, mpath, sizeof(mpath)), 0);
    assert_int_equal(vsd_sha256_file(mpath, sha), 0);
    assert_string_equal(job.manifest_sha256, sha);
    fp = fopen(mpath, "r");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    len = ftell(fp);
    rewind(fp);
    text = calloc(1, (size_t)len + 1);
    assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    m = cJSON_Parse(text);
    assert_non_null(m);
    assert_string_equal(get(get(m, "filters"), "session")->valuestring, "S-1");
    assert_string_equal(get(get(m, "filters"), "from")->valuestring, "2025-11-22T03:27:35.000Z");
    assert_true(cJSON_IsNull(get(get(m, "filters"), "bed")));
    assert_string_equal(get(m, "exported_by")->valuestring, "Auditor Q");
    assert_true(get(m, "rows")->valuedouble == 7);
    assert_string_equal(get(cJSON_GetArrayItem(get(m, "files"), 0), "sha256")->valuestring,
                        job.sha256);
    assert_string_equal(get(cJSON_GetArrayItem(get(m, "files"), 0), "name")->valuestring, "s1.csv");
    assert_string_equal(get(get(m, "audit_chain_head"), "hash")->valuestring, job.head_hash);
    cJSON_Delete(m);
    free(text);
}

static void test_names_and_refusals(void **state)
{
    struct fx *f = *state;
    char err[256] = "";
    sqlite3 *db = NULL;
    FILE *out = fopen("/dev/null", "w");

    assert_int_equal(vsd_export_what_from_name("alerts"), VSD_EXPORT_ALERTS);
    assert_int_equal(vsd_export_format_from_name("jsonl"), VSD_FORMAT_JSONL);
    assert_int_equal(vsd_export_format_from_name("xml"), -EINVAL);
    assert_int_equal(vsd_export_what_from_name(NULL), -EINVAL);
    assert_int_equal(vsd_export_open(f->path, &db, err, sizeof(err)), 0);
    assert_int_equal(
        vsd_export_write(db, VSD_EXPORT_AUDIT, VSD_FORMAT_FHIR, NULL, out, NULL, err, sizeof(err)),
        -ENOTSUP);
    assert_non_null(strstr(err, "audit cannot be exported as fhir"));
    sqlite3_close(db);
    fclose(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readings_jsonl, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alerts_csv_neutralised_jsonl_raw, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_jsonl_and_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fhir_panel_and_absent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_and_refusals, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
