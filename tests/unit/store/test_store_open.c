/* SPDX-License-Identifier: MIT */
/* Unit tests of opening the store: new, reopened, and every kind of file it must refuse untouched.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, setgroups */
#endif
#include "store_fixture.h"
#include "store_schema.h"

#include <grp.h>
#include <signal.h>
#include <sys/wait.h>

static void assert_refused(struct fx *f, const char *what)
{
    struct vsd_store *s = NULL;
    char err[512] = "";
    size_t before_len, after_len;
    char *before = read_all(f->path, &before_len), *after;
    int r = vsd_store_open(&f->opt, &s, err, sizeof(err));

    assert_true(r < 0);
    assert_null(s);
    assert_non_null(strstr(err, f->path));
    if (!strstr(err, what))
        print_error("message '%s' lacks '%s'\n", err, what);
    assert_non_null(strstr(err, what));
    after = read_all(f->path, &after_len);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before);
    free(after);
}

static void test_open_new_and_reopen(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = open_ok(f);
    char text[64];

    vsd_store_close(s);
    assert_false(exists(f->path, "-wal")); /* checkpointed and removed at close */
    assert_int_equal(q_int(f->path, "PRAGMA user_version"), VSD_SCHEMA_VERSION);
    q_text(f->path, "PRAGMA journal_mode", text, sizeof(text));
    assert_string_equal(text, "wal");
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"), 7);
    /* readings carries the one partial unique index, nothing else */
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                                    "AND tbl_name = 'readings'"),
                     1);

    s = open_ok(f);
    assert_int_equal(vsd_store_max_seq(s), 0);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "PRAGMA user_version"), VSD_SCHEMA_VERSION);
    assert_integrity(f->path);
}

static void test_open_empty_file_is_new(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s;

    write_file(f->path, "", 0);
    s = open_ok(f);
    vsd_store_close(s);
    assert_int_equal(q_int(f->path, "PRAGMA user_version"), VSD_SCHEMA_VERSION);
}

static void test_refuse_non_sqlite(void **state)
{
    struct fx *f = *state;
    static const char notes[] = "these are somebody's precious notes, not a database\n"
                                "and vitalsd must never overwrite them\n";

    write_file(f->path, notes, sizeof(notes) - 1);
    assert_refused(f, "is not a SQLite database");
    assert_false(exists(f->path, "-wal"));
    assert_false(exists(f->path, "-shm"));
    write_file(f->path, "SQLite", 6); /* shorter than the header */
    assert_refused(f, "is not a SQLite database");
}

static void test_refuse_truncated(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s;
    size_t len;
    char *full;

    f->opt.queue_depth = 5000;
    s = open_ok(f);
    for (int i = 0; i < 3000; i++) {
        struct vsd_store_reading r = reading(1000 + i, "mon-1", VSD_VITAL_HR, 60 + i % 40);
        assert_int_equal(vsd_store_reading(s, &r), 0);
    }
    vsd_store_close(s);
    full = read_all(f->path, &len);
    assert_true(len > 3 * 4096);

    write_file(f->path, full, 60); /* part of the header */
    assert_refused(f, "is truncated");
    write_file(f->path, full, 5000); /* not whole pages */
    assert_refused(f, "is truncated");
    write_file(f->path, full, 2 * 4096); /* whole pages, fewer than the header says */
    assert_refused(f, "is truncated");
    memset(full + 2 * 4096, 0xa5, 4096); /* right size, a page of garbage */
    write_file(f->path, full, len);
    assert_refused(f, "failed its integrity check");
    free(full);
}

/* A database left by a killed daemon (committed rows only in the -wal) opens
 * and keeps every committed row. */
static void test_open_after_kill(void **state)
{
    struct fx *f = *state;
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct vsd_store *s = NULL;

        f->opt.queue_depth = 5000;
        if (vsd_store_open(&f->opt, &s, NULL, 0) < 0 || vsd_store_start(s, NULL, NULL) < 0)
            _exit(1);
        for (int i = 0; i < 3000; i++) {
            struct vsd_store_reading r = reading(i, "mon-1", VSD_VITAL_HR, 70);
            if (vsd_store_reading(s, &r) < 0)
                _exit(1);
        }
        if (vsd_store_sync(s) < 0)
            _exit(1);
        raise(SIGKILL);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_true(exists(f->path, "-wal"));
    vsd_store_close(open_ok(f));
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM readings"), 3000);
    assert_integrity(f->path);
}

