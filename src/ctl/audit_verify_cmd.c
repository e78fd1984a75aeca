/* SPDX-License-Identifier: MIT */
/* vitalsctl audit verify: the chain, the anchors given from outside it, and the tables the report
 * reads, in one snapshot; one line per finding and exit 1 on any failure. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit_verify.h"
#include "ctl.h"
#include "digest.h"
#include "manifest.h"

#define PROBLEMS_SHOWN 50

struct findings {
    struct vsd_audit_verdict chain;
    struct vsd_anchor_verdict expect, manifest;
    struct vsd_records_verdict records;
    int64_t manifest_row; /* the export row recording the manifest's SHA-256; 0: none */
    char *lines[PROBLEMS_SHOWN];
    size_t n_lines;
};

struct wanted {
    char expect[VSD_AUDIT_HASH_HEX + 1]; /* "" when not asked */
    const char *manifest;
    int64_t manifest_id;
    char manifest_hash[VSD_AUDIT_HASH_HEX + 1];
    char manifest_sha256[VSD_SHA256_HEX];
};

static void keep_line(void *ctx, const char *line)
{
    struct findings *f = ctx;

    if (f->n_lines < PROBLEMS_SHOWN)
        f->lines[f->n_lines++] = strdup(line);
}

static void findings_clear(struct findings *f)
{
    for (size_t i = 0; i < f->n_lines; i++)
        free(f->lines[i]);
    memset(f, 0, sizeof(*f));
}

