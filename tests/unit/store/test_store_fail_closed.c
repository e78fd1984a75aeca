/* SPDX-License-Identifier: MIT */
/* Unit tests of staff records failing closed: an audit row, session start or session end that
 * SQLite refuses for real (a trigger, a constraint) reaches the caller that queued it as an
 * error, names what and why, blames no other caller, and leaves the chain whole; and the
 * committed audit chain head, for the anchor the daemon publishes. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include "store_fixture.h"

#include "audit_hash.h"

/* A trigger that refuses, as SQLite does for real, every audit row whose detail holds REFUSE. */
static const char refuse_trigger[] =
    "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit WHEN NEW.detail LIKE '%REFUSE%' "
    "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;";

/* Create the schema, add SQL through another connection, and open the store again, started. */
static struct vsd_store *open_with(const struct fx *f, const char *sql)
{
    struct vsd_store *s = open_ok(f);
    sqlite3 *db = NULL;

    vsd_store_close(s);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    s = open_ok(f);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    return s;
}

static void test_refused_audit_row_fails_its_caller(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_with(f, refuse_trigger);
    char why[256] = "";
    uint64_t mark = vsd_store_mark(s), mark_bob;

    /* alice: a session start and its audit row, which the trigger refuses. */
    assert_int_equal(vsd_store_session_start(s, "S-1", "bed-1", 1000, "alice"), 0);
    assert_int_equal(vsd_store_audit(s, 1001, "alice", "session_start", "{\"s\":\"REFUSE\"}"), 0);
    assert_int_equal(vsd_store_sync_since(s, mark, "alice", why, sizeof(why)), -ENOTRECOVERABLE);
    assert_non_null(strstr(why, "the database refused the audit row of session_start"));
    assert_non_null(strstr(why, "refused by the test"));
    /* Plain sync knows nothing of it: that is what answered "ok" before. */
    assert_int_equal(vsd_store_sync(s), 0);

    /* bob, in the same window, is not blamed for alice's refusal; a NULL actor is anyone. */
    mark_bob = vsd_store_mark(s);
    assert_int_equal(vsd_store_audit(s, 1002, "bob", "alert_ack", "{\"ok\":1}"), 0);
    assert_int_equal(vsd_store_sync_since(s, mark_bob, "bob", NULL, 0), 0);
    assert_int_equal(vsd_store_sync_since(s, mark, "bob", NULL, 0), 0);
    assert_int_equal(vsd_store_sync_since(s, mark, NULL, NULL, 0), -ENOTRECOVERABLE);
    assert_int_equal(vsd_store_sync_since(s, vsd_store_mark(s), "alice", NULL, 0), 0);

    vsd_store_close(s);
    /* Half of alice's command is on disk, the refused row is not, the chain has no hole. */
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM sessions WHERE session_id = 'S-1'"), 1);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM audit"), 1);
    assert_int_equal(q_int(f->path, "SELECT id FROM audit WHERE actor = 'bob'"), 1);
}

static void test_refused_session_records_fail_their_caller(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_with(f, "SELECT 1");
    struct vsd_store_stats st;
    char why[256] = "";
    uint64_t mark;

    assert_int_equal(vsd_store_session_start(s, "S-1", "bed-1", 1000, "alice"), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    /* A second open session at bed-1: the unique index refuses it. */
    mark = vsd_store_mark(s);
    assert_int_equal(vsd_store_session_start(s, "S-2", "bed-1", 2000, "carol"), 0);
    assert_int_equal(vsd_store_sync_since(s, mark, "carol", why, sizeof(why)), -ENOTRECOVERABLE);
    assert_non_null(strstr(why, "the start of session S-2"));
    assert_non_null(strstr(why, "UNIQUE"));
    /* Ending a session the database does not have open recorded nothing: also an error. */
    mark = vsd_store_mark(s);
    assert_int_equal(vsd_store_session_end(s, "bed-9", 3000, "carol"), 0);
    assert_int_equal(vsd_store_sync_since(s, mark, "carol", why, sizeof(why)), -ENOTRECOVERABLE);
    assert_non_null(strstr(why, "the end of the session at bed bed-9"));
    assert_non_null(strstr(why, "no open session"));
    /* A valid end passes. */
    mark = vsd_store_mark(s);
    assert_int_equal(vsd_store_session_end(s, "bed-1", 4000, "alice"), 0);
    assert_int_equal(vsd_store_sync_since(s, mark, "alice", NULL, 0), 0);
    vsd_store_stats(s, &st);
    assert_int_equal(st.staff_records_refused, 2);
    vsd_store_close(s);
}

/* More refusals than the store keeps: a caller whose window reaches past them is told so,
 * whoever it is (errs towards an error, never towards "ok"). */
static void test_forgotten_refusals_err_closed(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_with(f, refuse_trigger);
    uint64_t old = vsd_store_mark(s);

    for (int i = 0; i < 40; i++) {
        uint64_t m = vsd_store_mark(s);
        assert_int_equal(vsd_store_audit(s, 10 + i, "x", "a", "REFUSE"), 0);
        assert_int_equal(vsd_store_sync_since(s, m, "x", NULL, 0), -ENOTRECOVERABLE);
    }
    assert_int_equal(vsd_store_sync_since(s, old, "y", NULL, 0), -ENOTRECOVERABLE);
    assert_int_equal(vsd_store_sync_since(s, vsd_store_mark(s), "y", NULL, 0), 0);
    vsd_store_close(s);
}

static void test_audit_head_follows_commits(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_ok(f);
    char hash[VSD_AUDIT_HASH_HEX + 1], stored[VSD_AUDIT_HASH_HEX + 1];
    int64_t id = -1;

    vsd_store_audit_head(s, &id, hash);
    assert_int_equal(id, 0);
    assert_string_equal(hash, VSD_AUDIT_GENESIS);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    assert_int_equal(vsd_store_audit(s, 1, "a", "one", NULL), 0);
    assert_int_equal(vsd_store_audit(s, 2, "a", "two", NULL), 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_audit_head(s, &id, hash);
    assert_int_equal(id, 2);
    q_text(f->path, "SELECT hash FROM audit WHERE id = 2", stored, sizeof(stored));
    assert_string_equal(hash, stored);
    vsd_store_close(s);

    s = open_ok(f); /* loaded at open, before any write */
    vsd_store_audit_head(s, &id, hash);
    assert_int_equal(id, 2);
    assert_string_equal(hash, stored);
    vsd_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused_audit_row_fails_its_caller, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_session_records_fail_their_caller, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_forgotten_refusals_err_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_head_follows_commits, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
