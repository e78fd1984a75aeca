/* SPDX-License-Identifier: MIT */
/* One vital's chart for the HTML report, as inline SVG: a time axis (UTC), the values as a line
 * broken wherever readings are missing or unusable, each limit band as a labelled dashed line
 * over the time it applied, monitoring gaps in grey and alert periods shaded. */
#include <inttypes.h>
#include <string.h>

#include "alarm_limits.h"
#include "clock.h"
#include "report.h"

#define W 720
#define H 180
#define X0 48 /* plot area: left of it the value scale */
#define X1 (W - 12)
#define Y0 10
#define Y1 (H - 34) /* below it the time axis */
#define BUCKETS 320

struct frame {
    int64_t t0, t1;
    double lo, hi;
};

static double fx(const struct frame *f, int64_t t)
{
    double span = (double)(f->t1 > f->t0 ? f->t1 - f->t0 : 1);
    if (t < f->t0)
        t = f->t0;
    if (t > f->t1)
        t = f->t1;
    return X0 + (double)(t - f->t0) / span * (X1 - X0);
}

static double fy(const struct frame *f, double v)
{
    return Y1 - (v - f->lo) / (f->hi - f->lo) * (Y1 - Y0);
}

static const char *priority_colour(enum vsd_priority p)
{
    return p == VSD_PRIO_HIGH ? "#b00000" : p == VSD_PRIO_MEDIUM ? "#c06000" : "#707070";
}

/* Text from the database inside SVG. */
static void put_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '<' || *s == '>' || *s == '&' || *s == '"')
            fputs(*s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : "&quot;", out);
        else if ((unsigned char)*s >= 0x20)
            putc(*s, out);
    }
}

static void put_clock(FILE *out, int64_t ms, bool seconds)
{
    char iso[40];

    vsd_clock_iso8601(ms, iso, sizeof(iso)); /* 2026-11-22T05:13:33.049Z */
    fprintf(out, "%.*s", seconds ? 8 : 5, strlen(iso) > 19 ? iso + 11 : iso);
}

static void time_axis(FILE *out, const struct frame *f)
{
    static const int64_t steps_s[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                      600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};
    int64_t span = f->t1 - f->t0, step = steps_s[sizeof(steps_s) / sizeof(steps_s[0]) - 1] * 1000;

    for (size_t i = 0; i < sizeof(steps_s) / sizeof(steps_s[0]); i++)
        if (span / (steps_s[i] * 1000) <= 6) {
            step = steps_s[i] * 1000;
            break;
        }
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", X0, X1, Y1,
            Y1);
    for (int64_t t = (f->t0 + step - 1) / step * step; t <= f->t1; t += step) {
        double x = fx(f, t);
        fprintf(out,
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#444\"/>"
                "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#e4e4e4\"/>"
                "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">",
                x, x, Y1, Y1 + 4, x, x, Y0, Y1, x, Y1 + 15);
        put_clock(out, t, step < 60000);
        fputs("</text>\n", out);
    }
    fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"end\">time (UTC)</text>\n",
            X1, H - 4);
}

static void value_axis(FILE *out, const struct frame *f, const char *unit)
{
    for (int k = 0; k <= 2; k++) {
        double v = f->lo + (f->hi - f->lo) * k / 2;
        fprintf(out, "<text x=\"%d\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\">%.*f</text>\n",
                X0 - 4, fy(f, v) + 3, f->hi - f->lo >= 5 ? 0 : 1, v);
    }
    fprintf(out, "<text x=\"4\" y=\"%d\" font-size=\"10\">", H - 4);
    put_text(out, unit);
    fputs("</text>\n", out);
}

/* Grey where the vital was not measured, shaded where one of its alerts was active. */
static void shading(FILE *out, const struct vsd_report *r, int v, const struct frame *f)
{
    const char *name = vsd_vital_info((enum vsd_vital)v)->name;

    for (size_t i = 0; i < r->n_gaps; i++) {
        const struct vsd_report_gap *g = &r->gaps[i];
        if (!(g->vitals & (1u << v)))
            continue;
        fprintf(out,
                "<rect class=\"gap\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                "fill=\"#d8d8d8\"><title>monitoring gap: ",
                fx(f, g->from_ms), Y0, fx(f, g->to_ms) - fx(f, g->from_ms), Y1 - Y0);
        put_text(out, g->reason);
        fprintf(out,
                "</title></rect><text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#555\">gap"
                "</text>\n",
                fx(f, g->from_ms) + 2, Y0 + 10);
    }
    for (size_t i = 0; i < r->n_alerts; i++) {
        const struct vsd_report_alert *a = &r->alerts[i];
        int64_t end = a->cleared_ms ? a->cleared_ms : f->t1;
        if (strcmp(a->vital, name) != 0 || !a->raised_ms)
            continue;
        fprintf(out,
                "<rect class=\"alert\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                "fill=\"%s\" fill-opacity=\"0.18\"><title>alert ",
                fx(f, a->raised_ms), Y0, fx(f, end) - fx(f, a->raised_ms) + 0.5, Y1 - Y0,
                a->has_limit ? "#d00000" : "#6a3d9a");
        put_text(out, a->code);
        fputs(" (", out);
        put_text(out, a->priority);
        fputs(")</title></rect>\n", out);
    }
}

