/* SPDX-License-Identifier: MIT */
/* Renders a session report as Markdown and as one self-contained HTML page with inline SVG. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alarm_limits.h"
#include "clock.h"
#include "md_escape.h"
#include "report.h"

static void put_time(FILE *out, int64_t ms)
{
    char iso[40];

    if (!ms) {
        fputs("-", out);
        return;
    }
    vsd_clock_iso8601(ms, iso, sizeof(iso));
    fputs(iso, out);
}

static void put_duration(FILE *out, int64_t ms)
{
    int64_t s = (ms + 500) / 1000;

    if (s >= 3600)
        fprintf(out, "%" PRId64 " h %02" PRId64 " min %02" PRId64 " s", s / 3600, s / 60 % 60,
                s % 60);
    else if (s >= 60)
        fprintf(out, "%" PRId64 " min %02" PRId64 " s", s / 60, s % 60);
    else
        fprintf(out, "%" PRId64 " s", s);
}

/* Text from the database in a Markdown table cell or in HTML. */
static void put_cell(FILE *out, const char *s, bool html)
{
    if (!html) {
        vsd_md_put(out, s);
        return;
    }
    for (; s && *s; s++) {
        if (*s == '<' || *s == '>' || *s == '&' || *s == '"')
            fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : "&quot;", out);
        else if (*s == '\n' || *s == '\r')
            putc(' ', out);
        else
            putc(*s, out);
    }
}

/* A number, or a dash when there is none (never 0 for a missing value). */
static void put_number(FILE *out, bool has, double v)
{
    if (has)
        fprintf(out, "%g", v);
    else
        fputs("-", out);
}

/* A row of cells: Markdown "| a | b |" or HTML "<tr><td>a</td>...". Cells are pre-rendered. */
static void row_start(FILE *out, bool html)
{
    fputs(html ? "<tr><td>" : "| ", out);
}

static void cell_sep(FILE *out, bool html)
{
    fputs(html ? "</td><td>" : " | ", out);
}

static void row_end(FILE *out, bool html)
{
    fputs(html ? "</td></tr>\n" : " |\n", out);
}

static void header(FILE *out, bool html, const char *const *cols, int n)
{
    fputs(html ? "<table><tr>" : "|", out);
    for (int i = 0; i < n; i++)
        fprintf(out, html ? "<th>%s</th>" : " %s |", cols[i]);
    fputs(html ? "</tr>\n" : "\n|", out);
    for (int i = 0; !html && i < n; i++)
        fputs(" --- |", out);
    if (!html)
        putc('\n', out);
}

static void table_end(FILE *out, bool html)
{
    fputs(html ? "</table>\n" : "\n", out);
}

static void heading(FILE *out, bool html, const char *text)
{
    fprintf(out, html ? "<h2>%s</h2>\n" : "## %s\n\n", text);
}

static void para(FILE *out, bool html, const char *text)
{
    fprintf(out, html ? "<p>%s</p>\n" : "%s\n\n", text);
}

/* After a name: how it stands against the audit trail. The fixed text holds no Markdown. */
static void put_proof(FILE *out, enum vsd_report_proof p, const char *table, const char *other,
                      bool html)
{
    if (p == VSD_PROOF_MISSING) {
        fputs(" \u2014 not in the audit trail", out);
    } else if (p == VSD_PROOF_DIFFERS) {
        fprintf(out, " \u2014 per the audit trail; the %s table says ", table);
        put_cell(out, other, html);
    } else if (p == VSD_PROOF_NOT_IN_TABLE) {
        fprintf(out, " \u2014 per the audit trail; not in the %s table", table);
    }
}

static void put_session_proof(FILE *out, const char *which, enum vsd_report_proof p,
                              const char *table_name, bool html)
{
    fprintf(out, "%s: ", which);
    if (p == VSD_PROOF_CHAINED) {
        fputs("matches the audit trail", out);
    } else if (p == VSD_PROOF_DIFFERS) {
        fputs("the name above is the audit trail's; the sessions table says ", out);
        put_cell(out, table_name, html);
    } else {
        fputs("not in the audit trail, the name above is the sessions table's alone", out);
    }
}

