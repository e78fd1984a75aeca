/* SPDX-License-Identifier: MIT */
/* The store's SQL: prepared statements, one batch of writes per transaction, start-up reads. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/log.h>
#include <vitalsd/vitals.h>

#include "audit_hash.h"
#include "store_retention.h"
#include "store_schema.h"
#include "store_sql.h"

enum stmt_id {
    ST_READING,
    ST_READING_DEVICE,
    ST_ALERT,
    ST_ALERT_EVENT,
    ST_OUTBOX,
    ST_SESSION_START,
    ST_SESSION_END,
    ST_AUDIT,
    ST_DELIVERED,
    ST_GAP_START,
    ST_GAP_END,
    ST_BEGIN,
    ST_COMMIT,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_READING] = "INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital, "
                   "value, flags) VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_READING_DEVICE] = "INSERT OR IGNORE INTO readings (ts_ms, ts_source, bed, device, "
                          "session_id, vital, value, flags) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* "raised" inserts; later events set the state (and cleared_ms on "cleared"). */
    [ST_ALERT] = "INSERT INTO alerts (alert_id, code, priority, bed, device, session_id, vital, "
                 "value, limit_value, raised_ms, cleared_ms, state) VALUES (?1, ?2, ?3, ?4, ?5, "
                 "?6, ?7, ?8, ?9, CASE WHEN ?10 = 'raised' THEN ?11 END, "
                 "CASE WHEN ?10 = 'cleared' THEN ?11 END, ?10) "
                 "ON CONFLICT (alert_id) DO UPDATE SET state = excluded.state, "
                 "priority = excluded.priority, "
                 "cleared_ms = coalesce(excluded.cleared_ms, alerts.cleared_ms), "
                 "acked_ms = CASE WHEN ?10 = 'acknowledged' THEN ?11 ELSE alerts.acked_ms END, "
                 "acked_by = CASE WHEN ?10 = 'acknowledged' THEN ?12 ELSE alerts.acked_by END, "
                 "escalation = alerts.escalation + (?10 = 'escalated')",
    [ST_ALERT_EVENT] = "INSERT INTO alert_events (seq, alert_id, event, ts_ms, value, payload, "
                       "actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_OUTBOX] = "INSERT INTO outbox (seq, topic, payload, created_ms) VALUES (?1, ?2, ?3, ?4)",
    [ST_SESSION_START] = "INSERT INTO sessions (session_id, bed, started_ms, started_by) "
                         "VALUES (?1, ?2, ?3, ?4)",
    [ST_SESSION_END] = "UPDATE sessions SET ended_ms = ?1, ended_by = ?2 "
                       "WHERE bed = ?3 AND ended_ms IS NULL",
    [ST_AUDIT] = "INSERT INTO audit (id, ts_ms, actor, action, detail, prev_hash, hash) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_DELIVERED] = "UPDATE outbox SET delivered_ms = ?1 WHERE id = ?2 AND delivered_ms IS NULL",
    [ST_GAP_START] = "INSERT INTO gaps (session_id, bed, vital, start_ms, reason) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_GAP_END] = "UPDATE gaps SET end_ms = ?1 WHERE session_id = ?2 AND bed = ?3 AND vital = ?4 "
                   "AND start_ms = ?5 AND end_ms IS NULL",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
};

/* The head of the audit hash chain. */
struct chain {
    int64_t id;
    char hash[VSD_AUDIT_HASH_HEX + 1];
};

struct vsd_store_sql {
    sqlite3 *db;
    sqlite3_stmt *stmt[ST_COUNT];
    struct chain chain;              /* committed head */
    struct vsd_batch_counts *counts; /* of the batch being written */
};

struct vsd_op *vsd_op_new(enum vsd_op_kind kind, const char *const src[VSD_F_COUNT])
{
    size_t len[VSD_F_COUNT], total = 0;
    struct vsd_op *op;
    char *p;

    for (int i = 0; i < VSD_F_COUNT; i++) {
        len[i] = src[i] ? strlen(src[i]) + 1 : 0;
        total += len[i];
    }
    op = calloc(1, sizeof(*op) + total);
    if (!op)
        return NULL;
    op->kind = kind;
    p = op->text;
    for (int i = 0; i < VSD_F_COUNT; i++) {
        if (!src[i])
            continue;
        memcpy(p, src[i], len[i]);
        op->str[i] = p;
        p += len[i];
    }
    return op;
}

