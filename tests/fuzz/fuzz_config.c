/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the configuration loader (src/config/, with every driver's keys): any
 * file text is loaded, as `vitalsd --check-config` would. A file that loads is whole (an area, a
 * database, each bed's devices known); one that does not says why, every line naming the file,
 * and a warning never stands alone for an error. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

static void check_loaded(const struct vsd_config *cfg)
{
    if (!cfg || !cfg->area || !cfg->area[0] || !cfg->database || !cfg->database[0])
        abort();
    for (size_t b = 0; b < cfg->n_beds; b++) {
        if (vsd_config_bed_index(cfg, cfg->beds[b].name) != (int)b)
            abort(); /* two beds of one name, or a bed the lookup cannot find */
        for (size_t d = 0; d < cfg->beds[b].n_devices; d++)
            if (cfg->beds[b].devices[d] >= cfg->n_devices)
                abort(); /* a bed's device that is not configured */
    }
}

static void check_refused(const char *path, const struct vsd_diag *diag)
{
    if (diag->n == 0 || diag->n_warnings >= diag->n)
        abort(); /* refused without a reason, or with warnings only */
    for (size_t i = 0; i < diag->n; i++)
        if (strncmp(diag->lines[i], path, strlen(path)) != 0)
            abort(); /* an error line that does not name the file */
}

/* The input is the configuration file's text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    struct vsd_config *cfg = NULL;
    struct vsd_diag diag = {0};
    char path[64];

    if (fd < 0 && (fd = memfd_create("vitalsd.conf", 0)) < 0)
        abort();
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    if (vsd_config_load(path, &cfg, &diag) == 0)
        check_loaded(cfg);
    else
        check_refused(path, &diag);
    vsd_config_free(cfg);
    vsd_diag_free(&diag);
    return 0;
}
