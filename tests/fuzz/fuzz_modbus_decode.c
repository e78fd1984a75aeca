/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Modbus reply decoding: any register values, read through each shipped
 * profile's plan, become readings (drivers/modbus/readings.c, codec.c). Several polls per input,
 * so the NIBP stamp's state across polls is exercised too. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/reading.h>

#include "mbdevice.h"

#ifndef VSD_FUZZ_PROFILE_DIR
#error "VSD_FUZZ_PROFILE_DIR (config/profiles) must be defined"
#endif

static const char *const names[] = {"generic-gateway.conf", "dfrobot-sen0344.conf"};
#define N_PROFILES (sizeof(names) / sizeof(names[0]))

static struct vsd_mb_profile profiles[N_PROFILES];

static void load_profiles(void)
{
    static int loaded;
    char path[600], err[768];

    if (loaded)
        return;
    for (size_t i = 0; i < N_PROFILES; i++) {
        snprintf(path, sizeof(path), "%s/%s", VSD_FUZZ_PROFILE_DIR, names[i]);
        if (vsd_mb_profile_load(path, &profiles[i], err, sizeof(err)) < 0) {
            fprintf(stderr, "fuzz_modbus_decode: %s\n", err);
            abort(); /* a shipped profile that does not load is a broken build */
        }
    }
    loaded = 1;
}

static void check(const struct vsd_mb_profile *p, const struct vsd_reading *out, size_t n)
{
    if (n > p->n_fields)
        abort();
    for (size_t i = 0; i < n; i++) {
        const struct vsd_reading *r = &out[i];

        if ((int)r->vital < 0 || (int)r->vital >= VSD_VITAL_COUNT || isinf(r->value))
            abort(); /* no vital of the profile, or an infinite value stored */
        if (isnan(r->value) != ((r->flags & VSD_Q_INVALID) != 0))
            abort(); /* "no value" must be NAN flagged invalid, and only that */
        if (r->measured_ms < 0)
            abort();
    }
}

/* Byte 0: the profile; byte 1: max_gap; then register values, two bytes each, poll after poll. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint16_t regs[VSD_MB_MAX_REQUESTS][VSD_MB_MAX_REGS];
    struct vsd_mb_request reqs[VSD_MB_MAX_REQUESTS];
    struct vsd_reading out[VSD_VITAL_COUNT];
    struct vsd_mb_stamp_state st = {0};
    const struct vsd_mb_profile *p;
    size_t n_reqs;

    if (size < 2)
        return 0;
    load_profiles();
    p = &profiles[data[0] % N_PROFILES];
    n_reqs = vsd_mb_plan(p, data[1] % 124, reqs, VSD_MB_MAX_REQUESTS);
    data += 2;
    size -= 2;
    for (int64_t wall = 1700000000000; size > 0; wall += 1000) {
        const struct vsd_mb_image img = {reqs, n_reqs,
                                         (const uint16_t(*)[VSD_MB_MAX_REGS])regs};

        for (size_t i = 0; i < n_reqs; i++)
            for (unsigned k = 0; k < reqs[i].count; k++) {
                uint16_t v = 0;

                if (size >= 2) {
                    v = (uint16_t)(data[0] << 8 | data[1]);
                    data += 2;
                    size -= 2;
                } else {
                    size = 0;
                }
                regs[i][k] = v;
            }
        check(p, out, vsd_mb_readings(p, &img, &st, wall, out));
    }
    return 0;
}
