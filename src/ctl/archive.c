/* SPDX-License-Identifier: MIT */
/* vitalsctl archive: export the readings older than [retention] readings_days with a manifest,
 * then ask vitalsd to delete exactly those rows (docs/auditors.md, "Retention"). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "ctl.h"
#include "ids.h"
#include "manifest.h"

#define DAY_MS 86400000LL

struct archive {
    struct vsd_export_job job;
    char output[4096];
    int64_t cutoff;
    int wait_s; /* longest wait for the verdict and the deletion */
};

void vsd_ctl_archive_usage(FILE *out)
{
    fputs("  archive [--before TIME] [--by NAME] [--wait SECONDS]\n"
          "                export the readings older than [retention] readings_days (or TIME,\n"
          "                not later) to archive_dir with a manifest, then have vitalsd delete\n"
          "                exactly those rows (not those of an open visit); waits up to SECONDS\n"
          "                (default 3600) for the deletion to end\n",
          out);
}

static int options(int argc, char **argv, struct archive *a)
{
    static const struct option opts[] = {{"before", required_argument, NULL, 'b'},
                                         {"by", required_argument, NULL, 'y'},
                                         {"wait", required_argument, NULL, 'w'},
                                         {NULL, 0, NULL, 0}};
    char *end;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (opt == 'b' && vsd_ctl_parse_time(optarg, &a->cutoff) == 0 && a->cutoff > 0)
            continue;
        if (opt == 'y') {
            a->job.by = optarg;
            continue;
        }
        if (opt == 'w' && (a->wait_s = (int)strtol(optarg, &end, 10)) >= 0 && !*end && *optarg)
            continue;
        if (opt == 'b')
            fprintf(stderr, "vitalsctl: cannot read the time '%s'\n", optarg);
        vsd_ctl_archive_usage(stderr);
        return EXIT_USAGE;
    }
    if (optind != argc) {
        vsd_ctl_archive_usage(stderr);
        return EXIT_USAGE;
    }
    return 0;
}

/* The cutoff (the latest [retention] allows, or --before when not later) and the file name. */
static int plan(struct ctl *c, struct archive *a)
{
    int64_t latest =
        vsd_clock_wall_ms(&vsd_clock_system) - c->cfg->retention.readings_days * DAY_MS;
    char stamp[32], iso[40];
    time_t t;

    if (a->cutoff > latest) {
        vsd_clock_iso8601(latest, iso, sizeof(iso));
        fprintf(stderr,
                "vitalsctl: archive refused: --before is too recent: [retention] readings_days "
                "= %d keeps every reading since %s; nothing written, nothing deleted\n",
                c->cfg->retention.readings_days, iso);
        return EXIT_REFUSED;
    }
    if (!a->cutoff)
        a->cutoff = latest / 1000 * 1000;
    t = (time_t)(a->cutoff / 1000);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", gmtime(&t));
    if (snprintf(a->output, sizeof(a->output), "%s/readings-before-%s.csv",
                 c->cfg->retention.archive_dir, stamp) >= (int)sizeof(a->output)) {
        fprintf(stderr, "vitalsctl: archive_dir is too long\n");
        return EXIT_USAGE;
    }
    a->job.output = a->output;
    a->job.filter.to_ms = a->cutoff;
    return 0;
}

/* Withdraw the archive (nothing was deleted) and say so. */
static void withdraw(const struct archive *a)
{
    if (vsd_export_job_remove(&a->job) == 0)
        fprintf(stderr, "vitalsctl: %s and its manifest were removed; nothing was deleted\n",
                a->output);
    else
        fprintf(stderr, "vitalsctl: %s could not be removed; nothing was deleted\n", a->output);
}

/* Ask vitalsd to delete the archived rows. 0, or the exit status after saying why. */
static int ask(struct ctl *c, const struct archive *a)
{
    const char *base = strrchr(a->output, '/');
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    char err[600] = "";
    int r;

    cJSON_AddStringToObject(req, "cmd", "retention");
    if (a->job.by)
        cJSON_AddStringToObject(req, "by", a->job.by);
    cJSON_AddNumberToObject(req, "before_ms", (double)a->cutoff);
    cJSON_AddNumberToObject(req, "rows", (double)a->job.rows);
    cJSON_AddStringToObject(req, "file", base ? base + 1 : a->output);
    cJSON_AddStringToObject(req, "sha256", a->job.sha256);
    cJSON_AddStringToObject(req, "manifest_sha256", a->job.manifest_sha256);
    r = vsd_ctl_call_quiet(c, req, &reply, err, sizeof(err));
    cJSON_Delete(req);
    cJSON_Delete(reply);
    if (r == 0)
        return 0;
    fprintf(stderr, "vitalsctl: archive refused: %s%s\n",
            r == -EPERM ? "vitalsd refused: " : "vitalsd cannot be reached: ", err);
    withdraw(a);
    return r == -EPERM ? EXIT_REFUSED : EXIT_UNAVAILABLE;
}