static void bind_text(sqlite3_stmt *st, int idx, const char *text)
{
    if (text)
        sqlite3_bind_text(st, idx, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, idx);
}

static void bind_real(sqlite3_stmt *st, int idx, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, idx);
    else
        sqlite3_bind_double(st, idx, v);
}

/* Step a write statement to completion and reset it; SQLITE_OK on success. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* An error that retrying cannot fix: the op is logged and skipped so that one
 * bad write cannot block the queue forever. Anything else fails the batch. */
static bool op_rejected(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
        return true;
    default:
        return false;
    }
}

/* A record of who did what: refusing one must reach the command that caused it. */
static bool staff_record(const struct vsd_op *op)
{
    return op->kind == VSD_OP_SESSION_START || op->kind == VSD_OP_SESSION_END ||
           op->kind == VSD_OP_AUDIT || (op->kind == VSD_OP_ALERT && op->str[VSD_F_BY]);
}

/* List a refused staff record of OP in the batch's counts, for vsd_store_sync_since(). */
static void note_reject(struct vsd_store_sql *q, const struct vsd_op *op, const char *why)
{
    struct vsd_batch_counts *c = q->counts;
    struct vsd_reject *r;

    if (!c || c->n_rejected++ >= VSD_REJECT_KEEP)
        return;
    r = &c->rejected[c->n_rejected - 1];
    r->ticket = op->ticket;
    if (op->kind == VSD_OP_AUDIT)
        snprintf(r->what, sizeof(r->what), "the audit row of %s", op->str[VSD_F_ACTION]);
    else if (op->kind == VSD_OP_SESSION_START)
        snprintf(r->what, sizeof(r->what), "the start of session %s", op->str[VSD_F_SESSION]);
    else if (op->kind == VSD_OP_SESSION_END)
        snprintf(r->what, sizeof(r->what), "the end of the session at bed %s", op->str[VSD_F_BED]);
    else
        snprintf(r->what, sizeof(r->what), "the acknowledgement of alert %s",
                 op->str[VSD_F_ALERT_ID]);
    snprintf(r->actor, sizeof(r->actor), "%s", op->str[VSD_F_BY] ? op->str[VSD_F_BY] : "");
    snprintf(r->why, sizeof(r->why), "%s", why);
}

/* Log a rejected statement of OP; returns SQLITE_OK when RC is such a rejection. */
static int check_rejected(struct vsd_store_sql *q, const struct vsd_op *op, const char *what,
                          int rc)
{
    if (rc == SQLITE_OK || !op_rejected(rc))
        return rc;
    vsd_log(staff_record(op) ? LOG_CRIT : LOG_ERR, "store: %s rejected, not stored (%s): %s", what,
            op->str[VSD_F_ALERT_ID]  ? op->str[VSD_F_ALERT_ID]
            : op->str[VSD_F_SESSION] ? op->str[VSD_F_SESSION]
            : op->str[VSD_F_BED]     ? op->str[VSD_F_BED]
                                     : "-",
            sqlite3_errmsg(q->db));
    if (staff_record(op))
        note_reject(q, op, sqlite3_errmsg(q->db));
    return SQLITE_OK;
}

static int write_reading(struct vsd_store_sql *q, const struct vsd_op *op,
                         struct vsd_batch_counts *c)
{
    sqlite3_stmt *st = q->stmt[op->ts_from_device ? ST_READING_DEVICE : ST_READING];
    int rc;

    sqlite3_bind_int64(st, 1, op->ts_ms);
    bind_text(st, 2, op->str[VSD_F_BED]);
    bind_text(st, 3, op->str[VSD_F_DEVICE]);
    bind_text(st, 4, op->str[VSD_F_SESSION]);
    bind_text(st, 5, vsd_vital_info((enum vsd_vital)op->vital)->name);
    bind_real(st, 6, op->value);
    sqlite3_bind_int64(st, 7, op->flags);
    c->readings++;
    rc = step_done(st);
    if (rc == SQLITE_OK) {
        if (sqlite3_changes(q->db) > 0)
            c->written++;
        else
            c->duplicates++;
    }
    return check_rejected(q, op, "reading", rc);
}

