/* SPDX-License-Identifier: MIT */
/* Alarm limits as text and JSON: shared by the configuration, the command handler and vitalsctl. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/option.h>

#include "alarm_limits.h"

#define WORD_MAX 32

/* Split TEXT into at most MAX blank-separated words of WORD_MAX - 1 bytes. */
static int words(const char *text, char w[][WORD_MAX], int max)
{
    int n = 0;

    while (text && *text) {
        size_t len;

        text += strspn(text, " \t");
        len = strcspn(text, " \t");
        if (len == 0)
            break;
        if (n == max || len >= WORD_MAX)
            return -E2BIG;
        memcpy(w[n], text, len);
        w[n++][len] = '\0';
        text += len;
    }
    return n;
}

static int parse_priority(const char *s, enum vsd_priority *p, char *err, size_t errlen)
{
    int r = vsd_priority_parse(s);

    if (r < 0) {
        snprintf(err, errlen, "priority must be low, medium or high, got '%s'", s);
        return -EINVAL;
    }
    *p = (enum vsd_priority)r;
    return 0;
}

static int parse_number(const char *s, double *v, char *err, size_t errlen)
{
    if (vsd_option_parse_double(s, v) < 0 || !isfinite(*v)) {
        snprintf(err, errlen, "'%s' is not a number", s);
        return -EINVAL;
    }
    return 0;
}

int vsd_band_parse(const char *text, struct vsd_band *b, char *err, size_t errlen)
{
    char w[3][WORD_MAX];
    int n = words(text, w, 3);

    if (n < 2 || (strcmp(w[0], "below") != 0 && strcmp(w[0], "above") != 0)) {
        snprintf(err, errlen, "a band is 'below|above NUMBER [low|medium|high]', got '%s'",
                 text ? text : "");
        return -EINVAL;
    }
    b->high = strcmp(w[0], "above") == 0;
    b->priority = VSD_PRIO_MEDIUM;
    if (parse_number(w[1], &b->limit, err, errlen) < 0)
        return -EINVAL;
    return n == 3 ? parse_priority(w[2], &b->priority, err, errlen) : 0;
}

int vsd_rate_parse(const char *text, struct vsd_rate *r, char *err, size_t errlen)
{
    char w[4][WORD_MAX];
    int n = words(text, w, 4);

    if (n != 2 && !(n == 4 && strcmp(w[2], "within") == 0)) {
        snprintf(err, errlen, "a rate is 'NUMBER low|medium|high [within DURATION]', got '%s'",
                 text ? text : "");
        return -EINVAL;
    }
    memset(r, 0, sizeof(*r));
    r->set = true;
    if (parse_number(w[0], &r->delta, err, errlen) < 0 ||
        parse_priority(w[1], &r->priority, err, errlen) < 0)
        return -EINVAL;
    if (r->delta <= 0) {
        snprintf(err, errlen, "the change must be above 0, got %g", r->delta);
        return -EINVAL;
    }
    if (n == 4 && (vsd_option_parse_duration_ms(w[3], &r->within_ms) < 0 || r->within_ms <= 0)) {
        snprintf(err, errlen, "within: '%s' is not a duration like 15m", w[3]);
        return -EINVAL;
    }
    return 0;
}

int vsd_limit_check(const struct vsd_limit *lim, char *err, size_t errlen)
{
    double lowest_high = INFINITY, highest_low = -INFINITY;

    if (lim->n_bands > VSD_BANDS_MAX) {
        snprintf(err, errlen, "at most %d bands per vital", VSD_BANDS_MAX);
        return -EINVAL;
    }
    for (size_t i = 0; i < lim->n_bands; i++) {
        const struct vsd_band *b = &lim->bands[i];

        if (b->high)
            lowest_high = fmin(lowest_high, b->limit);
        else
            highest_low = fmax(highest_low, b->limit);
        for (size_t j = 0; j < i; j++)
            if (lim->bands[j].high == b->high && lim->bands[j].limit == b->limit) {
                snprintf(err, errlen, "two bands %s %g", b->high ? "above" : "below", b->limit);
                return -EINVAL;
            }
    }
    if (highest_low >= lowest_high) {
        snprintf(err, errlen, "a low band (below %g) must be below every high band (above %g)",
                 highest_low, lowest_high);
        return -EINVAL;
    }
    if (isfinite(highest_low) && isfinite(lowest_high) &&
        lim->hysteresis >= lowest_high - highest_low) {
        snprintf(err, errlen, "must be smaller than %g (the room between the bands), got %g",
                 lowest_high - highest_low, lim->hysteresis);
        return -ERANGE;
    }
    return 0;
}

static bool outer_band(const struct vsd_limit *lim, bool high, double *ret)
{
    bool found = false;

    for (size_t i = 0; lim && i < lim->n_bands; i++) {
        const struct vsd_band *b = &lim->bands[i];

        if (b->high == high && (!found || (high ? b->limit < *ret : b->limit > *ret))) {
            *ret = b->limit;
            found = true;
        }
    }
    return found;
}

bool vsd_limit_low(const struct vsd_limit *lim, double *ret)
{
    return outer_band(lim, false, ret);
}

bool vsd_limit_high(const struct vsd_limit *lim, double *ret)
{
    return outer_band(lim, true, ret);
}

static cJSON *rate_json(const struct vsd_rate *r)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "delta", r->delta);
    cJSON_AddStringToObject(o, "priority", vsd_priority_name(r->priority));
    cJSON_AddNumberToObject(o, "within_ms", (double)r->within_ms);
    return o;
}

