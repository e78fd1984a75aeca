/* SPDX-License-Identifier: MIT */
/* Unit tests of the store's writer: batched commits, alerts and the outbox, sessions, audit chain.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include "store_fixture.h"

#include <math.h>
#include <signal.h>
#include <sys/resource.h>

#include "audit_hash.h"

static struct vsd_store_alert_event alert(const char *id, int64_t seq, const char *event)
{
    return (struct vsd_store_alert_event){.alert_id = id,
                                          .seq = seq,
                                          .event = event,
                                          .code = "low",
                                          .priority = "high",
                                          .bed = "bed-1",
                                          .device = "mon-1",
                                          .session_id = "S-1",
                                          .vital = VSD_VITAL_SPO2,
                                          .value = 84,
                                          .limit = 88,
                                          .ts_ms = 1700000000000 + seq,
                                          .topic = "vitals/a/bed-1/alert",
                                          .payload = "{\"alert_id\":\"x\"}"};
}

struct outbox_seen {
    int calls;
    int64_t ids[16];
    int64_t seqs[16];
    char topic[128];
    char payload[128];
    int64_t at_ms;
};

static void on_outbox(void *ctx, int64_t id, int64_t seq, const char *topic, const char *payload)
{
    struct outbox_seen *o = ctx;

    if (o->calls < 16) {
        o->ids[o->calls] = id;
        o->seqs[o->calls] = seq;
    }
    snprintf(o->topic, sizeof(o->topic), "%s", topic);
    snprintf(o->payload, sizeof(o->payload), "%s", payload);
    o->at_ms = now_ms();
    __atomic_add_fetch(&o->calls, 1, __ATOMIC_SEQ_CST);
}

static void test_readings_committed_within_commit_ms(void **state)
{
    struct fx *f = *state;
    struct vsd_store_reading r1 = reading(1000, "mon-1", VSD_VITAL_SPO2, 97);
    struct vsd_store_reading r2 = reading(1001, "mon-1", VSD_VITAL_HR, NAN);
    struct vsd_store_reading r3 = reading(1002, "mon-2", VSD_VITAL_RR, 14);
    struct vsd_store_stats st;
    struct vsd_store *s;
    int64_t t0, elapsed;
    char text[64];

    f->opt.commit_ms = 100;
    s = open_ok(f);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    r2.flags = 3; /* invalid | sensor_off */
    r3.bed = NULL;
    r3.session_id = NULL; /* no session open: still stored */
    t0 = now_ms();
    assert_int_equal(vsd_store_reading(s, &r1), 0);
    assert_int_equal(vsd_store_reading(s, &r2), 0);
    assert_int_equal(vsd_store_reading(s, &r3), 0);
    do {
        sleep_ms(2);
        vsd_store_stats(s, &st);
    } while (st.commits == 0 && now_ms() - t0 < 3000);
    elapsed = now_ms() - t0;
    assert_int_equal(st.commits, 1); /* one transaction for the three */
    assert_int_equal(st.readings_written, 3);
    assert_true(elapsed >= 95);  /* batched: waited for commit_ms */
    assert_true(elapsed < 1500); /* ... and not much longer */
    assert_int_equal(vsd_store_sync(s), 0);

    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 3);
    q_text(f->path,
           "SELECT vital || ':' || value || ':' || session_id FROM readings WHERE ts_ms = 1000",
           text, sizeof(text));
    assert_string_equal(text, "spo2:97.0:S-1");
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE ts_ms = 1001 AND "
                                    "value IS NULL AND flags = 3 AND vital = 'hr'"),
                     1);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE ts_ms = 1002 AND "
                                    "session_id IS NULL AND bed IS NULL AND ts_source = 0"),
                     1);
    vsd_store_close(s);
    assert_integrity(f->path);
}