static int write_alert(struct vsd_store_sql *q, struct vsd_op *op)
{
    const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)op->vital);
    sqlite3_stmt *st = q->stmt[ST_ALERT];
    int rc;

    bind_text(st, 1, op->str[VSD_F_ALERT_ID]);
    bind_text(st, 2, op->str[VSD_F_CODE]);
    bind_text(st, 3, op->str[VSD_F_PRIORITY]);
    bind_text(st, 4, op->str[VSD_F_BED]);
    bind_text(st, 5, op->str[VSD_F_DEVICE]);
    bind_text(st, 6, op->str[VSD_F_SESSION]);
    bind_text(st, 7, vi ? vi->name : NULL);
    bind_real(st, 8, op->value);
    bind_real(st, 9, op->limit);
    bind_text(st, 10, op->str[VSD_F_EVENT]);
    sqlite3_bind_int64(st, 11, op->ts_ms);
    bind_text(st, 12, op->str[VSD_F_BY]);
    rc = check_rejected(q, op, "alert", step_done(st));
    if (rc != SQLITE_OK)
        return rc;

    st = q->stmt[ST_ALERT_EVENT];
    sqlite3_bind_int64(st, 1, op->num);
    bind_text(st, 2, op->str[VSD_F_ALERT_ID]);
    bind_text(st, 3, op->str[VSD_F_EVENT]);
    sqlite3_bind_int64(st, 4, op->ts_ms);
    bind_real(st, 5, op->value);
    bind_text(st, 6, op->str[VSD_F_PAYLOAD]);
    bind_text(st, 7, op->str[VSD_F_BY]);
    rc = check_rejected(q, op, "alert event", step_done(st));
    if (rc != SQLITE_OK)
        return rc;

    /* The outbox row is what reaches the broker: written even if the event row was refused. */
    st = q->stmt[ST_OUTBOX];
    sqlite3_bind_int64(st, 1, op->num);
    bind_text(st, 2, op->str[VSD_F_TOPIC]);
    bind_text(st, 3, op->str[VSD_F_PAYLOAD]);
    sqlite3_bind_int64(st, 4, op->ts_ms);
    op->outbox_id = 0;
    rc = step_done(st);
    if (rc == SQLITE_OK)
        op->outbox_id = sqlite3_last_insert_rowid(q->db);
    return check_rejected(q, op, "alert outbox row", rc);
}

static int write_session(struct vsd_store_sql *q, const struct vsd_op *op)
{
    sqlite3_stmt *st;
    int rc;

    if (op->kind == VSD_OP_SESSION_START) {
        st = q->stmt[ST_SESSION_START];
        bind_text(st, 1, op->str[VSD_F_SESSION]);
        bind_text(st, 2, op->str[VSD_F_BED]);
        sqlite3_bind_int64(st, 3, op->ts_ms);
        bind_text(st, 4, op->str[VSD_F_BY]);
        return check_rejected(q, op, "session start (bed already has an open session?)",
                              step_done(st));
    }
    st = q->stmt[ST_SESSION_END];
    sqlite3_bind_int64(st, 1, op->ts_ms);
    bind_text(st, 2, op->str[VSD_F_BY]);
    bind_text(st, 3, op->str[VSD_F_BED]);
    rc = step_done(st);
    if (rc == SQLITE_OK && sqlite3_changes(q->db) == 0) {
        /* Nothing recorded the end: as much a failure for the caller as a refusal. */
        vsd_log(LOG_CRIT, "store: session end at bed '%s': no open session", op->str[VSD_F_BED]);
        note_reject(q, op, "the database has no open session at this bed");
    }
    return check_rejected(q, op, "session end", rc);
}

/* Append an audit row linked to the tentative chain head HEAD (advanced on success). */
static int write_audit(struct vsd_store_sql *q, const struct vsd_op *op, struct chain *head)
{
    sqlite3_stmt *st = q->stmt[ST_AUDIT];
    char hash[VSD_AUDIT_HASH_HEX + 1];
    int64_t id = head->id + 1;
    int rc;

    if (vsd_audit_row_hash(head->hash, id, op->ts_ms, op->str[VSD_F_BY], op->str[VSD_F_ACTION],
                           op->str[VSD_F_DETAIL], hash) < 0)
        return SQLITE_NOMEM; /* digest failure: retry the batch later */
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, op->ts_ms);
    bind_text(st, 3, op->str[VSD_F_BY]);
    bind_text(st, 4, op->str[VSD_F_ACTION]);
    bind_text(st, 5, op->str[VSD_F_DETAIL]);
    bind_text(st, 6, head->hash);
    bind_text(st, 7, hash);
    rc = step_done(st);
    if (rc == SQLITE_OK) {
        head->id = id;
        memcpy(head->hash, hash, sizeof(hash));
    }
    return check_rejected(q, op, "audit row", rc);
}

