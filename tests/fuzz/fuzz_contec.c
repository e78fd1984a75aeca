/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Contec legacy / new stream decoder: any bytes, any chunking. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <vitalsd/reading.h>

#include "contec_frame.h"

static void check_value(const struct vsd_contec_value *v, double max)
{
    if (isnan(v->value) ? !(v->flags & VSD_Q_INVALID) : (v->value < 1 || v->value > max))
        abort(); /* a value out of its encoding's range (or zero), or no value without the flag */
    if (!isnan(v->value) && (v->flags & VSD_Q_UNUSABLE))
        abort(); /* a value from a packet whose status made it meaningless */
}

/* Byte 0: the protocol (legacy or new by its low bit); byte 1: the chunk size; then the stream. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsd_contec p;
    struct vsd_contec_value pr, spo2;
    unsigned bad, good;
    size_t chunk;

    if (size < 2)
        return 0;
    vsd_contec_init(&p, data[0] & 1 ? VSD_CONTEC_NEW : VSD_CONTEC_LEGACY);
    chunk = (size_t)data[1] % 64 + 1;
    data += 2;
    size -= 2;
    while (size > 0) {
        size_t k = size < chunk ? size : chunk;

        vsd_contec_feed(&p, data, k);
        data += k;
        size -= k;
        if (vsd_contec_take(&p, &pr, &spo2)) {
            check_value(&pr, p.proto == VSD_CONTEC_NEW ? 126 : 254);
            check_value(&spo2, 100);
        }
        if (p.len >= sizeof(p.buf) || p.n > VSD_CONTEC_WINDOW)
            abort();
    }
    vsd_contec_take_counts(&p, &bad, &good);
    return 0;
}
