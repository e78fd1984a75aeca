/* SPDX-License-Identifier: MIT */
/* vitalsctl export: its options, and the rule that a file export is recorded in the audit chain
 * or not delivered, unless --force (docs/auditors.md). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "client.h"
#include "ctl.h"
#include "ids.h"
#include "manifest.h"
#include "progress.h"

struct export_cmd {
    struct vsd_export_job job;
    bool force;       /* -o: deliver the file even when the export cannot be recorded */
    const char *sock; /* the daemon's control socket, NULL when none is known */
};

void vsd_ctl_export_usage(FILE *out)
{
    fputs("  export [--what readings|alerts|audit] [--format csv|jsonl|fhir]\n"
          "         [--session ID] [--bed BED] [--vital NAME] [--from TIME] [--to TIME]\n"
          "         [-o FILE [--by NAME] [--force]]   one consistent snapshot; with -o also\n"
          "                FILE.manifest.json, recorded in the audit chain through vitalsd:\n"
          "                refused (exit 69, nothing written) when it cannot be recorded,\n"
          "                unless --force (written, and said to be not audited)\n",
          out);
}

static const char bad_time[] = "vitalsctl: cannot read the time '%s'\n";
static const char bad_what[] = "vitalsctl: unknown export '%s' (known: readings, alerts, audit)\n";
static const char bad_format[] = "vitalsctl: unknown format '%s' (known: csv, jsonl, fhir)\n";

/* Say what was wrong (FMT with ARG, when FMT is set) and how to ask; false. */
static bool usage_error(const char *fmt, const char *arg)
{
    if (fmt)
        fprintf(stderr, fmt, arg);
    vsd_ctl_export_usage(stderr);
    return false;
}

/* Options of "export"; false (after a message) on a usage error. */
static bool export_options(int argc, char **argv, struct export_cmd *x)
{
    static const struct option opts[] = {
        {"session", required_argument, NULL, 's'}, {"bed", required_argument, NULL, 'b'},
        {"from", required_argument, NULL, 'f'},    {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},  {"output", required_argument, NULL, 'o'},
        {"vital", required_argument, NULL, 'v'},   {"what", required_argument, NULL, 'w'},
        {"by", required_argument, NULL, 'y'},      {"force", no_argument, NULL, 'X'},
        {NULL, 0, NULL, 0}};
    struct vsd_export_job *job = &x->job;
    int opt, w;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (opt == 's' || opt == 'b' || opt == 'v' || opt == 'o' || opt == 'y')
            *(opt == 's'   ? &job->filter.session_id
              : opt == 'b' ? &job->filter.bed
              : opt == 'v' ? &job->filter.vital
              : opt == 'o' ? &job->output
                           : &job->by) = optarg;
        else if (opt == 'X')
            x->force = true;
        else if (opt == 'w' && (w = vsd_export_what_from_name(optarg)) >= 0)
            job->what = (enum vsd_export_what)w;
        else if (opt == 'F' && (w = vsd_export_format_from_name(optarg)) >= 0)
            job->format = (enum vsd_export_format)w;
        else if ((opt == 'f' && vsd_ctl_parse_time(optarg, &job->filter.from_ms) == 0) ||
                 (opt == 't' && vsd_ctl_parse_time(optarg, &job->filter.to_ms) == 0))
            continue;
        else
            return usage_error(opt == 'f' || opt == 't' ? bad_time
                               : opt == 'w'             ? bad_what
                               : opt == 'F'             ? bad_format
                                                        : NULL,
                               optarg);
    }
    return optind == argc || usage_error(NULL, NULL);
}

/* The daemon's socket: --socket, else the configuration's when there is one. */
static const char *daemon_socket(struct ctl *c)
{
    if (c->socket_path)
        return c->socket_path;
    if ((c->cfg || access(c->config_path, R_OK) == 0) && vsd_ctl_need_config(c) == 0)
        return c->cfg->control_socket;
    return NULL;
}

/* Does the daemon at SOCK answer, and accept BY (may be NULL) as the exporting person? 0,
 * -EPERM when it refuses, or another negative errno when it cannot be reached; ERR says why. */
static int ping(const char *sock, const char *by, char *err, size_t errlen)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    const cJSON *why;
    int r;

    cJSON_AddStringToObject(req, "cmd", "ping");
    if (by)
        cJSON_AddStringToObject(req, "by", by);
    r = vsd_client_call(sock, req, &reply, err, (unsigned)errlen);
    if (r == 0 && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok"))) {
        why = cJSON_GetObjectItemCaseSensitive(reply, "error");
        snprintf(err, errlen, "vitalsd at %s refused: %s", sock,
                 cJSON_IsString(why) ? why->valuestring : "(no reason given)");
        r = -EPERM;
    }
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return r;
}

