/* SPDX-License-Identifier: MIT */
/* Tests of the IntelliVue MIB/RS232 frame (FCS check value, the worked example, transparency of
 * header, payload and FCS, bad frames), FLOAT-Type decoding with its special values, the poll
 * request's bytes, and poll-result parsing into readings, hostile lengths included. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/reading.h>

#include "intellivue_frame.h"
#include "intellivue_pdu.h"

static void test_fcs_check_value(void **state)
{
    (void)state;
    assert_int_equal(vsd_ivue_fcs((const uint8_t *)"123456789", 9), 0x906E);
}

/* Feed a whole buffer; the last non-zero result, the count of bad frames. */
static int feed(struct vsd_ivue_rx *rx, const uint8_t *p, size_t n, unsigned *bad)
{
    int last = 0;

    for (size_t i = 0; i < n; i++) {
        int r = vsd_ivue_rx_byte(rx, p[i]);

        if (r < 0 && bad)
            (*bad)++;
        if (r)
            last = r;
    }
    return last;
}

static void test_worked_example(void **state)
{
    static const uint8_t payload[] = {0xE1, 0x00, 0x00, 0x02};
    static const uint8_t want[] = {0xC0, 0x11, 0x01, 0x00, 0x04, 0xE1,
                                   0x00, 0x00, 0x02, 0x52, 0x60, 0xC1};
    struct vsd_ivue_rx rx = {0};
    uint8_t out[64];
    size_t n = vsd_ivue_frame_encode(payload, sizeof(payload), out, sizeof(out));

    (void)state;
    assert_int_equal(n, sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(feed(&rx, want, sizeof(want), NULL), 1);
    assert_int_equal(rx.payload_len, 4);
    assert_memory_equal(rx.payload, payload, 4);
    assert_int_equal(vsd_ivue_frame_encode(payload, 4, out, 11), 0); /* no room: nothing */
}

/* C0, C1 and 7D are escaped wherever they fall, the FCS included; the receiver undoes it. */
static void test_transparency(void **state)
{
    uint8_t p[3] = {0xC0, 0x7D, 0xC1}, out[64];
    bool fcs_escaped = false;

    (void)state;
    for (unsigned v = 0; v < 65536 && !fcs_escaped; v++) {
        uint8_t body[4 + 5] = {0x11,      0x01, 0x00, 0x05, 0xC0, 0x7D, 0xC1, (uint8_t)(v >> 8),
                               (uint8_t)v};
        uint16_t fcs = vsd_ivue_fcs(body, sizeof(body));
        uint8_t pay[5] = {0xC0, 0x7D, 0xC1, (uint8_t)(v >> 8), (uint8_t)v};
        struct vsd_ivue_rx rx = {0};
        size_t n;

        if ((fcs & 0xff) != 0x7D && (fcs >> 8) != 0xC0 && (fcs >> 8) != 0xC1 && v != 65535)
            continue;
        n = vsd_ivue_frame_encode(pay, sizeof(pay), out, sizeof(out));
        assert_true(n > 0);
        for (size_t i = 1; i + 1 < n; i++)
            assert_true(out[i] != 0xC0 && out[i] != 0xC1);
        assert_int_equal(feed(&rx, out, n, NULL), 1);
        assert_memory_equal(rx.payload, pay, sizeof(pay));
        fcs_escaped = true;
    }
    assert_true(fcs_escaped);
    assert_int_equal(vsd_ivue_frame_encode(p, sizeof(p), out, sizeof(out)), 2 + 4 + 6 + 2);
}

static void test_bad_frames(void **state)
{
    uint8_t frame[] = {0xC0, 0x11, 0x01, 0x00, 0x04, 0xE1, 0x00, 0x00, 0x02, 0x52, 0x60, 0xC1};
    uint8_t aborted[] = {0xC0, 0x11, 0x01, 0x7D, 0xC1};
    struct vsd_ivue_rx rx = {0};
    unsigned bad = 0;

    (void)state;
    frame[9] ^= 1; /* wrong FCS */
    assert_int_equal(feed(&rx, frame, sizeof(frame), &bad), -1);
    frame[9] ^= 1;
    frame[4] = 5; /* length not the payload's */
    assert_int_equal(feed(&rx, frame, sizeof(frame), &bad), -1);
    frame[4] = 4;
    assert_int_equal(feed(&rx, aborted, sizeof(aborted), &bad), -1);
    assert_int_equal(bad, 3);
    /* A frame cut short by the next BOF is bad; the next one is good. */
    assert_int_equal(feed(&rx, frame, 6, NULL), 0);
    assert_int_equal(feed(&rx, frame, sizeof(frame), &bad), 1);
    assert_int_equal(bad, 4);
    /* Noise outside frames is skipped. */
    rx = (struct vsd_ivue_rx){0};
    assert_int_equal(feed(&rx, (const uint8_t *)"xyz", 3, NULL), 0);
    assert_int_equal(rx.skipped, 3);
}

/* Longer than the receiver holds: bad, not an overrun. */
static void test_overflow(void **state)
{
    static struct vsd_ivue_rx rx;
    unsigned bad = 0;

    (void)state;
    assert_int_equal(vsd_ivue_rx_byte(&rx, 0xC0), 0);
    for (size_t i = 0; i < sizeof(rx.buf) + 100; i++)
        vsd_ivue_rx_byte(&rx, 0x11);
    assert_int_equal(feed(&rx, (const uint8_t[]){0xC1}, 1, &bad), -1);
    assert_int_equal(rx.len, sizeof(rx.buf));
}

static void test_float(void **state)
{
    (void)state;
    assert_true(vsd_ivue_float(0xFF0003CA) == 97.0);
    assert_true(vsd_ivue_float(0x00000048) == 72.0);
    assert_true(vsd_ivue_float(0x01000007) == 70.0);
    assert_true(vsd_ivue_float(0xFEFFFF9C) == -1.0); /* -100 x 10^-2 */
    assert_true(isnan(vsd_ivue_float(0x007FFFFF)));  /* NaN */
    assert_true(isnan(vsd_ivue_float(0x00800000)));  /* NRes */
    assert_true(isnan(vsd_ivue_float(0x007FFFFE)));  /* +INF */
    assert_true(isnan(vsd_ivue_float(0x00800002)));  /* -INF */
    assert_true(isnan(vsd_ivue_float(0xFF7FFFFF)));  /* NaN whatever the exponent */
}

static void test_poll_request(void **state)
{
    static const uint8_t want[] = {0xE1, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x20, 0x00, 0x05,
                                   0x00, 0x07, 0x00, 0x1A, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0xF1, 0x3B, 0x00, 0x0C, 0x00, 0x09,
                                   0x00, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    uint8_t out[64];

    (void)state;
    assert_int_equal(vsd_ivue_build_poll(5, 9, true, out, sizeof(out)), sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(vsd_ivue_build_poll(5, 9, false, out, sizeof(out)), sizeof(want) - 4);
    assert_int_equal(out[25], 0x16); /* 0x0C16 */
    assert_int_equal(out[7], 0x1C);
    assert_int_equal(vsd_ivue_build_assoc(out, sizeof(out)), 0); /* does not fit: nothing */
}

/* --- A poll result, built here from the layout (a test-side builder). --- */
struct buf {
    uint8_t b[1024];
    size_t n;
};

static size_t put(struct buf *b, uint16_t v)
{
    b->b[b->n++] = (uint8_t)(v >> 8);
    b->b[b->n++] = (uint8_t)v;
    return b->n - 2;
}

static void patch(struct buf *b, size_t at)
{
    size_t len = b->n - at - 2;

    b->b[at] = (uint8_t)(len >> 8);
    b->b[at + 1] = (uint8_t)len;
}

static void value(struct buf *b, uint16_t physio, uint16_t st, uint16_t unit, uint32_t v)
{
    put(b, physio);
    put(b, st);
    put(b, unit);
    put(b, (uint16_t)(v >> 16));
    put(b, (uint16_t)v);
}

static const uint8_t reply_time[8] = {0x20, 0x26, 0x12, 0x02, 0x09, 0x30, 0x00, 0x00};
static const uint8_t nibp_time[8] = {0x20, 0x26, 0x12, 0x02, 0x09, 0x28, 0x30, 0x00};

/* RORS (LINKED: RORLS) of an extended poll, invoke 7: HR 72, SpO2 NaN, PR INVALID, RR 16
 * QUESTIONABLE, NIBP 120/80 (93) with its time stamp. */
static size_t result(uint8_t *out, bool linked)
{
    struct buf b = {.n = 0};
    size_t ro, cmd, act, list, ctx, attrs, cmpd;

    put(&b, 0xE100), put(&b, 2);
    put(&b, linked ? 5 : 2);
    ro = put(&b, 0);
    if (linked)
        put(&b, 0x0101);
    put(&b, 7), put(&b, 7);
    cmd = put(&b, 0);
    put(&b, 0x21), put(&b, 0), put(&b, 0), put(&b, 0xF13B);
    act = put(&b, 0);
    put(&b, 1), put(&b, 0), put(&b, 0), put(&b, 0); /* poll no, seq, rel time */
    memcpy(b.b + b.n, reply_time, 8), b.n += 8;
    put(&b, 1), put(&b, 6), put(&b, 0);
    put(&b, 1); /* one context */
    list = put(&b, 0);
    put(&b, 0), put(&b, 2); /* context 0, two objects */
    ctx = put(&b, 0);
    put(&b, 0x10), put(&b, 4); /* handle, 4 attributes */
    attrs = put(&b, 0);
    put(&b, 0x0950), put(&b, 10), value(&b, 0x4182, 0, 0x0AA0, 0x00000048);
    put(&b, 0x0950), put(&b, 10), value(&b, 0x4BB8, 0, 0x0220, 0x007FFFFF);
    put(&b, 0x0950), put(&b, 10), value(&b, 0x4822, 0x8000, 0x0AA0, 0x00000048);
    put(&b, 0x0950), put(&b, 10), value(&b, 0x500A, 0x4000, 0x0AE0, 0x00000010);
    patch(&b, attrs);
    put(&b, 0x11), put(&b, 2); /* NIBP object: compound value and time stamp */
    attrs = put(&b, 0);
    put(&b, 0x094B);
    cmpd = put(&b, 0);
    put(&b, 3), put(&b, 30);
    value(&b, 0x4A05, 0, 0x0F20, 120), value(&b, 0x4A06, 0, 0x0F20, 80);
    value(&b, 0x4A07, 0, 0x0F20, 93);
    patch(&b, cmpd);
    put(&b, 0x0990), put(&b, 8);
    memcpy(b.b + b.n, nibp_time, 8), b.n += 8;
    patch(&b, attrs);
    patch(&b, ctx), patch(&b, list), patch(&b, act), patch(&b, cmd), patch(&b, ro);
    memcpy(out, b.b, b.n);
    return b.n;
}

static double value_of(const struct vsd_reading *r, size_t n, enum vsd_vital v, uint32_t *flags)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].vital == v) {
            *flags = r[i].flags;
            return r[i].value;
        }
    fail_msg("vital %d missing", (int)v);
    return 0;
}

