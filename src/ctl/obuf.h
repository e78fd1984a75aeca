/* SPDX-License-Identifier: MIT */
/* An export's output: one large buffer handed to its stream with fwrite, and the text of the
 * cells (CSV cells, JSON strings and numbers, integers, times) written into it without printf.
 * The exports write a million rows in seconds; per-character stdio and printf were most of
 * their time (bench/README.md). */
#ifndef VSD_OBUF_H
#define VSD_OBUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define VSD_OBUF_SIZE ((size_t)1 << 16) /* the buffer an export gives itself */

struct vsd_obuf {
    FILE *out;
    char *buf;
    size_t len, cap;
};

/* Write into BUF (CAP bytes), then to OUT. A write error stays in ferror(OUT). */
void vsd_obuf_init(struct vsd_obuf *b, FILE *out, char *buf, size_t cap);
/* Hand what is buffered to the stream (fwrite; the caller flushes the stream itself). */
void vsd_obuf_flush(struct vsd_obuf *b);
/* Put N bytes that do not fit: flush, then buffer or write them. */
void vsd_obuf_spill(struct vsd_obuf *b, const char *s, size_t n);

static inline void vsd_obuf_put(struct vsd_obuf *b, const char *s, size_t n)
{
    if (n > b->cap - b->len) {
        vsd_obuf_spill(b, s, n);
        return;
    }
    memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static inline void vsd_obuf_putc(struct vsd_obuf *b, char c)
{
    if (b->len == b->cap)
        vsd_obuf_flush(b);
    b->buf[b->len++] = c;
}

static inline void vsd_obuf_puts(struct vsd_obuf *b, const char *s)
{
    vsd_obuf_put(b, s, strlen(s));
}

/* A string literal, its length known when compiling. */
#define VSD_OBUF_LIT(b, lit) vsd_obuf_put((b), "" lit, sizeof(lit) - 1)

/* V in decimal. */
void vsd_obuf_int(struct vsd_obuf *b, int64_t v);

/* V as C's "%.10g" and cJSON's number printing both write it, when V has at most three
 * decimals and a magnitude below 10^7 (every plausible vital sign; then both are plain
 * decimals without trailing zeros): its length in OUT (no terminator), or 0 for any other V. */
size_t vsd_fmt_short_decimal(double v, char out[24]);

/* V as cJSON_PrintUnformatted() writes a number (null when not finite). -ENOMEM or 0. */
int vsd_obuf_json_number(struct vsd_obuf *b, double v);

/* S (not NULL) escaped for the inside of a JSON string, byte for byte as cJSON escapes it:
 * quote, backslash and control characters; other bytes as they are. */
void vsd_obuf_json_text(struct vsd_obuf *b, const char *s);

/* One CSV cell of text S (NULL: empty), quoted per RFC 4180 when needed and neutralised with a
 * leading single quote when it could start a formula. */
void vsd_obuf_csv_cell(struct vsd_obuf *b, const char *s);

/* The seconds of the last time written ("2026-11-22T03:47:35"), reused while they hold. */
struct vsd_obuf_time {
    int64_t sec, day; /* of the cached text; sec INT64_MIN for none */
    size_t len;
    char text[40];
};

#define VSD_OBUF_TIME_INIT                                                                         \
    {                                                                                              \
        .sec = INT64_MIN                                                                           \
    }

/* TS (UTC ms) as vsd_clock_iso8601 writes it: "2026-11-22T03:47:35.123Z". */
void vsd_obuf_time(struct vsd_obuf *b, struct vsd_obuf_time *c, int64_t ts);

#endif