/* A raised alert is committed at once, with the readings queued before it. */
static void test_alert_event_prompt_and_outbox(void **state)
{
    struct fx *f = *state;
    struct vsd_store_reading r = reading(2000, "mon-1", VSD_VITAL_SPO2, 84);
    struct vsd_store_alert_event raised = alert("A-1", 1, "raised");
    struct vsd_store_alert_event cleared = alert("A-1", 2, "cleared");
    struct outbox_seen seen = {0};
    struct vsd_store_stats st;
    struct vsd_store *s;
    int64_t t0;
    char text[128];

    f->opt.commit_ms = 5000; /* readings alone would wait 5 s */
    s = open_ok(f);
    assert_int_equal(vsd_store_start(s, on_outbox, &seen), 0);
    assert_int_equal(vsd_store_reading(s, &r), 0);
    sleep_ms(50);
    vsd_store_stats(s, &st);
    assert_int_equal(st.commits, 0);

    t0 = now_ms();
    assert_int_equal(vsd_store_alert_event(s, &raised), 0);
    while (__atomic_load_n(&seen.calls, __ATOMIC_SEQ_CST) == 0 && now_ms() - t0 < 3000)
        sleep_ms(1);
    assert_int_equal(seen.calls, 1);
    assert_true(seen.at_ms - t0 < 1000);
    vsd_store_stats(s, &st);
    assert_int_equal(st.commits, 1); /* reading, alert, event and outbox row: one commit */
    assert_int_equal(st.readings_written, 1);
    assert_string_equal(seen.topic, "vitals/a/bed-1/alert");
    assert_string_equal(seen.payload, "{\"alert_id\":\"x\"}");
    assert_int_equal(seen.ids[0], q_int(f->path, "SELECT id FROM outbox WHERE seq = 1"));
    q_text(f->path,
           "SELECT state || ' ' || code || ' ' || priority || ' ' || vital || ' ' || value || ' ' "
           "|| limit_value || ' ' || raised_ms || ' ' || coalesce(cleared_ms, '-') FROM alerts "
           "WHERE alert_id = 'A-1'",
           text, sizeof(text));
    assert_string_equal(text, "raised low high spo2 84.0 88.0 1700000000001 -");
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM alert_events WHERE alert_id = 'A-1' "
                                    "AND seq = 1 AND event = 'raised'"),
                     1);

    assert_int_equal(vsd_store_alert_event(s, &cleared), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    assert_int_equal(seen.calls, 2);
    assert_true(seen.ids[1] > seen.ids[0]);
    q_text(f->path, "SELECT state || ' ' || raised_ms || ' ' || cleared_ms FROM alerts", text,
           sizeof(text));
    assert_string_equal(text, "cleared 1700000000001 1700000000002");
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM alert_events"), 2);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM outbox WHERE delivered_ms IS NULL"), 2);

    /* Readings still queued at close are committed by close. */
    r.ts_ms = 2001;
    assert_int_equal(vsd_store_reading(s, &r), 0);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 2);
    assert_integrity(f->path);
}

static void test_device_timed_duplicates(void **state)
{
    struct fx *f = *state;
    struct vsd_store_reading r = reading(5000, "cuff-1", VSD_VITAL_NIBP_SYS, 120);
    struct vsd_store_stats st;
    struct vsd_store *s = open_ok(f);

    r.ts_from_device = true;
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_reading(s, &r), 0);
    assert_int_equal(vsd_store_reading(s, &r), 0); /* the cuff repeats its measurement */
    r.vital = VSD_VITAL_NIBP_DIA;
    r.value = 80;
    assert_int_equal(vsd_store_reading(s, &r), 0); /* same time, other vital: kept */
    r.ts_from_device = false;
    assert_int_equal(vsd_store_reading(s, &r), 0); /* receive-timed: never deduplicated */
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_stats(s, &st);
    assert_int_equal(st.readings_written, 3);
    assert_int_equal(st.duplicates_ignored, 1);
    vsd_store_close(s);

    s = open_ok(f); /* after a restart the device still repeats it */
    r.ts_from_device = true;
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_reading(s, &r), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_stats(s, &st);
    assert_int_equal(st.readings_written, 0);
    assert_int_equal(st.duplicates_ignored, 1);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 3);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE ts_source = 1"), 2);
    assert_integrity(f->path);
}

struct pending_seen {
    int n;
    int64_t ids[8];
    int64_t seqs[8];
    char topics[8][64];
};