cJSON *vsd_limit_json(const struct vsd_limit *lim)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *bands = o ? cJSON_AddArrayToObject(o, "bands") : NULL;

    if (!bands)
        goto fail;
    for (size_t i = 0; i < lim->n_bands; i++) {
        cJSON *b = cJSON_CreateObject();

        if (!b || !cJSON_AddItemToArray(bands, b))
            goto fail;
        cJSON_AddNumberToObject(b, lim->bands[i].high ? "above" : "below", lim->bands[i].limit);
        cJSON_AddStringToObject(b, "priority", vsd_priority_name(lim->bands[i].priority));
    }
    cJSON_AddNumberToObject(o, "delay_ms", (double)lim->delay_ms);
    cJSON_AddNumberToObject(o, "hysteresis", lim->hysteresis);
    if (lim->rise.set)
        cJSON_AddItemToObject(o, "rise", rate_json(&lim->rise));
    if (lim->fall.set)
        cJSON_AddItemToObject(o, "fall", rate_json(&lim->fall));
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

static int json_number(const cJSON *j, const char *what, double min, double max, double *v,
                       char *err, size_t errlen)
{
    if (!cJSON_IsNumber(j) || !isfinite(j->valuedouble) || j->valuedouble < min ||
        j->valuedouble > max) {
        snprintf(err, errlen, "%s must be a number from %g to %g", what, min, max);
        return -EINVAL;
    }
    *v = j->valuedouble;
    return 0;
}

static int json_priority(const cJSON *j, enum vsd_priority *p, char *err, size_t errlen)
{
    if (!j) {
        *p = VSD_PRIO_MEDIUM;
        return 0;
    }
    if (!cJSON_IsString(j)) {
        snprintf(err, errlen, "priority must be low, medium or high");
        return -EINVAL;
    }
    return parse_priority(j->valuestring, p, err, errlen);
}

static int band_from_json(const cJSON *j, struct vsd_band *b, char *err, size_t errlen)
{
    const cJSON *below = cJSON_GetObjectItemCaseSensitive(j, "below");
    const cJSON *above = cJSON_GetObjectItemCaseSensitive(j, "above");
    const cJSON *prio = cJSON_GetObjectItemCaseSensitive(j, "priority");

    if (!cJSON_IsObject(j) || !!below == !!above || cJSON_GetArraySize(j) != 1 + !!prio) {
        snprintf(err, errlen, "a band is {\"below\"|\"above\": NUMBER, \"priority\": ...}");
        return -EINVAL;
    }
    b->high = above != NULL;
    if (json_number(b->high ? above : below, "a band's limit", -1e6, 1e6, &b->limit, err,
                    errlen) < 0)
        return -EINVAL;
    return json_priority(prio, &b->priority, err, errlen);
}

static int bands_from_json(const cJSON *j, struct vsd_limit *lim, char *err, size_t errlen)
{
    const cJSON *b;
    size_t n = 0;

    if (!cJSON_IsArray(j) || cJSON_GetArraySize(j) > VSD_BANDS_MAX) {
        snprintf(err, errlen, "bands must be a list of at most %d bands", VSD_BANDS_MAX);
        return -EINVAL;
    }
    cJSON_ArrayForEach(b, j)
    {
        if (band_from_json(b, &lim->bands[n++], err, errlen) < 0)
            return -EINVAL;
    }
    lim->n_bands = n;
    return 0;
}

static int rate_from_json(const cJSON *j, struct vsd_rate *r, char *err, size_t errlen)
{
    const cJSON *within = cJSON_GetObjectItemCaseSensitive(j, "within_ms");
    double w = 0;

    if (cJSON_IsNull(j)) {
        memset(r, 0, sizeof(*r));
        return 0;
    }
    if (!cJSON_IsObject(j) ||
        json_number(cJSON_GetObjectItemCaseSensitive(j, "delta"), "a rate's delta", 1e-9, 1e6,
                    &r->delta, err, errlen) < 0 ||
        json_priority(cJSON_GetObjectItemCaseSensitive(j, "priority"), &r->priority, err,
                      errlen) < 0 ||
        (within && json_number(within, "within_ms", 0, 86400000, &w, err, errlen) < 0)) {
        if (!*err)
            snprintf(err, errlen, "a rate is {\"delta\": N, \"priority\": P, \"within_ms\": MS}");
        return -EINVAL;
    }
    r->within_ms = (int64_t)w;
    r->set = true;
    return 0;
}

int vsd_limit_from_json(const cJSON *json, struct vsd_limit *lim, char *err, size_t errlen)
{
    const cJSON *m;
    double v;
    int r = 0;

    *err = '\0';
    if (!cJSON_IsObject(json)) {
        snprintf(err, errlen, "limits must be an object");
        return -EINVAL;
    }
    cJSON_ArrayForEach(m, json)
    {
        if (strcmp(m->string, "bands") == 0)
            r = bands_from_json(m, lim, err, errlen);
        else if (strcmp(m->string, "rise") == 0)
            r = rate_from_json(m, &lim->rise, err, errlen);
        else if (strcmp(m->string, "fall") == 0)
            r = rate_from_json(m, &lim->fall, err, errlen);
        else if (strcmp(m->string, "delay_ms") == 0 &&
                 (r = json_number(m, "delay_ms", 0, 600000, &v, err, errlen)) == 0)
            lim->delay_ms = (int64_t)v;
        else if (strcmp(m->string, "hysteresis") == 0 &&
                 (r = json_number(m, "hysteresis", 0, 1e6, &v, err, errlen)) == 0)
            lim->hysteresis = v;
        else if (!*err) {
            snprintf(err, errlen, "unknown limit setting '%s'", m->string);
            r = -EINVAL;
        }
        if (r < 0)
            return -EINVAL;
    }
    return vsd_limit_check(lim, err, errlen);
}