static void test_result(void **state)
{
    static struct vsd_ivue_poll p;
    uint8_t msg[1024];
    size_t n = result(msg, false), timed[16];
    struct vsd_ivue_msg m;
    struct vsd_reading r[16];
    uint32_t f;
    int64_t age;

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vsd_ivue_classify(msg, n, &m), 0);
    assert_int_equal(m.kind, VSD_IVUE_RESULT);
    assert_int_equal(m.invoke_id, 7);
    assert_int_equal(vsd_ivue_parse_result(&m, &p), 0);
    assert_int_equal(p.n, 7);
    assert_true(p.has_time);
    n = vsd_ivue_readings(&p, r, timed, 16);
    assert_int_equal(n, 7);
    assert_true(value_of(r, n, VSD_VITAL_HR, &f) == 72.0 && f == 0);
    assert_true(isnan(value_of(r, n, VSD_VITAL_SPO2, &f)) && f == VSD_Q_INVALID);
    assert_true(isnan(value_of(r, n, VSD_VITAL_PR, &f)) && f == VSD_Q_INVALID);
    assert_true(value_of(r, n, VSD_VITAL_RR, &f) == 16.0 && f == VSD_Q_ARTIFACT);
    assert_true(value_of(r, n, VSD_VITAL_NIBP_SYS, &f) == 120.0 && f == 0);
    assert_true(value_of(r, n, VSD_VITAL_NIBP_DIA, &f) == 80.0);
    assert_true(value_of(r, n, VSD_VITAL_NIBP_MEAN, &f) == 93.0);
    for (size_t i = 0; i < n; i++)
        assert_true(p.obs[timed[i]].has_time ==
                    (r[i].vital >= VSD_VITAL_NIBP_SYS && r[i].vital <= VSD_VITAL_NIBP_MEAN));
    assert_true(vsd_ivue_time_diff(nibp_time, p.time, &age));
    assert_int_equal(age, 90);
    assert_false(
        vsd_ivue_time_diff((const uint8_t *)"\xff\xff\xff\xff\xff\xff\xff\xff", p.time, &age));
}