static void on_pending(void *ctx, int64_t id, int64_t seq, const char *topic, const char *payload)
{
    struct pending_seen *p = ctx;

    assert_non_null(payload);
    if (p->n < 8) {
        p->ids[p->n] = id;
        p->seqs[p->n] = seq;
        snprintf(p->topics[p->n], sizeof(p->topics[0]), "%s", topic);
    }
    p->n++;
}

static void test_outbox_pending_and_delivered(void **state)
{
    struct fx *f = *state;
    struct outbox_seen seen = {0};
    struct pending_seen pending = {0};
    struct vsd_store *s = open_ok(f);
    const char *topics[3] = {"t/1", "t/2", "t/3"};

    assert_int_equal(vsd_store_start(s, on_outbox, &seen), 0);
    for (int i = 0; i < 3; i++) {
        struct vsd_store_alert_event e = alert(i == 2 ? "A-8" : "A-7", 7 + i, "raised");
        e.topic = topics[i];
        assert_int_equal(vsd_store_alert_event(s, &e), 0);
    }
    assert_int_equal(vsd_store_sync(s), 0);
    assert_int_equal(seen.calls, 3);
    for (int i = 0; i < 3; i++) /* each row names its event's seq (the publisher's key) */
        assert_int_equal(seen.seqs[i], 7 + i);
    assert_int_equal(vsd_store_outbox_pending(s, on_pending, &pending), -EBUSY);
    assert_int_equal(vsd_store_outbox_delivered(s, seen.ids[1], 1234), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_close(s);

    s = open_ok(f);
    assert_int_equal(vsd_store_max_seq(s), 9);
    assert_int_equal(vsd_store_outbox_pending(s, on_pending, &pending), 0);
    assert_int_equal(pending.n, 2);
    assert_int_equal(pending.ids[0], seen.ids[0]);
    assert_int_equal(pending.ids[1], seen.ids[2]);
    assert_int_equal(pending.seqs[0], 7);
    assert_int_equal(pending.seqs[1], 9);
    assert_string_equal(pending.topics[0], "t/1");
    assert_string_equal(pending.topics[1], "t/3");
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT delivered_ms FROM outbox WHERE topic = 't/2'"), 1234);
}

struct sessions_seen {
    int n;
    char last[64];
};

static void on_session(void *ctx, const struct vsd_open_session *os)
{
    struct sessions_seen *p = ctx;

    snprintf(p->last, sizeof(p->last), "%s@%s:%lld", os->session_id, os->bed,
             (long long)os->started_ms);
    p->n++;
}

static void test_sessions(void **state)
{
    struct fx *f = *state;
    struct sessions_seen seen = {0};
    struct vsd_store *s = open_ok(f);

    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_session_start(s, "S-A", "bed-1", 100, "nurse1"), 0);
    assert_int_equal(vsd_store_session_start(s, "S-B", "bed-2", 200, "nurse1"), 0);
    assert_int_equal(vsd_store_session_end(s, "bed-2", 300, "nurse2"), 0);
    /* A second open session at bed-1 is refused (logged), and blocks nothing. */
    assert_int_equal(vsd_store_session_start(s, "S-C", "bed-1", 400, "nurse1"), 0);
    assert_int_equal(vsd_store_audit(s, 500, "nurse1", "after", NULL), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_close(s);

    s = open_ok(f);
    assert_int_equal(vsd_store_open_sessions(s, on_session, &seen), 0);
    assert_int_equal(seen.n, 1);
    assert_string_equal(seen.last, "S-A@bed-1:100");
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM sessions WHERE session_id = 'S-B' AND "
                                    "ended_ms = 300 AND ended_by = 'nurse2'"),
                     1);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM sessions"), 2);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM audit"), 1);
    assert_integrity(f->path);
}

/* A duplicate alert seq (a caller's bug) loses the event row only: the outbox
 * row is kept and the queue keeps moving. */
static void test_rejected_op_does_not_block(void **state)
{
    struct fx *f = *state;
    struct vsd_store_alert_event a = alert("A-1", 5, "raised");
    struct vsd_store_alert_event b = alert("A-2", 5, "raised");
    struct vsd_store_reading r = reading(1, "mon-1", VSD_VITAL_HR, 70);
    struct vsd_store *s = open_ok(f);

    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_alert_event(s, &a), 0);
    assert_int_equal(vsd_store_alert_event(s, &b), 0);
    assert_int_equal(vsd_store_reading(s, &r), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM alert_events"), 1);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM outbox"), 2);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM alerts"), 2);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 1);
}

