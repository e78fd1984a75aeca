/* SPDX-License-Identifier: MIT */
/* vitalsctl alerts, ack and limits: what nurses and charge nurses do from a terminal. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <vitalsd/option.h>

#include "alarm_limits.h"
#include "clock.h"
#include "ctl.h"
#include "watch.h"

void vsd_ctl_alarm_usage(FILE *out)
{
    fputs("  alerts [--bed BED]                               active alerts (from the daemon)\n"
          "  alerts --history [--bed BED] [--session ID] [--priority P] [--from TIME]\n"
          "         [--to TIME]                               every alert recorded\n"
          "  ack ALERT_ID [--by NAME]                         acknowledge an alert: the first digits\n"
          "                                                   of its id are enough; recorded under\n"
          "                                                   your account, NAME kept as a note\n"
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

static const char *state_of(const cJSON *a)
{
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "condition")))
        return "latched";
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(a, "acknowledged")) ? "acked"
                                                                             : "active";
}

void vsd_ctl_age(int64_t age_ms, char *buf, size_t size)
{
    int64_t s = age_ms < 0 ? 0 : age_ms / 1000;

    if (s < 120)
        snprintf(buf, size, "%" PRId64 " s ago", s);
    else if (s < 7200)
        snprintf(buf, size, "%" PRId64 " min ago", s / 60);
    else
        snprintf(buf, size, "%" PRId64 " h ago", s / 3600);
}

bool vsd_ctl_latest(const cJSON *trend, const char *bed, const char *vital, double *value,
                    int64_t *ts_ms)
{
    const cJSON *beds = cJSON_GetObjectItemCaseSensitive(trend, "beds");
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(beds, bed), vital);
    int n = cJSON_GetArraySize(pts);
    const cJSON *last = n > 0 ? cJSON_GetArrayItem(pts, n - 1) : NULL;

    if (!cJSON_IsArray(last) || !cJSON_IsNumber(cJSON_GetArrayItem(last, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(last, 1)))
        return false;
    *ts_ms = (int64_t)cJSON_GetArrayItem(last, 0)->valuedouble;
    *value = cJSON_GetArrayItem(last, 1)->valuedouble;
    return true;
}

void vsd_ctl_now_load(struct ctl *c, struct vsd_ctl_now *now, bool want_db)
{
    cJSON *req = cJSON_CreateObject();
    char err[256];

    now->trend = NULL;
    now->db = want_db ? vsd_ctl_open_db_quiet(c) : NULL;
    cJSON_AddStringToObject(req, "cmd", "trend");
    cJSON_AddNumberToObject(req, "minutes", 30);
    if (vsd_ctl_call_quiet(c, req, &now->trend, err, sizeof(err)) < 0) {
        cJSON_Delete(now->trend);
        now->trend = NULL;
    }
    cJSON_Delete(req);
}

void vsd_ctl_now_free(struct vsd_ctl_now *now)
{
    cJSON_Delete(now->trend);
    sqlite3_close(now->db);
    now->trend = NULL;
    now->db = NULL;
}

/* When a latched alert's condition ended: its "latched" event in the database. */
static bool ended_at(sqlite3 *db, const char *id, char *buf, size_t size)
{
    sqlite3_stmt *st = NULL;
    bool found = false;

    if (db && sqlite3_prepare_v2(db, "SELECT max(ts_ms) FROM alert_events WHERE alert_id = ?1 "
                                     "AND event = 'latched'", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
            char iso[32];

            vsd_clock_iso8601(sqlite3_column_int64(st, 0), iso, sizeof(iso));
            vsd_watch_clock(iso, buf, size);
            found = true;
        }
    }
    sqlite3_finalize(st);
    return found;
}

static bool technical(const cJSON *a)
{
    return strcmp(text(a, "kind"), "technical") == 0;
}

