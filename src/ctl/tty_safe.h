/* SPDX-License-Identifier: MIT */
/* What vitalsctl shows on a terminal: no control byte or escape sequence passes as received. */
#ifndef VSD_TTY_SAFE_H
#define VSD_TTY_SAFE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* State between calls: a UTF-8 sequence or a CR split across two writes. Zero it before use. */
struct vsd_tty_esc {
    unsigned char seq[4];
    unsigned have, need; /* bytes of seq read, continuation bytes its lead announced */
    bool cr;             /* a CR, waiting to see whether LF follows */
    bool one_line;       /* set: TAB, LF and CR are escaped too */
};

/* Write N bytes of IN to OUT for a terminal. Printable ASCII, TAB, LF, CR LF and valid UTF-8 from
 * U+00A0 pass; any other byte below 0x20 (ESC, a lone CR, ...), 0x7f, the C1 controls
 * (U+0080-U+009F) and bytes that are not valid UTF-8 (such as a raw 0x9b CSI) are written as
 * \xNN, byte by byte. A backslash passes as it is. */
void vsd_tty_escape(struct vsd_tty_esc *st, const char *in, size_t n, FILE *out);
/* End of the text: what ST still holds (an unfinished sequence, a CR), escaped. */
void vsd_tty_escape_end(struct vsd_tty_esc *st, FILE *out);
/* S escaped as one line (TAB, LF and CR too) into BUF (truncated to SIZE bytes with the NUL). */
void vsd_tty_escape_str(const char *s, char *buf, size_t size);

/* A line-buffered stream that escapes what is written to it and passes it on to DST. fclose()
 * writes what is still held and flushes DST (which stays open). NULL with errno on failure. */
FILE *vsd_tty_guard_open(FILE *dst);

#endif