/* A summary row when who started or ended the session is not as the audit trail has it. */
static void session_proofs(FILE *out, const struct vsd_report *r, bool html)
{
    bool ended = *r->ended_by != '\0';

    if (r->started_proof == VSD_PROOF_CHAINED && (!ended || r->ended_proof == VSD_PROOF_CHAINED))
        return;
    row_start(out, html);
    fputs("Audit trail", out);
    cell_sep(out, html);
    put_session_proof(out, "start", r->started_proof, r->started_by_table, html);
    if (ended) {
        fputs("; ", out);
        put_session_proof(out, "end", r->ended_proof, r->ended_by_table, html);
    }
    row_end(out, html);
}

static bool any_flag(const struct vsd_report *r)
{
    bool flag = r->started_proof != VSD_PROOF_CHAINED || r->ended_proof != VSD_PROOF_CHAINED;

    for (size_t i = 0; i < r->n_alerts; i++)
        flag |= r->alerts[i].acked_ms && r->alerts[i].acked_proof != VSD_PROOF_CHAINED;
    return flag;
}

static void summary(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Item", "Value"};

    header(out, html, cols, 2);
    row_start(out, html);
    fputs("Session", out);
    cell_sep(out, html);
    put_cell(out, r->session, html);
    row_end(out, html);
    row_start(out, html);
    fputs("Bed", out);
    cell_sep(out, html);
    put_cell(out, r->bed, html);
    row_end(out, html);
    row_start(out, html);
    fputs("Started", out);
    cell_sep(out, html);
    put_time(out, r->started_ms);
    fputs(" by ", out);
    put_cell(out, r->started_by, html);
    row_end(out, html);
    row_start(out, html);
    fputs("Ended", out);
    cell_sep(out, html);
    put_time(out, r->ended_ms);
    if (*r->ended_by) {
        fputs(" by ", out);
        put_cell(out, r->ended_by, html);
    } else {
        fputs(" (still open: the last reading)", out);
    }
    row_end(out, html);
    session_proofs(out, r, html);
    row_start(out, html);
    fputs("Duration", out);
    cell_sep(out, html);
    put_duration(out, r->ended_ms - r->started_ms);
    row_end(out, html);
    row_start(out, html);
    fputs("Readings stored", out);
    cell_sep(out, html);
    fprintf(out, "%" PRIu64, r->readings);
    row_end(out, html);
    table_end(out, html);
    if (any_flag(r))
        para(out, html,
             "Who started, ended and acknowledged is taken from the hash-chained audit trail. A "
             "name marked here is missing from it or disagrees with the unchained tables: "
             "vitalsctl audit verify lists every such row.");
}

/* The bands of L as "below 92 medium, below 88 high"; "none" when it has none. */
static void put_bands(FILE *out, const struct vsd_limit *l)
{
    char text[64];

    if (!l) {
        fputs("-", out);
        return;
    }
    if (l->n_bands == 0 && !l->rise.set && !l->fall.set)
        fputs("no alarm limits", out);
    for (size_t k = 0; k < l->n_bands; k++) {
        vsd_report_band_text(&l->bands[k], text, sizeof(text));
        fprintf(out, "%s%s", k ? ", " : "", text);
    }
    if (l->rise.set)
        fprintf(out, "%srise of more than %g %s", l->n_bands ? ", " : "", l->rise.delta,
                vsd_priority_name(l->rise.priority));
    if (l->fall.set)
        fprintf(out, "%sfall of more than %g %s", l->n_bands || l->rise.set ? ", " : "",
                l->fall.delta, vsd_priority_name(l->fall.priority));
}

