/* SPDX-License-Identifier: MIT */
/* Terminal-safe text: control bytes, C1 controls and broken UTF-8 written as \xNN. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include <stdlib.h>
#include <string.h>

#include "tty_safe.h"

/* Continuation bytes announced by a UTF-8 lead byte; 0: not a lead (overlong C0/C1, > F4). */
static unsigned lead_need(unsigned char c)
{
    return c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0;
}

/* Is C the next byte of ST's sequence (no overlong form, surrogate or code point > U+10FFFF)? */
static bool cont_ok(const struct vsd_tty_esc *st, unsigned char c)
{
    unsigned char lo = 0x80, hi = 0xbf, lead = st->seq[0];

    if (st->have == 1) {
        lo = lead == 0xe0 ? 0xa0 : lead == 0xf0 ? 0x90 : lo;
        hi = lead == 0xed ? 0x9f : lead == 0xf4 ? 0x8f : hi;
    }
    return c >= lo && c <= hi;
}

static void put_hex(FILE *out, const unsigned char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(out, "\\x%02x", b[i]);
}

/* A whole sequence: shown, unless it encodes a C1 control (C2 80 to C2 9F). */
static void end_seq(struct vsd_tty_esc *st, FILE *out)
{
    if (st->seq[0] == 0xc2 && st->seq[1] <= 0x9f)
        put_hex(out, st->seq, st->have);
    else
        fwrite(st->seq, 1, st->have, out);
    st->have = st->need = 0;
}

static void put_byte(struct vsd_tty_esc *st, unsigned char c, FILE *out)
{
    if (st->need && cont_ok(st, c)) {
        st->seq[st->have++] = c;
        if (st->have > st->need)
            end_seq(st, out);
        return;
    }
    put_hex(out, st->seq, st->have); /* an unfinished sequence, if any */
    st->have = st->need = 0;
    if (st->cr) {
        st->cr = false;
        fputs(c == '\n' ? "\r" : "\\x0d", out);
    }
    if (c == '\r' && !st->one_line) {
        st->cr = true;
    } else if (((c == '\n' || c == '\t') && !st->one_line) || (c >= 0x20 && c < 0x7f)) {
        putc(c, out);
    } else if (lead_need(c)) {
        st->seq[0] = c;
        st->have = 1;
        st->need = lead_need(c);
    } else {
        put_hex(out, &c, 1);
    }
}

void vsd_tty_escape(struct vsd_tty_esc *st, const char *in, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++)
        put_byte(st, (unsigned char)in[i], out);
}

void vsd_tty_escape_end(struct vsd_tty_esc *st, FILE *out)
{
    put_hex(out, st->seq, st->have);
    if (st->cr)
        fputs("\\x0d", out);
    st->have = st->need = 0;
    st->cr = false;
}

void vsd_tty_escape_str(const char *s, char *buf, size_t size)
{
    struct vsd_tty_esc st = {.one_line = true};
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);

    if (!mem) {
        snprintf(buf, size, "(out of memory)");
        return;
    }
    vsd_tty_escape(&st, s, strlen(s), mem);
    vsd_tty_escape_end(&st, mem);
    fclose(mem);
    snprintf(buf, size, "%s", text ? text : "");
    free(text);
}

struct guard {
    FILE *dst;
    struct vsd_tty_esc st;
};

static ssize_t guard_write(void *cookie, const char *buf, size_t n)
{
    struct guard *g = cookie;

    vsd_tty_escape(&g->st, buf, n, g->dst);
    return fflush(g->dst) == 0 ? (ssize_t)n : -1;
}

static int guard_close(void *cookie)
{
    struct guard *g = cookie;
    int rc;

    vsd_tty_escape_end(&g->st, g->dst);
    rc = fflush(g->dst);
    free(g);
    return rc == 0 ? 0 : EOF;
}

FILE *vsd_tty_guard_open(FILE *dst)
{
    static const cookie_io_functions_t io = {.write = guard_write, .close = guard_close};
    struct guard *g = calloc(1, sizeof(*g));
    FILE *f;

    if (!g)
        return NULL;
    g->dst = dst;
    if (!(f = fopencookie(g, "w", io))) {
        free(g);
        return NULL;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    return f;
}
