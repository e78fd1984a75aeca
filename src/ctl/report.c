/* SPDX-License-Identifier: MIT */
/* Gathers one visit from the database: the session, per-vital series and statistics, alerts,
 * monitoring gaps and staff actions. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/reading.h>

#include "report.h"
#include "store_schema.h"

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static int series_push(struct vsd_report_series *s, int64_t ts, double v, bool brk)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        int64_t *nts = realloc(s->ts, cap * sizeof(*nts));
        if (!nts)
            return -ENOMEM;
        s->ts = nts;
        double *nv = realloc(s->v, cap * sizeof(*nv));
        if (!nv)
            return -ENOMEM;
        s->v = nv;
        unsigned char *nb = realloc(s->brk, cap);
        if (!nb)
            return -ENOMEM;
        s->brk = nb;
        s->cap = cap;
    }
    s->brk[s->n] = brk || (s->n > 0 && ts - s->ts[s->n - 1] > VSD_REPORT_GAP_MS);
    s->ts[s->n] = ts;
    s->v[s->n++] = v;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Min, median and max (the time past each limit is report_periods.c's). */
static int series_stats(struct vsd_report_series *s)
{
    double *sorted;

    if (s->n == 0)
        return 0;
    sorted = malloc(s->n * sizeof(*sorted));
    if (!sorted)
        return -ENOMEM;
    memcpy(sorted, s->v, s->n * sizeof(*sorted));
    qsort(sorted, s->n, sizeof(*sorted), cmp_double);
    s->min = sorted[0];
    s->max = sorted[s->n - 1];
    s->median = s->n % 2 ? sorted[s->n / 2] : (sorted[s->n / 2 - 1] + sorted[s->n / 2]) / 2;
    free(sorted);
    return 0;
}