static const struct vsd_report_period *first_period(const struct vsd_report *r, int v,
                                                    size_t *count)
{
    const struct vsd_report_period *first = NULL;

    *count = 0;
    for (size_t i = 0; i < r->n_periods; i++)
        if (r->periods[i].vital == v) {
            first = first ? first : &r->periods[i];
            (*count)++;
        }
    return first;
}

/* Has vital V a low (HIGH false) or high band in any period? */
static bool any_side(const struct vsd_report *r, int v, bool high)
{
    double x;

    for (size_t i = 0; i < r->n_periods; i++)
        if (r->periods[i].vital == v && r->periods[i].known &&
            (high ? vsd_limit_high(&r->periods[i].limit, &x)
                  : vsd_limit_low(&r->periods[i].limit, &x)))
            return true;
    return false;
}

/* The first low (HIGH false) or high band of L, or a dash. */
static void put_first(FILE *out, const struct vsd_limit *l, bool high)
{
    double x;

    if (l && (high ? vsd_limit_high(l, &x) : vsd_limit_low(l, &x)))
        fprintf(out, "%g", x);
    else
        fputs("-", out);
}

static void vitals_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Vital",      "Unit",
                                       "Usable",     "Unusable",
                                       "Min",        "Median",
                                       "Max",        "Low limit at start",
                                       "Time below", "High limit at start",
                                       "Time above", "All bands at start"};

    heading(out, html, "Vital signs");
    header(out, html, cols, 12);
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        const struct vsd_report_series *s = &r->series[v];
        const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)v);
        size_t periods;
        const struct vsd_report_period *p = first_period(r, v, &periods);
        const struct vsd_limit *l = p && p->known ? &p->limit : NULL;

        if (s->n == 0 && s->unusable == 0)
            continue;
        row_start(out, html);
        fprintf(out, "%s", vi->label);
        cell_sep(out, html);
        fprintf(out, "%s", vi->unit);
        cell_sep(out, html);
        fprintf(out, "%zu", s->n);
        cell_sep(out, html);
        fprintf(out, "%" PRIu64, s->unusable);
        cell_sep(out, html);
        put_number(out, s->n > 0, s->min);
        cell_sep(out, html);
        put_number(out, s->n > 0, s->median);
        cell_sep(out, html);
        put_number(out, s->n > 0, s->max);
        cell_sep(out, html);
        put_first(out, l, false);
        cell_sep(out, html);
        if (any_side(r, v, false))
            put_duration(out, s->below_ms);
        else
            fputs("-", out);
        cell_sep(out, html);
        put_first(out, l, true);
        cell_sep(out, html);
        if (any_side(r, v, true))
            put_duration(out, s->above_ms);
        else
            fputs("-", out);
        cell_sep(out, html);
        put_bands(out, l);
        if (periods > 1)
            fputs(", changed during the visit", out);
        row_end(out, html);
    }
    table_end(out, html);
    para(out, html,
         r->limits ? "Limits at the start are those of the bed in the configuration given to "
                     "vitalsctl; every band and each change during the visit are listed below. "
                     "Time below and above count against the first low and high band in force "
                     "at each reading; a reading counts until the next one, at most 10 s."
                   : "Limits: no configuration was given to vitalsctl, so the limits at the start "
                     "are known only where a change recorded what it replaced.");
}

