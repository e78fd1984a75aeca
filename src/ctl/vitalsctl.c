/* SPDX-License-Identifier: MIT */
/* vitalsctl: sessions for staff, status for technicians, exports for auditors. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit_verify.h"
#include "client.h"
#include "config.h"
#include "ctl.h"
#include "export.h"
#include "export_table.h"
#include "manifest.h"
#include "probe.h"
#include "progress.h"
#include "report.h"
#include "watch.h"


static void usage(FILE *out)
{
    fputs("Usage: vitalsctl [-c CONFIG] [--socket PATH] [--db PATH] COMMAND ...\n"
          "  session start --bed BED --session ID --by NAME   open a visit at a bed\n"
          "  session end   --bed BED --by NAME [--session ID] close the bed's visit\n"
          "  session list                                     beds and their open sessions\n"
          "  status [--json]                                  alert path, beds, alerts, devices\n"
          "  export [--what readings|alerts|audit] [--format csv|jsonl|fhir]\n"
          "         [--session ID] [--bed BED] [--vital NAME] [--from TIME] [--to TIME]\n"
          "         [-o FILE [--by NAME]]   one consistent snapshot; with -o also\n"
          "                                 FILE.manifest.json, recorded in the audit chain\n"
          "  watch [--seconds N]                              print alerts as they happen\n"
          "  audit verify [--db PATH]                         check the audit hash chain\n"
          "  report --session ID [-o PREFIX]   visit summary: Markdown to stdout, or\n"
          "                                    PREFIX.md and PREFIX.html (with charts)\n"
          "Alerts (docs/alarms.md):\n",
          out);
    vsd_ctl_alarm_usage(out);
    fputs("CONFIG defaults to $VITALSD_CONFIG, then " DEFAULT_CONFIG ".\n"
          "TIME is UTC: 2026-11-22T09:30:00Z or 2026-11-22 09:30.\n"
          "Biomed technicians:\n",
          out);
    vsd_probe_usage(out);
}

/* Parse "--key value" pairs of a subcommand into a request object. */
static int parse_pairs(int argc, char **argv, const char *const *keys, cJSON *req)
{
    for (int i = 0; i < argc; i++) {
        size_t k = 0;
        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
            return -EINVAL;
        while (keys[k] && strcmp(keys[k], argv[i] + 2) != 0)
            k++;
        if (!keys[k])
            return -EINVAL;
        cJSON_AddStringToObject(req, keys[k], argv[++i]);
    }
    return 0;
}

static void print_sessions(const cJSON *reply)
{
    const cJSON *b;

    printf("%-16s %-24s %s\n", "BED", "SESSION", "SINCE (UTC)");
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(reply, "beds"))
    {
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(b, "session");
        const cJSON *since = cJSON_GetObjectItemCaseSensitive(b, "since");
        printf("%-16s %-24s %s\n", cJSON_GetObjectItemCaseSensitive(b, "bed")->valuestring,
               cJSON_IsString(s) ? s->valuestring : "-",
               cJSON_IsString(since) ? since->valuestring : "");
    }
}

static int cmd_session(struct ctl *c, int argc, char **argv)
{
    static const char *const start_keys[] = {"bed", "session", "by", NULL};
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    int rc = EXIT_USAGE;

    if (argc < 1)
        goto out;
    if (strcmp(argv[0], "start") == 0 || strcmp(argv[0], "end") == 0) {
        cJSON_AddStringToObject(req, "cmd",
                                argv[0][0] == 's' ? "session_start" : "session_end");
        if (parse_pairs(argc - 1, argv + 1, start_keys, req) < 0)
            goto out;
    } else if (strcmp(argv[0], "list") == 0 && argc == 1) {
        cJSON_AddStringToObject(req, "cmd", "session_list");
    } else {
        goto out;
    }
    rc = vsd_ctl_call(c, req, &reply);
    if (rc == 0 && strcmp(argv[0], "list") == 0)
        print_sessions(reply);
    else if (rc == 0)
        printf("ok: session %s at bed %s\n",
               cJSON_GetObjectItemCaseSensitive(reply, "session")
                   ? cJSON_GetObjectItemCaseSensitive(reply, "session")->valuestring
                   : cJSON_GetObjectItemCaseSensitive(req, "session")->valuestring,
               cJSON_GetObjectItemCaseSensitive(req, "bed")->valuestring);
out:
    if (rc == EXIT_USAGE)
        usage(stderr);
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}

