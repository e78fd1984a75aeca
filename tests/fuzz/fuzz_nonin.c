/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Nonin DF2/DF7/DF8 stream decoder and the legacy ASCII line decoder:
 * any bytes, any chunking. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <vitalsd/reading.h>

#include "nonin_ascii.h"
#include "nonin_frame.h"

static void check_value(const struct vsd_nonin_value *v, double max)
{
    if (!v->present)
        return;
    if (isnan(v->value) ? !(v->flags & VSD_Q_INVALID) : (v->value < 0 || v->value > max))
        abort(); /* a value out of its encoding's range, or no value without the flag */
}

/* The same stream through the ASCII line decoder (format = ascii). */
static void run_ascii(const uint8_t *data, size_t size, size_t chunk)
{
    struct vsd_nonin_ascii a;
    struct vsd_nonin_second s[VSD_NONIN_MAX_SECONDS];
    unsigned bad, good, n;

    vsd_nonin_ascii_init(&a);
    for (size_t i = 0; i < size; i += chunk) {
        vsd_nonin_ascii_feed(&a, data + i, size - i < chunk ? size - i : chunk);
        n = vsd_nonin_ascii_take(&a, s, 3);
        for (unsigned k = 0; k < n; k++) {
            if (!s[k].hr.present || !s[k].spo2.present)
                abort(); /* a data line has both */
            check_value(&s[k].hr, 999);
            check_value(&s[k].spo2, 100);
        }
    }
    vsd_nonin_ascii_take_counts(&a, &bad, &good);
}

/* Byte 0: the format (2, 7 or 8 by its value mod 3); byte 1: the chunk size; then the stream. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int formats[] = {2, 7, 8};
    struct vsd_nonin p;
    struct vsd_nonin_second s[VSD_NONIN_MAX_SECONDS];
    unsigned bad, good, n;
    size_t chunk;

    if (size < 2)
        return 0;
    vsd_nonin_init(&p, formats[data[0] % 3]);
    chunk = (size_t)data[1] % 64 + 1;
    data += 2;
    size -= 2;
    run_ascii(data, size, chunk);
    while (size > 0) {
        size_t k = size < chunk ? size : chunk;

        vsd_nonin_feed(&p, data, k);
        data += k;
        size -= k;
        n = vsd_nonin_take(&p, s, 3);
        for (unsigned i = 0; i < n; i++) {
            check_value(&s[i].hr, 510);
            check_value(&s[i].spo2, 100);
        }
    }
    vsd_nonin_take_counts(&p, &bad, &good);
    return 0;
}
