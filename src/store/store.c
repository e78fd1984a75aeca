/* SPDX-License-Identifier: MIT */
/* The store: a queue of copied writes, one writer thread, batched SQLite transactions. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include <vitalsd/log.h>
#include <vitalsd/vitals.h>

#include "audit_hash.h"
#include "clock.h"
#include "store.h"
#include "store_rejects.h"
#include "store_retention.h"
#include "store_schema.h"
#include "store_sql.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
#define STOP_ATTEMPTS 3           /* commit attempts at close before giving up */
#define CHECKPOINT_IDLE_MS 1000   /* passive checkpoint after this long without writes */
#define CHECKPOINT_FORCE_MS 10000 /* ... or between batches, if never idle that long */

struct vsd_store {
    sqlite3 *db;
    char *path;
    int64_t commit_ms;
    size_t queue_depth;
    struct vsd_store_sql *sql; /* the writer thread's alone once started */
    vsd_store_outbox_fn on_outbox;
    void *cb_ctx;
    pthread_t thread;
    bool started;

    pthread_mutex_t lock; /* guards everything below */
    pthread_cond_t wake;  /* to the writer: work, an urgent op, stop */
    pthread_cond_t done;  /* to sync waiters and close: commit, failure, stopped */
    struct vsd_op_list queue;
    size_t readings_pending;   /* queued or being written, not yet committed */
    size_t urgent_queued;      /* urgent ops and sync calls since the last batch was taken */
    uint64_t last_ticket;      /* of the newest queued op */
    uint64_t committed_ticket; /* every op up to this one is committed */
    uint64_t failures;         /* failed commit attempts so far */
    int last_error;
    unsigned sync_waiters;
    bool stopping;
    bool stopped;
    struct vsd_store_stats stats;
    struct vsd_reject_ring rejects; /* the newest refused staff records */
    int64_t head_id;                /* committed audit chain head */
    char head_hash[VSD_AUDIT_HASH_HEX + 1];
    struct vsd_retention_run *retention_req; /* queued, not yet taken by the writer */
    bool retention_busy;                     /* a run is queued or running */
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait on COND until the monotonic time DEADLINE_MS (or a signal). */
static void wait_until(pthread_cond_t *cond, pthread_mutex_t *lock, int64_t deadline_ms)
{
    struct timespec ts = {.tv_sec = deadline_ms / 1000, .tv_nsec = deadline_ms % 1000 * 1000000};

    pthread_cond_timedwait(cond, lock, &ts);
}

/* ---- Ops and lists ---- */

static void list_free(struct vsd_op_list *l)
{
    struct vsd_op *op = l->head;

    while (op) {
        struct vsd_op *next = op->next;
        free(op);
        op = next;
    }
    l->head = l->tail = NULL;
}

/* Move every op of FROM to the end of TO. */
static void list_splice(struct vsd_op_list *to, struct vsd_op_list *from)
{
    if (!from->head)
        return;
    if (to->tail)
        to->tail->next = from->head;
    else
        to->head = from->head;
    to->tail = from->tail;
    from->head = from->tail = NULL;
}

/* Queue OP (taking it). Readings are bounded by queue_depth; the rest never dropped. */
static int enqueue(struct vsd_store *s, struct vsd_op *op, bool urgent)
{
    bool was_empty;

    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        free(op);
        return -ESHUTDOWN;
    }
    if (op->kind == VSD_OP_READING) {
        if (s->readings_pending >= s->queue_depth) {
            s->stats.readings_dropped++;
            pthread_mutex_unlock(&s->lock);
            free(op);
            return -ENOBUFS;
        }
        s->readings_pending++;
    }
    op->ticket = ++s->last_ticket;
    op->arrived_ms = mono_ms();
    was_empty = !s->queue.head;
    op->next = NULL;
    if (s->queue.tail)
        s->queue.tail->next = op;
    else
        s->queue.head = op;
    s->queue.tail = op;
    if (urgent)
        s->urgent_queued++;
    if (urgent || was_empty)
        pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* ---- The writer thread ---- */

struct writer {
    struct vsd_op_list batch; /* taken from the queue, not yet committed */
    int64_t backoff_ms;       /* 0 while commits succeed */
    int64_t retry_at_ms;
    int stop_attempts;
    bool dirty;                    /* commits since the last checkpoint */
    int64_t checkpoint_ms;         /* time of the last checkpoint */
    struct vsd_retention_run *run; /* the retention run being stepped */
};

enum work { WORK_STOP, WORK_BATCH, WORK_RETENTION };

static void checkpoint(struct vsd_store *s, struct writer *w)
{
    int rc = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        vsd_log(LOG_WARNING, "store: database %s: checkpoint failed: %s", s->path,
                sqlite3_errmsg(s->db));
    w->dirty = false;
    w->checkpoint_ms = mono_ms();
}

/* A retention step may run now: one is due, and commits are not failing. */
static bool retention_ready(const struct vsd_store *s, const struct writer *w)
{
    return (w->run || s->retention_req) && !w->backoff_ms && !s->stopping;
}

/* With the lock held: wait until there is a batch to write; while a batch may still wait for
 * readings to join it, or nothing is queued, a retention step runs instead. Idle time runs
 * passive checkpoints. */
static enum work wait_for_work(struct vsd_store *s, struct writer *w)
{
    while (!s->queue.head && !w->batch.head && !s->stopping) {
        if (retention_ready(s, w))
            return WORK_RETENTION;
        if (!w->dirty) {
            pthread_cond_wait(&s->wake, &s->lock);
            continue;
        }
        wait_until(&s->wake, &s->lock, mono_ms() + CHECKPOINT_IDLE_MS);
        if (!s->queue.head && !s->stopping) {
            pthread_mutex_unlock(&s->lock);
            checkpoint(s, w);
            pthread_mutex_lock(&s->lock);
        }
    }
    if (!s->queue.head && !w->batch.head)
        return WORK_STOP;
    /* Batch readings for commit_ms; an urgent op or stop cuts the wait short.
     * After a failure, wait out the back-off instead. */
    for (;;) {
        int64_t now = mono_ms(), until;

        if (w->backoff_ms)
            until = w->retry_at_ms;
        else if (s->urgent_queued || s->stopping)
            break;
        else
            until = s->queue.head->arrived_ms + s->commit_ms;
        if (now >= until || (w->backoff_ms && s->stopping && w->stop_attempts == 0))
            break;
        if (retention_ready(s, w))
            return WORK_RETENTION;
        wait_until(&s->wake, &s->lock, until);
    }
    return WORK_BATCH;
}

/* With the lock held: the end of the writer's retention run (done, refused, failed, or cut
 * short by SHUTDOWN). */
static void retention_over(struct vsd_store *s, struct writer *w, bool shutdown)
{
    uint64_t deleted, kept;
    int64_t longest_us;

    vsd_retention_result(w->run, &deleted, &kept, &longest_us);
    s->stats.readings_deleted += deleted;
    vsd_log(shutdown ? LOG_WARNING : LOG_NOTICE,
            "store: retention run %s: %llu readings deleted, %llu kept (sessions open), longest "
            "step %lld ms",
            shutdown ? "cut short at shutdown (the rest stay until the next run)" : "over",
            (unsigned long long)deleted, (unsigned long long)kept,
            (long long)(longest_us + 999) / 1000);
    vsd_retention_free(w->run);
    w->run = NULL;
    s->retention_busy = false;
}

/* With the lock held (released while it works): one step of the retention run. */
static void retention_turn(struct vsd_store *s, struct writer *w)
{
    uint64_t deleted, kept;
    int64_t longest_us;
    char msg[256] = "";
    int r;

    if (!w->run) {
        w->run = s->retention_req;
        s->retention_req = NULL;
    }
    pthread_mutex_unlock(&s->lock);
    r = vsd_retention_step(w->run, s->db, s->sql, msg, sizeof(msg));
    if (r < 0)
        vsd_log(LOG_ERR, "store: database %s: retention run stopped: %s", s->path, msg);
    pthread_mutex_lock(&s->lock);
    vsd_store_sql_head(s->sql, &s->head_id, s->head_hash);
    vsd_retention_result(w->run, &deleted, &kept, &longest_us);
    if (longest_us > s->stats.retention_longest_step_us)
        s->stats.retention_longest_step_us = longest_us;
    w->dirty = true;
    if (r <= 0)
        retention_over(s, w, false);
    if (mono_ms() - w->checkpoint_ms >= CHECKPOINT_FORCE_MS) {
        pthread_mutex_unlock(&s->lock);
        checkpoint(s, w);
        pthread_mutex_lock(&s->lock);
    }
}

static void notify_outbox(struct vsd_store *s, const struct vsd_op_list *batch)
{
    if (!s->on_outbox)
        return;
    for (const struct vsd_op *op = batch->head; op; op = op->next)
        if (op->kind == VSD_OP_ALERT && op->outbox_id > 0)
            s->on_outbox(s->cb_ctx, op->outbox_id, op->num, op->str[VSD_F_TOPIC],
                         op->str[VSD_F_PAYLOAD]);
}

/* With the lock held: account for a commit attempt of the batch up to TICKET. */
static void after_attempt(struct vsd_store *s, struct writer *w, int r, uint64_t ticket,
                          const struct vsd_batch_counts *c, const char *msg)
{
    if (r == 0) {
        vsd_rejects_note(&s->rejects, c, s->committed_ticket + 1, ticket);
        s->stats.staff_records_refused += c->n_rejected;
        vsd_store_sql_head(s->sql, &s->head_id, s->head_hash);
        if (w->backoff_ms)
            vsd_log(LOG_NOTICE, "store: database %s: commits succeed again", s->path);
        w->backoff_ms = 0;
        w->dirty = true;
        s->committed_ticket = ticket;
        s->readings_pending -= c->readings;
        s->stats.readings_written += c->written;
        s->stats.duplicates_ignored += c->duplicates;
        s->stats.commits++;
        s->last_error = 0;
        if (!s->queue.head)
            s->urgent_queued = 0; /* a sync that asked for this batch */
    } else {
        if (!w->backoff_ms)
            vsd_log(LOG_ERR, "store: database %s: commit failed, writes kept and retried: %s",
                    s->path, msg);
        w->backoff_ms = w->backoff_ms ? w->backoff_ms * 2 : BACKOFF_MIN_MS;
        if (w->backoff_ms > BACKOFF_MAX_MS)
            w->backoff_ms = BACKOFF_MAX_MS;
        w->retry_at_ms = mono_ms() + w->backoff_ms;
        s->stats.commit_errors++;
        s->failures++;
        s->last_error = r;
    }
    pthread_cond_broadcast(&s->done);
}

static void *writer_main(void *arg)
{
    struct vsd_store *s = arg;
    struct writer w = {.checkpoint_ms = mono_ms()};
    struct vsd_batch_counts c;
    char msg[256];
    uint64_t ticket;
    int r;

    pthread_mutex_lock(&s->lock);
    for (enum work k; (k = wait_for_work(s, &w)) != WORK_STOP;) {
        if (k == WORK_RETENTION) {
            retention_turn(s, &w);
            continue;
        }
        list_splice(&w.batch, &s->queue);
        s->urgent_queued = 0;
        ticket = s->last_ticket;
        if (s->stopping)
            w.stop_attempts++;
        pthread_mutex_unlock(&s->lock);

        r = vsd_store_sql_write(s->sql, &w.batch, &c, msg, sizeof(msg));
        if (r == 0) {
            notify_outbox(s, &w.batch);
            list_free(&w.batch);
        }
        pthread_mutex_lock(&s->lock);
        after_attempt(s, &w, r, ticket, &c, msg);
        if (r < 0 && s->stopping && w.stop_attempts >= STOP_ATTEMPTS)
            break;
        if (r == 0 && !s->urgent_queued && mono_ms() - w.checkpoint_ms >= CHECKPOINT_FORCE_MS) {
            pthread_mutex_unlock(&s->lock);
            checkpoint(s, &w);
            pthread_mutex_lock(&s->lock);
        }
    }
    if (w.batch.head || s->queue.head) {
        size_t lost = 0;
        list_splice(&w.batch, &s->queue);
        for (const struct vsd_op *op = w.batch.head; op; op = op->next)
            lost++;
        vsd_log(LOG_ERR, "store: database %s: %zu queued writes could not be committed at close",
                s->path, lost);
        list_free(&w.batch);
    }
    if (w.run)
        retention_over(s, &w, true);
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- Opening, start-up reads, closing ---- */

static int init_sync(struct vsd_store *s)
{
    int r = vsd_clock_cond_init(&s->wake);

    if (r < 0)
        return r;
    if ((r = vsd_clock_cond_init(&s->done)) < 0)
        goto fail_wake;
    if ((r = -pthread_mutex_init(&s->lock, NULL)) < 0)
        goto fail_done;
    return 0;
fail_done:
    pthread_cond_destroy(&s->done);
fail_wake:
    pthread_cond_destroy(&s->wake);
    return r;
}

static void store_free(struct vsd_store *s, bool sync_init)
{
    vsd_store_sql_free(s->sql);
    sqlite3_close(s->db);
    if (sync_init) {
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->wake);
        pthread_cond_destroy(&s->done);
    }
    list_free(&s->queue);
    vsd_retention_free(s->retention_req);
    free(s->path);
    free(s);
}

int vsd_store_open(const struct vsd_store_options *opt, struct vsd_store **ret, char *err,
                   size_t errlen)
{
    struct vsd_store *s = NULL;
    int r = -EINVAL;

    if (!opt || !ret || !opt->path || !opt->path[0] || opt->commit_ms < 0 ||
        opt->queue_depth == 0) {
        vsd_schema_errf(err, errlen, "database: invalid store options");
        return -EINVAL;
    }
    s = calloc(1, sizeof(*s));
    if (!s || !(s->path = strdup(opt->path))) {
        r = -ENOMEM;
        vsd_schema_errf(err, errlen, "database %s: out of memory", opt->path);
        goto fail;
    }
    s->commit_ms = opt->commit_ms;
    s->queue_depth = opt->queue_depth;
    r = vsd_schema_open(opt->path, opt->sync_full, &s->db, err, errlen);
    if (r < 0)
        goto fail;
    r = vsd_store_sql_new(s->db, s->path, &s->sql, err, errlen);
    if (r < 0)
        goto fail;
    vsd_store_sql_head(s->sql, &s->head_id, s->head_hash);
    r = init_sync(s);
    if (r < 0) {
        vsd_schema_errf(err, errlen, "database %s: %s", s->path, strerror(-r));
        goto fail;
    }
    *ret = s;
    return 0;

fail:
    if (s)
        store_free(s, false);
    return r;
}

int vsd_store_open_sessions(struct vsd_store *s,
                            void (*fn)(void *ctx, const struct vsd_open_session *os), void *ctx)
{
    if (!s)
        return -EINVAL;
    if (s->started)
        return -EBUSY; /* the connection is the writer thread's now */
    return vsd_store_sql_open_sessions(s->db, fn, ctx);
}

int64_t vsd_store_max_seq(struct vsd_store *s)
{
    if (!s)
        return -EINVAL;
    if (s->started)
        return -EBUSY;
    return vsd_store_sql_max_seq(s->db);
}

int vsd_store_session_ids(struct vsd_store *s, void (*fn)(void *ctx, const char *session_id),
                          void *ctx)
{
    if (!s || !fn)
        return -EINVAL;
    if (s->started)
        return -EBUSY;
    return vsd_store_sql_session_ids(s->db, fn, ctx);
}

int vsd_store_recent_readings(struct vsd_store *s, int64_t since_ms, vsd_store_reading_fn fn,
                              void *ctx)
{
    if (!s)
        return -EINVAL;
    if (s->started)
        return -EBUSY;
    return vsd_store_sql_recent_readings(s->db, since_ms, fn, ctx);
}

int vsd_store_outbox_pending(struct vsd_store *s, vsd_store_outbox_fn fn, void *ctx)
{
    if (!s)
        return -EINVAL;
    if (s->started)
        return -EBUSY;
    return vsd_store_sql_outbox_pending(s->db, fn, ctx);
}

int vsd_store_start(struct vsd_store *s, vsd_store_outbox_fn on_outbox, void *ctx)
{
    int r;

    if (!s)
        return -EINVAL;
    if (s->started)
        return -EALREADY;
    s->on_outbox = on_outbox;
    s->cb_ctx = ctx;
    r = pthread_create(&s->thread, NULL, writer_main, s);
    if (r != 0)
        return -r;
    s->started = true;
    return 0;
}

/* Without a writer thread (never started): one commit attempt on the caller's thread. */
static void flush_unstarted(struct vsd_store *s)
{
    struct vsd_op_list batch = {0};
    struct vsd_batch_counts c;
    char msg[256];

    list_splice(&batch, &s->queue);
    if (!batch.head)
        return;
    if (vsd_store_sql_write(s->sql, &batch, &c, msg, sizeof(msg)) < 0)
        vsd_log(LOG_ERR, "store: database %s: queued writes could not be committed at close: %s",
                s->path, msg);
    list_free(&batch);
}

void vsd_store_close(struct vsd_store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (s->started)
        pthread_join(s->thread, NULL);
    else
        flush_unstarted(s);

    pthread_mutex_lock(&s->lock);
    s->stopped = true;
    pthread_cond_broadcast(&s->done);
    while (s->sync_waiters > 0)
        pthread_cond_wait(&s->done, &s->lock);
    pthread_mutex_unlock(&s->lock);

    if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) != SQLITE_OK)
        vsd_log(LOG_WARNING, "store: database %s: final checkpoint failed: %s", s->path,
                sqlite3_errmsg(s->db));
    store_free(s, true);
}

