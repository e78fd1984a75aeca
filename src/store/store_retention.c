/* SPDX-License-Identifier: MIT */
/* Retention: the readings older than a cutoff, already archived, are counted and deleted in
 * small steps on the writer thread, with one audit row (docs/auditors.md, "Retention"). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vitalsd/log.h>

#include "clock.h"
#include "store_retention.h"
#include "store_schema.h"
#include "store_sql.h"
#include "strset.h"

enum phase { P_START, P_COUNT, P_DELETE, P_OVER };

/* How far the deleting steps got: committed, or tentative inside a step's transaction. */
struct progress {
    int64_t pos; /* the highest row id looked at */
    uint64_t deleted;
};

struct vsd_retention_run {
    int64_t cutoff_ms, ts_ms;
    uint64_t rows; /* the archive's count */
    char *actor, *detail;
    enum phase phase;
    int64_t max_id;              /* rows after the run began are never in it */
    int64_t pos;                 /* counting: the highest row id looked at */
    int64_t first_del, last_del; /* row ids of the first and last row to delete */
    uint64_t counted, kept;      /* rows before the cutoff; of them, of an open session */
    struct vsd_strset open;      /* the sessions open when the run began */
    struct progress done, tent;
    bool audit_due; /* the accepting audit row goes with the first deletions */
    bool audit_refused;
    sqlite3_stmt *scan, *del;
    int64_t longest_us;
};

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

struct vsd_retention_run *vsd_retention_new(const struct vsd_store_retention *req)
{
    struct vsd_retention_run *run;

    if (!req || req->cutoff_ms <= 0 || !req->actor || !req->detail_json ||
        req->detail_json[0] != '{' || req->detail_json[strlen(req->detail_json) - 1] != '}')
        return NULL;
    run = calloc(1, sizeof(*run));
    if (!run)
        return NULL;
    run->cutoff_ms = req->cutoff_ms;
    run->ts_ms = req->ts_ms;
    run->rows = req->rows;
    run->actor = strdup(req->actor);
    run->detail = strdup(req->detail_json);
    if (!run->actor || !run->detail) {
        vsd_retention_free(run);
        return NULL;
    }
    return run;
}

void vsd_retention_free(struct vsd_retention_run *run)
{
    if (!run)
        return;
    sqlite3_finalize(run->scan);
    sqlite3_finalize(run->del);
    vsd_strset_clear(&run->open);
    free(run->actor);
    free(run->detail);
    free(run);
}

void vsd_retention_result(const struct vsd_retention_run *run, uint64_t *deleted, uint64_t *kept,
                          int64_t *longest_us)
{
    *deleted = run->done.deleted;
    *kept = run->kept;
    *longest_us = run->longest_us;
}

