/* SPDX-License-Identifier: MIT */
/* Unit tests of the CSV export: round trip through the store, RFC 4180, filters, formula cells. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* nftw, open_memstream */
#endif
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include <vitalsd/vitals.h>

#include "clock.h"
#include "export.h"
#include "store.h"

#define T0 1763782055000LL /* 2025-11-22T03:27:35.000Z */
#define MAX_ROWS 64
#define MAX_FIELDS 12

struct fx {
    char dir[64];
    char path[128];
};

/* A parsed CSV document. */
struct csv {
    int rows;
    int fields[MAX_ROWS];
    char *cell[MAX_ROWS][MAX_FIELDS];
};

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    strcpy(f->dir, "/tmp/vsd-export-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/vitals.db", f->dir);
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

static void csv_free(struct csv *c)
{
    for (int r = 0; r < c->rows; r++)
        for (int i = 0; i < c->fields[r]; i++)
            free(c->cell[r][i]);
}

/* Strict RFC 4180 parser: every record ends in CRLF, quotes only around whole
 * fields, "" inside quotes. Fails the test on anything else. */
static void csv_parse(const char *s, struct csv *c)
{
    char field[1024];
    size_t len = 0;

    memset(c, 0, sizeof(*c));
    while (*s) {
        bool quoted = *s == '"';

        assert_true(c->rows < MAX_ROWS);
        if (quoted) {
            for (s++; !(s[0] == '"' && s[1] != '"'); s++) {
                assert_true(*s != '\0');
                if (s[0] == '"')
                    s++; /* a doubled quote */
                assert_true(len < sizeof(field) - 1);
                field[len++] = *s;
            }
            s++;
        } else {
            for (; *s && *s != ',' && *s != '\r'; s++) {
                assert_true(*s != '"' && *s != '\n');
                assert_true(len < sizeof(field) - 1);
                field[len++] = *s;
            }
        }
        field[len] = '\0';
        assert_true(c->fields[c->rows] < MAX_FIELDS);
        c->cell[c->rows][c->fields[c->rows]++] = strdup(field);
        len = 0;
        if (*s == ',') {
            s++;
            continue;
        }
        assert_true(s[0] == '\r' && s[1] == '\n');
        s += 2;
        c->rows++;
    }
}

/* Export with F into a memory buffer and parse it; returns the raw text (free it). */
static char *export_to(const char *path, const struct vsd_export_filter *f, struct csv *c,
                       uint64_t *rows)
{
    sqlite3 *db = NULL;
    char err[512] = "", *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    int r;

    assert_non_null(out);
    r = vsd_export_open(path, &db, err, sizeof(err));
    if (r < 0)
        print_error("export open: %s\n", err);
    assert_int_equal(r, 0);
    r = vsd_export_csv(db, f, out, rows, err, sizeof(err));
    if (r < 0)
        print_error("export: %s\n", err);
    assert_int_equal(r, 0);
    sqlite3_close(db);
    fclose(out);
    csv_parse(buf, c);
    assert_true(c->rows >= 1);
    assert_int_equal((uint64_t)c->rows - 1, *rows);
    return buf;
}

static struct vsd_store *store_open(const char *path)
{
    struct vsd_store_options opt = {
        .path = path, .sync_full = false, .commit_ms = 10, .queue_depth = 1000};
    struct vsd_store *s = NULL;
    char err[512];

    assert_int_equal(vsd_store_open(&opt, &s, err, sizeof(err)), 0);
    assert_int_equal(vsd_store_start(s, NULL, NULL), 0);
    return s;
}

static void put(struct vsd_store *s, int64_t ts, const char *bed, const char *device,
                const char *session, enum vsd_vital v, double value, uint32_t flags)
{
    struct vsd_store_reading r = {.ts_ms = ts,
                                  .bed = bed,
                                  .device = device,
                                  .session_id = session,
                                  .vital = v,
                                  .value = value,
                                  .flags = flags};

    assert_int_equal(vsd_store_reading(s, &r), 0);
}

/* Session S-1 at bed-1: 10 readings written out of time order (ts T0 + 9000 - 1000 i
 * for i = 0..9, value 90 + i + 0.25), one of them without a value and flagged.
 * Session S-2 at bed-2: 5 readings at T0 + 500 + 1000 i. */