static int write_delivered(struct vsd_store_sql *q, const struct vsd_op *op)
{
    sqlite3_stmt *st = q->stmt[ST_DELIVERED];

    sqlite3_bind_int64(st, 1, op->ts_ms);
    sqlite3_bind_int64(st, 2, op->num);
    return check_rejected(q, op, "outbox delivery mark", step_done(st));
}

/* A gap begins (num = 0) or ends (num = its end time). */
static int write_gap(struct vsd_store_sql *q, const struct vsd_op *op)
{
    const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)op->vital);
    sqlite3_stmt *st = q->stmt[op->num ? ST_GAP_END : ST_GAP_START];
    int i = 1;

    if (op->num)
        sqlite3_bind_int64(st, i++, op->num);
    bind_text(st, i++, op->str[VSD_F_SESSION]);
    bind_text(st, i++, op->str[VSD_F_BED]);
    bind_text(st, i++, vi ? vi->name : "?");
    sqlite3_bind_int64(st, i++, op->ts_ms);
    if (!op->num)
        bind_text(st, i, op->str[VSD_F_DETAIL]);
    return check_rejected(q, op, "monitoring gap", step_done(st));
}

static int write_op(struct vsd_store_sql *q, struct vsd_op *op, struct chain *head,
                    struct vsd_batch_counts *c)
{
    switch (op->kind) {
    case VSD_OP_READING:
        return write_reading(q, op, c);
    case VSD_OP_ALERT:
        return write_alert(q, op);
    case VSD_OP_SESSION_START:
    case VSD_OP_SESSION_END:
        return write_session(q, op);
    case VSD_OP_AUDIT:
        return write_audit(q, op, head);
    case VSD_OP_DELIVERED:
        return write_delivered(q, op);
    case VSD_OP_GAP:
        return write_gap(q, op);
    case VSD_OP_PURGE: /* never without its audit row: a refused one stops it */
        return c->n_rejected ? SQLITE_OK : vsd_retention_sql_chunk(op->ctx, q->db);
    }
    return SQLITE_MISUSE;
}

/* Write BATCH in one transaction. On failure everything is rolled back, the
 * batch is left intact for a retry and MSG holds SQLite's message. */
int vsd_store_sql_write(struct vsd_store_sql *q, struct vsd_op_list *batch,
                        struct vsd_batch_counts *c, char *msg, size_t msglen)
{
    struct chain head = q->chain;
    int rc;

    memset(c, 0, sizeof(*c));
    q->counts = c;
    rc = step_done(q->stmt[ST_BEGIN]);
    for (struct vsd_op *op = batch->head; op && rc == SQLITE_OK; op = op->next)
        rc = write_op(q, op, &head, c);
    if (rc == SQLITE_OK)
        rc = step_done(q->stmt[ST_COMMIT]);
    q->counts = NULL;
    if (rc != SQLITE_OK) {
        snprintf(msg, msglen, "%s", sqlite3_errmsg(q->db));
        if (!sqlite3_get_autocommit(q->db))
            sqlite3_exec(q->db, "ROLLBACK", NULL, NULL, NULL);
        return vsd_schema_errno(rc);
    }
    q->chain = head;
    return 0;
}

static int load_chain(struct vsd_store_sql *q)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1", -1,
                                &st, NULL);

    q->chain.id = 0;
    memcpy(q->chain.hash, VSD_AUDIT_GENESIS, sizeof(q->chain.hash));
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *hash = sqlite3_column_text(st, 1);
        q->chain.id = sqlite3_column_int64(st, 0);
        if (hash)
            snprintf(q->chain.hash, sizeof(q->chain.hash), "%s", (const char *)hash);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : vsd_schema_errno(rc);
}

int vsd_store_sql_new(sqlite3 *db, const char *path, struct vsd_store_sql **ret, char *err,
                      size_t errlen)
{
    struct vsd_store_sql *q = calloc(1, sizeof(*q));
    int r = -ENOMEM, rc;

    if (!q) {
        vsd_schema_errf(err, errlen, "database %s: out of memory", path);
        return r;
    }
    q->db = db;
    for (int i = 0; i < ST_COUNT; i++) {
        rc = sqlite3_prepare_v3(db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &q->stmt[i], NULL);
        if (rc != SQLITE_OK) {
            r = vsd_schema_errno(rc);
            vsd_schema_errf(err, errlen, "database %s: cannot prepare statements: %s", path,
                            sqlite3_errmsg(db));
            goto fail;
        }
    }
    r = load_chain(q);
    if (r < 0) {
        vsd_schema_errf(err, errlen, "database %s: cannot read the audit chain head: %s", path,
                        sqlite3_errmsg(db));
        goto fail;
    }
    *ret = q;
    return 0;

fail:
    vsd_store_sql_free(q);
    return r;
}

