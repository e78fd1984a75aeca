/* SPDX-License-Identifier: MIT */
/* The line splitter of the ASCII device drivers (include/vitalsd/lines.h). */
#include <string.h>

#include <vitalsd/lines.h>

void vsd_lines_init(struct vsd_lines *l, size_t max)
{
    memset(l, 0, sizeof(*l));
    l->max = max < VSD_LINES_MAX ? max : VSD_LINES_MAX;
}

static void end_line(struct vsd_lines *l, vsd_line_fn fn, void *ctx)
{
    size_t len = l->len;

    if (len > 0 && l->buf[len - 1] == '\r')
        len--;
    l->buf[len] = '\0';
    fn(ctx, l->overflow ? NULL : l->buf, l->overflow ? 0 : len);
    l->len = 0;
    l->overflow = false;
}

void vsd_lines_feed(struct vsd_lines *l, const uint8_t *buf, size_t n, vsd_line_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n')
            end_line(l, fn, ctx);
        else if (l->len < l->max + 1) /* one more for the CR before the LF */
            l->buf[l->len++] = (char)buf[i];
        else
            l->overflow = true;
    }
}
