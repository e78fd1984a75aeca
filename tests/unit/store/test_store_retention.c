/* SPDX-License-Identifier: MIT */
/* Retention in the store: exactly the archived rows older than the cutoff are deleted, in steps,
 * never those of an open session; one audit row on an intact chain; a wrong count deletes
 * nothing; one run at a time. */
#include "store_fixture.h"

#include "audit_hash.h"

#define CUTOFF 1000000 /* ms since the epoch: the "old" readings are before it */

/* COUNT readings at ts BASE.. of SESSION (NULL: none) at BED, through the store. */
static void put(struct vsd_store *s, const char *bed, const char *session, int64_t base, int count)
{
    for (int i = 0; i < count; i++) {
        struct vsd_store_reading r = reading(base + i, "m1", VSD_VITAL_HR, 60 + i % 40);
        r.bed = bed;
        r.session_id = session;
        while (vsd_store_reading(s, &r) == -ENOBUFS)
            assert_int_equal(vsd_store_sync(s), 0);
    }
    assert_int_equal(vsd_store_sync(s), 0);
}

/* A store holding: S-OLD (ended) 1500 old readings, S-OPEN (open) 10 old, 5 old without a
 * session, and 20 new ones of S-OPEN. */
static struct vsd_store *filled(const struct fx *f)
{
    struct vsd_store *s = open_ok(f);

    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_session_start(s, "S-OLD", "b1", 100, "nurse"), 0);
    assert_int_equal(vsd_store_session_end(s, "b1", 200, "nurse"), 0);
    assert_int_equal(vsd_store_session_start(s, "S-OPEN", "b2", 300, "nurse"), 0);
    put(s, "b1", "S-OLD", 1000, 1500);
    put(s, "b2", "S-OPEN", 5000, 10);
    put(s, "b3", NULL, 6000, 5);
    put(s, "b2", "S-OPEN", CUTOFF + 10, 20);
    return s;
}

static int ask(struct vsd_store *s, uint64_t rows)
{
    struct vsd_store_retention r = {
        .cutoff_ms = CUTOFF,
        .rows = rows,
        .ts_ms = 2000000,
        .actor = "root",
        .detail_json = "{\"file\":\"readings-x.csv\",\"sha256\":\"ab\"}",
    };
    return vsd_store_retention(s, &r);
}

/* Wait (at most 10 s) until the run's audit row is committed and it has deleted DELETED. */
static void wait_run(const struct fx *f, struct vsd_store *s, uint64_t deleted)
{
    struct vsd_store_stats st;

    for (int i = 0; i < 1000; i++) {
        vsd_store_stats(s, &st);
        if (!st.retention_running) {
            assert_int_equal(st.readings_deleted, deleted);
            assert_int_equal(
                q_int(f->path, "SELECT count(*) FROM audit WHERE action = 'retention'"), 1);
            return;
        }
        sleep_ms(10);
    }
    fail_msg("the retention run did not end within 10 s");
}

/* Every audit row links to the one before and matches its hash. */
static void assert_chain(const char *path)
{
    char prev[VSD_AUDIT_HASH_HEX + 1] = VSD_AUDIT_GENESIS, hash[VSD_AUDIT_HASH_HEX + 1];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t n = 0;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, ts_ms, actor, action, detail, prev_hash, hash "
                                        "FROM audit ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_int_equal(sqlite3_column_int64(st, 0), ++n);
        assert_string_equal((const char *)sqlite3_column_text(st, 5), prev);
        assert_int_equal(vsd_audit_row_hash(prev, n, sqlite3_column_int64(st, 1),
                                            (const char *)sqlite3_column_text(st, 2),
                                            (const char *)sqlite3_column_text(st, 3),
                                            (const char *)sqlite3_column_text(st, 4), hash),
                         0);
        assert_string_equal((const char *)sqlite3_column_text(st, 6), hash);
        memcpy(prev, hash, sizeof(prev));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    assert_true(n >= 1);
}

