/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Accutorr 3 line assembler, P: line parser and readings. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "accutorr_frame.h"

/* A decoded value is dashes or 0..999; an age is -1..999. */
static void check_p(const struct vsd_accutorr_p *p)
{
    const double v[] = {p->spo2, p->pr, p->sys, p->mean, p->dia};

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        if (!isnan(v[i]) && (v[i] < 0 || v[i] > 999))
            abort();
    if (p->age_min < -1 || p->age_min > 999)
        abort();
}

/* Readings: never more than 5; a NAN value always flagged invalid; NIBP times never go back. */
static void check_readings(const struct vsd_accutorr_p *p, struct vsd_accutorr_nibp *t, int64_t k)
{
    struct vsd_reading r[5];
    int64_t before = t->have ? t->measured_ms : INT64_MIN;
    size_t n = vsd_accutorr_readings(p, k & 1, t, 1800000000000LL + k * 1000, k * 1000, r, 5);

    if (n > 5)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (isnan(r[i].value) && !(r[i].flags & VSD_Q_INVALID))
            abort();
        if (r[i].measured_ms && r[i].measured_ms < before)
            abort();
    }
}

/* The input as one line, then as a byte stream split into lines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vsd_accutorr_rx rx = {0};
    struct vsd_accutorr_nibp t = {0};
    struct vsd_accutorr_p p;
    int64_t k = 0;

    if (vsd_accutorr_parse_p((const char *)data, size, VSD_ACCUTORR_SYS_MEAN_DIA, &p) == 0)
        check_p(&p);
    for (size_t i = 0; i < size; i++) {
        if (vsd_accutorr_rx_byte(&rx, data[i]) != 1)
            continue;
        if (rx.len > VSD_ACCUTORR_LINE_MAX || rx.line[rx.len] != '\0')
            abort();
        if (vsd_accutorr_parse_p(rx.line, rx.len, (enum vsd_accutorr_order)(k & 1), &p) == 0) {
            check_p(&p);
            check_readings(&p, &t, k++);
        }
    }
    return 0;
}