static int cmd_audit(struct ctl *c, int argc, char **argv)
{
    struct vsd_audit_verdict v;
    char err[512] = "";
    sqlite3 *db = NULL;
    int rc;

    if (argc == 3 && strcmp(argv[1], "--db") == 0)
        c->db_path = argv[2];
    else if (argc != 1)
        argc = 0;
    if (argc == 0 || strcmp(argv[0], "verify") != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((rc = vsd_ctl_open_db(c, &db)) != 0)
        return rc;
    rc = vsd_audit_verify(db, &v, err, sizeof(err));
    sqlite3_close(db);
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    if (!v.ok) {
        printf("audit chain BROKEN at row %lld: %s\n  expected %s\n  stored   %s\n"
               "%llu rows before it verified\n",
               (long long)v.bad_id, v.what, v.expected, v.stored, (unsigned long long)v.rows);
        return EXIT_REFUSED;
    }
    printf("audit chain ok: %llu rows, head row %lld hash %s\n", (unsigned long long)v.rows,
           (long long)v.head_id, v.head);
    return 0;
}

/* Options of "export"; false (after a message) on a usage error. */
static bool export_options(int argc, char **argv, struct vsd_export_job *job)
{
    static const struct option opts[] = {
        {"session", required_argument, NULL, 's'}, {"bed", required_argument, NULL, 'b'},
        {"from", required_argument, NULL, 'f'},    {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},  {"output", required_argument, NULL, 'o'},
        {"vital", required_argument, NULL, 'v'},   {"what", required_argument, NULL, 'w'},
        {"by", required_argument, NULL, 'y'},      {NULL, 0, NULL, 0}};
    int opt, w = 0, fmt = 0;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (opt == 's' || opt == 'b' || opt == 'v' || opt == 'o' || opt == 'y')
            *(opt == 's'   ? &job->filter.session_id
              : opt == 'b' ? &job->filter.bed
              : opt == 'v' ? &job->filter.vital
              : opt == 'o' ? &job->output
                           : &job->by) = optarg;
        else if (opt == 'w' && (w = vsd_export_what_from_name(optarg)) >= 0)
            job->what = (enum vsd_export_what)w;
        else if (opt == 'F' && (fmt = vsd_export_format_from_name(optarg)) >= 0)
            job->format = (enum vsd_export_format)fmt;
        else if ((opt == 'f' && vsd_ctl_parse_time(optarg, &job->filter.from_ms) == 0) ||
                 (opt == 't' && vsd_ctl_parse_time(optarg, &job->filter.to_ms) == 0))
            continue;
        else {
            if (opt == 'f' || opt == 't')
                fprintf(stderr, "vitalsctl: cannot read the time '%s'\n", optarg);
            else if (opt == 'w' || opt == 'F')
                fprintf(stderr, "vitalsctl: unknown %s '%s' (known: %s)\n",
                        opt == 'w' ? "export" : "format", optarg,
                        opt == 'w' ? "readings, alerts, audit" : "csv, jsonl, fhir");
            usage(stderr);
            return false;
        }
    }
    return optind == argc || (usage(stderr), false);
}

/* Record a file export in the audit chain, or say clearly that it is not. */
static int export_record(struct ctl *c, const struct vsd_export_job *job)
{
    const char *sock = c->socket_path;
    char err[512] = "";
    int rc;

    if (!sock && (c->cfg || access(c->config_path, R_OK) == 0) && vsd_ctl_need_config(c) == 0)
        sock = c->cfg->control_socket;
    rc = sock ? vsd_export_record(sock, job, err, sizeof(err)) : -ENOENT;
    if (rc == 0) {
        fprintf(stderr, "vitalsctl: export recorded in the audit chain (manifest sha256 %s)\n",
                job->manifest_sha256);
        return 0;
    }
    if (rc == -EPERM) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_REFUSED;
    }
    fprintf(stderr,
            "vitalsctl: NOT recorded in the audit chain: the daemon is not reachable%s%s\n"
            "vitalsctl: the manifest still names the chain head at export time\n",
            *err ? ": " : "", err);
    return 0;
}

static int cmd_export(struct ctl *c, int argc, char **argv)
{
    struct vsd_export_job job = {.what = VSD_EXPORT_READINGS, .format = VSD_FORMAT_CSV};
    struct vsd_progress progress;
    char err[512] = "";
    sqlite3 *db = NULL;
    int rc;

    if (!export_options(argc, argv, &job))
        return EXIT_USAGE;
    if ((rc = vsd_ctl_open_db(c, &db)) != 0)
        return rc;
    job.db_path = c->db_path;
    vsd_progress_init(&progress, stderr, !job.output && isatty(STDOUT_FILENO), 0);
    if (progress.tty && vsd_export_count(db, job.what, &job.filter, &progress.total) == 0) {
        job.filter.progress = vsd_progress_update;
        job.filter.progress_ctx = &progress;
    }
    if (job.output)
        rc = vsd_export_job_run(db, &job, err, sizeof(err));
    else
        rc = vsd_export_write(db, job.what, job.format, &job.filter, stdout, &job.rows, err,
                              sizeof(err));
    vsd_progress_end(&progress);
    sqlite3_close(db);
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: export failed: %s\n", *err ? err : strerror(-rc));
        return rc == -ENOTSUP ? EXIT_USAGE : EXIT_REFUSED;
    }
    fprintf(stderr, "vitalsctl: exported %llu %s%s%s\n", (unsigned long long)job.rows,
            job.format == VSD_FORMAT_FHIR ? "resources" : vsd_export_what_name(job.what),
            job.output ? " to " : "", job.output ? job.output : "");
    return job.output ? export_record(c, &job) : 0;
}