static void test_audit_hash_fields(void **state)
{
    char a[65], b[65];

    (void)state;
    assert_int_equal(vsd_audit_row_hash(VSD_AUDIT_GENESIS, 1, 2, "ab", "c", NULL, a), 0);
    assert_int_equal(strlen(a), VSD_AUDIT_HASH_HEX);
    assert_int_equal(vsd_audit_row_hash(VSD_AUDIT_GENESIS, 1, 2, "a", "bc", NULL, b), 0);
    assert_string_not_equal(a, b); /* fields cannot run into each other */
    assert_int_equal(vsd_audit_row_hash(VSD_AUDIT_GENESIS, 1, 2, "ab", "c", "", b), 0);
    assert_string_not_equal(a, b); /* NULL differs from "" */
    assert_int_equal(vsd_audit_row_hash(VSD_AUDIT_GENESIS, 1, 2, "ab", "c", NULL, b), 0);
    assert_string_equal(a, b); /* deterministic */
    assert_int_equal(vsd_audit_row_hash(VSD_AUDIT_GENESIS, 1, 2, NULL, "c", NULL, b), -EINVAL);
}

static void test_audit_chain(void **state)
{
    struct fx *f = *state;
    char prev[VSD_AUDIT_HASH_HEX + 1] = VSD_AUDIT_GENESIS, hash[VSD_AUDIT_HASH_HEX + 1];
    struct vsd_store *s = open_ok(f);
    sqlite3_stmt *st;
    sqlite3 *db;
    int rows = 0;

    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_audit(s, 10, "nurse1", "session_start", "{\"bed\":\"bed-1\"}"), 0);
    assert_int_equal(vsd_store_audit(s, 11, "biomed", "reload", NULL), 0);
    assert_int_equal(vsd_store_audit(s, 12, "nurse1", "ack", "{}"), 0);
    vsd_store_close(s);
    s = open_ok(f); /* the head is loaded at open: the chain continues */
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_audit(s, 13, "auditor", "export", "{\"rows\":3}"), 0);
    vsd_store_close(s);

    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, ts_ms, actor, action, detail, prev_hash, hash "
                                        "FROM audit ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows++;
        assert_int_equal(sqlite3_column_int64(st, 0), rows);
        assert_string_equal((const char *)sqlite3_column_text(st, 5), prev);
        assert_int_equal(vsd_audit_row_hash(prev, sqlite3_column_int64(st, 0),
                                            sqlite3_column_int64(st, 1),
                                            (const char *)sqlite3_column_text(st, 2),
                                            (const char *)sqlite3_column_text(st, 3),
                                            (const char *)sqlite3_column_text(st, 4), hash),
                         0);
        assert_string_equal((const char *)sqlite3_column_text(st, 6), hash);
        memcpy(prev, hash, sizeof(prev));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_int_equal(rows, 4);
}

static void test_queue_full_drops_readings_only(void **state)
{
    struct fx *f = *state;
    struct vsd_store_reading r = reading(1, "mon-1", VSD_VITAL_HR, 70);
    struct vsd_store_alert_event a = alert("A-1", 1, "raised");
    struct vsd_store_stats st;
    struct vsd_store *s;

    f->opt.queue_depth = 4;
    s = open_ok(f); /* not started: nothing drains the queue */
    for (int i = 0; i < 4; i++)
        assert_int_equal(vsd_store_reading(s, &r), 0);
    assert_int_equal(vsd_store_reading(s, &r), -ENOBUFS);
    assert_int_equal(vsd_store_reading(s, &r), -ENOBUFS);
    assert_int_equal(vsd_store_alert_event(s, &a), 0); /* never dropped */
    assert_int_equal(vsd_store_audit(s, 1, "nurse1", "x", NULL), 0);
    vsd_store_stats(s, &st);
    assert_int_equal(st.readings_dropped, 2);
    assert_int_equal(vsd_store_sync(s), -EINVAL); /* no writer thread yet */
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    assert_int_equal(vsd_store_reading(s, &r), 0); /* room again once committed */
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_stats(s, &st);
    assert_int_equal(st.readings_written, 5);
    assert_int_equal(st.readings_dropped, 2);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 5);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM outbox"), 1);
}