/* Every band of every vital, and each session override with when it applied. */
static void bands_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Vital",       "From", "To",
                                       "Limits from", "Band", "Time past it"};
    size_t overrides = 0;
    char text[64];

    heading(out, html, "Limit bands and session overrides");
    for (size_t i = 0; i < r->n_periods; i++)
        overrides += strcmp(r->periods[i].source, "configuration") != 0;
    para(out, html,
         overrides ? "Each change of a vital's limits during the visit starts a new row group: "
                     "the band set in force from then until the next change or the end."
                   : "No limit override was recorded for this session: the configuration's "
                     "limits applied throughout.");
    if (r->n_periods == 0)
        return;
    header(out, html, cols, 6);
    for (size_t i = 0; i < r->n_periods; i++) {
        const struct vsd_report_period *p = &r->periods[i];
        size_t rows = p->known && p->limit.n_bands ? p->limit.n_bands : 1;

        for (size_t k = 0; k < rows; k++) {
            row_start(out, html);
            fputs(vsd_vital_info((enum vsd_vital)p->vital)->label, out);
            cell_sep(out, html);
            put_time(out, p->from_ms);
            cell_sep(out, html);
            put_time(out, p->to_ms);
            cell_sep(out, html);
            fputs(p->source, out);
            if (*p->by) {
                fputs(" by ", out);
                put_cell(out, p->by, html);
            }
            cell_sep(out, html);
            if (!p->known) {
                fputs("not known: no configuration given", out);
                cell_sep(out, html);
                fputs("-", out);
            } else if (p->limit.n_bands == 0) {
                put_bands(out, &p->limit);
                cell_sep(out, html);
                fputs("-", out);
            } else {
                vsd_report_band_text(&p->limit.bands[k], text, sizeof(text));
                fputs(text, out);
                cell_sep(out, html);
                put_duration(out, p->beyond_ms[k]);
            }
            row_end(out, html);
        }
    }
    table_end(out, html);
}

static void alerts_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Raised", "Cleared", "Lasted", "Priority",        "Alert",
                                       "Vital",  "Value",   "Limit",  "Acknowledged by", "After"};

    heading(out, html, "Alerts");
    if (r->n_alerts == 0) {
        para(out, html, "No alert was raised during this session.");
        return;
    }
    header(out, html, cols, 10);
    for (size_t i = 0; i < r->n_alerts; i++) {
        const struct vsd_report_alert *a = &r->alerts[i];
        row_start(out, html);
        put_time(out, a->raised_ms);
        cell_sep(out, html);
        put_time(out, a->cleared_ms);
        cell_sep(out, html);
        if (a->raised_ms && a->cleared_ms)
            put_duration(out, a->cleared_ms - a->raised_ms);
        else
            put_cell(out, a->state, html);
        cell_sep(out, html);
        put_cell(out, a->priority, html);
        cell_sep(out, html);
        put_cell(out, a->code, html);
        cell_sep(out, html);
        put_cell(out, a->vital, html);
        cell_sep(out, html);
        put_number(out, a->has_value, a->value);
        cell_sep(out, html);
        put_number(out, a->has_limit, a->limit);
        cell_sep(out, html);
        if (a->acked_ms) {
            put_cell(out, a->acked_by, html);
            put_proof(out, a->acked_proof, "alerts", a->acked_by_table, html);
            cell_sep(out, html);
            put_duration(out, a->acked_ms - a->raised_ms);
        } else {
            fputs("not acknowledged", out);
            cell_sep(out, html);
            fputs("-", out);
        }
        row_end(out, html);
    }
    table_end(out, html);
}

static const char *gap_reason(const char *reason)
{
    static const struct {
        const char *code, *text;
    } words[] = {
        {"sensor_off", "sensor off the patient"},   {"comms_loss", "no answer from the device"},
        {"invalid", "only unusable values"},        {"daemon_down", "vitalsd was not running"},
        {"no_reading", "no reading stored at all"},
        {"reconfigured", "the monitor was reconfigured (reload)"},
        {"wrong_device", "another monitor was on this chair's link"},
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(reason, words[i].code) == 0)
            return words[i].text;
    return NULL;
}

static void put_gap_vitals(FILE *out, unsigned vitals)
{
    bool first = true;

    if (vitals == ~0u) {
        fputs("all", out);
        return;
    }
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        if (vitals & (1u << v)) {
            fprintf(out, "%s%s", first ? "" : ", ", vsd_vital_info((enum vsd_vital)v)->label);
            first = false;
        }
    if (first)
        fputs("-", out);
}

