/* SPDX-License-Identifier: MIT */
/* Nellcor real-time data port lines: heading lines, data lines (timestamp, SpO2, BPM, PA, status
 * codes), dashes for no value. Line format: Nellcor NPB-290 / NPB-295 Operator's Manual, "Data
 * Port Protocol" appendix; the status codes as the OpenICE N-595 driver (mdpnp) reads them. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <vitalsd/reading.h>

#include "nellcor_line.h"

#define STAMP_LEN 18 /* dd-MMM-yy HH:MM:SS */
#define FIELD_MAX 5  /* up to 3 digits or dashes and '*' marks: "100*" */
#define TOKENS_MAX 24

struct token {
    const char *s;
    size_t n;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool month_ok(const char *m)
{
    static const char months[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";

    for (size_t i = 0; i < sizeof(months) - 1; i += 3)
        if (strncasecmp(months + i, m, 3) == 0)
            return true;
    return false;
}

static bool stamp_ok(const char *s, size_t len)
{
    static const char pattern[] = "99-AAA-99 99:99:99";

    if (len < STAMP_LEN)
        return false;
    for (size_t i = 0; i < STAMP_LEN; i++)
        if (pattern[i] == '9' ? !is_digit(s[i]) : pattern[i] != 'A' && s[i] != pattern[i])
            return false;
    return month_ok(s + 3) && (len == STAMP_LEN || s[STAMP_LEN] == ' ' || s[STAMP_LEN] == '\t');
}

/* Split LINE into blank-separated tokens; returns how many (at most MAX). */
static size_t split(const char *line, size_t len, struct token *t, size_t max)
{
    size_t n = 0, i = 0;

    while (i < len && n < max) {
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        t[n].s = line + i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        t[n].n = (size_t)(line + i - t[n].s);
        n++;
    }
    return n;
}

/* "97", "100", "---", "85*": 1 to 3 digits or only dashes, '*' marks anywhere. */
static int parse_field(const struct token *t, struct vsd_nellcor_field *f)
{
    size_t digits = 0, dashes = 0, marks = 0;
    int v = 0;

    if (t->n > FIELD_MAX)
        return -EBADMSG;
    for (size_t i = 0; i < t->n; i++) {
        char c = t->s[i];

        digits += is_digit(c);
        dashes += c == '-';
        marks += c == '*';
        if (is_digit(c))
            v = v * 10 + (c - '0');
    }
    if (digits + dashes + marks != t->n || (digits && dashes) || digits > 3 || !(digits || dashes))
        return -EBADMSG;
    f->value = dashes ? NAN : v;
    f->marked = marks > 0;
    return 0;
}

static int parse_status(const struct token *t, struct vsd_nellcor_record *r)
{
    static const char codes[] = "AOASLBLMLPMOPHPLPSSDSHSLSO"; /* in enum order */

    if (t->n != 2 || t->s[0] < 'A' || t->s[0] > 'Z' || t->s[1] < 'A' || t->s[1] > 'Z')
        return -EBADMSG;
    for (size_t i = 0; i < sizeof(codes) - 1; i += 2)
        if (codes[i] == t->s[0] && codes[i + 1] == t->s[1]) {
            r->status |= 1u << (i / 2);
            return 0;
        }
    r->unknown++;
    return 0;
}

static int parse_data(const char *line, size_t len, struct vsd_nellcor_record *r)
{
    struct token t[TOKENS_MAX];
    size_t n = split(line + STAMP_LEN, len - STAMP_LEN, t, TOKENS_MAX);

    if (n < 3 || n == TOKENS_MAX)
        return -EBADMSG;
    if (parse_field(&t[0], &r->spo2) < 0 || parse_field(&t[1], &r->bpm) < 0 ||
        parse_field(&t[2], &r->pa) < 0)
        return -EBADMSG;
    for (size_t i = 3; i < n; i++)
        if (parse_status(&t[i], r) < 0)
            return -EBADMSG;
    return 0;
}

static bool has(const char *line, size_t len, const char *what)
{
    size_t k = strlen(what);

    for (size_t i = 0; i + k <= len; i++)
        if (strncasecmp(line + i, what, k) == 0)
            return true;
    return false;
}

/* The heading lines: "<model> VERSION <v> CRC:<x> SpO2 Limit: ...", "TIME %SPO2 BPM PA Status",
 * and the N-595's "ADULT|NEO <n>SAT-S SPO2 RESP MODE: ..." line. */
static bool heading(const char *line, size_t len, char *model)
{
    struct token t[3];
    size_t n = split(line, len, t, 3);

    if (n == 3 && t[1].n == 7 && memcmp(t[1].s, "VERSION", 7) == 0 && has(line, len, "CRC:")) {
        size_t k = (size_t)(t[2].s + t[2].n - line);

        if (model && k <= VSD_NELLCOR_MODEL_MAX) {
            memcpy(model, line, k);
            model[k] = '\0';
        }
        return true;
    }
    if (n >= 1 && t[0].n == 4 && memcmp(t[0].s, "TIME", 4) == 0 && has(line, len, "SPO2"))
        return true;
    return has(line, len, "SAT-S") || has(line, len, "RESP MODE");
}

enum vsd_nellcor_kind vsd_nellcor_parse_line(const char *line, size_t len,
                                             struct vsd_nellcor_record *out, char *model)
{
    struct vsd_nellcor_record r;

    memset(&r, 0, sizeof(r));
    if (model)
        model[0] = '\0';
    if (len > VSD_NELLCOR_LINE_MAX)
        return VSD_NELLCOR_BAD;
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)line[k] > 0x7e || ((unsigned char)line[k] < 0x20 && line[k] != '\t'))
            return VSD_NELLCOR_BAD;
    if (stamp_ok(line, len)) {
        if (parse_data(line, len, &r) < 0)
            return VSD_NELLCOR_BAD;
        *out = r;
        return VSD_NELLCOR_DATA;
    }
    return heading(line, len, model) ? VSD_NELLCOR_HEADING : VSD_NELLCOR_BAD;
}

