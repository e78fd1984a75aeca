/* SPDX-License-Identifier: MIT */
/* A progress bar for long exports, drawn on a terminal only. */
#ifndef VSD_PROGRESS_H
#define VSD_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct vsd_progress {
    FILE *tty;        /* where the bar is drawn; NULL: never drawn */
    uint64_t total;   /* rows expected, 0 when unknown */
    int64_t start_ms; /* monotonic */
    int64_t last_ms;  /* last redraw */
    bool drawn;
};

/* Draw on TTY (stderr) only when it is a terminal and OUT_IS_TTY is false (the
 * data itself is not going to that terminal). Nothing is drawn for the first
 * VSD_PROGRESS_QUIET_MS, so short exports print nothing extra. */
#define VSD_PROGRESS_QUIET_MS 1500
void vsd_progress_init(struct vsd_progress *p, FILE *tty, bool out_is_tty, uint64_t total);
/* vsd_export_filter.progress callback: CTX is a struct vsd_progress. */
void vsd_progress_update(void *ctx, uint64_t rows);
/* Clear the bar line, if one was drawn. */
void vsd_progress_end(struct vsd_progress *p);
/* The bar as text into BUF, for ROWS of P->total after ELAPSED_MS (for tests). */
void vsd_progress_format(const struct vsd_progress *p, uint64_t rows, int64_t elapsed_ms, char *buf,
                         size_t size);

#endif