void vsd_ctl_alert_words(const cJSON *a, const struct vsd_ctl_now *now, char *buf, size_t size)
{
    char what[224], state[160], ended[16], cur[96] = "", esc[40], raised[64], val[32], t[16];
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(a, "value");
    int step = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(a, "escalation"));
    double v;
    int64_t ts;

    vsd_alert_what(a, what, sizeof(what));
    vsd_alert_now(a, ended_at(now ? now->db : NULL, text(a, "alert_id"), ended, sizeof(ended))
                         ? ended : NULL, state, sizeof(state));
    if (!technical(a) && now &&
        vsd_ctl_latest(now->trend, text(a, "bed"), text(a, "vital"), &v, &ts)) {
        char age[32];

        vsd_watch_value(text(a, "vital"), v, val, sizeof(val));
        vsd_ctl_age((int64_t)time(NULL) * 1000 - ts, age, sizeof(age));
        snprintf(cur, sizeof(cur), "; now %s (%s)", val, age);
    } else if (!technical(a) && now && now->trend) {
        snprintf(cur, sizeof(cur), "; no reading in the last 30 min");
    }
    if (step > 0)
        snprintf(esc, sizeof(esc), "; escalation step %d", step);
    else
        snprintf(esc, sizeof(esc), "; not escalated");
    vsd_watch_clock(text(a, "raised"), t, sizeof(t));
    vsd_alert_value(a, cJSON_IsNumber(value) ? value->valuedouble : NAN, val, sizeof(val));
    snprintf(raised, sizeof(raised), "; raised %s%s%s", t,
             !technical(a) && cJSON_IsNumber(value) ? " at " : "",
             !technical(a) && cJSON_IsNumber(value) ? val : "");
    snprintf(buf, size, "%s (%s): %s%s%s%s", what, text(a, "priority"), state, cur, esc, raised);
}

static void print_active(const cJSON *reply, const struct vsd_ctl_now *now)
{
    const cJSON *a;
    char words[512];

    if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(reply, "alerts")) == 0) {
        printf("no active alerts\n");
        return;
    }
    printf("%-8s  %-6s  %-7s  %-10s  %-12s  %s\n", "ALERT", "PRIO", "STATE", "BED", "SESSION",
           "WHAT, NOW");
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(reply, "alerts"))
    {
        vsd_ctl_alert_words(a, now, words, sizeof(words));
        printf("%-8.8s  %-6s  %-7s  %-10s  %-12s  %s\n", text(a, "alert_id"),
               text(a, "priority"), state_of(a),
               cJSON_IsString(cJSON_GetObjectItem(a, "bed")) ? text(a, "bed") : "(daemon)",
               text(a, "session"), words);
    }
}

int vsd_ctl_print_active(struct ctl *c)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    struct vsd_ctl_now now = {0};
    const cJSON *a;
    char err[256], words[512], upper[16];
    int rc = 0;

    cJSON_AddStringToObject(req, "cmd", "alerts");
    if (vsd_ctl_call_quiet(c, req, &reply, err, sizeof(err)) < 0) {
        printf("Active alerts now: unknown, the daemon did not answer (%s)\n", err);
        rc = EXIT_UNAVAILABLE;
        goto out;
    }
    a = cJSON_GetObjectItemCaseSensitive(reply, "alerts");
    if (cJSON_GetArraySize(a) == 0) {
        printf("Active alerts now: none\n");
        goto out;
    }
    vsd_ctl_now_load(c, &now, true);
    printf("Active alerts now (%d):\n", cJSON_GetArraySize(a));
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(reply, "alerts"))
    {
        vsd_ctl_alert_words(a, &now, words, sizeof(words));
        vsd_watch_upper(text(a, "priority"), upper, sizeof(upper));
        printf("  %-8.8s  %-6s  bed %-10s session %-12s %s\n", text(a, "alert_id"), upper,
               cJSON_IsString(cJSON_GetObjectItem(a, "bed")) ? text(a, "bed") : "(daemon)",
               text(a, "session"), words);
    }