static void gaps_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"From", "To", "Length", "Not measured", "Reason"};

    heading(out, html, "Monitoring gaps");
    if (r->n_gaps == 0) {
        para(out, html,
             "No monitoring gap was recorded for this session, and there was no interval of "
             "more than 10 s without a reading from the bed.");
        return;
    }
    header(out, html, cols, 5);
    for (size_t i = 0; i < r->n_gaps; i++) {
        const struct vsd_report_gap *g = &r->gaps[i];
        const char *why = gap_reason(g->reason);

        row_start(out, html);
        put_time(out, g->from_ms);
        cell_sep(out, html);
        if (g->open)
            fputs("still open at the end", out);
        else
            put_time(out, g->to_ms);
        cell_sep(out, html);
        if (g->open)
            fputs("at least ", out);
        put_duration(out, g->to_ms - g->from_ms);
        cell_sep(out, html);
        put_gap_vitals(out, g->vitals);
        cell_sep(out, html);
        if (why)
            fputs(why, out);
        else
            put_cell(out, g->reason, html);
        row_end(out, html);
    }
    table_end(out, html);
    para(out, html,
         "Gaps are those vitalsd recorded in its gaps table, a vital not measured while the "
         "session was open with the cause; and any interval of more than 10 s without any reading "
         "of "
         "the session that no recorded gap covers.");
}

/* One JSON value of an audit detail, in words. */
static void put_json_value(FILE *out, const cJSON *j, bool html)
{
    if (cJSON_IsString(j)) {
        put_cell(out, j->valuestring, html);
    } else if (cJSON_IsNumber(j)) {
        fprintf(out, "%g", j->valuedouble);
    } else if (cJSON_IsBool(j)) {
        fputs(cJSON_IsTrue(j) ? "yes" : "no", out);
    } else if (cJSON_IsArray(j)) {
        const cJSON *e;
        bool first = true;
        cJSON_ArrayForEach(e, j)
        {
            fputs(first ? "" : ", ", out);
            put_json_value(out, e, html);
            first = false;
        }
    } else if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "bands")) {
        struct vsd_limit lim;
        char err[128];
        memset(&lim, 0, sizeof(lim));
        if (vsd_limit_from_json(j, &lim, err, sizeof(err)) == 0)
            put_bands(out, &lim);
        else
            fputs("not readable", out);
    } else {
        char *text = cJSON_PrintUnformatted(j);
        put_cell(out, text ? text : "", html);
        cJSON_free(text);
    }
}

static const char *action_words(const char *action)
{
    static const struct {
        const char *code, *text;
    } words[] = {
        {"session_start", "session start"},
        {"session_end", "session end"},
        {"alert_ack", "acknowledgement"},
        {"limits_set", "limit change"},
        {"limits_reset", "limits back to the configuration"},
        {"export", "export"},
        {"config_load", "configuration loaded"},
        {"access_refused", "command refused by role"},
    };

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(action, words[i].code) == 0)
            return words[i].text;
    return NULL;
}

/* The detail of an audit row: "key: value" for every member but result and reason, the limit
 * objects of a change in words; text that is not a JSON object as it is. */
static void put_detail(FILE *out, const char *detail, bool html)
{
    cJSON *j = detail ? cJSON_Parse(detail) : NULL;
    const cJSON *m;
    bool first = true;

    if (!cJSON_IsObject(j)) {
        put_cell(out, detail ? detail : "-", html);
        cJSON_Delete(j);
        return;
    }
    cJSON_ArrayForEach(m, j)
    {
        if (!m->string || strcmp(m->string, "result") == 0 || strcmp(m->string, "reason") == 0)
            continue;
        fputs(first ? "" : "; ", out);
        put_cell(out, m->string, html);
        fputs(": ", out);
        put_json_value(out, m, html);
        first = false;
    }
    if (first)
        fputs("-", out);
    cJSON_Delete(j);
}