static int load_session(sqlite3 *db, struct vsd_report *r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT bed, started_ms, started_by, ended_ms, ended_by "
                                "FROM sessions WHERE session_id = ?1 ORDER BY id LIMIT 1",
                                -1, &st, NULL);

    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->session, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    if (rc == SQLITE_ROW) {
        copy_text(r->bed, sizeof(r->bed), st, 0);
        r->started_ms = sqlite3_column_int64(st, 1);
        copy_text(r->started_by, sizeof(r->started_by), st, 2);
        r->ended_ms = sqlite3_column_int64(st, 3);
        copy_text(r->ended_by, sizeof(r->ended_by), st, 4);
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_NOTFOUND;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Readings in time order: series of usable values, and gaps between any two readings. */
static int load_readings(sqlite3 *db, struct vsd_report *r)
{
    sqlite3_stmt *st = NULL;
    int64_t last = r->started_ms;
    bool unusable_since[VSD_VITAL_COUNT] = {false};
    int rc = sqlite3_prepare_v2(db,
                                "SELECT ts_ms, vital, value, flags FROM readings "
                                "WHERE session_id = ?1 ORDER BY ts_ms, id",
                                -1, &st, NULL);

    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, r->session, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ts = sqlite3_column_int64(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        int v = name ? vsd_vital_from_name(name) : -EINVAL;
        unsigned flags = (unsigned)sqlite3_column_int64(st, 3);
        bool usable = sqlite3_column_type(st, 2) != SQLITE_NULL && !(flags & VSD_Q_UNUSABLE);

        r->readings++;
        if (ts - last > VSD_REPORT_GAP_MS && r->n_gaps < 10000) {
            struct vsd_report_gap *g = realloc(r->gaps, (r->n_gaps + 1) * sizeof(*g));
            if (!g)
                break;
            r->gaps = g;
            r->gaps[r->n_gaps++] = (struct vsd_report_gap){last, ts, ~0u, "no_reading", false};
        }
        if (ts > last)
            last = ts;
        if (v < 0)
            continue;
        if (!usable) {
            r->series[v].unusable++;
            unusable_since[v] = true;
        } else if (series_push(&r->series[v], ts, sqlite3_column_double(st, 2), unusable_since[v]) <
                   0) {
            break;
        } else {
            unusable_since[v] = false;
        }
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return SQLITE_NOMEM;
    if (rc == SQLITE_DONE && r->ended_ms - last > VSD_REPORT_GAP_MS) {
        struct vsd_report_gap *g = realloc(r->gaps, (r->n_gaps + 1) * sizeof(*g));
        if (!g)
            return SQLITE_NOMEM;
        r->gaps = g;
        r->gaps[r->n_gaps++] = (struct vsd_report_gap){last, r->ended_ms, ~0u, "no_reading", false};
    }
    if (rc == SQLITE_DONE && !r->ended_ms)
        r->ended_ms = last; /* still open: the report ends at the last reading */
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int load_alerts(sqlite3 *db, struct vsd_report *r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT code, priority, vital, state, raised_ms, cleared_ms, "
                                "value, limit_value, acked_ms, acked_by, alert_id FROM alerts "
                                "WHERE session_id = ?1 "
                                "ORDER BY raised_ms, alert_id",
                                -1, &st, NULL);

    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, r->session, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct vsd_report_alert *a = realloc(r->alerts, (r->n_alerts + 1) * sizeof(*a));
        if (!a)
            break;
        r->alerts = a;
        a = &r->alerts[r->n_alerts++];
        copy_text(a->code, sizeof(a->code), st, 0);
        copy_text(a->priority, sizeof(a->priority), st, 1);
        copy_text(a->vital, sizeof(a->vital), st, 2);
        copy_text(a->state, sizeof(a->state), st, 3);
        a->raised_ms = sqlite3_column_int64(st, 4);
        a->cleared_ms = sqlite3_column_int64(st, 5);
        a->has_value = sqlite3_column_type(st, 6) != SQLITE_NULL;
        a->value = sqlite3_column_double(st, 6);
        a->has_limit = sqlite3_column_type(st, 7) != SQLITE_NULL;
        a->limit = sqlite3_column_double(st, 7);
        a->acked_ms = sqlite3_column_int64(st, 8);
        copy_text(a->acked_by, sizeof(a->acked_by), st, 9);
        copy_text(a->alert_id, sizeof(a->alert_id), st, 10);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_NOMEM : rc;
}

static bool near(int64_t a, int64_t b)
{
    return a - b <= 1000 && b - a <= 1000;
}

static int cmp_gap(const void *a, const void *b)
{
    const struct vsd_report_gap *x = a, *y = b;

    return (x->from_ms > y->from_ms) - (x->from_ms < y->from_ms);
}

/* The gaps table's rows of the session (one per vital), rows of the same cause, start and end
 * merged; then the intervals without any reading that no row covers; all in time order. */
static int load_gaps(sqlite3 *db, struct vsd_report *r)
{
    struct vsd_report_gap *computed = r->gaps;
    size_t n_computed = r->n_gaps;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT vital, start_ms, end_ms, reason FROM gaps "
                                "WHERE session_id = ?1 ORDER BY start_ms, id",
                                -1, &st, NULL);

    if (rc != SQLITE_OK)
        return rc;
    r->gaps = NULL;
    r->n_gaps = 0;
    sqlite3_bind_text(st, 1, r->session, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *reason = (const char *)sqlite3_column_text(st, 3);
        int v = name ? vsd_vital_from_name(name) : -EINVAL;
        bool open = sqlite3_column_type(st, 2) == SQLITE_NULL;
        int64_t from = sqlite3_column_int64(st, 1);
        int64_t to = open ? (r->ended_ms > from ? r->ended_ms : from) : sqlite3_column_int64(st, 2);
        struct vsd_report_gap *g = NULL;

        for (size_t i = 0; i < r->n_gaps && !g; i++)
            if (near(r->gaps[i].from_ms, from) && near(r->gaps[i].to_ms, to) &&
                r->gaps[i].open == open && strcmp(r->gaps[i].reason, reason ? reason : "") == 0)
                g = &r->gaps[i];
        if (!g) {
            g = realloc(r->gaps, (r->n_gaps + 1) * sizeof(*g));
            if (!g)
                break;
            r->gaps = g;
            g = &r->gaps[r->n_gaps++];
            *g = (struct vsd_report_gap){from, to, 0, "", open};
            snprintf(g->reason, sizeof(g->reason), "%s", reason ? reason : "");
        }
        if (v >= 0)
            g->vitals |= 1u << v;
    }
    sqlite3_finalize(st);
    for (size_t c = 0; rc == SQLITE_DONE && c < n_computed; c++) {
        bool covered = false;
        for (size_t i = 0; i < r->n_gaps && !covered; i++)
            covered =
                r->gaps[i].from_ms < computed[c].to_ms && computed[c].from_ms < r->gaps[i].to_ms;
        if (covered)
            continue;
        struct vsd_report_gap *g = realloc(r->gaps, (r->n_gaps + 1) * sizeof(*g));
        if (!g) {
            rc = SQLITE_NOMEM;
            break;
        }
        r->gaps = g;
        r->gaps[r->n_gaps++] = computed[c];
    }
    free(computed);
    if (r->n_gaps > 1)
        qsort(r->gaps, r->n_gaps, sizeof(*r->gaps), cmp_gap);
    return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_NOMEM : rc;
}

/* Staff actions about the visit: rows naming the session (its start, end, limit changes,
 * exports of it), acknowledgements of its alerts (accepted, or refused naming one of them),
 * and rows about its bed or the configuration while it was open, give or take 1 s. */
static int load_actions(sqlite3 *db, struct vsd_report *r)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(
        db,
        "SELECT ts_ms, actor, action, detail FROM audit WHERE json_valid(detail) AND "
        "(json_extract(detail, '$.session') = ?1 OR (ts_ms BETWEEN ?3 - 1000 AND ?4 + 1000 AND "
        "(json_extract(detail, '$.bed') = ?2 OR action GLOB 'config_*')) OR "
        "(action = 'alert_ack' AND EXISTS (SELECT 1 FROM alerts al WHERE al.session_id = ?1 AND "
        "(al.alert_id = json_extract(audit.detail, '$.alert') OR "
        "instr(json_extract(audit.detail, '$.reason'), al.alert_id) > 0)))) ORDER BY id",
        -1, &st, NULL);

    if (rc != SQLITE_OK)
        return rc;
    sqlite3_bind_text(st, 1, r->session, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->bed, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, r->started_ms);
    sqlite3_bind_int64(st, 4, r->ended_ms ? r->ended_ms : INT64_MAX - 1000);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct vsd_report_action *a = realloc(r->actions, (r->n_actions + 1) * sizeof(*a));
        const unsigned char *d = sqlite3_column_text(st, 3);
        if (!a)
            break;
        r->actions = a;
        a = &r->actions[r->n_actions++];
        a->ts_ms = sqlite3_column_int64(st, 0);
        copy_text(a->actor, sizeof(a->actor), st, 1);
        copy_text(a->action, sizeof(a->action), st, 2);
        a->detail = d ? strdup((const char *)d) : NULL;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc == SQLITE_ROW ? SQLITE_NOMEM : rc;
}

