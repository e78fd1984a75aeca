/* SPDX-License-Identifier: MIT */
/* The start every simulator makes (link, own arguments, faults, "ready") and the loop of those
 * that send on their own schedule. */
#include <errno.h>
#include <stdio.h>

#include "link.h"

int vsd_sim_start(int argc, char **argv, vsd_sim_args_fn parse, void *ctx, const char *usage,
                  uint32_t seed, struct vsd_sim_link **l, struct vsd_sim_faults *f)
{
    *l = NULL;
    if (vsd_sim_link_open_args(&argc, argv, l) < 0 || parse(argc, argv, ctx) < 0) {
        fputs(usage, stderr);
        vsd_sim_link_free(*l);
        *l = NULL;
        return -EINVAL;
    }
    vsd_sim_faults_init(f, seed);
    printf("ready port=%d\n", vsd_sim_link_port(*l));
    fflush(stdout);
    return 0;
}

int vsd_sim_run_stream(struct vsd_sim_link *l, struct vsd_sim_faults *f,
                       const struct vsd_sim_stream *s, void *ctx)
{
    struct vsd_sim_input in;
    int64_t t0 = vsd_sim_now_ms(), next = t0;

    while (!f->quit) {
        int64_t now = vsd_sim_now_ms();

        if (now >= next) {
            next = s->send(ctx, l, f, t0);
            continue;
        }
        if (vsd_sim_link_service(l, next - now, &in) <= 0)
            continue;
        if (s->rx)
            s->rx(ctx, in.rx, in.rx_len);
        if (in.cmd[0] && vsd_sim_faults_command(f, l, in.cmd) == 0)
            s->own(ctx, in.cmd);
    }
    vsd_sim_link_free(l);
    return 0;
}

int vsd_sim_answer(const char *name, const char *line, int r)
{
    if (r < 0)
        fprintf(stderr, "%s: unknown command: %s\n", name, line);
    else
        printf("ok %s\n", line);
    fflush(r < 0 ? stderr : stdout);
    return r;
}