void vsd_nellcor_model_name(const char *model, char *out, size_t size)
{
    size_t k = strcspn(model, " ");

    if (size == 0)
        return;
    if (k >= size)
        k = size - 1;
    memcpy(out, model, k);
    out[k] = '\0';
}

uint32_t vsd_nellcor_status_flags(uint32_t status)
{
    uint32_t q = 0;

    if (status & (VSD_NELLCOR_SO | VSD_NELLCOR_SD))
        q |= VSD_Q_SENSOR_OFF;
    if (status & (VSD_NELLCOR_PS | VSD_NELLCOR_LP | VSD_NELLCOR_LM))
        q |= VSD_Q_SEARCHING;
    if (status & (VSD_NELLCOR_MO | VSD_NELLCOR_LM))
        q |= VSD_Q_ARTIFACT;
    return q;
}

void vsd_nellcor_init(struct vsd_nellcor *p)
{
    memset(p, 0, sizeof(*p));
    vsd_lines_init(&p->lines, VSD_NELLCOR_LINE_MAX);
}

static void keep(struct vsd_nellcor *p, const struct vsd_nellcor_record *r)
{
    if (p->n_done == VSD_NELLCOR_MAX_RECORDS) {
        memmove(p->done, p->done + 1, sizeof(p->done[0]) * (VSD_NELLCOR_MAX_RECORDS - 1));
        p->n_done--;
    }
    p->done[p->n_done++] = *r;
    p->good_lines++;
}

static void on_line(void *ctx, const char *line, size_t len)
{
    struct vsd_nellcor *p = ctx;
    struct vsd_nellcor_record r;
    char model[VSD_NELLCOR_MODEL_MAX + 1];
    enum vsd_nellcor_kind k;

    k = line ? vsd_nellcor_parse_line(line, len, &r, model) : VSD_NELLCOR_BAD;
    if (k == VSD_NELLCOR_DATA)
        keep(p, &r);
    else if (k == VSD_NELLCOR_BAD && (!line || len > 0)) /* blank lines are not garbage */
        p->bad_lines++;
    else if (k == VSD_NELLCOR_HEADING && model[0] && strcmp(model, p->model) != 0) {
        memcpy(p->model, model, sizeof(model));
        p->model_changed = true;
    }
}

void vsd_nellcor_feed(struct vsd_nellcor *p, const uint8_t *buf, size_t n)
{
    vsd_lines_feed(&p->lines, buf, n, on_line, p);
}

unsigned vsd_nellcor_take(struct vsd_nellcor *p, struct vsd_nellcor_record *out, unsigned max)
{
    unsigned k = p->n_done < max ? p->n_done : max;

    memcpy(out, p->done, sizeof(out[0]) * k);
    memmove(p->done, p->done + k, sizeof(p->done[0]) * (p->n_done - k));
    p->n_done -= k;
    return k;
}

void vsd_nellcor_take_counts(struct vsd_nellcor *p, unsigned *bad, unsigned *good)
{
    *bad = p->bad_lines;
    *good = p->good_lines;
    p->bad_lines = p->good_lines = 0;
}

const char *vsd_nellcor_take_model(struct vsd_nellcor *p)
{
    if (!p->model_changed)
        return NULL;
    p->model_changed = false;
    return p->model;
}
