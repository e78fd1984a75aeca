/* SPDX-License-Identifier: MIT */
/* An export's output buffer and the cell text written into it without printf. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "obuf.h"

void vsd_obuf_init(struct vsd_obuf *b, FILE *out, char *buf, size_t cap)
{
    b->out = out;
    b->buf = buf;
    b->cap = cap;
    b->len = 0;
}

void vsd_obuf_flush(struct vsd_obuf *b)
{
    if (b->len)
        fwrite(b->buf, 1, b->len, b->out); /* a short write sets ferror(out) */
    b->len = 0;
}

void vsd_obuf_spill(struct vsd_obuf *b, const char *s, size_t n)
{
    vsd_obuf_flush(b);
    if (n > b->cap) {
        fwrite(s, 1, n, b->out);
        return;
    }
    memcpy(b->buf, s, n);
    b->len = n;
}

/* U in decimal, right-aligned to END; returns where it starts. */
static char *digits(char *end, uint64_t u)
{
    do {
        *--end = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    return end;
}

void vsd_obuf_int(struct vsd_obuf *b, int64_t v)
{
    char tmp[24], *p = digits(tmp + sizeof(tmp), v < 0 ? 0 - (uint64_t)v : (uint64_t)v);

    if (v < 0)
        *--p = '-';
    vsd_obuf_put(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* V = M / 1000 exactly as doubles divide (correctly rounded), so V is the double nearest to the
 * decimal M / 1000, which has at most 10 significant digits: rounding V to 10 ("%.10g") or 15
 * (cJSON's "%1.15g", then its round-trip check passes) significant digits gives that decimal,
 * in plain notation below 10^7 and from 0.001 up, trailing zeros dropped. */
size_t vsd_fmt_short_decimal(double v, char out[24])
{
    char tmp[24], *end = tmp + sizeof(tmp), *p = end;
    int64_t m;
    uint64_t u, frac;
    int places = 3;

    if (!(fabs(v) < 1e7) || (v == 0 && signbit(v)))
        return 0; /* also NaN; "-0" is printed "-0" by one, "0" by the other */
    m = llround(v * 1000.0);
    if ((double)m / 1000.0 != v)
        return 0;
    u = m < 0 ? 0 - (uint64_t)m : (uint64_t)m;
    frac = u % 1000;
    if (frac) {
        for (; frac % 10 == 0; frac /= 10)
            places--;
        for (int i = 0; i < places; i++, frac /= 10)
            *--p = (char)('0' + frac % 10);
        *--p = '.';
    }
    p = digits(p, u / 1000);
    if (m < 0)
        *--p = '-';
    memcpy(out, p, (size_t)(end - p));
    return (size_t)(end - p);
}

int vsd_obuf_json_number(struct vsd_obuf *b, double v)
{
    char num[24], *text;
    size_t n = vsd_fmt_short_decimal(v, num);
    cJSON *item;

    if (n) {
        vsd_obuf_put(b, num, n);
        return 0;
    }
    item = cJSON_CreateNumber(v); /* the rare other number: cJSON's own digits */
    text = item ? cJSON_PrintUnformatted(item) : NULL;
    cJSON_Delete(item);
    if (!text)
        return -ENOMEM;
    vsd_obuf_puts(b, text);
    free(text);
    return 0;
}

/* One byte C (not NUL) that JSON needs escaped: its short form, else \u00XX. */
static void json_escape(struct vsd_obuf *b, unsigned char c)
{
    static const char hex[] = "0123456789abcdef", shorts[] = "\"\\\b\f\n\r\t",
                      letters[] = "\"\\bfnrt";
    const char *short_form = strchr(shorts, c);
    char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};

    if (short_form) {
        e[1] = letters[short_form - shorts];
        vsd_obuf_put(b, e, 2);
    } else {
        vsd_obuf_put(b, e, sizeof(e));
    }
}

void vsd_obuf_json_text(struct vsd_obuf *b, const char *s)
{
    const char *run = s;

    for (;; s++) {
        unsigned char c = (unsigned char)*s;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        vsd_obuf_put(b, run, (size_t)(s - run));
        if (!c)
            return;
        json_escape(b, c);
        run = s + 1;
    }
}

/* A formula trigger for spreadsheets (T37). */
static bool starts_formula(const char *s)
{
    return s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r';
}

void vsd_obuf_csv_cell(struct vsd_obuf *b, const char *s)
{
    const char *q;
    size_t n;
    bool formula;

    if (!s)
        return;
    n = strcspn(s, ",\"\r\n");
    formula = starts_formula(s);
    if (!formula && !s[n]) {
        vsd_obuf_put(b, s, n);
        return;
    }
    vsd_obuf_putc(b, '"');
    if (formula)
        vsd_obuf_putc(b, '\'');
    for (; (q = strchr(s, '"')) != NULL; s = q + 1) {
        vsd_obuf_put(b, s, (size_t)(q - s + 1));
        vsd_obuf_putc(b, '"');
    }
    vsd_obuf_puts(b, s);
    vsd_obuf_putc(b, '"');
}

/* The text of second SEC (of TS): within the cached day only its "HH:MM:SS" is written anew,
 * else vsd_clock_iso8601 formats it. */
static void set_second(struct vsd_obuf_time *c, int64_t ts, int64_t sec)
{
    int64_t day = sec / 86400 - (sec % 86400 < 0), sod = sec - day * 86400;
    char *t;

    if (c->sec != INT64_MIN && day == c->day && c->len >= 8) {
        t = c->text + c->len - 8;
        t[0] = (char)('0' + sod / 36000);
        t[1] = (char)('0' + sod / 3600 % 10);
        t[3] = (char)('0' + sod / 600 % 6);
        t[4] = (char)('0' + sod / 60 % 10);
        t[6] = (char)('0' + sod % 60 / 10);
        t[7] = (char)('0' + sod % 10);
    } else {
        vsd_clock_iso8601(ts, c->text, sizeof(c->text));
        c->len = strlen(c->text);
        c->len = c->len >= 5 ? c->len - 5 : 0; /* without ".123Z" */
    }
    c->sec = sec;
    c->day = day;
}

void vsd_obuf_time(struct vsd_obuf *b, struct vsd_obuf_time *c, int64_t ts)
{
    int64_t sec = ts / 1000, ms = ts % 1000;
    char frac[5];

    if (ms < 0) {
        ms += 1000;
        sec--;
    }
    if (sec != c->sec)
        set_second(c, ts, sec);
    vsd_obuf_put(b, c->text, c->len);
    frac[0] = '.';
    frac[1] = (char)('0' + ms / 100);
    frac[2] = (char)('0' + ms / 10 % 10);
    frac[3] = (char)('0' + ms % 10);
    frac[4] = 'Z';
    vsd_obuf_put(b, frac, sizeof(frac));
}
