/* SPDX-License-Identifier: MIT */
/* vitalsctl alerts, ack and limits: what nurses and charge nurses do from a terminal. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/option.h>

#include "alarm_limits.h"
#include "clock.h"
#include "ctl.h"

void vsd_ctl_alarm_usage(FILE *out)
{
    fputs("  alerts [--bed BED]                               active alerts (from the daemon)\n"
          "  alerts --history [--bed BED] [--session ID] [--priority P] [--from TIME]\n"
          "         [--to TIME]                               every alert recorded\n"
          "  ack ALERT_ID --by NAME                           acknowledge an alert\n"
          "  limits show --session ID                         a session's limits, per vital\n"
          "  limits set --session ID --vital V --by NAME [--band 'below 90 high']...\n"
          "         [--delay 10s] [--hysteresis N] [--rise 'N PRIO [within DUR]'] [--fall ...]\n"
          "                                                   this session's own limits\n"
          "  limits reset --session ID --vital V --by NAME    back to the configured limits\n",
          out);
}

static const char *text(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "-";
}

static void print_value(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    if (cJSON_IsNumber(v))
        printf(" %-7g", v->valuedouble);
    else
        printf(" %-7s", "-");
}

static const char *state_of(const cJSON *a)
{
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "condition")))
        return "latched";
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "acknowledged")) ? "acked"
                                                                             : "active";
}

static void print_active(const cJSON *reply)
{
    const cJSON *a;

    printf("%-32s %-6s %-7s %-10s %-12s %-14s %-10s %-7s %-7s %-20s %s\n", "ALERT", "PRIO",
           "STATE", "BED", "SESSION", "CODE", "VITAL", "VALUE", "LIMIT", "RAISED (UTC)",
           "ACKNOWLEDGED BY");
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(reply, "alerts"))
    {
        printf("%-32s %-6s %-7s %-10s %-12s %-14s %-10s", text(a, "alert_id"),
               text(a, "priority"), state_of(a), text(a, "bed"), text(a, "session"),
               text(a, "code"), text(a, "vital"));
        print_value(a, "value");
        print_value(a, "limit");
        printf(" %-20s %s\n", text(a, "raised"), text(a, "acknowledged_by"));
    }
}

/* Parse "--key value" pairs among KEYS into REQ; returns the index of a bad argument or -1. */
static int pairs(int argc, char **argv, const char *const *keys, cJSON *req)
{
    for (int i = 0; i < argc; i += 2) {
        size_t k = 0;

        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
            return i;
        while (keys[k] && strcmp(keys[k], argv[i] + 2) != 0)
            k++;
        if (!keys[k] || cJSON_GetObjectItemCaseSensitive(req, keys[k]))
            return i;
        cJSON_AddStringToObject(req, keys[k], argv[i + 1]);
    }
    return -1;
}

static int history(struct ctl *c, cJSON *args);

int vsd_ctl_alerts(struct ctl *c, int argc, char **argv)
{
    static const char *const keys[] = {"bed", "session", "priority", "from", "to", NULL};
    cJSON *args = cJSON_CreateObject(), *req = NULL, *reply = NULL;
    bool hist = argc > 0 && strcmp(argv[0], "--history") == 0;
    int rc = EXIT_USAGE;

    if (pairs(argc - hist, argv + hist, keys, args) >= 0 ||
        (!hist && cJSON_GetArraySize(args) > (cJSON_GetObjectItem(args, "bed") ? 1 : 0))) {
        vsd_ctl_alarm_usage(stderr);
        goto out;
    }
    if (hist) {
        rc = history(c, args);
        goto out;
    }
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "cmd", "alerts");
    if (cJSON_GetObjectItem(args, "bed"))
        cJSON_AddStringToObject(req, "bed", text(args, "bed"));
    rc = vsd_ctl_call(c, req, &reply);
    if (rc == 0)
        print_active(reply);
out:
    cJSON_Delete(args);
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}

