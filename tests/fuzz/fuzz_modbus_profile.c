/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Modbus profile parser (drivers/modbus/profile.c): any file text is
 * loaded; a profile that loads must be sound, and its read plan must cover every field. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mbdevice.h"

static void check_loaded(const struct vsd_mb_profile *p)
{
    struct vsd_mb_request reqs[VSD_MB_MAX_REQUESTS];
    size_t n = vsd_mb_plan(p, 10, reqs, VSD_MB_MAX_REQUESTS);

    if (p->n_fields > VSD_VITAL_COUNT)
        abort();
    for (size_t i = 0; i < n; i++)
        if (reqs[i].count == 0 || reqs[i].count > VSD_MB_MAX_REGS)
            abort(); /* a request Modbus cannot carry */
    for (size_t i = 0; i < p->n_fields; i++) {
        const struct vsd_mb_field *f = &p->fields[i];
        bool covered = false;

        if (f->scale == 0 || f->n_sentinels > VSD_MB_MAX_SENTINELS ||
            (unsigned)f->address + vsd_mb_type_regs(f->type) > 65536u)
            abort();
        for (size_t k = 0; k < n && !covered; k++)
            covered = reqs[k].table == f->table && f->address >= reqs[k].start &&
                      (unsigned)f->address + vsd_mb_type_regs(f->type) <=
                          (unsigned)reqs[k].start + reqs[k].count;
        if (!covered && n == VSD_MB_MAX_REQUESTS)
            continue; /* more reads than a poll makes: the plan says so by filling up */
        if (!covered)
            abort(); /* a field no read of the plan covers */
    }
}

/* The input is the profile file's text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vsd_mb_profile p;
    static int fd = -1;
    char path[64], err[768];

    if (fd < 0 && (fd = memfd_create("profile", 0)) < 0)
        abort();
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    err[0] = '\0';
    if (vsd_mb_profile_load(path, &p, err, sizeof(err)) == 0)
        check_loaded(&p);
    else if (!err[0] || !memchr(err, '\0', sizeof(err)))
        abort(); /* an error without its message */
    return 0;
}