/* A linked part then the final result add up; a unit that is not the vital's is no value. */
static void test_linked_and_units(void **state)
{
    static struct vsd_ivue_poll p;
    uint8_t msg[1024];
    size_t n = result(msg, true), timed[16];
    struct vsd_ivue_msg m;
    struct vsd_reading r[16];
    uint32_t f;

    (void)state;
    memset(&p, 0, sizeof(p));
    assert_int_equal(vsd_ivue_classify(msg, n, &m), 0);
    assert_int_equal(m.kind, VSD_IVUE_LINKED);
    assert_int_equal(m.invoke_id, 7);
    assert_int_equal(vsd_ivue_parse_result(&m, &p), 0);
    n = result(msg, false);
    msg[n - 12 - 30 + 4] = 0x0F; /* NIBP systolic unit 0x0F20 -> 0x0F03 (kPa) */
    msg[n - 12 - 30 + 5] = 0x03;
    assert_int_equal(vsd_ivue_classify(msg, n, &m), 0);
    assert_int_equal(vsd_ivue_parse_result(&m, &p), 0);
    assert_int_equal(p.n, 14);
    n = vsd_ivue_readings(&p, r, timed, 16);
    assert_int_equal(n, 7); /* one per vital: the last */
    assert_true(isnan(value_of(r, n, VSD_VITAL_NIBP_SYS, &f)) && f == VSD_Q_INVALID);
}

