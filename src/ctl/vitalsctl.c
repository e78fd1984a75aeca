/* SPDX-License-Identifier: MIT */
/* vitalsctl: sessions for staff, status for technicians, exports for auditors. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit_verify.h"
#include "config.h"
#include "ctl.h"
#include "notify.h"
#include "outfile.h"
#include "probe.h"
#include "report.h"
#include "tty_safe.h"
#include "vsd_version.h"
#include "watch.h"


static void usage(FILE *out)
{
    fputs("Usage: vitalsctl [-c CONFIG] [--socket PATH] [--db PATH] COMMAND ...\n"
          "       vitalsctl --version\n"
          "  session start --bed BED --session ID [--by NAME] open a visit at a bed\n"
          "  session end   --bed BED --session ID [--by NAME] close the bed's visit\n"
          "  session list                                     beds and their open sessions\n"
          "  status [--json]                                  alert path, beds, alerts, devices\n"
          "  beds                                             each bed's latest readings, with\n"
          "                                                   their age\n",
          out);
    vsd_ctl_export_usage(out);
    vsd_ctl_archive_usage(out);
    fputs("  watch [--seconds N] [--user NAME]                the active alerts, then alerts as\n"
          "                                                   they happen, logged in to the broker\n"
          "                                                   as NAME (password:\n"
          "                                                   VITALSCTL_MQTT_PASSWORD)\n"
          "  audit verify [--db PATH] [--expect-head HASH] [--manifest FILE]\n"
          "                                    check the audit hash chain, that it still holds\n"
          "                                    a head published earlier (vitals/<area>/audit/head,\n"
          "                                    the journal) or named by an export manifest, and\n"
          "                                    that sessions and acknowledgements match it\n"
          "  report --session ID [-o PREFIX]   visit summary: Markdown to stdout, or\n"
          "                                    PREFIX.md and PREFIX.html (with charts)\n"
          "Alerts (docs/alarms.md):\n",
          out);
    vsd_ctl_alarm_usage(out);
    fputs("CONFIG defaults to $VITALSD_CONFIG, then " DEFAULT_CONFIG ".\n"
          "TIME is UTC: 2026-11-22T09:30:00Z or 2026-11-22 09:30.\n"
          "Biomed technicians:\n"
          "  reload                            the daemon reads its configuration file again,\n"
          "                                    all or nothing (every error as FILE:LINE)\n"
          "  device-confirm DEVICE [--by NAME] accept the device now on DEVICE's link after a\n"
          "                                    wrong_device alert, once checked at the chair\n",
          out);
    vsd_probe_usage(out);
    fputs("systemd (vitalsd-failed.service, as the daemon's account):\n"
          "  notify-failed                     publish \"failed\" (retained) as vitalsd's state:\n"
          "                                    the dashboard shows that it is not restarting\n",
          out);
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

    if (argc < 1 || !(strcmp(argv[0], "start") == 0 || strcmp(argv[0], "end") == 0 ||
                      (strcmp(argv[0], "list") == 0 && argc == 1))) {
        fprintf(stderr, "vitalsctl: session needs start, end or list, e.g. vitalsctl session "
                        "start --bed chair-2 --session S-1002\n");
        goto out;
    }
    if (strcmp(argv[0], "start") == 0 || strcmp(argv[0], "end") == 0) {
        cJSON_AddStringToObject(req, "cmd",
                                argv[0][0] == 's' ? "session_start" : "session_end");
        if (parse_pairs(argc - 1, argv + 1, start_keys, req) < 0 ||
            !cJSON_GetObjectItem(req, "bed") || !cJSON_GetObjectItem(req, "session")) {
            fprintf(stderr, "vitalsctl: session %s needs --bed BED and --session ID (--by NAME "
                            "is optional), each with a value\n", argv[0]);
            goto out;
        }
    } else {
        cJSON_AddStringToObject(req, "cmd", "session_list");
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
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}

static int cmd_audit(struct ctl *c, int argc, char **argv)
{
    struct vsd_audit_verify_opts o = {0};

    if (argc < 1 || strcmp(argv[0], "verify") != 0 || argc % 2 != 1) {
        usage(stderr);
        return EXIT_USAGE;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--db") == 0)
            c->db_path = argv[i + 1];
        else if (strcmp(argv[i], "--expect-head") == 0)
            o.expect_head = argv[i + 1];
        else if (strcmp(argv[i], "--manifest") == 0)
            o.manifest = argv[i + 1];
        else {
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    return vsd_ctl_audit_verify(c, &o);
}

static const struct vsd_alarm_config *bed_limits(void *ctx, const char *bed)
{
    const struct vsd_config *cfg = ctx;
    int b = cfg ? vsd_config_bed_index(cfg, bed) : -ENOENT;

    return b >= 0 ? &cfg->beds[b].alarm : NULL;
}

/* Write R to PREFIX.md and PREFIX.html, both created new before either is written; on a
 * failure neither is left behind (an existing file is refused and not touched). */
