/* SPDX-License-Identifier: MIT */
/* Readings as JSON Lines; alerts and the audit log as CSV and JSON Lines; one entry point. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <vitalsd/vitals.h>

#include "clock.h"
#include "export_table.h"
#include "fhir.h"
#include "store_schema.h"

enum col_type { COL_TEXT, COL_INT, COL_REAL, COL_TIME, COL_JSON };

struct col {
    const char *name;
    enum col_type type;
};

struct table {
    const char *sql;
    const struct col *cols;
    int n_cols;
};

static const struct col alert_cols[] = {
    {"alert_id", COL_TEXT}, {"code", COL_TEXT},   {"priority", COL_TEXT}, {"session", COL_TEXT},
    {"bed", COL_TEXT},      {"device", COL_TEXT}, {"vital", COL_TEXT},    {"value", COL_REAL},
    {"limit", COL_REAL},    {"raised", COL_TIME}, {"cleared", COL_TIME},  {"state", COL_TEXT}};

static const struct col audit_cols[] = {
    {"id", COL_INT},      {"time", COL_TIME},      {"actor", COL_TEXT}, {"action", COL_TEXT},
    {"detail", COL_JSON}, {"prev_hash", COL_TEXT}, {"hash", COL_TEXT}};

static const struct col reading_cols[] = {
    {"time", COL_TIME},  {"session", COL_TEXT}, {"bed", COL_TEXT}, {"device", COL_TEXT},
    {"vital", COL_TEXT}, {"value", COL_REAL},   {"flags", COL_INT}};

static const struct table tables[] = {
    [VSD_EXPORT_READINGS] = {"SELECT ts_ms, session_id, bed, device, vital, value, flags "
                             "FROM readings WHERE (?1 IS NULL OR session_id = ?1) "
                             "AND (?2 IS NULL OR bed = ?2) AND (?3 = 0 OR ts_ms >= ?3) "
                             "AND (?4 = 0 OR ts_ms < ?4) AND (?5 IS NULL OR vital = ?5) "
                             "ORDER BY ts_ms, id",
                             reading_cols, 7},
    [VSD_EXPORT_ALERTS] = {"SELECT alert_id, code, priority, session_id, bed, device, vital, "
                           "value, limit_value, raised_ms, cleared_ms, state FROM alerts "
                           "WHERE (?1 IS NULL OR session_id = ?1) AND (?2 IS NULL OR bed = ?2) "
                           "AND (?3 = 0 OR raised_ms >= ?3) AND (?4 = 0 OR raised_ms < ?4) "
                           "AND (?5 IS NULL OR vital = ?5) ORDER BY raised_ms, alert_id",
                           alert_cols, 12},
    [VSD_EXPORT_AUDIT] = {"SELECT id, ts_ms, actor, action, detail, prev_hash, hash FROM audit "
                          "WHERE (?3 = 0 OR ts_ms >= ?3) AND (?4 = 0 OR ts_ms < ?4) ORDER BY id",
                          audit_cols, 7},
};

static const char *const what_names[] = {"readings", "alerts", "audit"};
static const char *const format_names[] = {"csv", "jsonl", "fhir"};

static int name_index(const char *name, const char *const *names, int n)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -EINVAL;
}

int vsd_export_what_from_name(const char *name)
{
    return name_index(name, what_names, 3);
}

int vsd_export_format_from_name(const char *name)
{
    return name_index(name, format_names, 3);
}

const char *vsd_export_what_name(enum vsd_export_what what)
{
    return (unsigned)what < 3 ? what_names[what] : "?";
}

const char *vsd_export_format_name(enum vsd_export_format format)
{
    return (unsigned)format < 3 ? format_names[format] : "?";
}

/* One CSV cell of column I of the current row. */
static void csv_cell(FILE *out, sqlite3_stmt *st, int i, enum col_type type)
{
    char buf[48];

    if (sqlite3_column_type(st, i) == SQLITE_NULL)
        return;
    if (type == COL_TIME) {
        vsd_clock_iso8601(sqlite3_column_int64(st, i), buf, sizeof(buf));
        fputs(buf, out);
    } else if (type == COL_REAL) {
        snprintf(buf, sizeof(buf), "%.10g", sqlite3_column_double(st, i));
        vsd_export_csv_cell(out, buf);
    } else {
        vsd_export_csv_cell(out, (const char *)sqlite3_column_text(st, i));
    }
}

static void csv_row(FILE *out, sqlite3_stmt *st, const struct table *t)
{
    for (int i = 0; i < t->n_cols; i++) {
        if (i)
            putc(',', out);
        csv_cell(out, st, i, t->cols[i].type);
    }
    fputs("\r\n", out);
}