static void populate(const char *path)
{
    struct vsd_store *s = store_open(path);

    for (int i = 0; i < 10; i++)
        put(s, T0 + 9000 - 1000 * i, "bed-1", "mon-1", "S-1", VSD_VITAL_SPO2,
            i == 3 ? NAN : 90 + i + 0.25, i == 3 ? VSD_Q_INVALID | VSD_Q_SENSOR_OFF : 0);
    for (int i = 0; i < 5; i++)
        put(s, T0 + 500 + 1000 * i, "bed-2", "cuff-2", "S-2", VSD_VITAL_NIBP_SYS, 120 + i, 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_close(s);
}

static void test_session_round_trip(void **state)
{
    static const char header[] =
        "time,session,bed,device,vital,loinc,mdc_code,value,unit,quality\r\n";
    struct fx *f = *state;
    struct vsd_export_filter flt = {.session_id = "S-1"};
    const struct vsd_vital_info *vi = vsd_vital_info(VSD_VITAL_SPO2);
    char mdc[16], time[32];
    uint64_t rows = 0;
    struct csv c;
    char *raw;

    populate(f->path);
    raw = export_to(f->path, &flt, &c, &rows);
    assert_int_equal(rows, 10);
    assert_memory_equal(raw, header, sizeof(header) - 1);
    snprintf(mdc, sizeof(mdc), "%u", vi->mdc_code);
    for (int r = 1; r <= 10; r++) {
        int i = 10 - r; /* ordered by time: the last written first */
        char **cell = c.cell[r];

        assert_int_equal(c.fields[r], 10);
        vsd_clock_iso8601(T0 + 9000 - 1000 * i, time, sizeof(time));
        assert_string_equal(cell[0], time);
        assert_string_equal(cell[1], "S-1");
        assert_string_equal(cell[2], "bed-1");
        assert_string_equal(cell[3], "mon-1");
        assert_string_equal(cell[4], "spo2");
        assert_string_equal(cell[5], vi->loinc);
        assert_string_equal(cell[6], mdc);
        assert_string_equal(cell[8], vi->ucum);
        if (i == 3) {
            assert_string_equal(cell[7], "");
            assert_string_equal(cell[9], "invalid|sensor_off");
        } else {
            assert_true(strtod(cell[7], NULL) == 90 + i + 0.25);
            assert_string_equal(cell[9], "");
        }
    }
    assert_string_equal(c.cell[1][0], "2025-11-22T03:27:35.000Z");
    csv_free(&c);
    free(raw);
}

static void test_filters(void **state)
{
    struct fx *f = *state;
    struct vsd_export_filter flt = {.bed = "bed-2"};
    uint64_t rows = 0;
    struct csv c;

    populate(f->path);
    free(export_to(f->path, &flt, &c, &rows));
    assert_int_equal(rows, 5);
    for (int r = 1; r <= 5; r++)
        assert_string_equal(c.cell[r][3], "cuff-2");
    csv_free(&c);

    /* [T0 + 2000, T0 + 5000): S-1 at +2000, +3000, +4000; S-2 at +2500, +3500, +4500 */
    flt = (struct vsd_export_filter){.from_ms = T0 + 2000, .to_ms = T0 + 5000};
    free(export_to(f->path, &flt, &c, &rows));
    assert_int_equal(rows, 6);
    assert_string_equal(c.cell[1][1], "S-1");
    assert_string_equal(c.cell[2][1], "S-2");
    csv_free(&c);

    flt.session_id = "S-2";
    free(export_to(f->path, &flt, &c, &rows));
    assert_int_equal(rows, 3);
    csv_free(&c);

    flt = (struct vsd_export_filter){.session_id = "S-1", .bed = "bed-2"};
    free(export_to(f->path, &flt, &c, &rows));
    assert_int_equal(rows, 0); /* header only */
    assert_int_equal(c.rows, 1);
    csv_free(&c);

    free(export_to(f->path, NULL, &c, &rows));
    assert_int_equal(rows, 15);
    csv_free(&c);
}

/* The database is not trusted: names that could be formulas are neutralised. */
static void test_formula_cells_and_quoting(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = store_open(f->path);
    struct csv c;
    uint64_t rows = 0;
    sqlite3 *db;
    char *raw;

    put(s, T0, "bed,3", "=HYPERLINK(\"http://x\")", NULL, VSD_VITAL_HR, 70, 0);
    put(s, T0 + 1, "+bed", "-2+3", "@SUM(A1)", VSD_VITAL_HR, 71, 0);
    put(s, T0 + 2, "\tbed", "dev\r\nice", "plain", VSD_VITAL_HR, -5, 0);
    assert_int_equal(vsd_store_sync(s), 0);
    vsd_store_close(s);
    /* A row a vitalsd never writes: unknown vital, infinite value. */
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO readings (ts_ms, ts_source, device, vital, value, "
                                  "flags) VALUES (1763782055003, 0, 'd', '=cmd|x', -1e999, 0)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);

    raw = export_to(f->path, NULL, &c, &rows);
    assert_int_equal(rows, 4);
    assert_non_null(strstr(raw, ",\"bed,3\",\"'=HYPERLINK(\"\"http://x\"\")\",hr,"));
    assert_string_equal(c.cell[1][1], "");
    assert_string_equal(c.cell[1][2], "bed,3");
    assert_string_equal(c.cell[1][3], "'=HYPERLINK(\"http://x\")");
    assert_string_equal(c.cell[2][1], "'@SUM(A1)");
    assert_string_equal(c.cell[2][2], "'+bed");
    assert_string_equal(c.cell[2][3], "'-2+3");
    assert_string_equal(c.cell[3][2], "'\tbed");
    assert_string_equal(c.cell[3][3], "dev\r\nice");
    assert_string_equal(c.cell[3][7], "-5"); /* a number we formatted is not a formula */
    assert_string_equal(c.cell[4][4], "'=cmd|x");
    assert_string_equal(c.cell[4][5], ""); /* unknown vital: no codes, no unit */
    assert_string_equal(c.cell[4][6], "");
    assert_string_equal(c.cell[4][8], "");
    assert_string_equal(c.cell[4][7], "'-inf");
    csv_free(&c);
    free(raw);
}

static void assert_open_refused(const char *path, const char *what, int expect)
{
    sqlite3 *db = NULL;
    char err[512] = "";
    int r = vsd_export_open(path, &db, err, sizeof(err));

    assert_int_equal(r, expect);
    assert_null(db);
    assert_non_null(strstr(err, path));
    if (!strstr(err, what))
        print_error("message '%s' lacks '%s'\n", err, what);
    assert_non_null(strstr(err, what));
}

static void test_open_refuses(void **state)
{
    struct fx *f = *state;
    static const char text[] = "time,session\r\nnot,a database\r\n";
    struct stat st;
    sqlite3 *db;
    FILE *fp;

    assert_open_refused(f->path, "does not exist", -ENOENT);
    assert_int_equal(stat(f->path, &st), -1); /* never created */

    fp = fopen(f->path, "wb");
    assert_non_null(fp);
    fclose(fp);
    assert_open_refused(f->path, "is empty", -ENODATA);

    fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, sizeof(text) - 1, fp), sizeof(text) - 1);
    fclose(fp);
    assert_open_refused(f->path, "is not a SQLite database", -EBADMSG);
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_size, sizeof(text) - 1);

    unlink(f->path);
    populate(f->path);
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 9", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_open_refused(f->path, "schema version 9", -EPROTONOSUPPORT);
}

/* The export reads committed rows while the store is open and writing (WAL). */
static void test_export_while_store_writes(void **state)
{
    struct fx *f = *state;
    struct vsd_store *s = store_open(f->path);
    uint64_t rows = 0;
    struct csv c;

    for (int i = 0; i < 20; i++)
        put(s, T0 + i, "bed-1", "mon-1", "S-1", VSD_VITAL_HR, 60 + i, 0);
    assert_int_equal(vsd_store_sync(s), 0);
    free(export_to(f->path, NULL, &c, &rows));
    assert_int_equal(rows, 20);
    csv_free(&c);
    for (int i = 20; i < 30; i++)
        put(s, T0 + i, "bed-1", "mon-1", "S-1", VSD_VITAL_HR, 60 + i, 0);
    assert_int_equal(vsd_store_sync(s), 0);
    free(export_to(f->path, NULL, &c, &rows));
    assert_int_equal(rows, 30);
    assert_string_equal(c.cell[30][7], "89");
    csv_free(&c);
    vsd_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_formula_cells_and_quoting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_refuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_while_store_writes, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