/* ---- Writes ---- */

int vsd_store_reading(struct vsd_store *s, const struct vsd_store_reading *r)
{
    struct vsd_op *op;

    if (!s || !r || !r->device || !vsd_vital_info(r->vital))
        return -EINVAL;
    op = vsd_op_new(VSD_OP_READING, (const char *const[VSD_F_COUNT]){
                                        [VSD_F_BED] = r->bed,
                                        [VSD_F_DEVICE] = r->device,
                                        [VSD_F_SESSION] = r->session_id,
                                    });
    if (!op)
        return -ENOMEM;
    op->ts_ms = r->ts_ms;
    op->ts_from_device = r->ts_from_device;
    op->vital = (int)r->vital;
    op->value = r->value;
    op->flags = r->flags;
    return enqueue(s, op, false);
}

int vsd_store_alert_event(struct vsd_store *s, const struct vsd_store_alert_event *e)
{
    struct vsd_op *op;

    if (!s || !e || !e->alert_id || !e->event || !e->topic || !e->payload)
        return -EINVAL;
    op = vsd_op_new(VSD_OP_ALERT, (const char *const[VSD_F_COUNT]){
                                      [VSD_F_ALERT_ID] = e->alert_id,
                                      [VSD_F_EVENT] = e->event,
                                      [VSD_F_CODE] = e->code,
                                      [VSD_F_PRIORITY] = e->priority,
                                      [VSD_F_BED] = e->bed,
                                      [VSD_F_DEVICE] = e->device,
                                      [VSD_F_SESSION] = e->session_id,
                                      [VSD_F_TOPIC] = e->topic,
                                      [VSD_F_PAYLOAD] = e->payload,
                                      [VSD_F_BY] = e->actor,
                                  });
    if (!op)
        return -ENOMEM;
    op->num = e->seq;
    op->vital = e->vital;
    op->value = e->value;
    op->limit = e->limit;
    op->ts_ms = e->ts_ms;
    return enqueue(s, op, true);
}