/* Each band as a dashed line over the time its limits applied, labelled at its start. */
static void limit_lines(FILE *out, const struct vsd_report *r, int v, const struct frame *f)
{
    char text[64];

    for (size_t i = 0; i < r->n_periods; i++) {
        const struct vsd_report_period *p = &r->periods[i];
        if (p->vital != v || !p->known)
            continue;
        for (size_t k = 0; k < p->limit.n_bands; k++) {
            const struct vsd_band *b = &p->limit.bands[k];
            double y = fy(f, b->limit);
            vsd_report_band_text(b, text, sizeof(text));
            fprintf(out,
                    "<line class=\"limit\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" "
                    "stroke=\"%s\" stroke-dasharray=\"4 3\"/>"
                    "<text class=\"limit-label\" x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                    "fill=\"%s\">%s</text>\n",
                    fx(f, p->from_ms), fx(f, p->to_ms), y, y, priority_colour(b->priority),
                    fx(f, p->from_ms) + 3, b->high || y + 9 > Y1 - 2 ? y - 2 : y + 9,
                    priority_colour(b->priority), text);
        }
    }
}

/* The values: one polyline per run of joined readings; the min and max of each bucket when
 * there are many. */
static void value_lines(FILE *out, const struct vsd_report_series *s, const struct frame *f)
{
    size_t step = s->n > 2 * BUCKETS ? s->n / BUCKETS : 1;

    for (size_t start = 0; start < s->n;) {
        size_t end = start + 1;
        while (end < s->n && !s->brk[end])
            end++;
        if (end - start == 1) {
            fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.5\" fill=\"#1f5fa8\"/>\n",
                    fx(f, s->ts[start]), fy(f, s->v[start]));
        } else {
            fputs("<polyline class=\"values\" fill=\"none\" stroke=\"#1f5fa8\" "
                  "stroke-width=\"1.2\" points=\"",
                  out);
            for (size_t i = start; i < end; i += step) {
                size_t stop = i + step < end ? i + step : end, jmin = i, jmax = i;
                for (size_t j = i; j < stop; j++) {
                    jmin = s->v[j] < s->v[jmin] ? j : jmin;
                    jmax = s->v[j] > s->v[jmax] ? j : jmax;
                }
                for (int k = 0; k < (jmin == jmax ? 1 : 2); k++) {
                    size_t j = (k == 0) == (jmin < jmax) ? jmin : jmax;
                    fprintf(out, "%.1f,%.1f ", fx(f, s->ts[j]), fy(f, s->v[j]));
                }
            }
            fputs("\"/>\n", out);
        }
        start = end;
    }
}

void vsd_report_chart(FILE *out, const struct vsd_report *r, int v)
{
    const struct vsd_report_series *s = &r->series[v];
    const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)v);
    struct frame f = {r->started_ms, r->ended_ms > r->started_ms ? r->ended_ms : r->started_ms + 1,
                      s->min, s->max};

    for (size_t i = 0; i < r->n_periods; i++)
        for (size_t k = 0;
             r->periods[i].vital == v && r->periods[i].known && k < r->periods[i].limit.n_bands;
             k++) {
            double l = r->periods[i].limit.bands[k].limit;
            f.lo = l < f.lo ? l : f.lo;
            f.hi = l > f.hi ? l : f.hi;
        }
    if (f.hi - f.lo < 1) {
        f.lo -= 1;
        f.hi += 1;
    }
    double pad = (f.hi - f.lo) * 0.08;
    f.lo -= pad;
    f.hi += pad;
    fprintf(out,
            "<h3>%s (%s)</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
            "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s over time\">\n"
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#fafafa\" "
            "stroke=\"#ccc\"/>\n",
            vi->label, vi->unit, W, H, W, H, vi->label, X0, Y0, X1 - X0, Y1 - Y0);
    shading(out, r, v, &f);
    time_axis(out, &f);
    value_axis(out, &f, vi->unit);
    limit_lines(out, r, v, &f);
    value_lines(out, s, &f);
    fputs("</svg>\n<p class=\"legend\">Blue: the usable readings, the line broken where there "
          "were none or only unusable ones. Dashed: each limit band over the time it applied. "
          "Grey: a monitoring gap of this vital. Shaded red: a limit alert active; purple: a "
          "technical alert active.</p>\n",
          out);
}