/* Before a byte is written: can this export be recorded? 0, or the exit status after saying
 * why. With --force the answer does not matter. */
static int check_recordable(struct ctl *c, struct export_cmd *x)
{
    char err[600] = "";
    int r;

    if (x->job.by && vsd_actor_check(x->job.by, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: --by: %s\n", err);
        return EXIT_USAGE;
    }
    x->sock = daemon_socket(c);
    if (x->force)
        return 0;
    if (!x->sock)
        r = -ENOENT;
    else if ((r = ping(x->sock, x->job.by, err, sizeof(err))) == 0)
        return 0;
    fprintf(stderr,
            "vitalsctl: export refused: it cannot be recorded in the audit chain: %s\n"
            "vitalsctl: nothing written; %s, or give --force to write %s without an audit "
            "record\n",
            x->sock ? err : "no vitalsd control socket is known (give -c CONFIG or --socket PATH)",
            r == -EPERM ? "correct what vitalsd refused" : "start vitalsd", x->job.output);
    return r == -EPERM ? EXIT_REFUSED : EXIT_UNAVAILABLE;
}

/* After the files are complete: record them, or withdraw them (without --force). */
static int record_or_withdraw(struct export_cmd *x)
{
    const struct vsd_export_job *job = &x->job;
    char err[600] = "no vitalsd control socket is known";
    int rc = x->sock ? vsd_export_record(x->sock, job, err, sizeof(err)) : -ENOENT, gone;

    if (rc == 0) {
        fprintf(stderr, "vitalsctl: export recorded in the audit chain (manifest sha256 %s)\n",
                job->manifest_sha256);
        return 0;
    }
    if (x->force) {
        fprintf(stderr,
                "vitalsctl: %s written but not audited (--force): the export is NOT recorded "
                "in the audit chain: %s\n"
                "vitalsctl: the manifest still names the chain head at export time\n",
                job->output, err);
        return 0;
    }
    if ((gone = vsd_export_job_remove(job)) == 0)
        fprintf(stderr,
                "vitalsctl: export withdrawn: it could not be recorded in the audit chain: %s\n"
                "vitalsctl: %s and its manifest were removed; nothing was delivered\n",
                err, job->output);
    else
        fprintf(stderr,
                "vitalsctl: export NOT recorded in the audit chain (%s), and %s could not be "
                "removed: %s; delete it and its manifest, they are not audited\n",
                err, job->output, strerror(-gone));
    return rc == -EPERM ? EXIT_REFUSED : EXIT_UNAVAILABLE;
}

/* Run the export of X from DB to X->job.output or stdout. 0 or negative errno with ERR set. */
static int run(sqlite3 *db, struct export_cmd *x, char *err, size_t errlen)
{
    struct vsd_export_job *job = &x->job;
    struct vsd_progress progress;
    int rc;

    vsd_progress_init(&progress, stderr, !job->output && isatty(STDOUT_FILENO), 0);
    if (progress.tty && vsd_export_count(db, job->what, &job->filter, &progress.total) == 0) {
        job->filter.progress = vsd_progress_update;
        job->filter.progress_ctx = &progress;
    }
    if (job->output)
        rc = vsd_export_job_run(db, job, err, errlen);
    else
        rc = vsd_export_write(db, job->what, job->format, &job->filter, stdout, &job->rows, err,
                              errlen);
    vsd_progress_end(&progress);
    return rc;
}

int vsd_ctl_export(struct ctl *c, int argc, char **argv)
{
    struct export_cmd x = {.job = {.what = VSD_EXPORT_READINGS, .format = VSD_FORMAT_CSV}};
    struct vsd_export_job *job = &x.job;
    char err[600] = "";
    sqlite3 *db = NULL;
    int rc;

    if (!export_options(argc, argv, &x))
        return EXIT_USAGE;
    if ((rc = vsd_ctl_open_db(c, &db)) != 0)
        return rc;
    job->db_path = c->db_path;
    rc = job->output ? check_recordable(c, &x) : 0;
    if (rc == 0 && (rc = run(db, &x, err, sizeof(err))) < 0) {
        fprintf(stderr, "vitalsctl: export failed: %s\n", *err ? err : strerror(-rc));
        rc = rc == -ENOTSUP ? EXIT_USAGE : EXIT_REFUSED;
    }
    sqlite3_close(db);
    if (rc != 0)
        return rc;
    fprintf(stderr, "vitalsctl: exported %llu %s%s%s\n", (unsigned long long)job->rows,
            job->format == VSD_FORMAT_FHIR ? "resources" : vsd_export_what_name(job->what),
            job->output ? " to " : "", job->output ? job->output : "");
    return job->output ? record_or_withdraw(&x) : 0;
}