int vsd_store_gap(struct vsd_store *s, const struct vsd_store_gap *g)
{
    struct vsd_op *op;

    if (!s || !g || !g->session_id || !g->bed || !g->reason || !vsd_vital_info(g->vital))
        return -EINVAL;
    op = vsd_op_new(VSD_OP_GAP, (const char *const[VSD_F_COUNT]){
                                    [VSD_F_SESSION] = g->session_id,
                                    [VSD_F_BED] = g->bed,
                                    [VSD_F_DETAIL] = g->reason,
                                });
    if (!op)
        return -ENOMEM;
    op->vital = g->vital;
    op->ts_ms = g->start_ms;
    op->num = g->end_ms;
    return enqueue(s, op, false);
}

int vsd_store_session_start(struct vsd_store *s, const char *session_id, const char *bed,
                            int64_t ts_ms, const char *by)
{
    struct vsd_op *op;

    if (!s || !session_id || !bed || !by)
        return -EINVAL;
    op = vsd_op_new(VSD_OP_SESSION_START, (const char *const[VSD_F_COUNT]){
                                              [VSD_F_SESSION] = session_id,
                                              [VSD_F_BED] = bed,
                                              [VSD_F_BY] = by,
                                          });
    if (!op)
        return -ENOMEM;
    op->ts_ms = ts_ms;
    /* Not urgent: the audit row queued right after it is, so both usually commit in one
     * transaction and a reader seldom sees the session before its audit row. */
    return enqueue(s, op, false);
}