/* "done", or "refused: REASON", from the detail's result and reason. */
static void put_result(FILE *out, const char *detail, bool html)
{
    cJSON *j = detail ? cJSON_Parse(detail) : NULL;
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(j, "result");
    const cJSON *why = cJSON_GetObjectItemCaseSensitive(j, "reason");

    if (cJSON_IsString(res))
        put_cell(out, res->valuestring, html);
    else
        fputs("-", out);
    if (cJSON_IsString(why)) {
        fputs(": ", out);
        put_cell(out, why->valuestring, html);
    }
    cJSON_Delete(j);
}

static bool refused(const struct vsd_report_action *a)
{
    return a->detail && strstr(a->detail, "\"result\":\"refused\"") != NULL;
}

static void actions_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Time", "By", "Action", "What", "Result", "Detail"};
    size_t acks = 0, acks_refused = 0, changes = 0, sessions = 0;
    char text[256];

    heading(out, html, "Staff actions");
    for (size_t i = 0; i < r->n_actions; i++) {
        const char *a = r->actions[i].action;
        bool no = refused(&r->actions[i]);
        if (strcmp(a, "alert_ack") == 0) {
            acks++;
            acks_refused += no;
        }
        changes += strncmp(a, "limits_", 7) == 0;
        sessions += strncmp(a, "session_", 8) == 0;
    }
    snprintf(text, sizeof(text),
             "From the audit trail: %zu session start and end request%s, %zu acknowledgement%s, "
             "%zu of them refused, %zu limit change%s, accepted and refused; with the "
             "configuration loads and exports while the session was open.",
             sessions, sessions == 1 ? "" : "s", acks, acks == 1 ? "" : "s", acks_refused, changes,
             changes == 1 ? "" : "s");
    para(out, html, text);
    if (r->n_actions == 0)
        return;
    header(out, html, cols, 6);
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct vsd_report_action *a = &r->actions[i];
        const char *words = action_words(a->action);

        row_start(out, html);
        put_time(out, a->ts_ms);
        cell_sep(out, html);
        put_cell(out, a->actor, html);
        cell_sep(out, html);
        put_cell(out, a->action, html);
        cell_sep(out, html);
        fputs(words ? words : "-", out);
        cell_sep(out, html);
        put_result(out, a->detail, html);
        cell_sep(out, html);
        put_detail(out, a->detail, html);
        row_end(out, html);
    }
    table_end(out, html);
}

static int finish(FILE *out)
{
    return fflush(out) != 0 || ferror(out) ? -EIO : 0;
}

int vsd_report_markdown(const struct vsd_report *r, FILE *out)
{
    if (!r || !out)
        return -EINVAL;
    fputs("# Session report: ", out);
    put_cell(out, r->session, false);
    fputs("\n\nA description of what vitalsd recorded for this visit: no interpretation, no "
          "recommendation. Times are UTC.\n\n",
          out);
    summary(out, r, false);
    vitals_table(out, r, false);
    bands_table(out, r, false);
    alerts_table(out, r, false);
    gaps_table(out, r, false);
    actions_table(out, r, false);
    return finish(out);
}

int vsd_report_html(const struct vsd_report *r, FILE *out)
{
    if (!r || !out)
        return -EINVAL;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Session "
          "report: ",
          out);
    put_cell(out, r->session, true);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:1em auto}"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;"
          "padding:2px 6px;font-size:90%;text-align:left}h3{margin:.6em 0 .2em}</style>\n"
          "</head><body>\n<h1>Session report: ",
          out);
    put_cell(out, r->session, true);
    fputs("</h1>\n<p>A description of what vitalsd recorded for this visit: no interpretation, "
          "no recommendation. Times are UTC.</p>\n",
          out);
    summary(out, r, true);
    vitals_table(out, r, true);
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        if (r->series[v].n > 0)
            vsd_report_chart(out, r, v);
    bands_table(out, r, true);
    alerts_table(out, r, true);
    gaps_table(out, r, true);
    actions_table(out, r, true);
    fputs("</body></html>\n", out);
    return finish(out);
}