static const struct vsd_alarm_config *bed_limits(void *ctx, const char *bed)
{
    const struct vsd_config *cfg = ctx;
    int b = cfg ? vsd_config_bed_index(cfg, bed) : -ENOENT;

    return b >= 0 ? &cfg->beds[b].alarm : NULL;
}

/* Write R to PREFIX.md and PREFIX.html. */
static int report_files(const struct vsd_report *r, const char *prefix)
{
    char path[4096];
    int rc = 0;

    for (int html = 0; html < 2 && rc == 0; html++) {
        FILE *out;
        snprintf(path, sizeof(path), "%s.%s", prefix, html ? "html" : "md");
        if (!(out = fopen(path, "w"))) {
            rc = -errno;
            break;
        }
        rc = html ? vsd_report_html(r, out) : vsd_report_markdown(r, out);
        if (fclose(out) != 0 && rc == 0)
            rc = -errno;
        if (rc == 0)
            fprintf(stderr, "vitalsctl: wrote %s\n", path);
    }
    if (rc < 0)
        fprintf(stderr, "vitalsctl: %s: %s\n", path, strerror(-rc));
    return rc;
}

static int cmd_report(struct ctl *c, int argc, char **argv)
{
    const char *session = NULL, *prefix = NULL;
    struct vsd_report *r = NULL;
    char err[512] = "";
    sqlite3 *db = NULL;
    int rc;

    for (int i = 0; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--session") == 0)
            session = argv[i + 1];
        else if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0)
            prefix = argv[i + 1];
        else
            session = NULL, argc = 0;
    }
    if (!session || argc % 2 != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!c->cfg && access(c->config_path, R_OK) == 0 && vsd_ctl_need_config(c) != 0)
        return VSD_CONFIG_EXIT;
    if ((rc = vsd_ctl_open_db(c, &db)) != 0)
        return rc;
    rc = vsd_report_load(db, session, bed_limits, c->cfg, &r, err, sizeof(err));
    sqlite3_close(db);
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return rc == -ENOENT ? EXIT_REFUSED : EXIT_UNAVAILABLE;
    }
    rc = prefix ? report_files(r, prefix) : vsd_report_markdown(r, stdout);
    vsd_report_free(r);
    return rc < 0 ? EXIT_REFUSED : 0;
}

static int cmd_watch(struct ctl *c, int argc, char **argv)
{
    char err[512] = "";
    int seconds = 0, rc;

    if (argc == 2 && strcmp(argv[0], "--seconds") == 0)
        seconds = atoi(argv[1]);
    else if (argc != 0) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if ((rc = vsd_ctl_need_config(c)) != 0)
        return rc;
    if (vsd_watch_run(&c->cfg->mqtt, c->cfg->area, seconds, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct ctl c = {.config_path = getenv("VITALSD_CONFIG") ? getenv("VITALSD_CONFIG")
                                                            : DEFAULT_CONFIG};
    int i = 1, rc;

    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0)
            c.config_path = argv[i + 1];
        else if (strcmp(argv[i], "--socket") == 0)
            c.socket_path = argv[i + 1];
        else if (strcmp(argv[i], "--db") == 0)
            c.db_path = argv[i + 1];
        else
            break;
    }
    if (i >= argc || strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
        usage(i >= argc ? stderr : stdout);
        return i >= argc ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[i], "session") == 0)
        rc = cmd_session(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "status") == 0)
        rc = vsd_ctl_status(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "export") == 0)
        rc = cmd_export(&c, argc - i, argv + i);
    else if (strcmp(argv[i], "report") == 0)
        rc = cmd_report(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "audit") == 0)
        rc = cmd_audit(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "alerts") == 0)
        rc = vsd_ctl_alerts(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "ack") == 0)
        rc = vsd_ctl_ack(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "limits") == 0)
        rc = vsd_ctl_limits(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "watch") == 0)
        rc = cmd_watch(&c, argc - i - 1, argv + i + 1);
    else if (strcmp(argv[i], "probe") == 0)
        rc = vsd_probe_run(c.config_path, argc - i - 1, argv + i + 1, stdout);
    else {
        fprintf(stderr, "vitalsctl: unknown command '%s'\n", argv[i]);
        usage(stderr);
        rc = EXIT_USAGE;
    }
    vsd_config_free(c.cfg);
    return rc;
}