int vsd_store_session_end(struct vsd_store *s, const char *bed, int64_t ts_ms, const char *by)
{
    struct vsd_op *op;

    if (!s || !bed || !by)
        return -EINVAL;
    op = vsd_op_new(VSD_OP_SESSION_END,
                    (const char *const[VSD_F_COUNT]){[VSD_F_BED] = bed, [VSD_F_BY] = by});
    if (!op)
        return -ENOMEM;
    op->ts_ms = ts_ms;
    return enqueue(s, op, false); /* as a session start: its audit row follows */
}

int vsd_store_audit(struct vsd_store *s, int64_t ts_ms, const char *actor, const char *action,
                    const char *detail_json)
{
    struct vsd_op *op;

    if (!s || !actor || !action)
        return -EINVAL;
    op = vsd_op_new(VSD_OP_AUDIT, (const char *const[VSD_F_COUNT]){
                                      [VSD_F_BY] = actor,
                                      [VSD_F_ACTION] = action,
                                      [VSD_F_DETAIL] = detail_json,
                                  });
    if (!op)
        return -ENOMEM;
    op->ts_ms = ts_ms;
    return enqueue(s, op, true);
}

int vsd_store_retention(struct vsd_store *s, const struct vsd_store_retention *r)
{
    struct vsd_retention_run *run;
    int rc = 0;

    if (!s || !r || r->cutoff_ms <= 0 || !r->actor || !r->detail_json)
        return -EINVAL;
    if (!(run = vsd_retention_new(r)))
        return r->detail_json[0] == '{' ? -ENOMEM : -EINVAL;
    pthread_mutex_lock(&s->lock);
    if (s->stopping)
        rc = -ESHUTDOWN;
    else if (s->retention_busy)
        rc = -EBUSY;
    else {
        s->retention_req = run;
        s->retention_busy = true;
        run = NULL;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->lock);
    vsd_retention_free(run);
    return rc;
}