/* The history query's filters, bound in order. */
static int history_query(sqlite3 *db, const cJSON *args, sqlite3_stmt **st)
{
    static const char sql[] =
        "SELECT alert_id, priority, code, bed, session_id, vital, value, limit_value, raised_ms, "
        "cleared_ms, acked_ms, acked_by, escalation, state FROM alerts "
        "WHERE (?1 IS NULL OR bed = ?1) AND (?2 IS NULL OR session_id = ?2) "
        "AND (?3 IS NULL OR priority = ?3) AND (?4 IS NULL OR raised_ms >= ?4) "
        "AND (?5 IS NULL OR raised_ms < ?5) ORDER BY raised_ms, alert_id";
    const char *names[] = {"bed", "session", "priority"};
    int rc = sqlite3_prepare_v2(db, sql, -1, st, NULL);

    for (int i = 0; rc == SQLITE_OK && i < 3; i++)
        if (cJSON_GetObjectItem(args, names[i]))
            sqlite3_bind_text(*st, i + 1, text(args, names[i]), -1, SQLITE_TRANSIENT);
    for (int i = 0; rc == SQLITE_OK && i < 2; i++) {
        int64_t t;

        if (!cJSON_GetObjectItem(args, i ? "to" : "from"))
            continue;
        if (vsd_ctl_parse_time(text(args, i ? "to" : "from"), &t) < 0) {
            fprintf(stderr, "vitalsctl: --%s: not a time like 2026-11-22T09:30:00Z\n",
                    i ? "to" : "from");
            return -EINVAL;
        }
        sqlite3_bind_int64(*st, 4 + i, t);
    }
    return rc == SQLITE_OK ? 0 : -EIO;
}

static void put_time_col(sqlite3_stmt *st, int col)
{
    char iso[32] = "-";

    if (sqlite3_column_type(st, col) != SQLITE_NULL)
        vsd_clock_iso8601(sqlite3_column_int64(st, col), iso, sizeof(iso));
    printf(" %-24s", iso);
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t ? (const char *)t : "-";
}

static void print_history_row(sqlite3_stmt *st)
{
    printf("%-32s %-6s %-15s %-10s %-12s %-9s", col_text(st, 0), col_text(st, 1),
           col_text(st, 2), col_text(st, 3), col_text(st, 4), col_text(st, 5));
    printf(" %-7s %-7s", col_text(st, 6), col_text(st, 7));
    put_time_col(st, 8);
    put_time_col(st, 9);
    put_time_col(st, 10);
    printf(" %-16s %-3d %s\n", col_text(st, 11), sqlite3_column_int(st, 12), col_text(st, 13));
}

static int history(struct ctl *c, cJSON *args)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = vsd_ctl_open_db(c, &db), n = 0;

    if (rc != 0)
        return rc;
    if (history_query(db, args, &st) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    printf("%-32s %-6s %-15s %-10s %-12s %-9s %-7s %-7s %-24s %-24s %-24s %-16s %-3s %s\n",
           "ALERT", "PRIO", "CODE", "BED", "SESSION", "VITAL", "VALUE", "LIMIT", "RAISED",
           "CLEARED", "ACKNOWLEDGED", "BY", "ESC", "LAST EVENT");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && ++n)
        print_history_row(st);
    rc = rc == SQLITE_DONE ? 0 : EXIT_UNAVAILABLE;
    if (rc)
        fprintf(stderr, "vitalsctl: reading alerts: %s\n", sqlite3_errmsg(db));
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int vsd_ctl_ack(struct ctl *c, int argc, char **argv)
{
    static const char *const keys[] = {"by", NULL};
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    int rc = EXIT_USAGE;

    cJSON_AddStringToObject(req, "cmd", "ack");
    if (argc != 3 || argv[0][0] == '-' || pairs(argc - 1, argv + 1, keys, req) >= 0) {
        vsd_ctl_alarm_usage(stderr);
        goto out;
    }
    cJSON_AddStringToObject(req, "alert", argv[0]);
    rc = vsd_ctl_call(c, req, &reply);
    if (rc == 0)
        printf("ok: alert %s acknowledged by %s\n", argv[0], text(req, "by"));
out:
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}