/* The store's verdict, from the run's audit row: 1 done, 0 refused, -1 not yet. */
static int verdict(sqlite3 *db, const struct archive *a, long long *to_delete, long long *kept,
                   char *reason, size_t size)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db,
                           "SELECT json_extract(detail, '$.result'), "
                           "json_extract(detail, '$.to_delete'), "
                           "json_extract(detail, '$.kept_open_sessions'), "
                           "json_extract(detail, '$.reason') FROM audit "
                           "WHERE action = 'retention' AND json_valid(detail) AND "
                           "json_extract(detail, '$.manifest_sha256') = ?1 "
                           "ORDER BY id DESC LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, a->job.manifest_sha256, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *result = sqlite3_column_text(st, 0);
        v = result && strcmp((const char *)result, "done") == 0;
        *to_delete = sqlite3_column_int64(st, 1);
        *kept = sqlite3_column_int64(st, 2);
        snprintf(reason, size, "%s",
                 sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
    }
    sqlite3_finalize(st);
    return v;
}

/* Is vitalsd still running a retention run? -1 when it cannot tell. */
static int running(struct ctl *c)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    const cJSON *store;
    char err[256];
    int r = -1;

    cJSON_AddStringToObject(req, "cmd", "status");
    if (vsd_ctl_call_quiet(c, req, &reply, err, sizeof(err)) == 0) {
        store = cJSON_GetObjectItemCaseSensitive(reply, "store");
        r = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(store, "retention_running"));
    }
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return r;
}

/* Wait for the verdict, then for the deletion. 0 or the exit status after saying why. */
static int follow(struct ctl *c, sqlite3 *db, const struct archive *a)
{
    long long to_delete = 0, kept = 0;
    char reason[512] = "";
    int v = -1, left = a->wait_s * 10;

    for (; (v = verdict(db, a, &to_delete, &kept, reason, sizeof(reason))) < 0 && left > 0; left--)
        usleep(100000);
    if (v == 0) {
        fprintf(stderr, "vitalsctl: archive refused by vitalsd: %s\n", reason);
        withdraw(a);
        return EXIT_REFUSED;
    }
    if (v < 0) {
        fprintf(stderr,
                "vitalsctl: vitalsd accepted %s but gave no verdict within %d s: see "
                "its audit row 'retention' (vitalsctl export --what audit)\n",
                a->output, a->wait_s);
        return EXIT_UNAVAILABLE;
    }
    fprintf(stderr,
            "vitalsctl: vitalsd deletes %lld readings in steps of 1,000 and keeps the %lld "
            "of sessions still open\n",
            to_delete, kept);
    for (; running(c) == 1 && left > 0; left--)
        usleep(100000);
    if (running(c) != 0) {
        fprintf(stderr, "vitalsctl: the deletion goes on in vitalsd (not over within %d s)\n",
                a->wait_s);
        return 0;
    }
    fprintf(stderr, "vitalsctl: deletion over; archive %s kept with its manifest\n", a->output);
    return 0;
}

int vsd_ctl_archive(struct ctl *c, int argc, char **argv)
{
    struct archive a = {.job = {.what = VSD_EXPORT_READINGS, .format = VSD_FORMAT_CSV},
                        .wait_s = 3600};
    char err[600] = "";
    sqlite3 *db = NULL;
    int rc;

    if ((rc = options(argc, argv, &a)) != 0 || (rc = vsd_ctl_need_config(c)) != 0)
        return rc;
    if (c->cfg->retention.readings_days <= 0) {
        fprintf(stderr,
                "vitalsctl: retention is off ([retention] readings_days = 0 in %s): "
                "every reading is kept; nothing archived\n",
                c->config_path);
        return 0;
    }
    if (a.job.by && vsd_actor_check(a.job.by, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: --by: %s\n", err);
        return EXIT_USAGE;
    }
    if ((rc = plan(c, &a)) != 0 || (rc = vsd_ctl_open_db(c, &db)) != 0)
        return rc;
    a.job.db_path = c->db_path;
    if ((rc = vsd_export_job_run(db, &a.job, err, sizeof(err))) < 0) {
        fprintf(stderr, "vitalsctl: archive refused: %s; nothing deleted\n", err);
        rc = EXIT_REFUSED;
    } else if (a.job.rows == 0) {
        fprintf(stderr, "vitalsctl: no reading is older than the cutoff: nothing to archive\n");
        vsd_export_job_remove(&a.job);
    } else {
        fprintf(stderr, "vitalsctl: archived %llu readings to %s (sha256 %s)\n",
                (unsigned long long)a.job.rows, a.output, a.job.sha256);
        if ((rc = ask(c, &a)) == 0)
            rc = follow(c, db, &a);
    }
    sqlite3_close(db);
    return rc;
}