/* Column I of the current row into object O under its name (null when NULL). */
static void json_cell(cJSON *o, sqlite3_stmt *st, int i, const struct col *c)
{
    const char *text = (const char *)sqlite3_column_text(st, i);
    char iso[40], key[48];
    cJSON *parsed;

    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
        cJSON_AddNullToObject(o, c->name);
    } else if (c->type == COL_TIME) {
        vsd_clock_iso8601(sqlite3_column_int64(st, i), iso, sizeof(iso));
        cJSON_AddStringToObject(o, c->name, iso);
        snprintf(key, sizeof(key), "%s_ms", c->name);
        cJSON_AddNumberToObject(o, key, (double)sqlite3_column_int64(st, i));
    } else if (c->type == COL_INT || c->type == COL_REAL) {
        cJSON_AddNumberToObject(o, c->name, sqlite3_column_double(st, i));
    } else if (c->type == COL_JSON && (parsed = cJSON_Parse(text)) != NULL) {
        cJSON_AddItemToObject(o, c->name, parsed);
    } else {
        cJSON_AddStringToObject(o, c->name, text ? text : "");
    }
}

/* Readings carry their vital's codes and the quality flags as text too. */
static void json_reading_extras(cJSON *o, sqlite3_stmt *st)
{
    const char *vital = (const char *)sqlite3_column_text(st, 4);
    int v = vital ? vsd_vital_from_name(vital) : -EINVAL;
    const struct vsd_vital_info *vi = v >= 0 ? vsd_vital_info((enum vsd_vital)v) : NULL;
    char quality[128];

    if (vi) {
        cJSON_AddStringToObject(o, "loinc", vi->loinc);
        cJSON_AddNumberToObject(o, "mdc_code", vi->mdc_code);
        cJSON_AddStringToObject(o, "unit", vi->ucum);
    }
    vsd_quality_text((unsigned)sqlite3_column_int64(st, 6), quality, sizeof(quality));
    cJSON_AddStringToObject(o, "quality", quality);
}

static int jsonl_row(FILE *out, sqlite3_stmt *st, const struct table *t, bool reading)
{
    cJSON *o = cJSON_CreateObject();
    char *text;

    for (int i = 0; o && i < t->n_cols; i++)
        json_cell(o, st, i, &t->cols[i]);
    if (o && reading)
        json_reading_extras(o, st);
    text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text)
        return -ENOMEM;
    fputs(text, out);
    putc('\n', out);
    free(text);
    return 0;
}

static void csv_header(FILE *out, const struct table *t)
{
    for (int i = 0; i < t->n_cols; i++)
        fprintf(out, "%s%s", i ? "," : "", t->cols[i].name);
    fputs("\r\n", out);
}

struct table_job {
    enum vsd_export_what what;
    enum vsd_export_format format;
    const struct vsd_export_filter *f;
    uint64_t n;
};

/* Every row of WHAT in FORMAT (CSV or JSONL; not readings as CSV). */
static int write_rows(sqlite3 *db, void *ctx, FILE *out)
{
    struct table_job *job = ctx;
    enum vsd_export_what what = job->what;
    enum vsd_export_format format = job->format;
    const struct vsd_export_filter *f = job->f;
    uint64_t *n = &job->n;
    const struct table *t = &tables[what];
    sqlite3_stmt *st = NULL;
    int rc, r = 0;

    rc = sqlite3_prepare_v2(db, t->sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        return rc;
    vsd_export_bind_filter(st, f);
    if (format == VSD_FORMAT_CSV)
        csv_header(out, t);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && r == 0) {
        if (format == VSD_FORMAT_CSV)
            csv_row(out, st, t);
        else
            r = jsonl_row(out, st, t, what == VSD_EXPORT_READINGS);
        if (++*n % 4096 == 0 && f && f->progress)
            f->progress(f->progress_ctx, *n);
        if (*n % 4096 == 0 && ferror(out))
            break;
    }
    sqlite3_finalize(st);
    if (r < 0)
        return SQLITE_NOMEM;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int vsd_export_write(sqlite3 *db, enum vsd_export_what what, enum vsd_export_format format,
                     const struct vsd_export_filter *f, FILE *out, uint64_t *rows, char *err,
                     size_t errlen)
{
    struct table_job job = {what, format, f, 0};
    int r;

    if (!db || !out || (unsigned)what > VSD_EXPORT_AUDIT)
        return -EINVAL;
    if (what == VSD_EXPORT_READINGS && format == VSD_FORMAT_CSV)
        return vsd_export_csv(db, f, out, rows, err, errlen);
    if (what == VSD_EXPORT_READINGS && format == VSD_FORMAT_FHIR)
        return vsd_export_fhir(db, f, out, rows, NULL, err, errlen);
    if (format == VSD_FORMAT_FHIR || (unsigned)format > VSD_FORMAT_FHIR) {
        vsd_schema_errf(err, errlen, "export: %s cannot be exported as %s",
                        vsd_export_what_name(what), vsd_export_format_name(format));
        return -ENOTSUP;
    }
    r = vsd_export_snapshot(db, vsd_export_what_name(what), write_rows, &job, out, err, errlen);
    if (r == 0 && rows)
        *rows = job.n;
    return r;
}

int vsd_export_count(sqlite3 *db, enum vsd_export_what what, const struct vsd_export_filter *f,
                     uint64_t *n)
{
    char sql[1024];
    sqlite3_stmt *st = NULL;
    int rc;

    if (!db || !n || (unsigned)what > VSD_EXPORT_AUDIT)
        return -EINVAL;
    /* constant SQL of this file, wrapped: no user text is ever part of it */
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM (%s)", tables[what].sql);
    rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        vsd_export_bind_filter(st, f);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : vsd_schema_errno(rc);
}