/* A database of schema version 1 (the first release) is migrated forward, rows kept. */
static void test_migrate_from_v1(void **state)
{
    struct fx *f = *state;
    sqlite3 *db;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, vsd_schema_migration_sql(0), NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO alerts (alert_id, code, state) VALUES "
                                  "('a1', 'low', 'raised');",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(q_int(f->path, "PRAGMA user_version"), 1);
    vsd_store_close(open_ok(f));
    assert_int_equal(q_int(f->path, "PRAGMA user_version"), VSD_SCHEMA_VERSION);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM alerts WHERE alert_id = 'a1' "
                                    "AND escalation = 0 AND acked_by IS NULL"),
                     1);
    assert_int_equal(q_int(f->path, "SELECT count(*) FROM gaps"), 0);
    assert_integrity(f->path);
}

static void test_refuse_newer_version(void **state)
{
    struct fx *f = *state;
    char expect[512];
    sqlite3 *db;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db, "CREATE TABLE t (a); PRAGMA user_version = 3;", NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    snprintf(expect, sizeof(expect),
             "database %s has schema version 3, newer than this vitalsd understands (2): "
             "refusing to touch it",
             f->path);
    assert_refused(f, expect);
}

/* The newer version only in the WAL (the header still says 1): caught by the PRAGMA check. */
static void test_refuse_newer_version_in_wal(void **state)
{
    struct fx *f = *state;
    size_t wal_len, wal2_len;
    char wal[160], *wal_before, *wal_after;
    sqlite3 *db;

    vsd_store_close(open_ok(f));
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    snprintf(wal, sizeof(wal), "%s-wal", f->path);
    wal_before = read_all(wal, &wal_len);
    assert_true(wal_len > 0);
    assert_refused(f, "has schema version 7, newer than this vitalsd understands (2)");
    wal_after = read_all(wal, &wal2_len); /* not checkpointed into the file either */
    assert_int_equal(wal2_len, wal_len);
    assert_memory_equal(wal_after, wal_before, wal_len);
    free(wal_before);
    free(wal_after);
}

static void test_refuse_foreign_tables(void **state)
{
    struct fx *f = *state;
    sqlite3 *db;

    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE invoices (a)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_refused(f, "no vitalsd schema version");
}

/* Opens PATH in a child that is not root (uid/gid 65534) when we are root, so
 * that file permissions apply as they do to the daemon's own user. Returns the
 * open's result; the child prints its message. */
static int open_as_unprivileged(const struct vsd_store_options *opt)
{
    int status;
    pid_t pid;

    fflush(stdout);
    pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        struct vsd_store *s = NULL;
        char err[512] = "";
        int r;

        if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0))
            _exit(100);
        r = vsd_store_open(opt, &s, err, sizeof(err));
        printf("    unprivileged open: %d %s\n", r, err);
        fflush(stdout);
        if (r == 0)
            vsd_store_close(s);
        _exit(r < 0 && strstr(err, "cannot be written: Permission denied") && strstr(err, opt->path)
                  ? 0
                  : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_not_equal(WEXITSTATUS(status), 100);
    return WEXITSTATUS(status);
}

static void test_refuse_unwritable(void **state)
{
    struct fx *f = *state;
    size_t len, len2;
    char *before, *after;

    if (geteuid() == 0)
        printf("    running as root: the unwritable cases run in a child as uid 65534\n");
    vsd_store_close(open_ok(f));
    before = read_all(f->path, &len);

    /* The file is not writable (owner root, 0644; a non-root owner's 0444 when not root). */
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(chmod(f->path, geteuid() == 0 ? 0644 : 0444), 0);
    assert_int_equal(open_as_unprivileged(&f->opt), 0);

    /* The file is writable but its directory (needed for -wal and -shm) is not. */
    if (geteuid() == 0)
        assert_int_equal(chown(f->path, 65534, 65534), 0);
    assert_int_equal(chmod(f->path, 0644), 0);
    assert_int_equal(chmod(f->dir, 0555), 0);
    assert_int_equal(open_as_unprivileged(&f->opt), 0);
    after = read_all(f->path, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(after, before, len);

    /* A new database in a directory that cannot be written. */
    assert_int_equal(chmod(f->dir, 0755), 0);
    assert_int_equal(unlink(f->path), 0);
    assert_int_equal(chmod(f->dir, 0555), 0);
    assert_int_equal(open_as_unprivileged(&f->opt), 0);
    assert_false(exists(f->path, ""));
    free(before);
    free(after);
}
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_new_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_empty_file_is_new, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_non_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_after_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_newer_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_newer_version_in_wal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_foreign_tables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuse_unwritable, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
