/* SPDX-License-Identifier: MIT */
/* A line splitter for devices that print ASCII lines: bytes in, whole lines out. */
#ifndef VITALSD_LINES_H
#define VITALSD_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSD_LINES_MAX 255 /* the longest line a splitter can hold */

/* Called once per line ended by LF, without its LF and a CR before it. LINE is NULL for a line
 * longer than the splitter's limit (its bytes are dropped: garbage by definition). */
typedef void (*vsd_line_fn)(void *ctx, const char *line, size_t len);

struct vsd_lines {
    char buf[VSD_LINES_MAX + 2]; /* a CR after the longest line, then the NUL */
    size_t len, max;
    bool overflow; /* the current line is too long: skip to its end */
};

/* Start with lines of at most MAX bytes (at most VSD_LINES_MAX). */
void vsd_lines_init(struct vsd_lines *l, size_t max);

/* Split N more bytes; FN gets each line completed. */
void vsd_lines_feed(struct vsd_lines *l, const uint8_t *buf, size_t n, vsd_line_fn fn, void *ctx);

#endif
