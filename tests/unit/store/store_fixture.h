/* SPDX-License-Identifier: MIT */
/* Helpers for the store's unit tests: a temporary database, checks through a second connection. */
#ifndef VSD_TEST_STORE_FIXTURE_H
#define VSD_TEST_STORE_FIXTURE_H

#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store.h"

struct fx {
    char dir[64];
    char path[128];
    struct vsd_store_options opt;
};

/* ---- Helpers ---- */

static inline int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

    nanosleep(&ts, NULL);
}

static inline int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static inline int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vsd-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vitals.db", f->dir);
    f->opt = (struct vsd_store_options){
        .path = f->path, .sync_full = true, .commit_ms = 20, .queue_depth = 1000};
    *state = f;
    return 0;
}

static inline int teardown(void **state)
{
    struct fx *f = *state;

    chmod(f->dir, 0700);
    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static inline void write_file(const char *path, const void *data, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
}

/* The whole file in a malloc'd buffer; *LEN set. */
static inline char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static inline bool exists(const char *path, const char *suffix)
{
    char p[256];
    struct stat st;

    snprintf(p, sizeof(p), "%s%s", path, suffix);
    return stat(p, &st) == 0;
}

/* The first column of the first row of SQL, read through a separate read-only connection. */
static inline int64_t q_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static inline void q_text(const char *path, const char *sql, char *buf, size_t len)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, len, "%s",
             sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(null)");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static inline void assert_integrity(const char *path)
{
    char text[256];

    q_text(path, "PRAGMA integrity_check", text, sizeof(text));
    assert_string_equal(text, "ok");
}

static inline struct vsd_store *open_ok(const struct fx *f)
{
    struct vsd_store *s = NULL;
    char err[512] = "";
    int r = vsd_store_open(&f->opt, &s, err, sizeof(err));

    if (r < 0)
        print_error("open: %s\n", err);
    assert_int_equal(r, 0);
    assert_non_null(s);
    return s;
}

/* Open must refuse PATH with an error naming it and containing WHAT, leaving it unchanged. */
static inline struct vsd_store_reading reading(int64_t ts, const char *device, enum vsd_vital v,
                                               double value)
{
    return (struct vsd_store_reading){.ts_ms = ts,
                                      .bed = "bed-1",
                                      .device = device,
                                      .session_id = "S-1",
                                      .vital = v,
                                      .value = value};
}

#endif