int vsd_store_outbox_delivered(struct vsd_store *s, int64_t id, int64_t ts_ms)
{
    struct vsd_op *op;

    if (!s || id <= 0)
        return -EINVAL;
    op = vsd_op_new(VSD_OP_DELIVERED, (const char *const[VSD_F_COUNT]){0});
    if (!op)
        return -ENOMEM;
    op->num = id;
    op->ts_ms = ts_ms;
    return enqueue(s, op, false);
}

int vsd_store_sync(struct vsd_store *s)
{
    uint64_t target, failures;
    int r;

    if (!s)
        return -EINVAL;
    pthread_mutex_lock(&s->lock);
    target = s->last_ticket;
    failures = s->failures;
    if (!s->started && s->committed_ticket < target) {
        pthread_mutex_unlock(&s->lock);
        return -EINVAL; /* no writer thread to wait for */
    }
    s->sync_waiters++;
    if (s->committed_ticket < target) {
        s->urgent_queued++; /* the caller waits: commit now, not after commit_ms */
        pthread_cond_signal(&s->wake);
    }
    while (s->committed_ticket < target && s->failures == failures && !s->stopped)
        pthread_cond_wait(&s->done, &s->lock);
    if (s->committed_ticket >= target)
        r = 0;
    else
        r = s->last_error ? s->last_error : -ECANCELED;
    s->sync_waiters--;
    if (s->stopped)
        pthread_cond_broadcast(&s->done);
    pthread_mutex_unlock(&s->lock);
    return r;
}