/* The statements, the newest row id and the open sessions: what the run is about. */
static int start(struct vsd_retention_run *run, sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, ts_ms < ?3, session_id FROM readings "
                                "WHERE id > ?1 AND id <= ?2 ORDER BY id LIMIT ?4",
                                -1, &run->scan, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "DELETE FROM readings WHERE id = ?1", -1, &run->del, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM readings", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        run->max_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    st = NULL;
    if (rc == SQLITE_ROW)
        rc = sqlite3_prepare_v2(db, "SELECT session_id FROM sessions WHERE ended_ms IS NULL", -1,
                                &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        rc = vsd_strset_add(&run->open, (const char *)sqlite3_column_text(st, 0)) < 0 ? SQLITE_NOMEM
                                                                                      : SQLITE_OK;
    sqlite3_finalize(st);
    run->phase = P_COUNT;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Is the row at the scan's cursor one of an open session? */
static bool of_open_session(const struct vsd_retention_run *run)
{
    const unsigned char *sid = sqlite3_column_text(run->scan, 2);

    return sid && vsd_strset_has(&run->open, (const char *)sid);
}

/* Read up to VSD_RETENTION_COUNT_STEP rows after run->pos. *MORE: rows may remain. */
static int count_step(struct vsd_retention_run *run, bool *more)
{
    int rc, n = 0;

    sqlite3_bind_int64(run->scan, 1, run->pos);
    sqlite3_bind_int64(run->scan, 2, run->max_id);
    sqlite3_bind_int64(run->scan, 3, run->cutoff_ms);
    sqlite3_bind_int(run->scan, 4, VSD_RETENTION_COUNT_STEP);
    while ((rc = sqlite3_step(run->scan)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(run->scan, 0);
        n++;
        run->pos = id;
        if (!sqlite3_column_int(run->scan, 1))
            continue;
        run->counted++;
        if (of_open_session(run)) {
            run->kept++;
            continue;
        }
        if (!run->first_del)
            run->first_del = id;
        run->last_del = id;
    }
    sqlite3_reset(run->scan);
    *more = n == VSD_RETENTION_COUNT_STEP;
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int vsd_retention_sql_chunk(struct vsd_retention_run *run, sqlite3 *db)
{
    int rc, n = 0;

    run->tent = run->done;
    sqlite3_bind_int64(run->scan, 1, run->done.pos);
    sqlite3_bind_int64(run->scan, 2, run->last_del);
    sqlite3_bind_int64(run->scan, 3, run->cutoff_ms);
    sqlite3_bind_int(run->scan, 4, VSD_RETENTION_DELETE_STEP);
    while ((rc = sqlite3_step(run->scan)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(run->scan, 0);
        n++;
        run->tent.pos = id;
        if (!sqlite3_column_int(run->scan, 1) || of_open_session(run))
            continue;
        sqlite3_bind_int64(run->del, 1, id);
        rc = sqlite3_step(run->del);
        sqlite3_reset(run->del);
        if (rc != SQLITE_DONE)
            break;
        run->tent.deleted += (uint64_t)sqlite3_changes(db);
    }
    sqlite3_reset(run->scan);
    if (rc == SQLITE_DONE && n < VSD_RETENTION_DELETE_STEP)
        run->tent.pos = run->last_del; /* the range is done */
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* The audit row's detail: the request's object with the run's verdict appended. */
static char *verdict(const struct vsd_retention_run *run, const char *result, const char *reason)
{
    size_t len = strlen(run->detail) + 512 + (reason ? strlen(reason) : 0);
    char *text = malloc(len), iso[40];

    if (!text)
        return NULL;
    vsd_clock_iso8601(run->cutoff_ms, iso, sizeof(iso));
    snprintf(text, len,
             "%.*s%s\"cutoff\":\"%s\",\"cutoff_ms\":%" PRId64 ",\"rows_archived\":%" PRIu64
             ",\"rows_before_cutoff\":%" PRIu64 ",\"to_delete\":%" PRIu64
             ",\"kept_open_sessions\":%" PRIu64 ",\"max_id\":%" PRId64 ",\"result\":\"%s\"%s%s%s}",
             (int)strlen(run->detail) - 1, run->detail, strlen(run->detail) > 2 ? "," : "", iso,
             run->cutoff_ms, run->rows, run->counted,
             strcmp(result, "done") == 0 ? run->counted - run->kept : 0, run->kept, run->max_id,
             result, reason ? ",\"reason\":\"" : "", reason ? reason : "", reason ? "\"" : "");
    return text;
}

/* Write the audit row of the run (and, when PURGE, the first deleting step) in one
 * transaction. Returns 0 or negative errno with MSG set. */
static int write_batch(struct vsd_retention_run *run, struct vsd_store_sql *q, const char *result,
                       const char *reason, bool purge, char *msg, size_t msglen)
{
    struct vsd_op *audit = NULL, *chunk = NULL;
    struct vsd_op_list batch = {0};
    struct vsd_batch_counts c;
    char *detail = result ? verdict(run, result, reason) : NULL;
    int r = -ENOMEM;

    if (result && detail)
        audit = vsd_op_new(VSD_OP_AUDIT, (const char *const[VSD_F_COUNT]){
                                             [VSD_F_BY] = run->actor,
                                             [VSD_F_ACTION] = "retention",
                                             [VSD_F_DETAIL] = detail,
                                         });
    if (purge && (chunk = vsd_op_new(VSD_OP_PURGE, (const char *const[VSD_F_COUNT]){0})))
        chunk->ctx = run;
    if ((result && !audit) || (purge && !chunk)) {
        snprintf(msg, msglen, "out of memory");
        goto out;
    }
    if (audit) {
        audit->ts_ms = run->ts_ms;
        batch.head = batch.tail = audit;
    }
    if (chunk) {
        if (batch.tail)
            batch.tail->next = chunk;
        else
            batch.head = chunk;
        batch.tail = chunk;
    }
    run->tent = run->done; /* unchanged unless the deleting step runs */
    r = vsd_store_sql_write(q, &batch, &c, msg, msglen);
    if (r == 0 && c.n_rejected) {
        snprintf(msg, msglen, "the database refused the audit row: %s", c.rejected[0].why);
        r = -ENOTRECOVERABLE;
    }
    if (r == 0 && chunk)
        run->done = run->tent;
out:
    free(audit);
    free(chunk);
    free(detail);
    return r;
}

/* The count is over: refuse, finish (nothing to delete) or start deleting. */
static int decide(struct vsd_retention_run *run, struct vsd_store_sql *q, char *msg, size_t msglen)
{
    char reason[256];
    int r;

    if (run->counted != run->rows) {
        snprintf(reason, sizeof(reason),
                 "%" PRIu64 " readings are older than the cutoff, the archive holds %" PRIu64
                 ": nothing deleted (archive again)",
                 run->counted, run->rows);
        vsd_log(LOG_WARNING, "retention: refused: %s", reason);
        run->phase = P_OVER;
        return write_batch(run, q, "refused", reason, false, msg, msglen);
    }
    run->phase = run->counted > run->kept ? P_DELETE : P_OVER;
    run->done.pos = run->first_del - 1;
    r = write_batch(run, q, "done", NULL, run->phase == P_DELETE, msg, msglen);
    if (r < 0 || run->done.pos >= run->last_del)
        run->phase = P_OVER;
    return r;
}

static int step(struct vsd_retention_run *run, sqlite3 *db, struct vsd_store_sql *q, char *msg,
                size_t msglen)
{
    bool more = false;
    int rc;

    switch (run->phase) {
    case P_START:
        rc = start(run, db);
        break;
    case P_COUNT:
        rc = count_step(run, &more);
        if (rc == SQLITE_OK && !more)
            return decide(run, q, msg, msglen);
        break;
    case P_DELETE:
        rc = write_batch(run, q, NULL, NULL, true, msg, msglen);
        if (rc == 0 && run->done.pos >= run->last_del)
            run->phase = P_OVER;
        return rc;
    default:
        return 0;
    }
    if (rc != SQLITE_OK) {
        snprintf(msg, msglen, "%s", sqlite3_errmsg(db));
        run->phase = P_OVER;
        return vsd_schema_errno(rc);
    }
    return 0;
}

int vsd_retention_step(struct vsd_retention_run *run, sqlite3 *db, struct vsd_store_sql *q,
                       char *msg, size_t msglen)
{
    int64_t t0 = mono_us(), took;
    int r;

    if (run->phase == P_OVER)
        return 0;
    r = step(run, db, q, msg, msglen);
    took = mono_us() - t0;
    if (took > run->longest_us)
        run->longest_us = took;
    if (r < 0) {
        run->phase = P_OVER;
        return r;
    }
    return run->phase != P_OVER;
}
