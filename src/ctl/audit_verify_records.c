/* SPDX-License-Identifier: MIT */
/* Cross-checks the unchained tables the report reads (who started and ended each session, who
 * acknowledged each alert) against the hash-chained audit rows, both ways. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit_chained.h"
#include "audit_verify.h"
#include "clock.h"
#include "store_schema.h"

struct check {
    sqlite3 *db;
    struct vsd_chained_set set;
    vsd_audit_problem_fn problem;
    void *ctx;
    int64_t newest_ms; /* the newest audit row's time */
    struct vsd_records_verdict *out;
};

static void problem(struct check *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct check *k, const char *fmt, ...)
{
    char line[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    k->out->problems++;
    if (k->problem)
        k->problem(k->ctx, line);
}

static const char *iso(int64_t ms, char *buf)
{
    vsd_clock_iso8601(ms, buf, 40);
    return buf;
}

static const char *col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);

    return t ? (const char *)t : "(none)";
}

/* A table row without its audit row may only be waiting for its commit if it is that new. */
static void missing(struct check *k, int64_t ts_ms)
{
    if (ts_ms >= k->newest_ms - VSD_CHAINED_SLACK_MS)
        k->out->recent = true;
}

/* One end of a sessions row (ENDING false: the start) against the chain. */
static void check_session_end(struct check *k, sqlite3_stmt *st, bool ending)
{
    const char *sid = col(st, 1), *bed = col(st, 2), *by = col(st, ending ? 6 : 4);
    const char *what = ending ? "ended" : "started",
               *action = ending ? "session_end" : "session_start";
    int64_t row = sqlite3_column_int64(st, 0), ts = sqlite3_column_int64(st, ending ? 5 : 3);
    struct vsd_chained *c = ending
                                ? vsd_chained_find(&k->set, VSD_CHAINED_END, bed, NULL, sid, ts)
                                : vsd_chained_find(&k->set, VSD_CHAINED_START, sid, bed, NULL, ts);
    char t[40];

    if (!c) {
        missing(k, ts);
        problem(k,
                "sessions row %" PRId64 ": session %s at bed %s %s %s by %s, but no %s in the "
                "audit chain matches (the row was added, or its session, bed or time changed)",
                row, sid, bed, what, iso(ts, t), by, action);
        return;
    }
    c->used = true;
    if (strcmp(c->actor, by) != 0)
        problem(k,
                "sessions row %" PRId64 ": session %s %s_by is '%s', but audit row %" PRId64
                " (%s) says '%s' (the name was changed)",
                row, sid, ending ? "ended" : "started", by, c->audit_id, action, c->actor);
}

static int check_sessions(struct check *k)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(k->db,
                                "SELECT id, session_id, bed, started_ms, started_by, ended_ms, "
                                "ended_by FROM sessions ORDER BY id",
                                -1, &st, NULL);

    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        k->out->sessions++;
        check_session_end(k, st, false);
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            check_session_end(k, st, true);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void check_ack(struct check *k, sqlite3_stmt *st)
{
    const char *alert = col(st, 0), *by = col(st, 2);
    int64_t ts = sqlite3_column_int64(st, 1);
    struct vsd_chained *c;
    char t[40];

    if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
        problem(k, "alert %s: acked_by is '%s' but the acknowledgement has no time", alert, by);
        return;
    }
    c = vsd_chained_find(&k->set, VSD_CHAINED_ACK, alert, NULL, NULL, ts);
    if (!c) {
        missing(k, ts);
        problem(k,
                "alert %s acknowledged %s by %s, but no alert_ack in the audit chain matches "
                "(the acknowledgement was added, or its time changed)",
                alert, iso(ts, t), by);
        return;
    }
    c->used = true;
    if (strcmp(c->actor, by) != 0)
        problem(k,
                "alert %s: acked_by is '%s', but audit row %" PRId64
                " (alert_ack) says '%s' (the name was changed)",
                alert, by, c->audit_id, c->actor);
}

static int check_acks(struct check *k)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(k->db,
                                "SELECT alert_id, acked_ms, acked_by FROM alerts WHERE acked_ms "
                                "IS NOT NULL OR acked_by IS NOT NULL ORDER BY acked_ms, alert_id",
                                -1, &st, NULL);

    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        k->out->acks++;
        check_ack(k, st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Chained actions no table row took up: their record was deleted or changed. */
static void report_unused(struct check *k)
{
    static const char *const what[] = {
        [VSD_CHAINED_START] = "the sessions table has no such session (deleted or changed)",
        [VSD_CHAINED_END] = "the sessions table shows no session ending there then (the end was "
                            "removed or changed)",
        [VSD_CHAINED_ACK] = "the alerts table does not show that acknowledgement (removed or "
                            "changed)"};
    static const char *const action[] = {[VSD_CHAINED_START] = "session_start",
                                         [VSD_CHAINED_END] = "session_end",
                                         [VSD_CHAINED_ACK] = "alert_ack"};
    char t[40];

    for (size_t i = 0; i < k->set.n; i++) {
        const struct vsd_chained *c = &k->set.v[i];
        if (!c->used)
            problem(k, "audit row %" PRId64 ": %s of %s%s%s by %s at %s, but %s", c->audit_id,
                    action[c->kind], c->key, c->kind == VSD_CHAINED_START ? " at bed " : "",
                    c->kind == VSD_CHAINED_START ? c->bed : "", c->actor, iso(c->ts_ms, t),
                    what[c->kind]);
    }
}

static int64_t newest_audit_ms(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int64_t ms = 0;

    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(ts_ms), 0) FROM audit", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        ms = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return ms;
}

int vsd_audit_records_check(sqlite3 *db, int64_t max_id, vsd_audit_problem_fn fn, void *ctx,
                            struct vsd_records_verdict *out, char *err, size_t errlen)
{
    struct check k = {.db = db, .problem = fn, .ctx = ctx, .out = out};
    int r, rc;

    if (!db || !out)
        return -EINVAL;
    memset(out, 0, sizeof(*out));
    if ((r = vsd_chained_load(db, max_id, &k.set, err, errlen)) < 0)
        return r;
    k.newest_ms = newest_audit_ms(db);
    rc = check_sessions(&k);
    if (rc == SQLITE_OK)
        rc = check_acks(&k);
    if (rc == SQLITE_OK)
        report_unused(&k);
    else {
        vsd_schema_errf(err, errlen, "audit: cannot read sessions or alerts: %s",
                        sqlite3_errmsg(db));
        r = vsd_schema_errno(rc);
    }
    vsd_chained_free(&k.set);
    return r;
}
