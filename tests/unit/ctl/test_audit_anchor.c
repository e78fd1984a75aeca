/* SPDX-License-Identifier: MIT */
/* Unit tests of the audit chain's outside anchors: a head the daemon published, or one an export
 * manifest names, must still be a row of the verified chain. Deleting the newest rows or
 * recomputing the whole chain passes the chain walk alone, and loses the anchor. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "audit_verify.h"
#include "manifest.h"

#define N_ROWS 6

typedef char hash_t[VSD_AUDIT_HASH_HEX + 1];

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Rewrite every prev_hash and hash of DB from the genesis, as vitalsd would have: what someone
 * with write access to the database and the source code can do. */
static void recompute(sqlite3 *db)
{
    hash_t prev = VSD_AUDIT_GENESIS, hash;
    sqlite3_stmt *st = NULL, *up = NULL;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, ts_ms, actor, action, detail FROM audit "
                                        "ORDER BY id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "UPDATE audit SET prev_hash = ?1, hash = ?2 "
                                        "WHERE id = ?3",
                                        -1, &up, NULL),
                     SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        assert_int_equal(vsd_audit_row_hash(prev, sqlite3_column_int64(st, 0),
                                            sqlite3_column_int64(st, 1),
                                            (const char *)sqlite3_column_text(st, 2),
                                            (const char *)sqlite3_column_text(st, 3),
                                            (const char *)sqlite3_column_text(st, 4), hash),
                         0);
        sqlite3_bind_text(up, 1, prev, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(up, 2, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(up, 3, sqlite3_column_int64(st, 0));
        assert_int_equal(sqlite3_step(up), SQLITE_DONE);
        sqlite3_reset(up);
        memcpy(prev, hash, sizeof(prev));
    }
    sqlite3_finalize(st);
    sqlite3_finalize(up);
}

