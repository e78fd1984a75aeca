/* SPDX-License-Identifier: MIT */
/* Exports for auditors: a read-only snapshot of the readings as RFC 4180 CSV. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/vitals.h>

#include "export.h"
#include "obuf.h"
#include "store.h"
#include "store_schema.h"

#define BUSY_TIMEOUT_MS 5000

/* Readings has no index but its partial unique one (inserts stay fast): the
 * filter is a scan, the order a sort. */
static const char csv_query[] =
    "SELECT ts_ms, session_id, bed, device, vital, value, flags FROM readings "
    "WHERE (?1 IS NULL OR session_id = ?1) AND (?2 IS NULL OR bed = ?2) "
    "AND (?3 = 0 OR ts_ms >= ?3) AND (?4 = 0 OR ts_ms < ?4) AND (?5 IS NULL OR vital = ?5) "
    "ORDER BY ts_ms, id";

int vsd_export_open(const char *path, sqlite3 **ret, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int kind, version = 0, rc, r;

    kind = vsd_schema_probe(path, err, errlen);
    if (kind < 0)
        return kind;
    if (kind != VSD_DB_SQLITE) {
        vsd_schema_errf(err, errlen, "database %s %s", path,
                        kind == VSD_DB_ABSENT ? "does not exist" : "is empty");
        return kind == VSD_DB_ABSENT ? -ENOENT : -ENODATA;
    }
    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        vsd_schema_errf(err, errlen, "database %s cannot be opened: %s", path,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        r = vsd_schema_errno(rc);
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    r = vsd_schema_user_version(db, &version);
    if (r < 0) {
        vsd_schema_errf(err, errlen, "database %s cannot be read: %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    if (version > VSD_SCHEMA_VERSION) {
        vsd_schema_errf(err, errlen,
                        "database %s has schema version %d, newer than this vitalsctl "
                        "understands (%d)",
                        path, version, VSD_SCHEMA_VERSION);
        r = -EPROTONOSUPPORT;
        goto fail;
    }
    if (version < 1) {
        vsd_schema_errf(err, errlen, "database %s is not a vitalsd database", path);
        r = -EINVAL;
        goto fail;
    }
    *ret = db;
    return 0;

fail:
    sqlite3_close(db);
    return r;
}

/* Row-to-row state of one export: its output and text that changes rarely. */
struct csv_out {
    struct vsd_obuf b;
    struct vsd_obuf_time time;
    unsigned flags;    /* of quality */
    char quality[128]; /* vsd_quality_text of flags */
    char mdc[VSD_VITAL_COUNT][12];
    char buf[VSD_OBUF_SIZE];
};

void vsd_export_csv_cell(FILE *out, const char *s)
{
    char buf[256];
    struct vsd_obuf b;

    vsd_obuf_init(&b, out, buf, sizeof(buf));
    vsd_obuf_csv_cell(&b, s);
    vsd_obuf_flush(&b);
}

static void put_value(struct vsd_obuf *b, sqlite3_stmt *st, int col)
{
    char num[48];
    size_t n;
    double v;

    if (sqlite3_column_type(st, col) == SQLITE_NULL)
        return;
    v = sqlite3_column_double(st, col);
    if ((n = vsd_fmt_short_decimal(v, num)) > 0) {
        vsd_obuf_put(b, num, n);
        return;
    }
    snprintf(num, sizeof(num), "%.10g", v);
    if (isfinite(v))
        vsd_obuf_puts(b, num);
    else
        vsd_obuf_csv_cell(b, num); /* "-inf" from a tampered row is text, neutralised */
}

/* One CSV line for the current row of ST. */
static void put_row(struct csv_out *c, sqlite3_stmt *st)
{
    const char *vital = (const char *)sqlite3_column_text(st, 4);
    int v = vital ? vsd_vital_from_name(vital) : -EINVAL;
    const struct vsd_vital_info *vi = v >= 0 ? vsd_vital_info((enum vsd_vital)v) : NULL;
    unsigned flags = (unsigned)sqlite3_column_int64(st, 6);
    struct vsd_obuf *b = &c->b;

    vsd_obuf_time(b, &c->time, sqlite3_column_int64(st, 0));
    for (int col = 1; col <= 4; col++) { /* session, bed, device, vital */
        vsd_obuf_putc(b, ',');
        vsd_obuf_csv_cell(b, (const char *)sqlite3_column_text(st, col));
    }
    vsd_obuf_putc(b, ',');
    if (vi) {
        vsd_obuf_puts(b, vi->loinc);
        vsd_obuf_putc(b, ',');
        vsd_obuf_puts(b, c->mdc[v]);
    } else {
        vsd_obuf_putc(b, ',');
    }
    vsd_obuf_putc(b, ',');
    put_value(b, st, 5);
    vsd_obuf_putc(b, ',');
    vsd_obuf_csv_cell(b, vi ? vi->ucum : NULL);
    vsd_obuf_putc(b, ',');
    if (flags != c->flags) {
        vsd_quality_text(flags, c->quality, sizeof(c->quality));
        c->flags = flags;
    }
    vsd_obuf_csv_cell(b, c->quality);
    VSD_OBUF_LIT(b, "\r\n");
}

void vsd_export_bind_filter(sqlite3_stmt *st, const struct vsd_export_filter *f)
{
    if (f && f->session_id)
        sqlite3_bind_text(st, 1, f->session_id, -1, SQLITE_STATIC);
    if (f && f->bed)
        sqlite3_bind_text(st, 2, f->bed, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, f ? f->from_ms : 0);
    sqlite3_bind_int64(st, 4, f ? f->to_ms : 0);
    if (f && f->vital && sqlite3_bind_parameter_count(st) >= 5)
        sqlite3_bind_text(st, 5, f->vital, -1, SQLITE_STATIC);
}

/* Header and every row of ST; SQLITE_OK at the end of the rows (or when OUT fails). */
static int stream_rows(sqlite3_stmt *st, const struct vsd_export_filter *f, FILE *out, uint64_t *n)
{
    struct csv_out *c = malloc(sizeof(*c));
    int rc;

    if (!c)
        return SQLITE_NOMEM;
    vsd_obuf_init(&c->b, out, c->buf, sizeof(c->buf));
    c->time = (struct vsd_obuf_time)VSD_OBUF_TIME_INIT;
    c->flags = 0;
    c->quality[0] = '\0'; /* vsd_quality_text(0) */
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        snprintf(c->mdc[v], sizeof(c->mdc[v]), "%u", vsd_vital_info((enum vsd_vital)v)->mdc_code);
    VSD_OBUF_LIT(&c->b, "time,session,bed,device,vital,loinc,mdc_code,value,unit,quality\r\n");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        put_row(c, st);
        if (++*n % 4096 == 0 && f && f->progress)
            f->progress(f->progress_ctx, *n);
        if (*n % 4096 == 0 && ferror(out))
            break;
    }
    vsd_obuf_flush(&c->b);
    free(c);
    if (rc == SQLITE_ROW)
        return SQLITE_OK; /* the write error is reported by the caller */
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int vsd_export_snapshot(sqlite3 *db, const char *what, vsd_export_rows_fn fn, void *ctx, FILE *out,
                        char *err, size_t errlen)
{
    bool own_txn;
    int rc, r = 0;

    if (!db || !out)
        return -EINVAL;
    /* One read transaction: the WAL snapshot of its first read holds for every row. */
    own_txn = sqlite3_get_autocommit(db);
    rc = own_txn ? sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) : SQLITE_OK;
    if (rc == SQLITE_OK)
        rc = fn(db, ctx, out);
    if (rc != SQLITE_OK) {
        vsd_schema_errf(err, errlen, "export: cannot read the %s: %s", what,
                        rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
        r = vsd_schema_errno(rc);
        goto fail;
    }
    errno = 0;
    if (fflush(out) != 0 || ferror(out)) {
        r = errno ? -errno : -EIO;
        vsd_schema_errf(err, errlen, "export: cannot write the output: %s", strerror(-r));
    }
fail:
    if (own_txn && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return r;
}

struct csv_job {
    const struct vsd_export_filter *f;
    uint64_t n;
};

static int csv_rows(sqlite3 *db, void *ctx, FILE *out)
{
    struct csv_job *job = ctx;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, csv_query, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        vsd_export_bind_filter(st, job->f);
        rc = stream_rows(st, job->f, out, &job->n);
    }
    sqlite3_finalize(st);
    return rc;
}

int vsd_export_csv(sqlite3 *db, const struct vsd_export_filter *f, FILE *out, uint64_t *rows,
                   char *err, size_t errlen)
{
    struct csv_job job = {f, 0};
    int r = vsd_export_snapshot(db, "readings", csv_rows, &job, out, err, errlen);

    if (r == 0 && rows)
        *rows = job.n;
    return r;
}
