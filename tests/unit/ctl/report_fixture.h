/* SPDX-License-Identifier: MIT */
/* The report tests' fixture: a database made by the store (the real schema) in a temporary
 * folder, filled with rows of the test's own, and the report of one session rendered to text. */
#ifndef VSD_TEST_REPORT_FIXTURE_H
#define VSD_TEST_REPORT_FIXTURE_H

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

#include "report.h"
#include "store.h"

struct fx {
    char dir[64];
    char path[128];
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* A new database with the store's schema, then ROWS (SQL) and FILL(db) if given. */
static struct fx *fx_new(const char *rows, void (*fill)(sqlite3 *db))
{
    struct vsd_store_options opt = {.commit_ms = 50, .queue_depth = 64};
    struct fx *f = calloc(1, sizeof(*f));
    struct vsd_store *s = NULL;
    sqlite3 *db = NULL;
    char err[256];

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vsd-report-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vitals.db", f->dir);
    opt.path = f->path;
    assert_int_equal(vsd_store_open(&opt, &s, err, sizeof(err)), 0);
    vsd_store_close(s);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, rows, NULL, NULL, NULL), SQLITE_OK);
    if (fill)
        fill(db);
    sqlite3_close(db);
    return f;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* The report of SESSION as Markdown (or HTML), malloc'd. */
static char *render_session(const struct fx *f, const char *session, int html)
{
    struct vsd_report *r = NULL;
    sqlite3 *db = NULL;
    char err[256] = "", *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    assert_non_null(out);
    assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(vsd_report_load(db, session, NULL, NULL, &r, err, sizeof(err)), 0);
    sqlite3_close(db);
    assert_int_equal(html ? vsd_report_html(r, out) : vsd_report_markdown(r, out), 0);
    vsd_report_free(r);
    fclose(out);
    return text;
}

#endif
