/* SPDX-License-Identifier: MIT */
/* Unit tests of the records the report reads against the audit chain: an edited, added or
 * deleted sessions row (started_by, ended_by, times) or acknowledgement (alerts.acked_by) is
 * found by the cross-check, and the report takes who did what from the chain, flagging the rest. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, open_memstream */
#endif
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit_verify.h"
#include "report.h"
#include "store.h"

#define T0 1763782055000LL

struct fx {
    char dir[64];
    char path[128];
    sqlite3 *db;
    char lines[4096]; /* the problems found, one per line */
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

/* Append an audit row to the chain, hashed as vitalsd does. */
static void audit(sqlite3 *db, int64_t ts, const char *actor, const char *action,
                  const char *detail)
{
    char prev[VSD_AUDIT_HASH_HEX + 1] = VSD_AUDIT_GENESIS, hash[VSD_AUDIT_HASH_HEX + 1];
    sqlite3_stmt *st = NULL;
    int64_t id = 1;

    assert_int_equal(sqlite3_prepare_v2(db, "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0) + 1;
        snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    assert_int_equal(vsd_audit_row_hash(prev, id, ts, actor, action, detail, hash), 0);
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO audit VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, ts);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, prev, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, hash, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* Two visits as vitalsd records them: S-1 at b1 (started by alice, its alert a1 acknowledged by
 * carol, ended by bob) and S-2 at b2, still open; plus a refused start, which proves nothing. */
static void visits(sqlite3 *db)
{
    exec(db, "INSERT INTO sessions (session_id, bed, started_ms, started_by, ended_ms, ended_by) "
             "VALUES ('S-1', 'b1', 1763782055000, 'alice', 1763782115000, 'bob'),"
             " ('S-2', 'b2', 1763782056000, 'alice', NULL, NULL);"
             "INSERT INTO alerts (alert_id, code, priority, bed, session_id, vital, value,"
             " limit_value, raised_ms, state, acked_ms, acked_by) VALUES"
             " ('a1', 'low', 'high', 'b1', 'S-1', 'spo2', 84, 90, 1763782070000, 'cleared',"
             " 1763782085000, 'carol'),"
             " ('a2', 'low', 'medium', 'b1', 'S-1', 'spo2', 88, 90, 1763782071000, 'cleared',"
             " NULL, NULL);");
    audit(db, T0 - 100, "vitalsd", "config_load", "{\"file\":\"x\"}");
    audit(db, T0 + 2, "alice", "session_start",
          "{\"bed\":\"b1\",\"session\":\"S-1\",\"via\":\"socket\",\"result\":\"done\"}");
    audit(db, T0 + 1003, "alice", "session_start",
          "{\"bed\":\"b2\",\"session\":\"S-2\",\"via\":\"socket\",\"result\":\"done\"}");
    audit(db, T0 + 1500, "mallory", "session_start",
          "{\"bed\":\"b3\",\"session\":\"S-9\",\"result\":\"refused\",\"reason\":\"no\"}");
    audit(db, T0 + 30001, "carol", "alert_ack",
          "{\"alert\":\"a1\",\"code\":\"low\",\"via\":\"mqtt\",\"result\":\"done\"}");
    audit(db, T0 + 60002, "bob", "session_end",
          "{\"bed\":\"b1\",\"session\":\"S-1\",\"via\":\"socket\",\"result\":\"done\"}");
}

static int setup(void **state)
{
    struct vsd_store_options opt = {.commit_ms = 50, .queue_depth = 64};
    struct fx *f = calloc(1, sizeof(*f));
    struct vsd_store *s = NULL;
    char err[256];

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vsd-records-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vitals.db", f->dir);
    opt.path = f->path;
    assert_int_equal(vsd_store_open(&opt, &s, err, sizeof(err)), 0); /* the real schema */
    vsd_store_close(s);
    assert_int_equal(sqlite3_open(f->path, &f->db), SQLITE_OK);
    visits(f->db);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    sqlite3_close(f->db);
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void keep(void *ctx, const char *line)
{
    struct fx *f = ctx;
    size_t n = strlen(f->lines);

    snprintf(f->lines + n, sizeof(f->lines) - n, "%s\n", line);
}

static struct vsd_records_verdict check(struct fx *f, int64_t max_id)
{
    struct vsd_records_verdict v;
    char err[256] = "";

    f->lines[0] = '\0';
    assert_int_equal(vsd_audit_records_check(f->db, max_id, keep, f, &v, err, sizeof(err)), 0);
    return v;
}

static void test_intact_records_match(void **state)
{
    struct fx *f = *state;
    struct vsd_records_verdict v = check(f, INT64_MAX);

    assert_string_equal(f->lines, "");
    assert_int_equal(v.problems, 0);
    assert_int_equal(v.sessions, 2);
    assert_int_equal(v.acks, 1);
    assert_false(v.recent);
}

/* Apply SQL; the cross-check must find exactly N problems, the first line holding WANT. */
static void assert_found(struct fx *f, const char *sql, uint64_t n, const char *want)
{
    struct vsd_records_verdict v;

    exec(f->db, sql);
    v = check(f, INT64_MAX);
    if (!strstr(f->lines, want))
        fail_msg("want \"%s\" in:\n%s", want, f->lines);
    assert_int_equal(v.problems, n);
}

static void test_edited_started_by(void **state)
{
    assert_found(*state, "UPDATE sessions SET started_by = 'Mallory' WHERE session_id = 'S-1'", 1,
                 "sessions row 1: session S-1 started_by is 'Mallory', but audit row 2 "
                 "(session_start) says 'alice'");
}

static void test_edited_ended_by(void **state)
{
    assert_found(*state, "UPDATE sessions SET ended_by = 'Mallory' WHERE session_id = 'S-1'", 1,
                 "session S-1 ended_by is 'Mallory', but audit row 6 (session_end) says 'bob'");
}

static void test_edited_acked_by(void **state)
{
    assert_found(*state, "UPDATE alerts SET acked_by = 'Mallory' WHERE alert_id = 'a1'", 1,
                 "alert a1: acked_by is 'Mallory', but audit row 5 (alert_ack) says 'carol'");
}

static void test_removed_acknowledgement(void **state)
{
    assert_found(*state, "UPDATE alerts SET acked_ms = NULL, acked_by = NULL WHERE alert_id='a1'",
                 1, "audit row 5: alert_ack of a1 by carol");
}

static void test_added_acknowledgement(void **state)
{
    assert_found(*state,
                 "UPDATE alerts SET acked_ms = 1763782090000, acked_by = 'dave' "
                 "WHERE alert_id = 'a2'",
                 1, "alert a2 acknowledged 2025-11-22T03:28:10.000Z by dave, but no alert_ack");
}

static void test_deleted_and_forged_sessions(void **state)
{
    struct fx *f = *state;

    assert_found(f, "DELETE FROM sessions WHERE session_id = 'S-2'", 1,
                 "audit row 3: session_start of S-2 at bed b2 by alice");
    assert_found(f,
                 "INSERT INTO sessions (session_id, bed, started_ms, started_by) VALUES "
                 "('S-2', 'b2', 1763782056000, 'alice'), ('S-3', 'b3', 1763782057000, 'eve')",
                 1, "sessions row 3: session S-3 at bed b3 started");
}

static void test_moved_time(void **state)
{
    assert_found(*state, "UPDATE sessions SET started_ms = started_ms - 5000 WHERE id = 1", 2,
                 "but no session_start in the audit chain matches");
}

/* Only rows of a verified chain vouch for a record; a new record may be waiting for its row. */
static void test_unverified_rows_and_recent_records(void **state)
{
    struct fx *f = *state;
    struct vsd_records_verdict v = check(f, 4);

    assert_int_equal(v.problems, 2); /* the ack and the end are past row 4 */
    exec(f->db, "INSERT INTO sessions (session_id, bed, started_ms, started_by) VALUES "
                "('S-4', 'b4', 1763782115500, 'alice')");
    v = check(f, INT64_MAX);
    assert_int_equal(v.problems, 1);
    assert_true(v.recent);
}

static struct vsd_report *report(struct fx *f, const char *session, char **md)
{
    struct vsd_report *r = NULL;
    char err[256] = "";
    size_t len = 0;
    FILE *out = open_memstream(md, &len);

    assert_int_equal(vsd_report_load(f->db, session, NULL, NULL, &r, err, sizeof(err)), 0);
    assert_int_equal(vsd_report_markdown(r, out), 0);
    fclose(out);
    return r;
}

static void test_report_names_from_the_chain(void **state)
{
    struct fx *f = *state;
    struct vsd_report *r;
    char *md = NULL;

    r = report(f, "S-1", &md);
    assert_int_equal(r->started_proof, VSD_PROOF_CHAINED);
    assert_int_equal(r->ended_proof, VSD_PROOF_CHAINED);
    assert_int_equal(r->alerts[0].acked_proof, VSD_PROOF_CHAINED);
    assert_null(strstr(md, "Audit trail"));
    vsd_report_free(r);
    free(md);

    exec(f->db, "UPDATE sessions SET started_by = 'Mallory' WHERE session_id = 'S-1';"
                "UPDATE alerts SET acked_by = 'Mallory' WHERE alert_id = 'a1';"
                "UPDATE sessions SET ended_ms = ended_ms + 9000 WHERE session_id = 'S-1';");
    r = report(f, "S-1", &md);
    assert_string_equal(r->started_by, "alice");
    assert_int_equal(r->started_proof, VSD_PROOF_DIFFERS);
    assert_string_equal(r->started_by_table, "Mallory");
    assert_int_equal(r->ended_proof, VSD_PROOF_MISSING);
    assert_string_equal(r->alerts[0].acked_by, "carol");
    assert_int_equal(r->alerts[0].acked_proof, VSD_PROOF_DIFFERS);
    assert_non_null(strstr(md, "| Started | 2025-11-22T03:27:35.000Z by alice |"));
    assert_non_null(strstr(md, "| Audit trail | start: the name above is the audit trail's; the "
                               "sessions table says Mallory; end: not in the audit trail"));
    assert_non_null(strstr(md, "| carol \u2014 per the audit trail; the alerts table says "
                               "Mallory |"));
    vsd_report_free(r);
    free(md);
}

static void test_report_ack_only_on_the_chain(void **state)
{
    struct fx *f = *state;
    struct vsd_report *r;
    char *md = NULL;

    exec(f->db, "UPDATE alerts SET acked_ms = NULL, acked_by = NULL WHERE alert_id = 'a1'");
    r = report(f, "S-1", &md);
    assert_int_equal(r->alerts[0].acked_ms, T0 + 30001);
    assert_string_equal(r->alerts[0].acked_by, "carol");
    assert_int_equal(r->alerts[0].acked_proof, VSD_PROOF_NOT_IN_TABLE);
    assert_non_null(strstr(md, "| carol \u2014 per the audit trail; not in the alerts table |"));
    vsd_report_free(r);
    free(md);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_intact_records_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_started_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_ended_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_acked_by, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removed_acknowledgement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_added_acknowledgement, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_and_forged_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_moved_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unverified_rows_and_recent_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_names_from_the_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_ack_only_on_the_chain, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
