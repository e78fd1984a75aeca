/* SPDX-License-Identifier: MIT */
/* Masimo ASCII 1 lines: timestamp check, TAG=value tokens, dashes for missing, EXC/ALARM masks. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <vitalsd/reading.h>

#include "masimo_line.h"

#define STAMP_LEN 17 /* MM/DD/YY HH:MM:SS */
#define FIELD_MAX 6  /* the widest field is "03.45" / "--.--" */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool stamp_ok(const char *s, size_t len)
{
    static const char pattern[] = "99/99/99 99:99:99";

    if (len < STAMP_LEN)
        return false;
    for (size_t i = 0; i < STAMP_LEN; i++)
        if (pattern[i] == '9' ? !is_digit(s[i]) : s[i] != pattern[i])
            return false;
    return len == STAMP_LEN || s[STAMP_LEN] == ' ';
}

/* "097%", "03.45%", "+05", "---%", "+--": optional sign, digits with at most one point (or only
 * dashes and points), optional "%", at most FIELD_MAX characters between sign and "%" (fuzzing
 * found 30-digit "values" accepted before that bound). Returns 0 or -EBADMSG. */
static int parse_number(const char *v, size_t len, struct vsd_masimo_field *f)
{
    size_t i = 0, digits = 0, dashes = 0, points = 0;
    char tmp[32];

    if (len > 0 && v[len - 1] == '%')
        len--;
    if (len > 0 && (v[0] == '+' || v[0] == '-') && len > 1)
        i = 1;
    if (len == 0 || len - i > FIELD_MAX || len >= sizeof(tmp))
        return -EBADMSG;
    for (size_t k = i; k < len; k++) {
        digits += is_digit(v[k]);
        dashes += v[k] == '-';
        points += v[k] == '.';
    }
    if (points > 1 || digits + dashes + points != len - i || (digits && dashes) ||
        (!digits && !dashes))
        return -EBADMSG;
    f->present = true;
    if (dashes) {
        f->value = NAN;
        return 0;
    }
    memcpy(tmp, v, len);
    tmp[len] = '\0';
    f->value = strtod(tmp, NULL);
    return 0;
}

/* Hex digits, optionally followed by ":TEXT" (the ASCII 2 form "800:SET"). */
static int parse_hex(const char *v, size_t len, uint32_t *ret)
{
    uint32_t x = 0;
    size_t i;

    for (i = 0; i < len && v[i] != ':'; i++) {
        char c = v[i];
        int d = is_digit(c)              ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0 || i >= 8)
            return -EBADMSG;
        x = x << 4 | (uint32_t)d;
    }
    if (i == 0)
        return -EBADMSG;
    *ret = x;
    return 0;
}

/* The numeric field of R that TAG names, or NULL. */
static struct vsd_masimo_field *field_of(struct vsd_masimo_record *r, const char *tag, size_t n)
{
    static const struct {
        const char *tag;
        size_t offset;
    } tags[] = {
        {"SPO2", offsetof(struct vsd_masimo_record, spo2)},
        {"BPM", offsetof(struct vsd_masimo_record, bpm)},
        {"PR", offsetof(struct vsd_masimo_record, bpm)}, /* ASCII 2 / trend form */
        {"PI", offsetof(struct vsd_masimo_record, pi)},
        {"SPCO", offsetof(struct vsd_masimo_record, spco)},
        {"SPMET", offsetof(struct vsd_masimo_record, spmet)},
        {"PVI", offsetof(struct vsd_masimo_record, pvi)},
    };

    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
        if (strlen(tags[i].tag) == n && strncasecmp(tags[i].tag, tag, n) == 0)
            return (struct vsd_masimo_field *)((char *)r + tags[i].offset);
    return NULL;
}

/* One TAG=value token into R. Unknown tags are ignored; a known one twice is an error. */
static int parse_token(const char *t, size_t len, struct vsd_masimo_record *r)
{
    const char *eq = memchr(t, '=', len);
    size_t tl, vl;
    struct vsd_masimo_field *f;

    if (!eq)
        return 0; /* a stray token such as "#" */
    tl = (size_t)(eq - t);
    vl = len - tl - 1;
    f = field_of(r, t, tl);
    if (f)
        return f->present ? -EBADMSG : parse_number(eq + 1, vl, f);
    if (tl == 5 && strncasecmp(t, "ALARM", 5) == 0) {
        if (r->has_alarm)
            return -EBADMSG;
        r->has_alarm = true;
        return parse_hex(eq + 1, vl, &r->alarm);
    }
    if (tl == 2 && strncasecmp(t, "SN", 2) == 0) {
        if (r->sn[0] || vl > VSD_MASIMO_SN_MAX)
            return -EBADMSG;
        memcpy(r->sn, eq + 1, vl); /* printable, no spaces: the line was checked */
        r->sn[vl] = '\0';
        return 0;
    }
    if (tl == 3 && strncasecmp(t, "EXC", 3) == 0) {
        if (r->has_exc)
            return -EBADMSG;
        r->has_exc = true;
        return parse_hex(eq + 1, vl, &r->exc);
    }
    return 0;
}

