/* SPDX-License-Identifier: MIT */
/* Unit tests of the audit chain check: an intact chain, each kind of tampering, the head. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit_verify.h"

#define N_ROWS 6

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* An in-memory audit table holding a valid chain of N_ROWS rows. */
static sqlite3 *chain_db(void)
{
    char prev[VSD_AUDIT_HASH_HEX + 1] = VSD_AUDIT_GENESIS, hash[VSD_AUDIT_HASH_HEX + 1];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(exec(db, "CREATE TABLE audit (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT "
                              "NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT, "
                              "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"),
                     SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "INSERT INTO audit VALUES (?,?,?,?,?,?,?)", -1, &st, NULL),
        SQLITE_OK);
    for (int64_t id = 1; id <= N_ROWS; id++) {
        const char *detail = id % 2 ? "{\"bed\":\"b1\"}" : NULL;
        assert_int_equal(
            vsd_audit_row_hash(prev, id, 1000 * id, "Nurse A", "session_start", detail, hash), 0);
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, 1000 * id);
        sqlite3_bind_text(st, 3, "Nurse A", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, "session_start", -1, SQLITE_STATIC);
        if (detail)
            sqlite3_bind_text(st, 5, detail, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, 5);
        sqlite3_bind_text(st, 6, prev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, hash, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        memcpy(prev, hash, sizeof(prev));
    }
    sqlite3_finalize(st);
    return db;
}

static void stored_hash(sqlite3 *db, int64_t id, char *out)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_prepare_v2(db, "SELECT hash FROM audit WHERE id = ?", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(out, VSD_AUDIT_HASH_HEX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static void test_intact_and_head(void **state)
{
    struct vsd_audit_verdict v;
    char err[256], head[VSD_AUDIT_HASH_HEX + 1], want[VSD_AUDIT_HASH_HEX + 1];
    int64_t id = -1;
    sqlite3 *db = chain_db();

    (void)state;
    assert_int_equal(vsd_audit_verify(db, &v, err, sizeof(err)), 0);
    assert_true(v.ok);
    assert_int_equal(v.rows, N_ROWS);
    assert_int_equal(v.head_id, N_ROWS);
    stored_hash(db, N_ROWS, want);
    assert_string_equal(v.head, want);
    assert_int_equal(vsd_audit_head(db, &id, head, err, sizeof(err)), 0);
    assert_int_equal(id, N_ROWS);
    assert_string_equal(head, want);
    assert_true(sqlite3_get_autocommit(db)); /* its own read transaction is closed */
    sqlite3_close(db);
}

static void test_empty_chain(void **state)
{
    struct vsd_audit_verdict v;
    char err[256], head[VSD_AUDIT_HASH_HEX + 1];
    int64_t id = -1;
    sqlite3 *db = chain_db();

    (void)state;
    assert_int_equal(exec(db, "DELETE FROM audit"), SQLITE_OK);
    assert_int_equal(vsd_audit_verify(db, &v, err, sizeof(err)), 0);
    assert_true(v.ok);
    assert_int_equal(v.rows, 0);
    assert_string_equal(v.head, VSD_AUDIT_GENESIS);
    assert_int_equal(vsd_audit_head(db, &id, head, err, sizeof(err)), 0);
    assert_int_equal(id, 0);
    assert_string_equal(head, VSD_AUDIT_GENESIS);
    sqlite3_close(db);
}

/* Apply SQL to a fresh chain; the verdict must name row BAD and carry both hashes. */
static void assert_broken(const char *sql, int64_t bad, const char *what_part)
{
    struct vsd_audit_verdict v;
    char err[256];
    sqlite3 *db = chain_db();

    assert_int_equal(exec(db, sql), SQLITE_OK);
    assert_int_equal(vsd_audit_verify(db, &v, err, sizeof(err)), 0);
    assert_false(v.ok);
    assert_int_equal(v.bad_id, bad);
    assert_true(v.rows < (uint64_t)bad && v.rows >= (uint64_t)(bad > 5 ? 5 : bad - 2));
    assert_non_null(strstr(v.what, what_part));
    assert_string_not_equal(v.expected, v.stored);
    sqlite3_close(db);
}

static void test_tamperings(void **state)
{
    (void)state;
    assert_broken("UPDATE audit SET actor = 'Mallory' WHERE id = 3", 3, "does not match");
    assert_broken("UPDATE audit SET detail = NULL WHERE id = 5", 5, "does not match");
    assert_broken("UPDATE audit SET ts_ms = ts_ms + 1 WHERE id = 2", 2, "does not match");
    assert_broken("DELETE FROM audit WHERE id = 4", 5, "prev_hash of row 5");
    assert_broken("DELETE FROM audit WHERE id = 1", 2, "genesis");
    assert_broken("INSERT INTO audit SELECT 7, ts_ms, actor, action, detail, hash, hash FROM "
                  "audit WHERE id = 6",
                  7, "does not match");
    assert_broken("UPDATE audit SET id = -1 WHERE id = 2; UPDATE audit SET id = 2 WHERE id = 3;"
                  "UPDATE audit SET id = 3 WHERE id = -1",
                  2, "prev_hash of row 2");
    /* a gap in the ids with links rewritten to fit: the id is still out of sequence */
    assert_broken("UPDATE audit SET id = 10 WHERE id = 6", 10, "follows row 5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_and_head),
        cmocka_unit_test(test_empty_chain),
        cmocka_unit_test(test_tamperings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
