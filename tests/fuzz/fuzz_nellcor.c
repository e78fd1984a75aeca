/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Nellcor data port line splitter and line decoder. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nellcor_line.h"

static void check_record(const struct vsd_nellcor_record *r)
{
    const struct vsd_nellcor_field *f[] = {&r->spo2, &r->bpm, &r->pa};

    for (size_t i = 0; i < 3; i++)
        if (!isnan(f[i]->value) && (f[i]->value < 0 || f[i]->value > 999))
            abort(); /* a column holds at most 3 digits */
    if (r->status >> 13)
        abort(); /* only the 13 known codes have bits */
}

/* The input as one line for the decoder, then as a stream in chunks of data[0] % 32 + 1. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsd_nellcor p;
    struct vsd_nellcor_record r[VSD_NELLCOR_MAX_RECORDS];
    char model[VSD_NELLCOR_MODEL_MAX + 1];
    const char *m;
    unsigned bad, good, n;
    size_t chunk;

    if (vsd_nellcor_parse_line((const char *)data, size, r, model) == VSD_NELLCOR_DATA)
        check_record(&r[0]);
    if (strlen(model) > VSD_NELLCOR_MODEL_MAX)
        abort();
    if (size < 1)
        return 0;
    vsd_nellcor_init(&p);
    chunk = (size_t)data[0] % 32 + 1;
    for (size_t i = 1; i < size; i += chunk) {
        vsd_nellcor_feed(&p, data + i, size - i < chunk ? size - i : chunk);
        n = vsd_nellcor_take(&p, r, 2);
        for (unsigned k = 0; k < n; k++)
            check_record(&r[k]);
        m = vsd_nellcor_take_model(&p);
        if (m && strlen(m) > VSD_NELLCOR_MODEL_MAX)
            abort();
    }
    vsd_nellcor_take_counts(&p, &bad, &good);
    return 0;
}
