/* SPDX-License-Identifier: MIT */
/* Nonin legacy ASCII lines: "[HH:MM:SS ]SPO2=XXX HR=YYY", dashes for no value, the markers "*",
 * "F" and "B" (Nonin 8500 Operator's Manual p. 21, 9847 p. 44, BT4000 p. 35, Avant 9600 p. 32). */
#include <math.h>
#include <string.h>

#include <vitalsd/reading.h>

#include "nonin_ascii.h"

#define STAMP_LEN 8 /* HH:MM:SS */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool stamp_ok(const char *s, size_t len)
{
    static const char pattern[] = "99:99:99";

    if (len <= STAMP_LEN || s[STAMP_LEN] != ' ')
        return false;
    for (size_t i = 0; i < STAMP_LEN; i++)
        if (pattern[i] == '9' ? !is_digit(s[i]) : s[i] != pattern[i])
            return false;
    return true;
}

/* "097", "72", "---", "097*": 1 to 3 digits or only dashes, then optional markers. */
static int parse_value(const char *v, size_t n, int max, struct vsd_nonin_value *out)
{
    size_t digits = 0, dashes = 0;
    int x = 0;

    while (n > 0 && (v[n - 1] == '*' || v[n - 1] == 'F' || v[n - 1] == 'B'))
        n--;
    if (n == 0 || n > 3) /* checked first: fuzzing found a long digit run overflowing x */
        return -1;
    for (size_t i = 0; i < n; i++) {
        digits += is_digit(v[i]);
        dashes += v[i] == '-';
        x = is_digit(v[i]) ? x * 10 + (v[i] - '0') : x;
    }
    if (digits + dashes != n || (digits && dashes))
        return -1;
    out->present = true;
    out->value = dashes || x > max ? NAN : x;
    out->flags = isnan(out->value) ? VSD_Q_INVALID : 0;
    return 0;
}

/* One token: SPO2=, HR= (once each), or markers only. */
static int parse_token(const char *t, size_t n, struct vsd_nonin_second *s)
{
    if (n > 5 && memcmp(t, "SPO2=", 5) == 0 && !s->spo2.present)
        return parse_value(t + 5, n - 5, 100, &s->spo2);
    if (n > 3 && memcmp(t, "HR=", 3) == 0 && !s->hr.present)
        return parse_value(t + 3, n - 3, 999, &s->hr);
    for (size_t i = 0; i < n; i++)
        if (t[i] != '*' && t[i] != 'F' && t[i] != 'B')
            return -1;
    return 0;
}

static int parse_data(const char *line, size_t len, struct vsd_nonin_second *s)
{
    size_t i = stamp_ok(line, len) ? STAMP_LEN : 0;

    while (i < len) {
        size_t start;

        while (i < len && line[i] == ' ')
            i++;
        start = i;
        while (i < len && line[i] != ' ')
            i++;
        if (i > start && parse_token(line + start, i - start, s) < 0)
            return -1;
    }
    return s->spo2.present && s->hr.present ? 0 : -1;
}

enum vsd_nonin_ascii_kind vsd_nonin_ascii_parse_line(const char *line, size_t len,
                                                     struct vsd_nonin_second *out)
{
    struct vsd_nonin_second s;

    memset(&s, 0, sizeof(s));
    if (len > VSD_NONIN_ASCII_LINE_MAX)
        return VSD_NONIN_ASCII_BAD;
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)line[k] < 0x20 || (unsigned char)line[k] > 0x7e)
            return VSD_NONIN_ASCII_BAD;
    if (!memchr(line, '=', len))
        return VSD_NONIN_ASCII_OTHER; /* the power-up header, a blank line */
    if (parse_data(line, len, &s) < 0)
        return VSD_NONIN_ASCII_BAD;
    *out = s;
    return VSD_NONIN_ASCII_DATA;
}

void vsd_nonin_ascii_init(struct vsd_nonin_ascii *p)
{
    memset(p, 0, sizeof(*p));
    vsd_lines_init(&p->lines, VSD_NONIN_ASCII_LINE_MAX);
}

static void on_line(void *ctx, const char *line, size_t len)
{
    struct vsd_nonin_ascii *p = ctx;
    struct vsd_nonin_second s;
    enum vsd_nonin_ascii_kind k;

    k = line ? vsd_nonin_ascii_parse_line(line, len, &s) : VSD_NONIN_ASCII_BAD;
    if (k == VSD_NONIN_ASCII_BAD) {
        p->bad_lines++;
    } else if (k == VSD_NONIN_ASCII_DATA) {
        if (p->n_done == VSD_NONIN_MAX_SECONDS) {
            memmove(p->done, p->done + 1, sizeof(p->done[0]) * (VSD_NONIN_MAX_SECONDS - 1));
            p->n_done--;
        }
        p->done[p->n_done++] = s;
        p->good_lines++;
    }
}

void vsd_nonin_ascii_feed(struct vsd_nonin_ascii *p, const uint8_t *buf, size_t n)
{
    vsd_lines_feed(&p->lines, buf, n, on_line, p);
}

unsigned vsd_nonin_ascii_take(struct vsd_nonin_ascii *p, struct vsd_nonin_second *out, unsigned max)
{
    unsigned k = p->n_done < max ? p->n_done : max;

    memcpy(out, p->done, sizeof(out[0]) * k);
    memmove(p->done, p->done + k, sizeof(p->done[0]) * (p->n_done - k));
    p->n_done -= k;
    return k;
}

void vsd_nonin_ascii_take_counts(struct vsd_nonin_ascii *p, unsigned *bad, unsigned *good)
{
    *bad = p->bad_lines;
    *good = p->good_lines;
    p->bad_lines = p->good_lines = 0;
}
