/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Masimo ASCII 1 line splitter and line decoder. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "masimo_line.h"

static void check_field(const struct vsd_masimo_field *f)
{
    if (f->present && !isnan(f->value) && (f->value < -1e9 || f->value > 1e9))
        abort(); /* the decoder never accepts more digits than a field has room for */
}

/* The input as one line for the decoder, then as a stream in chunks of data[0] % 32 + 1. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsd_masimo m;
    struct vsd_masimo_record r[VSD_MASIMO_MAX_RECORDS];
    unsigned bad, good, n;
    size_t chunk;

    if (vsd_masimo_parse_line((const char *)data, size, r) == 0) {
        check_field(&r[0].spo2);
        check_field(&r[0].bpm);
        vsd_masimo_exc_flags(r[0].exc);
    }
    if (size < 1)
        return 0;
    vsd_masimo_init(&m);
    chunk = (size_t)data[0] % 32 + 1;
    for (size_t i = 1; i < size; i += chunk) {
        vsd_masimo_feed(&m, data + i, size - i < chunk ? size - i : chunk);
        n = vsd_masimo_take(&m, r, 2);
        for (unsigned k = 0; k < n; k++) {
            check_field(&r[k].spo2);
            check_field(&r[k].pi);
        }
    }
    vsd_masimo_take_counts(&m, &bad, &good);
    return 0;
}