uint64_t vsd_store_mark(struct vsd_store *s)
{
    uint64_t t;

    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    t = s->last_ticket;
    pthread_mutex_unlock(&s->lock);
    return t;
}

int vsd_store_sync_since(struct vsd_store *s, uint64_t mark, const char *actor, char *why,
                         size_t whylen)
{
    const struct vsd_reject *r;
    int rc = vsd_store_sync(s);

    if (rc < 0)
        return rc;
    pthread_mutex_lock(&s->lock);
    r = vsd_rejects_find(&s->rejects, mark, actor);
    if (r && why && whylen)
        snprintf(why, whylen, "the database refused %s: %s", r->what, r->why);
    pthread_mutex_unlock(&s->lock);
    return r ? -ENOTRECOVERABLE : 0;
}

void vsd_store_audit_head(struct vsd_store *s, int64_t *id, char *hash)
{
    if (!s) {
        *id = 0;
        memcpy(hash, VSD_AUDIT_GENESIS, sizeof(VSD_AUDIT_GENESIS));
        return;
    }
    pthread_mutex_lock(&s->lock);
    *id = s->head_id;
    memcpy(hash, s->head_hash, sizeof(s->head_hash));
    pthread_mutex_unlock(&s->lock);
}

void vsd_store_stats(struct vsd_store *s, struct vsd_store_stats *out)
{
    if (!s || !out)
        return;
    pthread_mutex_lock(&s->lock);
    *out = s->stats;
    out->last_error = s->last_error;
    out->retention_running = s->retention_busy;
    pthread_mutex_unlock(&s->lock);
}