void vsd_store_sql_head(const struct vsd_store_sql *q, int64_t *id, char *hash)
{
    *id = q->chain.id;
    memcpy(hash, q->chain.hash, sizeof(q->chain.hash));
}

void vsd_store_sql_free(struct vsd_store_sql *q)
{
    if (!q)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(q->stmt[i]);
    free(q);
}

/* The time of the last reading of each vital of SESSION (0: none), from the newest rows only
 * (readings has no session index: the tail of the table is enough after a restart). */
static int last_readings(sqlite3 *db, const char *session, int64_t last_ms[VSD_VITAL_COUNT])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT vital, max(ts_ms) FROM readings WHERE session_id = ?1 "
                                "AND id > (SELECT coalesce(max(id), 0) FROM readings) - 200000 "
                                "GROUP BY vital",
                                -1, &st, NULL);

    memset(last_ms, 0, sizeof(int64_t) * VSD_VITAL_COUNT);
    if (rc == SQLITE_OK)
        sqlite3_bind_text(st, 1, session, -1, SQLITE_STATIC);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int v = vsd_vital_from_name((const char *)sqlite3_column_text(st, 0));

        if (v >= 0)
            last_ms[v] = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int vsd_store_sql_open_sessions(sqlite3 *db,
                                void (*fn)(void *ctx, const struct vsd_open_session *os), void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (!fn)
        return -EINVAL;
    rc = sqlite3_prepare_v2(db,
                            "SELECT session_id, bed, started_ms FROM sessions "
                            "WHERE ended_ms IS NULL ORDER BY id",
                            -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct vsd_open_session os = {
            .session_id = (const char *)sqlite3_column_text(st, 0),
            .bed = (const char *)sqlite3_column_text(st, 1),
            .started_ms = sqlite3_column_int64(st, 2),
        };
        rc = last_readings(db, os.session_id, os.last_ms);
        if (rc != SQLITE_OK)
            break;
        fn(ctx, &os);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : vsd_schema_errno(rc);
}

int64_t vsd_store_sql_max_seq(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int64_t seq = 0;
    int rc;

    rc = sqlite3_prepare_v2(db, "SELECT coalesce(max(seq), 0) FROM alert_events", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? seq : vsd_schema_errno(rc);
}

int vsd_store_sql_session_ids(sqlite3 *db, void (*fn)(void *ctx, const char *session_id),
                              void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT DISTINCT session_id FROM sessions", -1, &st, NULL);

    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        fn(ctx, (const char *)sqlite3_column_text(st, 0));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : vsd_schema_errno(rc);
}

/* Rows are written in the order they are received: walking back by rowid, a received time (not a
 * device's own, which may be older) a minute before SINCE_MS means the rest is older still. */
int vsd_store_sql_recent_readings(sqlite3 *db, int64_t since_ms, vsd_store_reading_fn fn,
                                  void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (!fn)
        return -EINVAL;
    rc = sqlite3_prepare_v2(db,
                            "SELECT bed, vital, ts_ms, value, flags, ts_source FROM readings "
                            "ORDER BY id DESC",
                            -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t ts = sqlite3_column_int64(st, 2);
        if (sqlite3_column_int(st, 5) == 0 && ts < since_ms - 60000) {
            rc = SQLITE_DONE;
            break;
        }
        rc = SQLITE_OK;
        if (ts < since_ms || sqlite3_column_type(st, 3) == SQLITE_NULL)
            continue;
        fn(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
           ts, sqlite3_column_double(st, 3), (unsigned)sqlite3_column_int(st, 4));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : vsd_schema_errno(rc);
}

int vsd_store_sql_outbox_pending(sqlite3 *db, vsd_store_outbox_fn fn, void *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc;

    if (!fn)
        return -EINVAL;
    rc = sqlite3_prepare_v2(db,
                            "SELECT id, seq, topic, payload FROM outbox "
                            "WHERE delivered_ms IS NULL ORDER BY id",
                            -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
           (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3));
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : vsd_schema_errno(rc);
}
