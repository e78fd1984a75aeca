/* SPDX-License-Identifier: MIT */
/* Renders a session report as Markdown and as one self-contained HTML page with inline SVG. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "alarm_limits.h"
#include "clock.h"
#include "md_escape.h"
#include "report.h"

#define CHART_W 640
#define CHART_H 120
#define CHART_BUCKETS 320

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

static void put_limit(FILE *out, bool has, double limit, int64_t outside_ms, bool html)
{
    if (!has) {
        fputs("-", out);
        cell_sep(out, html);
        fputs("-", out);
        return;
    }
    fprintf(out, "%g", limit);
    cell_sep(out, html);
    put_duration(out, outside_ms);
}

static void vitals_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Vital",      "Unit",       "Usable",    "Unusable",
                                       "Min",        "Median",     "Max",       "Low limit",
                                       "Time below", "High limit", "Time above"};

    heading(out, html, "Vital signs");
    header(out, html, cols, 11);
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        const struct vsd_report_series *s = &r->series[v];
        const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)v);
        const struct vsd_limit *l = r->limits ? &r->limits->limits[v] : NULL;
        double low = 0, high = 0;
        bool has_low, has_high;

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
        has_low = vsd_limit_low(l, &low);
        has_high = vsd_limit_high(l, &high);
        put_limit(out, has_low, low, s->below_ms, html);
        cell_sep(out, html);
        put_limit(out, has_high, high, s->above_ms, html);
        row_end(out, html);
    }
    table_end(out, html);
    para(out, html,
         r->limits ? "Limits are those of the bed in the configuration given to vitalsctl. A "
                     "reading counts until the next one, at most 10 s."
                   : "Limits: no configuration was given, so time outside limits is not shown.");
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

static void gaps_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"From", "To", "Length"};

    heading(out, html, "Monitoring gaps");
    if (r->n_gaps == 0) {
        para(out, html, "No interval of more than 10 s without a reading from the bed.");
        return;
    }
    header(out, html, cols, 3);
    for (size_t i = 0; i < r->n_gaps; i++) {
        row_start(out, html);
        put_time(out, r->gaps[i].from_ms);
        cell_sep(out, html);
        put_time(out, r->gaps[i].to_ms);
        cell_sep(out, html);
        put_duration(out, r->gaps[i].to_ms - r->gaps[i].from_ms);
        row_end(out, html);
    }
    table_end(out, html);
    para(out, html, "A gap is more than 10 s without any reading of the session.");
}

static void actions_table(FILE *out, const struct vsd_report *r, bool html)
{
    static const char *const cols[] = {"Time", "By", "Action", "Detail"};
    size_t overrides = 0;

    heading(out, html, "Limit overrides and staff actions");
    for (size_t i = 0; i < r->n_actions; i++)
        overrides += strstr(r->actions[i].action, "limit") != NULL;
    para(out, html,
         overrides ? "Limit overrides are listed below with the other actions."
                   : "No limit override was recorded for this session.");
    if (r->n_actions == 0)
        return;
    header(out, html, cols, 4);
    for (size_t i = 0; i < r->n_actions; i++) {
        row_start(out, html);
        put_time(out, r->actions[i].ts_ms);
        cell_sep(out, html);
        put_cell(out, r->actions[i].actor, html);
        cell_sep(out, html);
        put_cell(out, r->actions[i].action, html);
        cell_sep(out, html);
        put_cell(out, r->actions[i].detail, html);
        row_end(out, html);
    }
    table_end(out, html);
}

static double chart_y(double v, double lo, double hi)
{
    return CHART_H - 4 - (v - lo) / (hi - lo) * (CHART_H - 8);
}

/* A polyline of S over [t0, t1]: every point, or the min and max of each bucket when long. */
static void chart_line(FILE *out, const struct vsd_report_series *s, int64_t t0, int64_t t1,
                       double lo, double hi)
{
    double span = (double)(t1 > t0 ? t1 - t0 : 1);
    size_t step = s->n > 2 * CHART_BUCKETS ? s->n / CHART_BUCKETS : 1;

    fputs("<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1\" points=\"", out);
    for (size_t i = 0; i < s->n; i += step) {
        size_t end = i + step < s->n ? i + step : s->n, jmin = i, jmax = i;
        for (size_t j = i; j < end; j++) {
            jmin = s->v[j] < s->v[jmin] ? j : jmin;
            jmax = s->v[j] > s->v[jmax] ? j : jmax;
        }
        for (int k = 0; k < (jmin == jmax ? 1 : 2); k++) {
            size_t j = (k == 0) == (jmin < jmax) ? jmin : jmax;
            fprintf(out, "%.1f,%.1f ", (double)(s->ts[j] - t0) / span * CHART_W,
                    chart_y(s->v[j], lo, hi));
        }
    }
    fputs("\"/>\n", out);
}

static void chart(FILE *out, const struct vsd_report *r, int v)
{
    const struct vsd_report_series *s = &r->series[v];
    const struct vsd_limit *l = r->limits ? &r->limits->limits[v] : NULL;
    double lo = s->min, hi = s->max, low = 0, high = 0;

    if (vsd_limit_low(l, &low) && low < lo)
        lo = low;
    if (vsd_limit_high(l, &high) && high > hi)
        hi = high;
    if (hi - lo < 1) {
        lo -= 1;
        hi += 1;
    }
    fprintf(out,
            "<h3>%s (%s)</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n"
            "<rect width=\"%d\" height=\"%d\" fill=\"#fafafa\" stroke=\"#ccc\"/>\n",
            vsd_vital_info((enum vsd_vital)v)->label, vsd_vital_info((enum vsd_vital)v)->unit,
            CHART_W, CHART_H, CHART_W, CHART_H, CHART_W, CHART_H);
    for (size_t k = 0; l && k < l->n_bands; k++)
        fprintf(out,
                "<line x1=\"0\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#b00\" "
                "stroke-dasharray=\"4 3\"/>\n",
                CHART_W, chart_y(l->bands[k].limit, lo, hi), chart_y(l->bands[k].limit, lo, hi));
    chart_line(out, s, r->started_ms, r->ended_ms, lo, hi);
    fprintf(out,
            "<text x=\"4\" y=\"12\" font-size=\"10\">%g</text>"
            "<text x=\"4\" y=\"%d\" font-size=\"10\">%g</text>\n</svg>\n",
            hi, CHART_H - 4, lo);
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
            chart(out, r, v);
    alerts_table(out, r, true);
    gaps_table(out, r, true);
    actions_table(out, r, true);
    fputs("</body></html>\n", out);
    return finish(out);
}
