/* SPDX-License-Identifier: MIT */
/* Unit tests of vitalsctl's output files: new only, never through a symbolic link, mode 0640,
 * and an export whose file or manifest exists writes nothing. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw */
#endif
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "manifest.h"
#include "outfile.h"
#include "store.h"

struct fx {
    char dir[64];
    char db[128], out[128], manifest[160], target[128];
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

/* A folder with an empty vitalsd database (the store's schema) and a file "target". */
static int setup(void **state)
{
    struct vsd_store_options opt = {.commit_ms = 50, .queue_depth = 64};
    struct fx *f = calloc(1, sizeof(*f));
    struct vsd_store *s = NULL;
    char err[256];

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vsd-outfile-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/vitals.db", f->dir);
    snprintf(f->out, sizeof(f->out), "%s/out.csv", f->dir);
    snprintf(f->manifest, sizeof(f->manifest), "%s.manifest.json", f->out);
    snprintf(f->target, sizeof(f->target), "%s/target", f->dir);
    opt.path = f->db;
    assert_int_equal(vsd_store_open(&opt, &s, err, sizeof(err)), 0);
    vsd_store_close(s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    nftw(f->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");

    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* The whole of PATH (up to 255 bytes), "" when it is empty. */
static const char *read_text(const char *path)
{
    static char buf[256];
    FILE *fp = fopen(path, "r");
    size_t n;

    assert_non_null(fp);
    n = fread(buf, 1, sizeof(buf) - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_new_file_mode_0640(void **state)
{
    struct fx *f = *state;
    char err[256] = "";
    struct stat st;
    mode_t old = umask(0); /* nothing removed: the mode asked for is the mode given */
    FILE *fp = vsd_outfile_create(f->out, err, sizeof(err));

    umask(old);
    assert_non_null(fp);
    assert_int_equal(fclose(fp), 0);
    assert_int_equal(stat(f->out, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
}

static void test_existing_file_refused_untouched(void **state)
{
    struct fx *f = *state;
    char err[256] = "", want[256];

    write_text(f->out, "the auditor's earlier file\n");
    errno = 0;
    assert_null(vsd_outfile_create(f->out, err, sizeof(err)));
    assert_int_equal(errno, EEXIST);
    snprintf(want, sizeof(want), "%s exists: choose another name or remove it", f->out);
    assert_string_equal(err, want);
    assert_string_equal(read_text(f->out), "the auditor's earlier file\n");
}

static void test_symlink_refused_target_untouched(void **state)
{
    struct fx *f = *state;
    char err[256] = "";
    struct stat st;

    write_text(f->target, "someone else's file\n");
    assert_int_equal(symlink(f->target, f->out), 0);
    assert_null(vsd_outfile_create(f->out, err, sizeof(err)));
    assert_non_null(strstr(err, "exists (a symbolic link): choose another name or remove it"));
    assert_string_equal(read_text(f->target), "someone else's file\n");
    /* a dangling link is refused too: its target is not created */
    assert_int_equal(unlink(f->target), 0);
    assert_null(vsd_outfile_create(f->out, err, sizeof(err)));
    assert_int_equal(lstat(f->target, &st), -1);
    assert_int_equal(errno, ENOENT);
}

static int run_job(struct fx *f, char *err, size_t errlen)
{
    struct vsd_export_job job = {.what = VSD_EXPORT_AUDIT, .format = VSD_FORMAT_CSV};
    sqlite3 *db = NULL;
    int r;

    job.output = f->out;
    job.by = "Auditor Q";
    assert_int_equal(vsd_export_open(f->db, &db, err, errlen), 0);
    r = vsd_export_job_run(db, &job, err, errlen);
    sqlite3_close(db);
    return r;
}

static void test_export_refused_writes_nothing(void **state)
{
    struct fx *f = *state;
    char err[256] = "";
    struct stat st;

    /* the manifest's name is taken: the export file is not created either */
    write_text(f->manifest, "{}\n");
    assert_int_equal(run_job(f, err, sizeof(err)), -EEXIST);
    assert_non_null(strstr(err, "manifest.json exists: choose another name or remove it"));
    assert_int_equal(lstat(f->out, &st), -1);
    assert_string_equal(read_text(f->manifest), "{}\n");
    assert_int_equal(unlink(f->manifest), 0);
    /* the export file's name is a link: refused, its target kept, no manifest */
    write_text(f->target, "keep\n");
    assert_int_equal(symlink(f->target, f->out), 0);
    assert_int_equal(run_job(f, err, sizeof(err)), -EEXIST);
    assert_string_equal(read_text(f->target), "keep\n");
    assert_int_equal(lstat(f->manifest, &st), -1);
    assert_int_equal(unlink(f->out), 0);
    /* free names: both written, both 0640 at most */
    assert_int_equal(run_job(f, err, sizeof(err)), 0);
    assert_int_equal(stat(f->out, &st), 0);
    assert_int_equal(st.st_mode & 0137, 0);
    assert_int_equal(stat(f->manifest, &st), 0);
    assert_int_equal(st.st_mode & 0137, 0);
    assert_non_null(strstr(read_text(f->out), "id,time,actor"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_new_file_mode_0640, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_file_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_refused_target_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_refused_writes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
