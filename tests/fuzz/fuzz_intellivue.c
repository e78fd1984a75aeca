/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the IntelliVue frame receiver, message classifier, poll-result parser
 * and readings: the input as a serial byte stream, and as one unframed message. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intellivue_frame.h"
#include "intellivue_pdu.h"

/* Readings: at most one per vital; a NAN value is always flagged invalid; a flagged-invalid
 * reading has no value. */
static void check_readings(const struct vsd_ivue_poll *p)
{
    struct vsd_reading r[VSD_VITAL_COUNT];
    size_t timed[VSD_VITAL_COUNT], n = vsd_ivue_readings(p, r, timed, VSD_VITAL_COUNT);
    unsigned seen = 0;

    if (n > VSD_VITAL_COUNT || p->n > VSD_IVUE_MAX_OBS)
        abort();
    for (size_t i = 0; i < n; i++) {
        if ((unsigned)r[i].vital >= VSD_VITAL_COUNT || (seen & (1u << r[i].vital)) ||
            timed[i] >= p->n)
            abort();
        seen |= 1u << r[i].vital;
        if (isnan(r[i].value) != ((r[i].flags & VSD_Q_INVALID) != 0))
            abort();
    }
}

/* One message: classified; a result parsed (a bad one adds nothing); an event report answered. */
static void message(const uint8_t *p, size_t n, struct vsd_ivue_poll *poll)
{
    struct vsd_ivue_msg m;
    size_t before = poll->n;
    uint8_t out[64];
    int64_t s;

    if (vsd_ivue_classify(p, n, &m) < 0)
        return;
    if (m.arg && (m.arg < p || m.arg + m.arg_len > p + n))
        abort();
    if (vsd_ivue_parse_result(&m, poll) < 0 && poll->n != before)
        abort();
    if (vsd_ivue_is_mds_create(&m) && vsd_ivue_build_event_result(&m, out, sizeof(out)) != 28)
        abort();
    if (poll->n > 0 && poll->has_time)
        vsd_ivue_time_diff(poll->obs[0].time, poll->time, &s);
    check_readings(poll);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct vsd_ivue_rx rx;
    static struct vsd_ivue_poll poll;
    static uint8_t frame[VSD_IVUE_MAX_FRAME];

    memset(&rx, 0, sizeof(rx));
    memset(&poll, 0, sizeof(poll));
    message(data, size, &poll);
    memset(&poll, 0, sizeof(poll));
    for (size_t i = 0; i < size; i++) {
        int r = vsd_ivue_rx_byte(&rx, data[i]);
        size_t n;

        if (r != 1)
            continue;
        if (rx.payload_len > VSD_IVUE_MAX_PAYLOAD)
            abort();
        /* What came in frames back to the same bytes. */
        n = vsd_ivue_frame_encode(rx.payload, rx.payload_len, frame, sizeof(frame));
        if (n == 0 || frame[0] != VSD_IVUE_BOF || frame[n - 1] != VSD_IVUE_EOF)
            abort();
        message(rx.payload, rx.payload_len, &poll);
    }
    return 0;
}