/* Writes past RLIMIT_FSIZE fail (EFBIG): commits fail, nothing is lost, and
 * the store resumes by itself once the limit is lifted. */
static void test_commit_failure_keeps_writes(void **state)
{
    struct fx *f = *state;
    struct rlimit old, lim;
    struct vsd_store_stats st;
    struct vsd_store *s;
    int r = -1;

    f->opt.commit_ms = 5;
    f->opt.queue_depth = 100000;
    s = open_ok(f);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    for (int i = 0; i < 100; i++) {
        struct vsd_store_reading rd = reading(i, "mon-1", VSD_VITAL_HR, 70);
        assert_int_equal(vsd_store_reading(s, &rd), 0);
    }
    assert_int_equal(vsd_store_sync(s), 0);

    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = 64 * 1024;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    for (int i = 0; i < 6000; i++) {
        struct vsd_store_reading rd = reading(100 + i, "mon-1", VSD_VITAL_HR, 70);
        assert_int_equal(vsd_store_reading(s, &rd), 0);
    }
    r = vsd_store_sync(s);
    vsd_store_stats(s, &st);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    assert_true(r == -ENOSPC || r == -EIO);
    assert_true(st.commit_errors >= 1);

    for (int i = 0; i < 20 && (r = vsd_store_sync(s)) != 0; i++)
        ;
    assert_int_equal(r, 0);
    vsd_store_stats(s, &st);
    assert_int_equal(st.readings_written, 6100);
    assert_int_equal(st.readings_dropped, 0);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 6100);
    assert_int_equal(q_int(f->path, "SELECT count(DISTINCT ts_ms) FROM readings"), 6100);
    assert_integrity(f->path);
}

static off_t file_size(const char *path)
{
    struct stat st;

    assert_int_equal(stat(path, &st), 0);
    return st.st_size;
}

/* Commits never checkpoint (the WAL grows); about a second of idleness does. */
static void test_idle_checkpoint(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s;
    off_t initial;
    int64_t t0;

    f->opt.queue_depth = 5000;
    s = open_ok(f);
    initial = file_size(f->path);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    for (int i = 0; i < 3000; i++) {
        struct vsd_store_reading r = reading(i, "mon-1", VSD_VITAL_HR, 70);
        assert_int_equal(vsd_store_reading(s, &r), 0);
    }
    assert_int_equal(vsd_store_sync(s), 0);
    t0 = now_ms();
    assert_int_equal(file_size(f->path), initial); /* all of it still in the -wal */
    while (file_size(f->path) == initial && now_ms() - t0 < 5000)
        sleep_ms(20);
    assert_true(file_size(f->path) > initial);
    assert_true(now_ms() - t0 >= 500);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 3000);
}

static void test_invalid_arguments(void **state)
{
    struct fx *f = *state;
    struct vsd_store_reading r = reading(1, NULL, VSD_VITAL_HR, 70);
    struct vsd_store *s = open_ok(f);

    assert_int_equal(vsd_store_reading(s, &r), -EINVAL);
    r.device = "mon-1";
    r.vital = VSD_VITAL_COUNT;
    assert_int_equal(vsd_store_reading(s, &r), -EINVAL);
    assert_int_equal(vsd_store_audit(s, 1, NULL, "x", NULL), -EINVAL);
    assert_int_equal(vsd_store_session_start(s, "S", NULL, 1, "n"), -EINVAL);
    vsd_store_close(s);
    vsd_store_close(NULL);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_readings_committed_within_commit_ms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alert_event_prompt_and_outbox, setup, teardown),
        cmocka_unit_test_setup_teardown(test_device_timed_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outbox_pending_and_delivered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_op_does_not_block, setup, teardown),
        cmocka_unit_test(test_audit_hash_fields),
        cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue_full_drops_readings_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_failure_keeps_writes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idle_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_arguments, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