/* An in-memory audit table holding a valid chain of N_ROWS rows. */
static sqlite3 *chain_db(void)
{
    sqlite3 *db = NULL;
    char sql[256];

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    assert_int_equal(exec(db, "CREATE TABLE audit (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT "
                              "NULL, actor TEXT NOT NULL, action TEXT NOT NULL, detail TEXT, "
                              "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)"),
                     SQLITE_OK);
    for (int id = 1; id <= N_ROWS; id++) {
        snprintf(sql, sizeof(sql),
                 "INSERT INTO audit VALUES (%d, %d, 'Nurse A', 'session_start', "
                 "'{\"n\":%d}', '', '')",
                 id, 1000 * id, id);
        assert_int_equal(exec(db, sql), SQLITE_OK);
    }
    recompute(db);
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

/* The walk of DB, then the anchor WANT_ID/WANT against it. */
static struct vsd_anchor_verdict anchor(sqlite3 *db, int64_t want_id, const char *want,
                                        struct vsd_audit_verdict *v)
{
    struct vsd_anchor_verdict a;
    char err[256] = "";

    assert_int_equal(vsd_audit_verify(db, v, err, sizeof(err)), 0);
    assert_int_equal(vsd_audit_anchor_check(db, v, want_id, want, &a, err, sizeof(err)), 0);
    return a;
}

static void test_anchor_at_head_and_before(void **state)
{
    struct vsd_audit_verdict v;
    hash_t h3, h6;
    sqlite3 *db = chain_db();
    struct vsd_anchor_verdict a;

    (void)state;
    stored_hash(db, 3, h3);
    stored_hash(db, N_ROWS, h6);
    a = anchor(db, -1, h6, &v);
    assert_int_equal(a.status, VSD_ANCHOR_OK);
    assert_int_equal(a.id, N_ROWS);
    a = anchor(db, -1, h3, &v); /* an older head: rows after it are allowed */
    assert_int_equal(a.status, VSD_ANCHOR_OK);
    assert_int_equal(a.id, 3);
    assert_non_null(strstr(a.what, "3 rows after it"));
    a = anchor(db, 3, h3, &v); /* as a manifest names it: id and hash */
    assert_int_equal(a.status, VSD_ANCHOR_OK);
    a = anchor(db, 0, VSD_AUDIT_GENESIS, &v); /* exported before the first row */
    assert_int_equal(a.status, VSD_ANCHOR_OK);
    sqlite3_close(db);
}

static void test_deleted_newest_rows(void **state)
{
    struct vsd_audit_verdict v;
    hash_t h4, h6;
    sqlite3 *db = chain_db();
    struct vsd_anchor_verdict a;

    (void)state;
    stored_hash(db, 4, h4);
    stored_hash(db, N_ROWS, h6);
    assert_int_equal(exec(db, "DELETE FROM audit WHERE id > 4"), SQLITE_OK);
    a = anchor(db, -1, h6, &v);
    assert_true(v.ok); /* the walk alone cannot tell */
    assert_int_equal(v.head_id, 4);
    assert_int_equal(a.status, VSD_ANCHOR_MISSING);
    assert_non_null(strstr(a.what, "deleted from its end"));
    a = anchor(db, N_ROWS, h6, &v);
    assert_int_equal(a.status, VSD_ANCHOR_MISSING);
    assert_non_null(strstr(a.what, "row 6 is not in the chain, which now ends at row 4"));
    a = anchor(db, -1, h4, &v); /* what was anchored before the cut still holds */
    assert_int_equal(a.status, VSD_ANCHOR_OK);
    sqlite3_close(db);
}

static void test_recomputed_chain(void **state)
{
    struct vsd_audit_verdict v;
    hash_t h6;
    sqlite3 *db = chain_db();
    struct vsd_anchor_verdict a;

    (void)state;
    stored_hash(db, N_ROWS, h6);
    assert_int_equal(exec(db, "UPDATE audit SET actor = 'Someone Else' WHERE id = 2"), SQLITE_OK);
    recompute(db);
    a = anchor(db, -1, h6, &v);
    assert_true(v.ok); /* the walk alone cannot tell */
    assert_int_equal(a.status, VSD_ANCHOR_MISSING);
    assert_non_null(strstr(a.what, "rewritten"));
    a = anchor(db, N_ROWS, h6, &v);
    assert_int_equal(a.status, VSD_ANCHOR_CHANGED);
    assert_non_null(strstr(a.what, "row 6 now has hash"));
    sqlite3_close(db);
}

static void test_anchor_past_a_break(void **state)
{
    struct vsd_audit_verdict v;
    hash_t h5;
    sqlite3 *db = chain_db();
    struct vsd_anchor_verdict a;

    (void)state;
    stored_hash(db, 5, h5);
    assert_int_equal(exec(db, "UPDATE audit SET actor = 'Someone Else' WHERE id = 2"), SQLITE_OK);
    a = anchor(db, -1, h5, &v);
    assert_false(v.ok);
    assert_int_equal(a.status, VSD_ANCHOR_UNVERIFIED);
    assert_non_null(strstr(a.what, "breaks before it, at row 2"));
    sqlite3_close(db);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_manifest_head(void **state)
{
    char path[] = "/tmp/vsd-manifest-XXXXXX", err[512] = "";
    hash_t hash;
    int64_t id = -1;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_text(path, "{\"rows\":3,\"audit_chain_head\":{\"id\":7,\"hash\":"
                     "\"b176884019f4fa44b99b46d53faba8248b30cd794beeb72e7782b5774bc05cf5\"}}");
    assert_int_equal(vsd_manifest_read_head(path, &id, hash, err, sizeof(err)), 0);
    assert_int_equal(id, 7);
    assert_string_equal(hash, "b176884019f4fa44b99b46d53faba8248b30cd794beeb72e7782b5774bc05cf5");
    write_text(path, "{\"audit_chain_head\":{\"id\":7,\"hash\":\"not a hash\"}}");
    assert_int_equal(vsd_manifest_read_head(path, &id, hash, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "not an export manifest"));
    write_text(path, "[1,2");
    assert_int_equal(vsd_manifest_read_head(path, &id, hash, err, sizeof(err)), -EINVAL);
    unlink(path);
    assert_int_equal(vsd_manifest_read_head(path, &id, hash, err, sizeof(err)), -ENOENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anchor_at_head_and_before),
        cmocka_unit_test(test_deleted_newest_rows),
        cmocka_unit_test(test_recomputed_chain),
        cmocka_unit_test(test_anchor_past_a_break),
        cmocka_unit_test(test_manifest_head),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