out:
    fflush(stdout);
    vsd_ctl_now_free(&now);
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
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

    int bad = pairs(argc - hist, argv + hist, keys, args);

    if (bad >= 0 || (!hist && cJSON_GetArraySize(args) > (cJSON_GetObjectItem(args, "bed") ? 1 : 0))) {
        fprintf(stderr, "vitalsctl: alerts takes %s%s%s\n",
                hist ? "--bed, --session, --priority, --from and --to, each with a value"
                     : "--bed BED, or --history with filters",
                bad >= 0 ? "; got " : "", bad >= 0 ? argv[bad + hist] : "");
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
    if (rc == 0) {
        struct vsd_ctl_now now;

        vsd_ctl_now_load(c, &now, true);
        print_active(reply, &now);
        vsd_ctl_now_free(&now);
    }
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

/* A refused acknowledgement of an alert no longer active: who acknowledged it and when, or
 * that it ended by itself, from the database (when this account may read it). */
static bool explain_over(struct ctl *c, const char *prefix)
{
    sqlite3 *db = vsd_ctl_open_db_quiet(c);
    sqlite3_stmt *st = NULL;
    bool said = false;

    if (db && sqlite3_prepare_v2(db,
                                 "SELECT alert_id, acked_by, acked_ms, cleared_ms FROM alerts "
                                 "WHERE substr(alert_id, 1, length(?1)) = ?1 LIMIT 2",
                                 -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, prefix, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) == SQLITE_ROW) {
            char id[9], who[128] = "", at[16] = "?", over[16] = "", iso[32];

            snprintf(id, sizeof(id), "%.8s", col_text(st, 0));
            if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
                vsd_clock_iso8601(sqlite3_column_int64(st, 3), iso, sizeof(iso));
                vsd_watch_clock(iso, over, sizeof(over));
            }
            if (sqlite3_column_type(st, 1) != SQLITE_NULL)
                snprintf(who, sizeof(who), "%s", col_text(st, 1));
            if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
                vsd_clock_iso8601(sqlite3_column_int64(st, 2), iso, sizeof(iso));
                vsd_watch_clock(iso, at, sizeof(at));
            }
            said = sqlite3_step(st) == SQLITE_DONE; /* two matches: the daemon's words */
            if (said && *who)
                fprintf(stderr, "vitalsctl: alert %s was already acknowledged by %s at %s%s%s; "
                        "nothing left to do\n", id, who, at,
                        *over ? ", and it is over since " : "", over);
            else if (said)
                fprintf(stderr, "vitalsctl: alert %s is over%s%s: it ended by itself, "
                        "nothing to acknowledge\n", id, *over ? " since " : "", over);
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return said;
}

int vsd_ctl_ack(struct ctl *c, int argc, char **argv)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    const char *by = NULL;
    char err[1024];
    int rc = EXIT_USAGE, r;

    if (argc < 1 || argv[0][0] == '-') {
        fprintf(stderr, "vitalsctl: ack needs the alert's id, e.g. vitalsctl ack 1a2b3c4d "
                        "(`vitalsctl alerts` lists the active ones)\n");
        goto out;
    }
    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--by") != 0 || by) {
            fprintf(stderr, "vitalsctl: ack takes an alert id and, if you like, --by NAME; "
                            "got '%s'\n", argv[i]);
            goto out;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "vitalsctl: --by needs a name (or leave it out: the "
                            "acknowledgement is recorded under your account)\n");
            goto out;
        }
        by = argv[i + 1];
    }
    cJSON_AddStringToObject(req, "cmd", "ack");
    cJSON_AddStringToObject(req, "alert", argv[0]);
    if (by)
        cJSON_AddStringToObject(req, "by", by);
    r = vsd_ctl_call_quiet(c, req, &reply, err, sizeof(err));
    if (r == -ECONNREFUSED) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        rc = EXIT_UNAVAILABLE;
    } else if (r < 0) {
        if (!strstr(err, "no active alert") || !explain_over(c, argv[0]))
            fprintf(stderr, "vitalsctl: refused: %s\n", err);
        rc = EXIT_REFUSED;
    } else {
        const char *acct = text(reply, "by");

        printf("ok: alert %.8s acknowledged by %s%s%s%s\n", text(reply, "alert"),
               strcmp(acct, "-") ? acct : "you", by && strcmp(by, acct) ? " (noted as \"" : "",
               by && strcmp(by, acct) ? by : "", by && strcmp(by, acct) ? "\")" : "");
        rc = 0;
    }
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

    if (cJSON_GetArraySize(cJSON_GetObjectItem(lim, "bands")) == 0 &&
        !cJSON_GetObjectItem(lim, "rise") && !cJSON_GetObjectItem(lim, "fall")) {
        printf(" no alarm limits\n");
        return;
    }

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
        if (!(set || reset || show))
            fprintf(stderr, "vitalsctl: limits needs show, set or reset, e.g. vitalsctl limits "
                            "show --session S-1002\n");
        else if (set && limits && cJSON_GetArraySize(limits) == 0)
            fprintf(stderr, "vitalsctl: limits set needs --session ID, --vital V and at least "
                            "one of --band, --delay, --hysteresis, --rise, --fall\n");
        else
            fprintf(stderr, "vitalsctl: limits %s takes --session ID%s, each with a value\n",
                    argv[0], show ? "" : " and --vital V (and --by NAME if you like)");
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