static void test_deletes_exactly_the_archived_rows(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = filled(f);
    struct vsd_store_stats st;
    char detail[1024];

    assert_int_equal(ask(s, 1515), 0);
    wait_run(f, s, 1505);
    vsd_store_stats(s, &st);
    assert_true(st.retention_longest_step_us > 0);
    vsd_store_close(s);

    /* Gone: the ended session's and the session-less old rows. Kept: the open session's. */
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE session_id = 'S-OLD'"), 0);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE session_id IS NULL"), 0);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE ts_ms < 1000000"), 10);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE ts_ms >= 1000000"), 20);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM sessions"), 2);
    q_text(f->path, "SELECT detail FROM audit WHERE action = 'retention'", detail, sizeof(detail));
    assert_non_null(strstr(detail, "\"file\":\"readings-x.csv\""));
    assert_non_null(strstr(detail, "\"cutoff_ms\":1000000"));
    assert_non_null(strstr(detail, "\"rows_before_cutoff\":1515"));
    assert_non_null(strstr(detail, "\"to_delete\":1505"));
    assert_non_null(strstr(detail, "\"kept_open_sessions\":10"));
    assert_non_null(strstr(detail, "\"result\":\"done\""));
    assert_chain(f->path);
    assert_integrity(f->path);
}

static void test_wrong_count_deletes_nothing(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = filled(f);
    char detail[1024];

    assert_int_equal(ask(s, 1514), 0);
    wait_run(f, s, 0);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 1535);
    q_text(f->path, "SELECT detail FROM audit WHERE action = 'retention'", detail, sizeof(detail));
    assert_non_null(strstr(detail, "\"result\":\"refused\""));
    assert_non_null(strstr(detail, "1515 readings are older than the cutoff, the archive holds "
                                   "1514: nothing deleted"));
    assert_non_null(strstr(detail, "\"to_delete\":0"));
    assert_chain(f->path);
}

/* One run at a time; a malformed request is refused; a run before start waits for the writer. */
static void test_one_run_at_a_time(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_ok(f);
    struct vsd_store_retention bad = {.cutoff_ms = CUTOFF, .actor = "root", .detail_json = "x"};

    assert_int_equal(vsd_store_retention(s, &bad), -EINVAL);
    bad.detail_json = "{}";
    bad.cutoff_ms = 0;
    assert_int_equal(vsd_store_retention(s, &bad), -EINVAL);
    assert_int_equal(ask(s, 0), 0);
    assert_int_equal(ask(s, 0), -EBUSY);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    wait_run(f, s, 0);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM audit WHERE action = 'retention' AND "
                                    "json_extract(detail, '$.result') = 'done'"),
                     1);
}

/* A run over 30,000 old rows never holds a commit back for long: a sync during the run returns
 * within 1 s (a step is a few ms; the bound leaves room for a loaded 2-core machine under ASan),
 * and readings written during the run are kept. */
static void test_writes_go_on_during_a_run(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_ok(f);
    struct vsd_store_stats st;
    int64_t longest = 0;

    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    put(s, "b1", NULL, 1000, 30000);
    assert_int_equal(ask(s, 30000), 0);
    for (int i = 0; i < 20; i++) {
        int64_t t0 = now_ms();
        put(s, "b1", NULL, CUTOFF + 100 * i, 5);
        if (now_ms() - t0 > longest)
            longest = now_ms() - t0;
    }
    wait_run(f, s, 30000);
    vsd_store_stats(s, &st);
    vsd_store_close(s);
    print_message("longest sync during the run %lld ms, longest retention step %lld us\n",
                  (long long)longest, (long long)st.retention_longest_step_us);
    assert_true(longest < 1000);
    assert_true(st.retention_longest_step_us < 1000000);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 100);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings WHERE ts_ms < 1000000"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deletes_exactly_the_archived_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_count_deletes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_run_at_a_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_go_on_during_a_run, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