static int report_files(const struct vsd_report *r, const char *prefix)
{
    char path[2][4096], err[4096 + 256] = "";
    FILE *out[2] = {NULL, NULL};
    int rc = 0, made = 0;

    for (; made < 2; made++) {
        snprintf(path[made], sizeof(path[made]), "%s.%s", prefix, made ? "html" : "md");
        if (!(out[made] = vsd_outfile_create(path[made], err, sizeof(err)))) {
            rc = -errno;
            break;
        }
    }
    for (int i = 0; i < made; i++) {
        int w = rc ? 0 : i ? vsd_report_html(r, out[i]) : vsd_report_markdown(r, out[i]);
        if (fclose(out[i]) != 0 && w == 0)
            w = -errno;
        if (w < 0 && rc == 0) {
            snprintf(err, sizeof(err), "%s: %s", path[i], strerror(-w));
            rc = w;
        }
    }
    for (int i = 0; i < made; i++)
        if (rc < 0)
            unlink(path[i]);
        else
            fprintf(stderr, "vitalsctl: wrote %s\n", path[i]);
    if (rc < 0)
        fprintf(stderr, "vitalsctl: %s; no report written\n", err);
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

static void print_active(void *ctx)
{
    vsd_ctl_print_active(ctx);
    printf("Alerts as they happen (the id's first digits are enough for vitalsctl ack):\n");
    fflush(stdout);
}

/* watch [--seconds N] [--user NAME]: the broker login is the person's own (--user, or
 * VITALSCTL_MQTT_USER, with VITALSCTL_MQTT_PASSWORD), never the daemon's. */
static int cmd_watch(struct ctl *c, int argc, char **argv)
{
    struct vsd_watch_login login = {getenv("VITALSCTL_MQTT_USER"),
                                    getenv("VITALSCTL_MQTT_PASSWORD")};
    char err[512] = "";
    int seconds = 0, rc;

    for (int i = 0; i < argc; i += 2) {
        if (i + 1 < argc && strcmp(argv[i], "--seconds") == 0)
            seconds = atoi(argv[i + 1]);
        else if (i + 1 < argc && strcmp(argv[i], "--user") == 0)
            login.user = argv[i + 1];
        else {
            fprintf(stderr, "vitalsctl: watch takes --seconds N and --user NAME, each with a "
                            "value; got '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if ((rc = vsd_ctl_need_config(c)) != 0)
        return rc;
    rc = vsd_watch_run(&c->cfg->mqtt, &login, c->cfg->area, seconds, print_active, c, err,
                       sizeof(err));
    if (rc == -ECONNREFUSED) { /* no broker: what the daemon still answers */
        vsd_ctl_print_active(c);
        fprintf(stderr, "vitalsctl: cannot reach the broker (%s), so no alerts as they happen "
                        "here; still working without it: `vitalsctl alerts` (the active alerts, "
                        "from the daemon), `vitalsctl status`, `vitalsctl ack ID`\n", err);
        return EXIT_UNAVAILABLE;
    }
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    return 0;
}

/* Run the command at ARGV[0]. */
static int run_command(struct ctl *c, int argc, char **argv)
{
    const char *cmd = argv[0];

    if (strcmp(cmd, "export") == 0)
        return vsd_ctl_export(c, argc, argv);
    if (strcmp(cmd, "archive") == 0)
        return vsd_ctl_archive(c, argc, argv);
    argc--;
    argv++;
    if (strcmp(cmd, "session") == 0)
        return cmd_session(c, argc, argv);
    if (strcmp(cmd, "status") == 0)
        return vsd_ctl_status(c, argc, argv);
    if (strcmp(cmd, "report") == 0)
        return cmd_report(c, argc, argv);
    if (strcmp(cmd, "audit") == 0)
        return cmd_audit(c, argc, argv);
    if (strcmp(cmd, "alerts") == 0)
        return vsd_ctl_alerts(c, argc, argv);
    if (strcmp(cmd, "ack") == 0)
        return vsd_ctl_ack(c, argc, argv);
    if (strcmp(cmd, "limits") == 0)
        return vsd_ctl_limits(c, argc, argv);
    if (strcmp(cmd, "watch") == 0)
        return cmd_watch(c, argc, argv);
    if (strcmp(cmd, "beds") == 0)
        return vsd_ctl_beds(c, argc, argv);
    if (strcmp(cmd, "notify-failed") == 0)
        return vsd_ctl_notify_failed(c, argc, argv);
    if (strcmp(cmd, "reload") == 0)
        return vsd_ctl_reload(c, argc, argv);
    if (strcmp(cmd, "device-confirm") == 0)
        return vsd_ctl_device_confirm(c, argc, argv);
    if (strcmp(cmd, "probe") == 0)
        return vsd_probe_run(c->config_path, argc, argv, stdout);
    fprintf(stderr, "vitalsctl: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    struct ctl c = {.config_path = getenv("VITALSD_CONFIG") ? getenv("VITALSD_CONFIG")
                                                            : DEFAULT_CONFIG};
    FILE *real_stdout = stdout, *guard = NULL;
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
    if (strcmp(argv[i], "--version") == 0) {
        printf("vitalsctl %s (commit %s)\n", VSD_VERSION, VSD_COMMIT);
        return 0;
    }
    /* What reaches a terminal never carries a control byte or escape sequence as received;
     * a pipe or a file gets the exact bytes. */
    if (isatty(STDOUT_FILENO) && (guard = vsd_tty_guard_open(real_stdout)) != NULL)
        stdout = guard;
    rc = run_command(&c, argc - i, argv + i);
    if (guard) {
        stdout = real_stdout;
        fclose(guard);
    }
    vsd_config_free(c.cfg);
    return rc;
}
