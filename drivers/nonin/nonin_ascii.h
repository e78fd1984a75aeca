/* SPDX-License-Identifier: MIT */
/* Nonin legacy ASCII output (handhelds 8500, 2500, 9847, 7500FO, Avant 9600, BT4000): a pure line
 * decoder, "SPO2=XXX HR=YYY" once a second, into the seconds of nonin_frame.h. */
#ifndef VSD_NONIN_ASCII_H
#define VSD_NONIN_ASCII_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/lines.h>

#include "nonin_frame.h"

#define VSD_NONIN_ASCII_LINE_MAX 63 /* longer lines are garbage (a data line is ~30 chars) */

enum vsd_nonin_ascii_kind {
    VSD_NONIN_ASCII_BAD = -1,
    VSD_NONIN_ASCII_DATA = 0,
    VSD_NONIN_ASCII_OTHER = 1, /* the power-up header, a blank line: no data, no garbage */
};

/* Decode one line (without CR LF) of LEN bytes: "[HH:MM:SS ]SPO2=XXX HR=YYY" and optional
 * markers ("*" an event, "F" fast values, "B" a breath); "---" is no value. A data line fills
 * *OUT (both vitals present). A printable line without "=" is OTHER. */
enum vsd_nonin_ascii_kind vsd_nonin_ascii_parse_line(const char *line, size_t len,
                                                     struct vsd_nonin_second *out);

/* Stream state: the line being received and the seconds decoded. */
struct vsd_nonin_ascii {
    struct vsd_lines lines;
    struct vsd_nonin_second done[VSD_NONIN_MAX_SECONDS];
    unsigned n_done;
    unsigned bad_lines, good_lines; /* not yet taken */
};

void vsd_nonin_ascii_init(struct vsd_nonin_ascii *p);
/* Split N more bytes into lines and decode each complete one. Never fails. */
void vsd_nonin_ascii_feed(struct vsd_nonin_ascii *p, const uint8_t *buf, size_t n);
/* Move up to MAX decoded seconds (oldest first) into OUT; returns how many. */
unsigned vsd_nonin_ascii_take(struct vsd_nonin_ascii *p, struct vsd_nonin_second *out,
                              unsigned max);
/* Lines counted since the last call (bad, good), then reset. */
void vsd_nonin_ascii_take_counts(struct vsd_nonin_ascii *p, unsigned *bad, unsigned *good);

#endif