int vsd_masimo_parse_line(const char *line, size_t len, struct vsd_masimo_record *out)
{
    struct vsd_masimo_record r;
    size_t i = STAMP_LEN;

    memset(&r, 0, sizeof(r));
    if (len > VSD_MASIMO_LINE_MAX || !stamp_ok(line, len))
        return -EBADMSG;
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)line[k] < 0x20 || (unsigned char)line[k] > 0x7e)
            return -EBADMSG;
    while (i < len) {
        size_t start, end;

        while (i < len && line[i] == ' ')
            i++;
        start = i;
        while (i < len && line[i] != ' ')
            i++;
        end = i;
        if (end > start && parse_token(line + start, end - start, &r) < 0)
            return -EBADMSG;
    }
    if (!r.spo2.present && !r.bpm.present)
        return -EBADMSG;
    *out = r;
    return 0;
}

uint32_t vsd_masimo_exc_flags(uint32_t exc)
{
    uint32_t q = 0;

    if (exc & (VSD_MASIMO_EXC_NO_SENSOR | VSD_MASIMO_EXC_SENSOR_OFF |
               VSD_MASIMO_EXC_DEFECTIVE_SENSOR | VSD_MASIMO_EXC_UNRECOGNISED_SENSOR |
               VSD_MASIMO_EXC_INCOMPATIBLE_SENSOR | VSD_MASIMO_EXC_NO_CABLE))
        q |= VSD_Q_SENSOR_OFF;
    if (exc & VSD_MASIMO_EXC_LOW_PERFUSION)
        q |= VSD_Q_LOW_PERFUSION;
    if (exc & (VSD_MASIMO_EXC_PULSE_SEARCH | VSD_MASIMO_EXC_SENSOR_CALIBRATING))
        q |= VSD_Q_SEARCHING;
    if (exc & (VSD_MASIMO_EXC_INTERFERENCE | VSD_MASIMO_EXC_AMBIENT_LIGHT | VSD_MASIMO_EXC_LOW_SIQ))
        q |= VSD_Q_ARTIFACT;
    return q;
}

void vsd_masimo_init(struct vsd_masimo *m)
{
    memset(m, 0, sizeof(*m));
}

static void end_line(struct vsd_masimo *m)
{
    struct vsd_masimo_record r;
    size_t len = m->len;

    if (len > 0 && m->line[len - 1] == '\r')
        len--;
    if (m->overflow || vsd_masimo_parse_line(m->line, len, &r) < 0) {
        if (m->overflow || len > 0) /* blank lines are not garbage */
            m->bad_lines++;
    } else {
        if (m->n_done == VSD_MASIMO_MAX_RECORDS) {
            memmove(m->done, m->done + 1, sizeof(m->done[0]) * (VSD_MASIMO_MAX_RECORDS - 1));
            m->n_done--;
        }
        m->done[m->n_done++] = r;
        m->good_lines++;
    }
    m->len = 0;
    m->overflow = false;
}

void vsd_masimo_feed(struct vsd_masimo *m, const uint8_t *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            end_line(m);
        } else if (m->len < VSD_MASIMO_LINE_MAX + 1) {
            m->line[m->len++] = (char)buf[i];
        } else {
            m->overflow = true;
        }
    }
}

unsigned vsd_masimo_take(struct vsd_masimo *m, struct vsd_masimo_record *out, unsigned max)
{
    unsigned k = m->n_done < max ? m->n_done : max;

    memcpy(out, m->done, sizeof(out[0]) * k);
    memmove(m->done, m->done + k, sizeof(m->done[0]) * (m->n_done - k));
    m->n_done -= k;
    return k;
}

void vsd_masimo_take_counts(struct vsd_masimo *m, unsigned *bad, unsigned *good)
{
    *bad = m->bad_lines;
    *good = m->good_lines;
    m->bad_lines = m->good_lines = 0;
}
