/* SPDX-License-Identifier: MIT */
/* Draws "[=====>    ]  45%  450000/1000000 rows  12 s" on a terminal, at most 5 times a second. */
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "progress.h"

#define BAR_WIDTH 30
#define REDRAW_MS 200

void vsd_progress_init(struct vsd_progress *p, FILE *tty, bool out_is_tty, uint64_t total)
{
    memset(p, 0, sizeof(*p));
    if (tty && !out_is_tty && isatty(fileno(tty)))
        p->tty = tty;
    p->total = total;
    p->start_ms = vsd_clock_mono_ms(&vsd_clock_system);
}

void vsd_progress_format(const struct vsd_progress *p, uint64_t rows, int64_t elapsed_ms, char *buf,
                         size_t size)
{
    char bar[BAR_WIDTH + 1];
    unsigned pct = p->total ? (unsigned)(rows >= p->total ? 100 : rows * 100 / p->total) : 0;
    int fill = (int)(pct * BAR_WIDTH / 100);

    if (!p->total) {
        snprintf(buf, size, "%llu rows  %lld s", (unsigned long long)rows,
                 (long long)(elapsed_ms / 1000));
        return;
    }
    for (int i = 0; i < BAR_WIDTH; i++)
        bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
    bar[BAR_WIDTH] = '\0';
    snprintf(buf, size, "[%s] %3u%%  %llu/%llu rows  %lld s", bar, pct, (unsigned long long)rows,
             (unsigned long long)p->total, (long long)(elapsed_ms / 1000));
}

void vsd_progress_update(void *ctx, uint64_t rows)
{
    struct vsd_progress *p = ctx;
    int64_t now;
    char line[128];

    if (!p || !p->tty)
        return;
    now = vsd_clock_mono_ms(&vsd_clock_system);
    if (now - p->start_ms < VSD_PROGRESS_QUIET_MS || now - p->last_ms < REDRAW_MS)
        return;
    p->last_ms = now;
    vsd_progress_format(p, rows, now - p->start_ms, line, sizeof(line));
    fprintf(p->tty, "\r%s", line);
    fflush(p->tty);
    p->drawn = true;
}

void vsd_progress_end(struct vsd_progress *p)
{
    if (p && p->tty && p->drawn) {
        fputs("\r\033[K", p->tty);
        fflush(p->tty);
    }
}
