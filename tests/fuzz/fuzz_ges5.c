/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the GE S/5 deframer and record decoder: any bytes, any chunking. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <vitalsd/reading.h>

#include "ge_s5_frame.h"
#include "ge_s5_record.h"

#define WALL 1700000000000LL

/* Decode one record and check what it turns into: no special code ever becomes a value. */
static void take(const uint8_t *rec, size_t n, struct vsd_ges5_nibp_track *t)
{
    struct vsd_ges5_basic b;
    struct vsd_reading r[16];
    size_t k;

    if (vsd_ges5_record_decode(rec, n, &b) < 0)
        return;
    k = vsd_ges5_readings(&b, t, WALL, r, 16);
    if (k > VSD_VITAL_COUNT)
        abort(); /* at most one reading per vital */
    for (size_t i = 0; i < k; i++) {
        if (isnan(r[i].value) ? !(r[i].flags & (VSD_Q_INVALID | VSD_Q_SENSOR_OFF))
                              : r[i].value < -32000)
            abort(); /* a gap without its flag, or a special code taken as a value */
        if (r[i].vital >= VSD_VITAL_NIBP_SYS && r[i].vital <= VSD_VITAL_NIBP_MEAN &&
            r[i].measured_ms == 0)
            abort(); /* NIBP always carries its measurement time */
    }
}

/* Byte 0: odd = the rest is one record (decoded twice, as a repeated NIBP would be); even = a
 * byte stream for the deframer, each good record decoded with one NIBP track. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vsd_ges5_deframer d; /* 1.5 kB: not on the stack of every run */
    struct vsd_ges5_nibp_track t = {0};

    if (size < 1)
        return 0;
    if (data[0] & 1) {
        take(data + 1, size - 1, &t);
        take(data + 1, size - 1, &t);
        return 0;
    }
    vsd_ges5_deframer_reset(&d);
    for (size_t i = 1; i < size; i++) {
        enum vsd_ges5_frame_status st = vsd_ges5_deframe_byte(&d, data[i]);

        if (d.len > sizeof(d.rec))
            abort();
        if (st == VSD_GES5_GOOD)
            take(d.rec, d.len, &t);
    }
    return 0;
}