void vsd_report_free(struct vsd_report *r)
{
    if (!r)
        return;
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        free(r->series[v].ts);
        free(r->series[v].v);
    }
    for (size_t i = 0; i < r->n_actions; i++)
        free(r->actions[i].detail);
    free(r->actions);
    free(r->periods);
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        free(r->series[v].brk);
    free(r->alerts);
    free(r->gaps);
    free(r);
}

int vsd_report_load(sqlite3 *db, const char *session, vsd_report_limits_fn limits_of, void *ctx,
                    struct vsd_report **ret, char *err, size_t errlen)
{
    struct vsd_report *r = calloc(1, sizeof(*r));
    int rc, e = 0;

    if (!r)
        return -ENOMEM;
    snprintf(r->session, sizeof(r->session), "%s", session);
    rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = load_session(db, r);
    if (rc == SQLITE_OK && limits_of)
        r->limits = limits_of(ctx, r->bed);
    if (rc == SQLITE_OK)
        rc = load_readings(db, r);
    if (rc == SQLITE_OK)
        rc = load_gaps(db, r);
    if (rc == SQLITE_OK)
        rc = load_alerts(db, r);
    if (rc == SQLITE_OK)
        rc = vsd_report_proofs(db, r);
    if (rc == SQLITE_OK)
        rc = load_actions(db, r);
    for (int v = 0; rc == SQLITE_OK && e == 0 && v < VSD_VITAL_COUNT; v++)
        e = series_stats(&r->series[v]);
    if (rc == SQLITE_OK && e == 0)
        e = vsd_report_periods(r);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (rc == SQLITE_NOTFOUND) {
        vsd_schema_errf(err, errlen, "no session '%s' in the database", session);
        e = -ENOENT;
    } else if (rc != SQLITE_OK || e < 0) {
        vsd_schema_errf(err, errlen, "report: cannot read the session: %s",
                        e < 0 || rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
        e = e < 0 ? e : vsd_schema_errno(rc);
    }
    if (e < 0) {
        vsd_report_free(r);
        return e;
    }
    *ret = r;
    return 0;
}
