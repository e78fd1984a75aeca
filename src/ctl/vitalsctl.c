/* SPDX-License-Identifier: MIT */
/* vitalsctl: sessions for staff, status for technicians, exports for auditors. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "client.h"
#include "config.h"
#include "export.h"
#include "watch.h"

#define DEFAULT_CONFIG "/etc/vitalsd/vitalsd.conf"
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_UNAVAILABLE 69

struct ctl {
    const char *config_path;
    const char *socket_path;
    const char *db_path;
    struct vsd_config *cfg;
};

static void usage(FILE *out)
{
    fputs("Usage: vitalsctl [-c CONFIG] [--socket PATH] [--db PATH] COMMAND ...\n"
          "  session start --bed BED --session ID --by NAME   open a visit at a bed\n"
          "  session end   --bed BED --by NAME [--session ID] close the bed's visit\n"
          "  session list                                     beds and their open sessions\n"
          "  status                                           devices, sessions, alerts, paths\n"
          "  export --format csv [--session ID] [--bed BED] [--from TIME] [--to TIME]\n"
          "         [-o FILE]                                 readings (read-only, consistent)\n"
          "  watch [--seconds N]                              print alerts as they happen\n"
          "CONFIG defaults to $VITALSD_CONFIG, then " DEFAULT_CONFIG ".\n"
          "TIME is UTC: 2026-11-22T09:30:00Z or 2026-11-22 09:30.\n",
          out);
}

/* The configuration tells where the socket, database and broker are. */
static int need_config(struct ctl *c)
{
    struct vsd_diag diag = {0};
    int rc;

    if (c->cfg)
        return 0;
    rc = vsd_config_load(c->config_path, &c->cfg, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    if (rc < 0 && diag.n == 0)
        fprintf(stderr, "vitalsctl: %s: %s (give -c CONFIG)\n", c->config_path, strerror(-rc));
    vsd_diag_free(&diag);
    return rc < 0 ? VSD_CONFIG_EXIT : 0;
}

static int call(struct ctl *c, cJSON *req, cJSON **reply)
{
    char err[512];
    const char *path = c->socket_path;
    int rc;

    if (!path) {
        if ((rc = need_config(c)) != 0)
            return rc;
        path = c->cfg->control_socket;
    }
    if (vsd_client_call(path, req, reply, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(*reply, "ok");
    if (!cJSON_IsTrue(ok)) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(*reply, "error");
        fprintf(stderr, "vitalsctl: refused: %s\n",
                cJSON_IsString(e) ? e->valuestring : "(no reason given)");
        return EXIT_REFUSED;
    }
    return 0;
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
    rc = call(c, req, &reply);
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

static int cmd_status(struct ctl *c)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    int rc;

    cJSON_AddStringToObject(req, "cmd", "status");
    rc = call(c, req, &reply);
    if (rc == 0) {
        char *text = cJSON_Print(reply);
        printf("%s\n", text);
        free(text);
    }
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}

/* UTC time from "2026-11-22T09:30:00Z", "2026-11-22T09:30:00", "2026-11-22 09:30". */
static int parse_time(const char *s, int64_t *ret)
{
    static const char *const formats[] = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S",
                                          "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        struct tm tm = {0};
        const char *end = strptime(s, formats[i], &tm);
        if (end && *end == '\0') {
            *ret = (int64_t)timegm(&tm) * 1000;
            return 0;
        }
    }
    return -EINVAL;
}

static int cmd_export(struct ctl *c, int argc, char **argv)
{
    static const struct option opts[] = {
        {"session", required_argument, NULL, 's'}, {"bed", required_argument, NULL, 'b'},
        {"from", required_argument, NULL, 'f'},    {"to", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'F'},  {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0}};
    struct vsd_export_filter f = {0};
    const char *format = "csv", *output = NULL, *db_path = c->db_path;
    char err[512] = "";
    uint64_t rows = 0;
    sqlite3 *db = NULL;
    FILE *out = stdout;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
        if (opt == 's')
            f.session_id = optarg;
        else if (opt == 'b')
            f.bed = optarg;
        else if (opt == 'F')
            format = optarg;
        else if (opt == 'o')
            output = optarg;
        else if ((opt == 'f' && parse_time(optarg, &f.from_ms) == 0) ||
                 (opt == 't' && parse_time(optarg, &f.to_ms) == 0))
            continue;
        else {
            if (opt == 'f' || opt == 't')
                fprintf(stderr, "vitalsctl: cannot read the time '%s'\n", optarg);
            usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (strcmp(format, "csv") != 0) {
        fprintf(stderr, "vitalsctl: unknown export format '%s' (known: csv)\n", format);
        return EXIT_USAGE;
    }
    if (!db_path) {
        if ((rc = need_config(c)) != 0)
            return rc;
        db_path = c->cfg->database;
    }
    if (vsd_export_open(db_path, &db, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    if (output && !(out = fopen(output, "w"))) {
        fprintf(stderr, "vitalsctl: %s: %s\n", output, strerror(errno));
        sqlite3_close(db);
        return EXIT_REFUSED;
    }
    rc = vsd_export_csv(db, &f, out, &rows, err, sizeof(err));
    if (out != stdout && fclose(out) != 0 && rc == 0)
        rc = -errno;
    sqlite3_close(db);
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: export failed: %s\n", *err ? err : strerror(-rc));
        return EXIT_REFUSED;
    }
    fprintf(stderr, "vitalsctl: exported %llu readings%s%s\n", (unsigned long long)rows,
            output ? " to " : "", output ? output : "");
    return 0;
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
    if ((rc = need_config(c)) != 0)
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
        rc = cmd_status(&c);
    else if (strcmp(argv[i], "export") == 0)
        rc = cmd_export(&c, argc - i, argv + i);
    else if (strcmp(argv[i], "watch") == 0)
        rc = cmd_watch(&c, argc - i - 1, argv + i + 1);
    else {
        fprintf(stderr, "vitalsctl: unknown command '%s'\n", argv[i]);
        usage(stderr);
        rc = EXIT_USAGE;
    }
    vsd_config_free(c.cfg);
    return rc;
}