/* Every truncation and every corrupted byte: no overrun, and a bad message adds nothing. */
static void test_hostile(void **state)
{
    static struct vsd_ivue_poll p;
    uint8_t msg[1024], bad[1024];
    size_t n = result(msg, false);
    struct vsd_ivue_msg m;

    (void)state;
    /* A result whose argument is empty (found by the fuzzer: read before the argument's end). */
    static const uint8_t empty[] = {0xE1, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x06, 0x00,
                                    0x07, 0x00, 0x07, 0x00, 0x00, 0xF1, 0x3B, 0x00, 0x40};
    memset(&p, 0, sizeof(p));
    assert_int_equal(vsd_ivue_classify(empty, sizeof(empty), &m), 0);
    assert_int_equal(m.arg_len, 0);
    assert_int_equal(vsd_ivue_parse_result(&m, &p), -1);
    for (size_t cut = 0; cut < n; cut++) {
        memset(&p, 0, sizeof(p));
        if (vsd_ivue_classify(msg, cut, &m) == 0 && vsd_ivue_parse_result(&m, &p) < 0)
            assert_int_equal(p.n, 0);
    }
    for (size_t i = 0; i < n; i++)
        for (unsigned v = 0; v < 256; v += 51) {
            memcpy(bad, msg, n);
            bad[i] = (uint8_t)v;
            memset(&p, 0, sizeof(p));
            if (vsd_ivue_classify(bad, n, &m) == 0 && vsd_ivue_parse_result(&m, &p) < 0)
                assert_int_equal(p.n, 0);
            assert_true(p.n <= VSD_IVUE_MAX_OBS);
        }
}

static void test_association_messages(void **state)
{
    static const uint8_t report[] = {0xE1, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x1E, 0x00, 0x2A,
                                     0x00, 0x01, 0x00, 0x18, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00,
                                     0x00, 0x00, 0x00, 0x00, 0x0D, 0x06, 0x00, 0x0A, 0x00, 0x21,
                                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    static const uint8_t want[] = {0xE1, 0x00, 0x00, 0x02, 0x00, 0x02, 0x00, 0x14, 0x00, 0x2A,
                                   0x00, 0x01, 0x00, 0x0E, 0x00, 0x21, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x00, 0x0D, 0x06, 0x00, 0x00};
    struct vsd_ivue_msg m;
    uint8_t out[600];

    (void)state;
    assert_int_equal(vsd_ivue_classify(report, sizeof(report), &m), 0);
    assert_true(vsd_ivue_is_mds_create(&m));
    assert_int_equal(vsd_ivue_build_event_result(&m, out, sizeof(out)), sizeof(want));
    assert_memory_equal(out, want, sizeof(want));
    assert_int_equal(vsd_ivue_classify((const uint8_t[]){0x0E, 0x00}, 2, &m), 0);
    assert_int_equal(m.kind, VSD_IVUE_ACCEPT);
    assert_int_equal(vsd_ivue_classify((const uint8_t[]){0x0C, 0x00}, 2, &m), 0);
    assert_int_equal(m.kind, VSD_IVUE_REFUSE);
    assert_int_equal(vsd_ivue_classify((const uint8_t[]){0x19}, 1, &m), 0);
    assert_int_equal(m.kind, VSD_IVUE_ABORT);
    assert_int_equal(vsd_ivue_build_assoc(out, sizeof(out)) > 200, 1);
    assert_int_equal(out[0], 0x0D);
    assert_int_equal(vsd_ivue_build_release(out, sizeof(out)) > 0, 1);
    assert_int_equal(out[0], 0x09);
    /* A data message whose length points past its end. */
    assert_int_equal(vsd_ivue_classify(report, 20, &m), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcs_check_value),
        cmocka_unit_test(test_worked_example),
        cmocka_unit_test(test_transparency),
        cmocka_unit_test(test_bad_frames),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_float),
        cmocka_unit_test(test_poll_request),
        cmocka_unit_test(test_result),
        cmocka_unit_test(test_linked_and_units),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_association_messages),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
