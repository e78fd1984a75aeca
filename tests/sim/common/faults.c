/* SPDX-License-Identifier: MIT */
/* Fault injection shared by the simulators: noise, bit flips, truncation, silence, unplug. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"

#define MAX_FRAME 1024

void vsd_sim_faults_init(struct vsd_sim_faults *f, uint32_t seed)
{
    memset(f, 0, sizeof(*f));
    f->rng = seed ? seed : 0x9e3779b9u;
}

uint32_t vsd_sim_rand(struct vsd_sim_faults *f)
{
    uint32_t x = f->rng;

    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    f->rng = x;
    return x;
}

bool vsd_sim_faults_take(unsigned *counter)
{
    if (*counter == 0)
        return false;
    (*counter)--;
    return true;
}

/* "NAME" or "NAME N" with N >= 0 (default DEF) into *RET. Returns 1 on a match, -EINVAL when
 * the name matches but the number does not, 0 otherwise. */
static int count_cmd(const char *line, const char *name, double def, double *ret)
{
    size_t n = strlen(name);
    char *end;

    if (strncmp(line, name, n) != 0 || (line[n] != '\0' && line[n] != ' '))
        return 0;
    if (line[n] == '\0') {
        *ret = def;
        return 1;
    }
    *ret = strtod(line + n + 1, &end);
    if (end == line + n + 1 || *end != '\0' || *ret < 0 || *ret > 1e6)
        return -EINVAL;
    return 1;
}

int vsd_sim_faults_command(struct vsd_sim_faults *f, struct vsd_sim_link *l, const char *line)
{
    static const char *const counted[] = {"noise", "flip", "truncate", "overlong", "badsum"};
    unsigned *fields[] = {&f->noise, &f->flip, &f->truncate, &f->overlong, &f->badsum};
    double v;
    int r = 0;

    for (size_t i = 0; i < sizeof(counted) / sizeof(counted[0]) && r == 0; i++)
        if ((r = count_cmd(line, counted[i], 1, &v)) == 1)
            *fields[i] += (unsigned)v;
    if (r == 0 && (r = count_cmd(line, "silent", 5, &v)) == 1)
        f->silent_until = vsd_sim_now_ms() + (int64_t)(v * 1000);
    if (r == 0 && (r = count_cmd(line, "unplug", 3, &v)) == 1)
        vsd_sim_link_unplug(l, v);
    if (r == 0 && strcmp(line, "stats") == 0) {
        printf("stats frames=%u faulted=%u\n", f->frames_sent, f->frames_faulted);
        r = 1;
    }
    if (r == 0 && strcmp(line, "quit") == 0)
        f->quit = true, r = 1;
    if (r < 0)
        fprintf(stderr, "sim: bad command: %s\n", line);
    if (r == 1) {
        printf("ok %s\n", line);
        fflush(stdout);
    }
    return r;
}

ssize_t vsd_sim_send_frame(struct vsd_sim_link *l, struct vsd_sim_faults *f, const void *frame,
                           size_t n)
{
    unsigned char buf[MAX_FRAME + 8];
    bool faulted = false;

    if (n > MAX_FRAME)
        return -EINVAL;
    if (f->silent_until && vsd_sim_now_ms() < f->silent_until)
        return (ssize_t)n;
    while (f->noise > 0) {
        unsigned char junk[64];
        unsigned k = f->noise < sizeof(junk) ? f->noise : sizeof(junk);

        for (unsigned i = 0; i < k; i++)
            junk[i] = (unsigned char)vsd_sim_rand(f);
        vsd_sim_link_write(l, junk, k);
        f->noise -= k;
        faulted = true;
    }
    memcpy(buf, frame, n);
    if (n > 0 && vsd_sim_faults_take(&f->flip)) {
        uint32_t bit = vsd_sim_rand(f) % (uint32_t)(n * 8);

        buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
        faulted = true;
    }
    if (n > 1 && vsd_sim_faults_take(&f->truncate)) {
        n = 1 + vsd_sim_rand(f) % (uint32_t)(n - 1);
        faulted = true;
    }
    if (vsd_sim_faults_take(&f->overlong)) {
        for (int i = 0; i < 8; i++)
            buf[n++] = (unsigned char)(vsd_sim_rand(f) & 0x7f);
        faulted = true;
    }
    f->frames_sent++;
    f->frames_faulted += faulted;
    return vsd_sim_link_write(l, buf, n);
}