/* The export (or retention) audit row whose manifest_sha256 is SHA (0: none). */
static int64_t export_row(sqlite3 *db, const char *sha)
{
    sqlite3_stmt *st = NULL;
    int64_t id = 0;

    if (sqlite3_prepare_v2(db,
                           "SELECT id FROM audit WHERE action IN ('export', 'retention') AND "
                           "json_valid(detail) "
                           "AND json_extract(detail, '$.manifest_sha256') = ?1 ORDER BY id",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return id;
}

/* Every check in one read transaction. */
static int check_all(sqlite3 *db, const struct wanted *w, struct findings *f, char *err,
                     size_t errlen)
{
    int r = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? 0 : -EIO;

    if (r == 0)
        r = vsd_audit_verify(db, &f->chain, err, errlen);
    if (r == 0 && *w->expect)
        r = vsd_audit_anchor_check(db, &f->chain, -1, w->expect, &f->expect, err, errlen);
    if (r == 0 && w->manifest) {
        r = vsd_audit_anchor_check(db, &f->chain, w->manifest_id, w->manifest_hash, &f->manifest,
                                   err, errlen);
        f->manifest_row = export_row(db, w->manifest_sha256);
    }
    if (r == 0)
        r = vsd_audit_records_check(db, f->chain.ok ? INT64_MAX : f->chain.head_id, keep_line, f,
                                    &f->records, err, errlen);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    if (r < 0 && !*err)
        snprintf(err, errlen, "audit: cannot read the database: %s", sqlite3_errmsg(db));
    return r;
}

static bool print_chain(const struct vsd_audit_verdict *v)
{
    if (!v->ok) {
        printf("audit chain BROKEN at row %lld: %s\n  expected %s\n  stored   %s\n"
               "%llu rows before it verified\n",
               (long long)v->bad_id, v->what, v->expected, v->stored, (unsigned long long)v->rows);
        return false;
    }
    printf("audit chain ok: %llu rows, head row %lld hash %s\n", (unsigned long long)v->rows,
           (long long)v->head_id, v->head);
    return true;
}

static bool print_anchor(const char *label, const struct vsd_anchor_verdict *a)
{
    static const char *const status[] = {[VSD_ANCHOR_OK] = "ok",
                                         [VSD_ANCHOR_MISSING] = "NOT IN THE CHAIN",
                                         [VSD_ANCHOR_CHANGED] = "CHANGED",
                                         [VSD_ANCHOR_UNVERIFIED] = "NOT VERIFIED"};

    printf("%s %s: %s\n", label, status[a->status], a->what);
    return a->status == VSD_ANCHOR_OK;
}

static bool print_records(const struct findings *f)
{
    const struct vsd_records_verdict *r = &f->records;

    if (r->problems == 0) {
        printf("records ok: every session (%llu) and acknowledgement (%llu) matches the audit "
               "chain\n",
               (unsigned long long)r->sessions, (unsigned long long)r->acks);
        return true;
    }
    printf("records MISMATCH: the sessions or alerts tables (which the report reads) disagree "
           "with the audit chain in %llu place%s\n",
           (unsigned long long)r->problems, r->problems == 1 ? "" : "s");
    for (size_t i = 0; i < f->n_lines; i++)
        printf("  %s\n", f->lines[i] ? f->lines[i] : "(out of memory)");
    if (r->problems > f->n_lines)
        printf("  ... and %llu more\n", (unsigned long long)(r->problems - f->n_lines));
    return false;
}

static bool print_all(const struct wanted *w, const struct findings *f)
{
    bool ok = print_chain(&f->chain);

    if (*w->expect)
        ok &= print_anchor("expected head", &f->expect);
    if (w->manifest) {
        char label[4200];
        snprintf(label, sizeof(label), "manifest %s head", w->manifest);
        ok &= print_anchor(label, &f->manifest);
        if (f->manifest_row)
            printf("  the manifest itself is recorded at audit row %lld (export or retention)\n",
                   (long long)f->manifest_row);
        else
            printf("  note: no export row records this manifest's SHA-256 (written with --force, "
                   "withdrawn, changed since, or from another database)\n");
    }
    ok &= print_records(f);
    return ok;
}

/* HASH must be 64 hex digits (any case); kept lower-case in OUT. */
static int parse_hash(const char *hash, char *out)
{
    if (!hash || strlen(hash) != VSD_AUDIT_HASH_HEX)
        return -EINVAL;
    for (size_t i = 0; i < VSD_AUDIT_HASH_HEX; i++) {
        if (!isxdigit((unsigned char)hash[i]))
            return -EINVAL;
        out[i] = (char)tolower((unsigned char)hash[i]);
    }
    out[VSD_AUDIT_HASH_HEX] = '\0';
    return 0;
}

static int wanted_from(const struct vsd_audit_verify_opts *o, struct wanted *w)
{
    char err[4400] = "";
    int r;

    memset(w, 0, sizeof(*w));
    if (o->expect_head && parse_hash(o->expect_head, w->expect) < 0) {
        fprintf(stderr, "vitalsctl: --expect-head wants the 64 hex digits of a chain head "
                        "(from vitals/<area>/audit/head or the journal's \"audit head\" line)\n");
        return EXIT_USAGE;
    }
    if (!(w->manifest = o->manifest))
        return 0;
    r = vsd_manifest_read_head(o->manifest, &w->manifest_id, w->manifest_hash, err, sizeof(err));
    if (r == 0 && (r = vsd_sha256_file(o->manifest, w->manifest_sha256)) < 0)
        snprintf(err, sizeof(err), "manifest %s: %s", o->manifest, strerror(-r));
    if (r < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_USAGE;
    }
    return 0;
}

int vsd_ctl_audit_verify(struct ctl *c, const struct vsd_audit_verify_opts *o)
{
    struct findings f = {0};
    struct wanted w;
    char err[512] = "";
    sqlite3 *db = NULL;
    int rc;

    if ((rc = wanted_from(o, &w)) != 0 || (rc = vsd_ctl_open_db(c, &db)) != 0)
        return rc;
    rc = check_all(db, &w, &f, err, sizeof(err));
    if (rc == 0 && f.records.problems && f.records.recent) {
        /* A record written in the last second may precede its audit row's commit: look again. */
        findings_clear(&f);
        sleep(1);
        rc = check_all(db, &w, &f, err, sizeof(err));
    }
    sqlite3_close(db);
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        findings_clear(&f);
        return EXIT_UNAVAILABLE;
    }
    rc = print_all(&w, &f) ? 0 : EXIT_REFUSED;
    findings_clear(&f);
    return rc;
}