/* --band/--rise/--fall/--delay/--hysteresis into {"limits": {...}}. */
static int limit_option(cJSON *limits, const char *key, const char *value)
{
    char err[256];

    if (strcmp(key, "band") == 0) {
        struct vsd_band b;
        cJSON *bands = cJSON_GetObjectItem(limits, "bands"), *o;

        if (vsd_band_parse(value, &b, err, sizeof(err)) < 0)
            goto bad;
        if (!bands)
            bands = cJSON_AddArrayToObject(limits, "bands");
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, b.high ? "above" : "below", b.limit);
        cJSON_AddStringToObject(o, "priority", vsd_priority_name(b.priority));
        cJSON_AddItemToArray(bands, o);
    } else if (strcmp(key, "rise") == 0 || strcmp(key, "fall") == 0) {
        struct vsd_rate r;
        cJSON *o;

        if (vsd_rate_parse(value, &r, err, sizeof(err)) < 0)
            goto bad;
        o = cJSON_AddObjectToObject(limits, key);
        cJSON_AddNumberToObject(o, "delta", r.delta);
        cJSON_AddStringToObject(o, "priority", vsd_priority_name(r.priority));
        cJSON_AddNumberToObject(o, "within_ms", (double)r.within_ms);
    } else if (strcmp(key, "delay") == 0) {
        int64_t ms;

        if (vsd_option_parse_duration_ms(value, &ms) < 0)
            return fprintf(stderr, "vitalsctl: --delay: not a duration like 10s\n"), -EINVAL;
        cJSON_AddNumberToObject(limits, "delay_ms", (double)ms);
    } else if (strcmp(key, "hysteresis") == 0) {
        double h;

        if (vsd_option_parse_double(value, &h) < 0)
            return fprintf(stderr, "vitalsctl: --hysteresis: not a number\n"), -EINVAL;
        cJSON_AddNumberToObject(limits, "hysteresis", h);
    } else {
        return -EINVAL;
    }
    return 0;
bad:
    fprintf(stderr, "vitalsctl: --%s: %s\n", key, err);
    return -EINVAL;
}

static int limits_args(int argc, char **argv, cJSON *req, cJSON *limits)
{
    for (int i = 0; i < argc; i += 2) {
        const char *key = argv[i] + 2;

        if (strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc)
            return -EINVAL;
        if (strcmp(key, "session") == 0 || strcmp(key, "vital") == 0 || strcmp(key, "by") == 0)
            cJSON_AddStringToObject(req, key, argv[i + 1]);
        else if (!limits || limit_option(limits, key, argv[i + 1]) < 0)
            return -EINVAL;
    }
    return 0;
}

static void print_limits(const cJSON *lim)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(lim, "bands"))
    {
        const cJSON *below = cJSON_GetObjectItem(b, "below");

        printf(" %s %g %s;", below ? "below" : "above",
               (below ? below : cJSON_GetObjectItem(b, "above"))->valuedouble,
               text(b, "priority"));
    }
    printf(" delay %gs, hysteresis %g",
           cJSON_GetObjectItem(lim, "delay_ms")->valuedouble / 1000.0,
           cJSON_GetObjectItem(lim, "hysteresis")->valuedouble);
    for (int i = 0; i < 2; i++) {
        const cJSON *r = cJSON_GetObjectItem(lim, i ? "fall" : "rise");

        if (r)
            printf("; %s > %g %s", i ? "fall" : "rise", cJSON_GetObjectItem(r, "delta")->valuedouble,
                   text(r, "priority"));
    }
    printf("\n");
}

int vsd_ctl_limits(struct ctl *c, int argc, char **argv)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL, *limits = NULL, *v;
    bool set = argc > 0 && strcmp(argv[0], "set") == 0;
    bool reset = argc > 0 && strcmp(argv[0], "reset") == 0;
    bool show = argc > 0 && strcmp(argv[0], "show") == 0;
    int rc = EXIT_USAGE;

    if (set)
        limits = cJSON_AddObjectToObject(req, "limits");
    cJSON_AddStringToObject(req, "cmd", set ? "limits_set" : reset ? "limits_reset" : "limits_show");
    if (!(set || reset || show) || limits_args(argc - 1, argv + 1, req, limits) < 0 ||
        (set && cJSON_GetArraySize(limits) == 0)) {
        vsd_ctl_alarm_usage(stderr);
        goto out;
    }
    rc = vsd_ctl_call(c, req, &reply);
    if (rc == 0 && show) {
        printf("session %s at bed %s\n", text(req, "session"), text(reply, "bed"));
        cJSON_ArrayForEach(v, cJSON_GetObjectItem(reply, "vitals"))
        {
            printf("  %-9s (%s):", text(v, "vital"), text(v, "source"));
            print_limits(v);
        }
    } else if (rc == 0) {
        printf("ok: %s limits of session %s %s:", text(req, "vital"), text(req, "session"),
               set ? "set" : "back to the configuration");
        print_limits(cJSON_GetObjectItem(reply, "limits"));
    }
out:
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}
