/* SPDX-License-Identifier: MIT */
/* Which limits applied when: the configuration's from the start of the visit, then each session
 * override (limits_set, limits_reset) the audit trail records, and the time each vital spent
 * past each band while it applied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alarm_limits.h"
#include "report.h"

void vsd_report_band_text(const struct vsd_band *b, char *buf, size_t size)
{
    snprintf(buf, size, "%s %g %s", b->high ? "above" : "below", b->limit,
             vsd_priority_name(b->priority));
}

/* An accepted change of this session's limits: its vital, or -1. */
static int override_vital(const struct vsd_report *r, const struct vsd_report_action *a,
                          cJSON **detail)
{
    const cJSON *s, *res, *vital;
    int v;

    *detail = NULL;
    if (strcmp(a->action, "limits_set") != 0 && strcmp(a->action, "limits_reset") != 0)
        return -1;
    if (!a->detail || !(*detail = cJSON_Parse(a->detail)))
        return -1;
    s = cJSON_GetObjectItemCaseSensitive(*detail, "session");
    res = cJSON_GetObjectItemCaseSensitive(*detail, "result");
    vital = cJSON_GetObjectItemCaseSensitive(*detail, "vital");
    if (!cJSON_IsString(s) || strcmp(s->valuestring, r->session) != 0 || !cJSON_IsString(res) ||
        strcmp(res->valuestring, "done") != 0 || !cJSON_IsString(vital) ||
        (v = vsd_vital_from_name(vital->valuestring)) < 0) {
        cJSON_Delete(*detail);
        *detail = NULL;
        return -1;
    }
    return v;
}

static bool limit_from(const cJSON *detail, const char *member, struct vsd_limit *lim)
{
    char err[256];

    memset(lim, 0, sizeof(*lim));
    return vsd_limit_from_json(cJSON_GetObjectItemCaseSensitive(detail, member), lim, err,
                               sizeof(err)) == 0;
}

static struct vsd_report_period *add_period(struct vsd_report *r, int v, int64_t from)
{
    struct vsd_report_period *p = realloc(r->periods, (r->n_periods + 1) * sizeof(*p));

    if (!p)
        return NULL;
    r->periods = p;
    p = &r->periods[r->n_periods++];
    memset(p, 0, sizeof(*p));
    p->vital = v;
    p->from_ms = from;
    p->to_ms = r->ended_ms > from ? r->ended_ms : from;
    return p;
}

static int vital_periods(struct vsd_report *r, int v)
{
    struct vsd_report_period *p;
    bool first = true, wanted = r->series[v].n > 0 || r->series[v].unusable > 0;
    size_t start = r->n_periods;

    if (!(p = add_period(r, v, r->started_ms)))
        return -ENOMEM;
    snprintf(p->source, sizeof(p->source), "configuration");
    if (r->limits) {
        p->limit = r->limits->limits[v];
        p->known = true;
    }
    for (size_t i = 0; i < r->n_actions; i++) {
        const struct vsd_report_action *a = &r->actions[i];
        cJSON *detail;
        struct vsd_limit lim;

        if (override_vital(r, a, &detail) != v) { /* another vital's change, or none */
            cJSON_Delete(detail);
            continue;
        }
        wanted = true;
        p = &r->periods[r->n_periods - 1];
        if (first && !p->known) /* no configuration given: the daemon recorded what was replaced */
            p->known = limit_from(detail, "previous", &p->limit);
        first = false;
        p->to_ms = a->ts_ms > p->from_ms ? a->ts_ms : p->from_ms;
        if (!(p = add_period(r, v, a->ts_ms))) {
            cJSON_Delete(detail);
            return -ENOMEM;
        }
        p->known = limit_from(detail, "new", &lim);
        p->limit = lim;
        snprintf(p->source, sizeof(p->source), "%s",
                 strcmp(a->action, "limits_reset") == 0 ? "reset to configuration"
                                                        : "session override");
        snprintf(p->by, sizeof(p->by), "%s", a->actor);
        cJSON_Delete(detail);
    }
    if (!wanted && !(r->periods[start].known && r->periods[start].limit.n_bands > 0))
        r->n_periods = start; /* a vital neither measured, limited nor changed: not listed */
    return 0;
}

const struct vsd_limit *vsd_report_limit_at(const struct vsd_report *r, int v, int64_t ts)
{
    const struct vsd_report_period *found = NULL;

    for (size_t i = 0; i < r->n_periods; i++) {
        const struct vsd_report_period *p = &r->periods[i];
        if (p->vital == v && (!found || p->from_ms <= ts))
            found = p;
    }
    return found && found->known ? &found->limit : NULL;
}

static struct vsd_report_period *period_at(struct vsd_report *r, int v, int64_t ts)
{
    struct vsd_report_period *found = NULL;

    for (size_t i = 0; i < r->n_periods; i++)
        if (r->periods[i].vital == v && (!found || r->periods[i].from_ms <= ts))
            found = &r->periods[i];
    return found;
}

static void time_beyond(struct vsd_report *r, int v)
{
    struct vsd_report_series *s = &r->series[v];

    for (size_t i = 0; i + 1 < s->n; i++) {
        struct vsd_report_period *p = period_at(r, v, s->ts[i]);
        int64_t held = s->ts[i + 1] - s->ts[i];
        double low = 0, high = 0;

        if (!p || !p->known)
            continue;
        if (held > VSD_REPORT_GAP_MS)
            held = VSD_REPORT_GAP_MS;
        for (size_t k = 0; k < p->limit.n_bands; k++) {
            const struct vsd_band *b = &p->limit.bands[k];
            if (b->high ? s->v[i] > b->limit : s->v[i] < b->limit)
                p->beyond_ms[k] += held;
        }
        if (vsd_limit_low(&p->limit, &low) && s->v[i] < low)
            s->below_ms += held;
        if (vsd_limit_high(&p->limit, &high) && s->v[i] > high)
            s->above_ms += held;
    }
}

int vsd_report_periods(struct vsd_report *r)
{
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        if (vital_periods(r, v) < 0)
            return -ENOMEM;
        time_beyond(r, v);
    }
    return 0;
}
