/* SPDX-License-Identifier: MIT */
/* Tests of the GE S/5 frame layer and record decoder: spec examples, stuffing, faults, codes. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ge_s5_frame.h"
#include "ge_s5_record.h"

#define T0 1700000000u             /* record time of the examples */
#define WALL0 (T0 * 1000LL + 2500) /* the host clock, 2.5 s later */
#define REC_LEN 318                /* header + one subrecord */
#define SUB 40                     /* the subrecord's offset in the record */
#define CD (SUB + 4)               /* the basic class data's offset in the record */

/* The wire bytes of docs/devices/ge-s5.md, 'Worked examples': displayed values every 10 s,
 * classes basic + ext1..3. */
static const uint8_t request_wire[52] = {
    0x7E, 0x31, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x0A, 0x00, 0x0E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x49, 0x7E};

static void put16(uint8_t *p, int v)
{
    p[0] = (uint8_t)(v & 0xFF);
    p[1] = (uint8_t)((v >> 8) & 0xFF);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (int)(v & 0xFFFF));
    put16(p + 2, (int)(v >> 16));
}

/* A group header at class offset OFF with STATUS and LABEL, then int16 values. */
static void group(uint8_t *rec, int off, uint32_t status, int label, int n, const int *v)
{
    put32(rec + CD + off, status);
    put16(rec + CD + off + 4, label);
    for (int i = 0; i < n; i++)
        put16(rec + CD + off + 6 + 2 * i, v[i]);
}

/* The synthetic response of §5.5: header, one DISPL subrecord of the basic class. */
static void example_record(uint8_t rec[REC_LEN])
{
    memset(rec, 0, REC_LEN);
    put16(rec, REC_LEN);
    rec[3] = 9;
    put32(rec + 6, T0);
    rec[16 + 2] = 0x01;
    rec[19 + 2] = 0xFF;
    put32(rec + SUB, T0);
    group(rec, 0, 3, 0, 1, (int[]){72});
    group(rec, 72, 3, 0, 4, (int[]){12000, 8000, 9300, 72});
    group(rec, 118, 3, 0, 2, (int[]){9700, 72});
    group(rec, 132, 3, 0, 3, (int[]){0, 0, 14});
}

/* Feed N bytes; count what completed and copy the last good record to LAST. */
struct fed {
    unsigned good, bad[6];
    uint8_t last[VSD_GES5_RECORD_MAX];
    size_t last_len;
};

static void feed(struct vsd_ges5_deframer *d, const uint8_t *p, size_t n, struct fed *f)
{
    for (size_t i = 0; i < n; i++) {
        enum vsd_ges5_frame_status st = vsd_ges5_deframe_byte(d, p[i]);

        if (st == VSD_GES5_GOOD) {
            f->good++;
            memcpy(f->last, d->rec, d->len);
            f->last_len = d->len;
        } else if (st != VSD_GES5_MORE) {
            f->bad[st]++;
        }
    }
}

static unsigned bad_total(const struct fed *f)
{
    unsigned n = 0;

    for (int i = 0; i < 6; i++)
        n += f->bad[i];
    return n;
}

static void test_request_example(void **state)
{
    uint8_t rec[VSD_GES5_REQUEST_LEN], wire[VSD_GES5_FRAME_MAX];
    ssize_t n;

    (void)state;
    vsd_ges5_request_build(10, 0x0E, 0, rec);
    assert_int_equal(vsd_ges5_checksum(rec, sizeof(rec)), 0x49);
    n = vsd_ges5_frame_encode(rec, sizeof(rec), wire, sizeof(wire));
    assert_int_equal(n, sizeof(request_wire));
    assert_memory_equal(wire, request_wire, sizeof(request_wire));
    assert_int_equal(vsd_ges5_frame_encode(rec, sizeof(rec), wire, 51), -ENOSPC);
    assert_int_equal(vsd_ges5_frame_encode(rec, 0, wire, sizeof(wire)), -EINVAL);
}

static void test_response_example(void **state)
{
    static const uint8_t head[] = {0x3E, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0xF1, 0x53, 0x65};
    static const uint8_t nibp_bytes[] = {3,    0,    0,    0,    0,    0,    0xE0,
                                         0x2E, 0x40, 0x1F, 0x54, 0x24, 0x48, 0};
    uint8_t rec[REC_LEN], wire[VSD_GES5_FRAME_MAX];
    struct vsd_ges5_deframer d;
    struct vsd_ges5_basic b;
    struct vsd_ges5_nibp_track nibp = {0};
    struct vsd_reading r[8];
    struct fed f = {0};
    ssize_t n;

    (void)state;
    example_record(rec);
    assert_memory_equal(rec, head, sizeof(head));
    assert_memory_equal(rec + 116, nibp_bytes, sizeof(nibp_bytes));
    assert_int_equal(vsd_ges5_checksum(rec, sizeof(rec)), 0x7A);
    n = vsd_ges5_frame_encode(rec, sizeof(rec), wire, sizeof(wire));
    assert_int_equal(n, REC_LEN + 3); /* nothing stuffed */
    vsd_ges5_deframer_reset(&d);
    feed(&d, wire, (size_t)n, &f);
    assert_int_equal(f.good, 1);
    assert_int_equal(bad_total(&f), 0);
    assert_int_equal(vsd_ges5_record_decode(f.last, f.last_len, &b), 0);
    assert_int_equal(b.time, T0);
    assert_int_equal(vsd_ges5_readings(&b, &nibp, WALL0, r, 8), 8);
    const struct {
        enum vsd_vital v;
        double value;
        uint32_t flags;
    } want[] = {{VSD_VITAL_HR, 72, 0},       {VSD_VITAL_SPO2, 97, 0},
                {VSD_VITAL_PR, 72, 0},       {VSD_VITAL_RR, 14, 0},
                /* the example's CO2 group has et 0 and no ambient pressure: no EtCO2 */
                {VSD_VITAL_ETCO2, NAN, VSD_Q_INVALID},
                {VSD_VITAL_NIBP_SYS, 120, 0}, {VSD_VITAL_NIBP_DIA, 80, 0},
                {VSD_VITAL_NIBP_MEAN, 93, 0}};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(r[i].vital, want[i].v);
        if (isnan(want[i].value))
            assert_true(isnan(r[i].value));
        else
            assert_true(fabs(r[i].value - want[i].value) < 1e-9);
        assert_int_equal(r[i].flags, want[i].flags);
        assert_int_equal(r[i].measured_ms, i < 5 ? 0 : T0 * 1000LL);
    }
}

static void test_stuffing_round_trip(void **state)
{
    uint8_t rec[REC_LEN], wire[VSD_GES5_FRAME_MAX];
    struct vsd_ges5_deframer d;
    struct fed f = {0};
    ssize_t n;
    int stuffed = 0;

    (void)state;
    example_record(rec);
    put16(rec + CD + 6, 126);       /* HR 126 = 7E 00 */
    put16(rec + CD + 118 + 8, 125); /* PR 125 = 7D 00 */
    /* pick a time byte that makes the checksum itself 7E, so it is stuffed too */
    rec[SUB] = 0;
    rec[SUB] = (uint8_t)(0x7E - vsd_ges5_checksum(rec, sizeof(rec)));
    assert_int_equal(vsd_ges5_checksum(rec, sizeof(rec)), 0x7E);
    n = vsd_ges5_frame_encode(rec, sizeof(rec), wire, sizeof(wire));
    assert_true(n > REC_LEN + 3);
    for (ssize_t i = 1; i < n - 1; i++) {
        assert_int_not_equal(wire[i], 0x7E); /* no flag inside a frame */
        if (wire[i] == 0x7D) {
            assert_true(wire[i + 1] == 0x5E || wire[i + 1] == 0x5D);
            stuffed++;
        }
    }
    assert_int_equal(wire[n - 3], 0x7D); /* the checksum 7E, stuffed */
    assert_int_equal(wire[n - 2], 0x5E);
    assert_true(stuffed >= 3);
    vsd_ges5_deframer_reset(&d);
    feed(&d, wire, (size_t)n, &f);
    assert_int_equal(f.good, 1);
    assert_int_equal(f.last_len, REC_LEN);
    assert_memory_equal(f.last, rec, REC_LEN);
}

/* A checksum taken over the stuffed bytes (VSCapture's transmit side) is not the spec's. */
static void test_checksum_over_unstuffed_bytes(void **state)
{
    uint8_t rec[REC_LEN], wire[VSD_GES5_FRAME_MAX];
    struct vsd_ges5_deframer d;
    struct fed f = {0};
    ssize_t n;
    uint8_t wrong = 0;

    (void)state;
    example_record(rec);
    put16(rec + CD + 6, 126);
    n = vsd_ges5_frame_encode(rec, sizeof(rec), wire, sizeof(wire));
    for (ssize_t i = 1; i < n - 2; i++)
        wrong = (uint8_t)(wrong + wire[i]);
    assert_int_not_equal(wrong, vsd_ges5_checksum(rec, sizeof(rec)));
    wire[n - 2] = wrong;
    vsd_ges5_deframer_reset(&d);
    feed(&d, wire, (size_t)n, &f);
    assert_int_equal(f.good, 0);
    assert_int_equal(f.bad[VSD_GES5_BAD_SUM], 1);
}

static ssize_t example_frame(uint8_t *wire)
{
    uint8_t rec[REC_LEN];

    example_record(rec);
    return vsd_ges5_frame_encode(rec, sizeof(rec), wire, VSD_GES5_FRAME_MAX);
}

static void test_truncated_overlong_badescape(void **state)
{
    uint8_t wire[VSD_GES5_FRAME_MAX], junk[2 * VSD_GES5_RECORD_MAX];
    struct vsd_ges5_deframer d;
    struct fed f = {0};
    ssize_t n = example_frame(wire);

    (void)state;
    vsd_ges5_deframer_reset(&d);
    feed(&d, wire, (size_t)n - 40, &f); /* truncated: the tail never comes */
    feed(&d, (uint8_t[]){0x7E}, 1, &f);
    assert_int_equal(f.bad[VSD_GES5_BAD_LENGTH], 1);
    feed(&d, wire, 20, &f); /* shorter than a header */
    feed(&d, (uint8_t[]){0x7E}, 1, &f);
    assert_int_equal(f.bad[VSD_GES5_BAD_LENGTH], 2);
    memset(junk, 0x11, sizeof(junk)); /* over-long: more than any record */
    feed(&d, junk, sizeof(junk), &f);
    feed(&d, (uint8_t[]){0x7E}, 1, &f);
    assert_int_equal(f.bad[VSD_GES5_TOO_LONG], 1);
    feed(&d, wire, (size_t)n - 1, &f); /* an extra byte before the closing flag */
    feed(&d, (uint8_t[]){0x00, 0x7E}, 2, &f);
    assert_int_equal(f.bad[VSD_GES5_BAD_LENGTH], 3);
    feed(&d, (uint8_t[]){0x01, 0x7D, 0x7E}, 3, &f); /* escape then flag: aborted */
    assert_int_equal(f.bad[VSD_GES5_BAD_ESCAPE], 1);
    feed(&d, (uint8_t[]){0x01, 0x7D, 0x31, 0x7E}, 4, &f); /* 7D 31 is not a stuffed byte */
    assert_int_equal(f.bad[VSD_GES5_BAD_ESCAPE], 2);
    assert_int_equal(f.good, 0);
    feed(&d, wire, (size_t)n, &f); /* and the next good frame still decodes */
    assert_int_equal(f.good, 1);
    assert_string_equal(vsd_ges5_frame_status_name(VSD_GES5_TOO_LONG), "too long");
}

static void test_resync_after_garbage(void **state)
{
    uint8_t wire[VSD_GES5_FRAME_MAX];
    uint8_t noise[64];
    struct vsd_ges5_deframer d;
    struct fed f = {0};
    ssize_t n = example_frame(wire);
    uint32_t x = 12345;

    (void)state;
    vsd_ges5_deframer_reset(&d);
    feed(&d, wire + 100, (size_t)n - 100, &f); /* opened mid-frame */
    feed(&d, wire, (size_t)n, &f);
    assert_int_equal(f.good, 1);
    assert_int_equal(d.skipped, (unsigned long)(n - 101));
    for (int round = 0; round < 50; round++) {
        for (size_t i = 0; i < sizeof(noise); i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            noise[i] = (uint8_t)x;
        }
        feed(&d, noise, sizeof(noise), &f);
        feed(&d, wire, (size_t)n, &f);
    }
    assert_int_equal(f.good, 51);
    assert_true(bad_total(&f) >= 50); /* the noise itself is counted, never taken */
}

/* Every single-bit flip of a frame is rejected, and the frames after it still decode. */
static void test_single_bit_flips(void **state)
{
    uint8_t wire[VSD_GES5_FRAME_MAX], flipped[VSD_GES5_FRAME_MAX], rec[REC_LEN];
    ssize_t n = example_frame(wire);

    (void)state;
    example_record(rec);
    for (ssize_t bit = 0; bit < n * 8; bit++) {
        struct vsd_ges5_deframer d;
        struct fed f = {0};

        memcpy(flipped, wire, (size_t)n);
        flipped[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        vsd_ges5_deframer_reset(&d);
        feed(&d, wire, (size_t)n, &f);
        feed(&d, flipped, (size_t)n, &f);
        feed(&d, wire, (size_t)n, &f);
        feed(&d, wire, (size_t)n, &f);
        assert_true(f.good >= 2);
        assert_true(f.good <= 3);
        assert_memory_equal(f.last, rec, REC_LEN);
        /* a flip in the data is always caught; a flip of a flag loses a neighbour at most */
        assert_true(f.good == 3 ? bad_total(&f) >= 1 : 1);
    }
}

/* The readings of EXAMPLE with the value at class offset OFF replaced by CODE. */
static size_t with_value(int off, int code, struct vsd_reading *r)
{
    uint8_t rec[REC_LEN];
    struct vsd_ges5_basic b;
    struct vsd_ges5_nibp_track nibp = {0};

    example_record(rec);
    put16(rec + CD + off, code);
    assert_int_equal(vsd_ges5_record_decode(rec, sizeof(rec), &b), 0);
    return vsd_ges5_readings(&b, &nibp, WALL0, r, 8);
}

static const struct vsd_reading *find(const struct vsd_reading *r, size_t n, enum vsd_vital v)
{
    for (size_t i = 0; i < n; i++)
        if (r[i].vital == v)
            return &r[i];
    return NULL;
}

static void test_invalid_codes(void **state)
{
    const int codes[] = {-32767, -32766, -32765, -32764, -32763, -32762, -32001, -32768};
    const struct {
        int off;
        enum vsd_vital v;
    } fields[] = {{6, VSD_VITAL_HR},
                  {118 + 6, VSD_VITAL_SPO2},
                  {118 + 8, VSD_VITAL_PR},
                  {132 + 10, VSD_VITAL_RR},
                  {132 + 6, VSD_VITAL_ETCO2}};
    struct vsd_reading r[8];

    (void)state;
    for (size_t c = 0; c < sizeof(codes) / sizeof(codes[0]); c++) {
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
            size_t n = with_value(fields[i].off, codes[c], r);
            const struct vsd_reading *x = find(r, n, fields[i].v);

            assert_non_null(x);
            assert_true(isnan(x->value));
            assert_true(x->flags & VSD_Q_INVALID);
        }
        /* a NIBP with a code shows no result: no NIBP reading at all */
        size_t n = with_value(72 + 6, codes[c], r);
        assert_int_equal(n, 5);
        assert_null(find(r, n, VSD_VITAL_NIBP_SYS));
        /* a code in dia or mean: that one is invalid, never a value */
        n = with_value(72 + 8, codes[c], r);
        assert_true(isnan(find(r, n, VSD_VITAL_NIBP_DIA)->value));
        assert_true(find(r, n, VSD_VITAL_NIBP_DIA)->flags & VSD_Q_INVALID);
        assert_true(find(r, n, VSD_VITAL_NIBP_SYS)->value == 120);
    }
    /* -32000 is the smallest valid value: a value, not a code */
    size_t n = with_value(6, -32000, r);
    assert_true(find(r, n, VSD_VITAL_HR)->value == -32000);
    assert_int_equal(find(r, n, VSD_VITAL_HR)->flags, 0);
}

/* Readings of the example with group statuses changed. */
static size_t with_status(int off, uint32_t status, int label, struct vsd_reading *r)
{
    uint8_t rec[REC_LEN];
    struct vsd_ges5_basic b;
    struct vsd_ges5_nibp_track nibp = {0};

    example_record(rec);
    put16(rec + CD + 14, -32767); /* no impedance RR, as a real monitor sends it */
    put32(rec + CD + off, status);
    put16(rec + CD + off + 4, label);
    assert_int_equal(vsd_ges5_record_decode(rec, sizeof(rec), &b), 0);
    return vsd_ges5_readings(&b, &nibp, WALL0, r, 8);
}

static void test_status_flags(void **state)
{
    struct vsd_reading r[8];
    size_t n;

    (void)state;
    n = with_status(118, 1, 0, r); /* SpO2 module present, not measuring: probe off */
    assert_true(find(r, n, VSD_VITAL_SPO2)->flags & VSD_Q_SENSOR_OFF);
    assert_true(isnan(find(r, n, VSD_VITAL_SPO2)->value));
    assert_true(find(r, n, VSD_VITAL_PR)->flags & VSD_Q_SENSOR_OFF);
    assert_int_equal(find(r, n, VSD_VITAL_HR)->flags, 0);
    n = with_status(118, 0, 0, r); /* no SpO2 module: no SpO2 or PR readings */
    assert_null(find(r, n, VSD_VITAL_SPO2));
    assert_null(find(r, n, VSD_VITAL_PR));
    assert_int_equal(n, 6);
    n = with_status(0, 3 | VSD_GES5_ECG_NOISE, 0, r);
    assert_int_equal(find(r, n, VSD_VITAL_HR)->flags, VSD_Q_ARTIFACT);
    assert_true(find(r, n, VSD_VITAL_HR)->value == 72);
    n = with_status(0, 3 | VSD_GES5_ECG_LEARNING, 0, r);
    assert_int_equal(find(r, n, VSD_VITAL_HR)->flags, VSD_Q_SEARCHING);
    n = with_status(0, 1, 0, r); /* ECG not measuring: leads off */
    assert_true(find(r, n, VSD_VITAL_HR)->flags & VSD_Q_SENSOR_OFF);
    assert_true(isnan(find(r, n, VSD_VITAL_HR)->value));
    n = with_status(132, 0, 0, r); /* no CO2 and no impedance RR: no RR, no EtCO2 */
    assert_null(find(r, n, VSD_VITAL_RR));
    assert_null(find(r, n, VSD_VITAL_ETCO2));
    n = with_status(72, 0, 0, r); /* no NIBP module */
    assert_null(find(r, n, VSD_VITAL_NIBP_SYS));
    const int cycling[] = {VSD_GES5_NIBP_MEASURING, VSD_GES5_NIBP_STASIS,
                           VSD_GES5_NIBP_CALIBRATING};
    for (int i = 0; i < 3; i++) {
        n = with_status(72, 3, cycling[i] | VSD_GES5_NIBP_AUTO, r);
        assert_null(find(r, n, VSD_VITAL_NIBP_SYS));
    }
}

static void test_impedance_rr(void **state)
{
    uint8_t rec[REC_LEN];
    struct vsd_ges5_basic b;
    struct vsd_ges5_nibp_track nibp = {0};
    struct vsd_reading r[8];
    size_t n;

    (void)state;
    example_record(rec);
    put32(rec + CD + 132, 0); /* no CO2 module */
    put16(rec + CD + 14, 18); /* ECG impedance RR */
    assert_int_equal(vsd_ges5_record_decode(rec, sizeof(rec), &b), 0);
    n = vsd_ges5_readings(&b, &nibp, WALL0, r, 8);
    assert_true(find(r, n, VSD_VITAL_RR)->value == 18);
}

/* The CO2 group with STATUS and its fields et (1/100 %), fi, rr, amb_press (1/10 mmHg). */
static size_t co2(uint32_t status, int et, int rr, int amb, struct vsd_reading *r)
{
    uint8_t rec[REC_LEN];
    struct vsd_ges5_basic b;
    struct vsd_ges5_nibp_track nibp = {0};

    example_record(rec);
    put16(rec + CD + 14, -32767); /* no impedance RR */
    group(rec, 132, status, 1, 4, (int[]){et, 0, rr, amb});
    assert_int_equal(vsd_ges5_record_decode(rec, sizeof(rec), &b), 0);
    return vsd_ges5_readings(&b, &nibp, WALL0, r, 8);
}

static void test_co2_etco2(void **state)
{
    struct vsd_reading r[8];
    const struct vsd_reading *e, *rr;
    size_t n;

    (void)state;
    /* 5.00 % of 760.0 mmHg = 38 mmHg; 6.50 % of 630.0 mmHg (a clinic at altitude) = 40.95 */
    n = co2(3, 500, 14, 7600, r);
    e = find(r, n, VSD_VITAL_ETCO2);
    assert_non_null(e);
    assert_true(fabs(e->value - 38.0) < 1e-9 && e->flags == 0 && e->measured_ms == 0);
    assert_true(find(r, n, VSD_VITAL_RR)->value == 14);
    n = co2(3, 650, 9, 6300, r);
    assert_true(fabs(find(r, n, VSD_VITAL_ETCO2)->value - 40.95) < 1e-9);
    /* apnea: the monitor's status bit rides on the rate, and a rate of 0 is a value */
    n = co2(3 | VSD_GES5_CO2_APNEA, 0, 0, 7600, r);
    rr = find(r, n, VSD_VITAL_RR);
    assert_true(rr->value == 0 && rr->flags == VSD_Q_APNEA);
    e = find(r, n, VSD_VITAL_ETCO2);
    assert_true(e->value == 0 && e->flags == 0);
    n = co2(3 | VSD_GES5_CO2_APNEA, -32767, -32767, 7600, r); /* apnea, no numbers at all */
    rr = find(r, n, VSD_VITAL_RR);
    assert_true(isnan(rr->value) && rr->flags == (VSD_Q_APNEA | VSD_Q_INVALID));
    assert_true(find(r, n, VSD_VITAL_ETCO2)->flags == VSD_Q_INVALID);
    n = co2(3, 500, 14, 7600, r); /* control: without the bit, no apnea flag */
    assert_int_equal(find(r, n, VSD_VITAL_RR)->flags, 0);
    /* never a guessed ambient pressure: special, too low, too high */
    const int bad_amb[] = {-32767, -32766, 0, 3999, 8501};
    for (size_t i = 0; i < sizeof(bad_amb) / sizeof(bad_amb[0]); i++) {
        n = co2(3, 500, 14, bad_amb[i], r);
        e = find(r, n, VSD_VITAL_ETCO2);
        assert_true(isnan(e->value) && e->flags == VSD_Q_INVALID);
        assert_true(find(r, n, VSD_VITAL_RR)->value == 14); /* the rate is still good */
    }
    n = co2(3, 500, 14, 4000, r); /* the bounds themselves are accepted */
    assert_true(fabs(find(r, n, VSD_VITAL_ETCO2)->value - 20.0) < 1e-9);
    n = co2(3, -32764, 14, 7600, r); /* under range: a code, not a value */
    assert_true(isnan(find(r, n, VSD_VITAL_ETCO2)->value));
    /* module present, not measuring (line off): EtCO2 sensor off; no CO2 RR */
    n = co2(1, 500, 14, 7600, r);
    e = find(r, n, VSD_VITAL_ETCO2);
    assert_true(isnan(e->value) && (e->flags & VSD_Q_SENSOR_OFF));
    assert_null(find(r, n, VSD_VITAL_RR));
}

/* Feed records with NIBP SYS (and LABEL) at record time T; returns sys's measured_ms or -1. */
static int64_t nibp_at(struct vsd_ges5_nibp_track *t, uint32_t time, int sys, int label,
                       int64_t wall)
{
    uint8_t rec[REC_LEN];
    struct vsd_ges5_basic b;
    struct vsd_reading r[8];
    const struct vsd_reading *x;
    size_t n;

    example_record(rec);
    put32(rec + SUB, time);
    put16(rec + CD + 72 + 4, label);
    put16(rec + CD + 72 + 6, sys);
    assert_int_equal(vsd_ges5_record_decode(rec, sizeof(rec), &b), 0);
    n = vsd_ges5_readings(&b, t, wall, r, 8);
    x = find(r, n, VSD_VITAL_NIBP_SYS);
    if (!x)
        return -1;
    assert_int_equal(find(r, n, VSD_VITAL_NIBP_MEAN)->measured_ms, x->measured_ms);
    return x->measured_ms;
}

static void test_nibp_stored_once(void **state)
{
    struct vsd_ges5_nibp_track t = {0};
    const int64_t T = T0 * 1000LL;

    (void)state;
    assert_int_equal(nibp_at(&t, T0, 12000, 0, WALL0), T);
    assert_int_equal(nibp_at(&t, T0 + 5, 12000, 0, WALL0 + 5000), T); /* repeated: same time */
    assert_int_equal(nibp_at(&t, T0 + 10, 12000, VSD_GES5_NIBP_OLD, WALL0 + 10000), T);
    assert_int_equal(nibp_at(&t, T0 + 15, 12000, VSD_GES5_NIBP_MEASURING, WALL0 + 15000), -1);
    /* same values after a cuff cycle: a new measurement all the same */
    assert_int_equal(nibp_at(&t, T0 + 20, 12000, 0, WALL0 + 20000), T + 20000);
    /* new values without a cycle seen (it fell between two records): new */
    assert_int_equal(nibp_at(&t, T0 + 25, 13000, 0, WALL0 + 25000), T + 25000);
    /* a monitor clock going back never makes a measurement older than the last */
    assert_int_equal(nibp_at(&t, T0 + 1, 14000, 0, WALL0 + 30000), T + 25001);
    /* no result (a failed cuff cycle): nothing, and the old one is not repeated as new */
    assert_int_equal(nibp_at(&t, T0 + 35, -32767, 0, WALL0 + 35000), -1);
}

static void test_nibp_first_seen_and_clock(void **state)
{
    struct vsd_ges5_nibp_track t = {0};
    const int64_t T = T0 * 1000LL;

    (void)state;
    /* first seen after open and flagged older than 60 s: at least that old */
    assert_int_equal(nibp_at(&t, T0, 12000, VSD_GES5_NIBP_OLD, WALL0), T - 60000);
    memset(&t, 0, sizeof(t));
    /* a monitor clock a day off: the host's time is used */
    assert_int_equal(nibp_at(&t, T0 - 86400, 12000, 0, WALL0), WALL0);
}

static void test_record_decode_errors(void **state)
{
    uint8_t rec[REC_LEN + VSD_GES5_SUBREC_LEN];
    struct vsd_ges5_basic b;

    (void)state;
    example_record(rec);
    assert_int_equal(vsd_ges5_record_decode(rec, REC_LEN - 1, &b), -EBADMSG); /* r_len */
    assert_int_equal(vsd_ges5_record_decode(rec, 20, &b), -EBADMSG);
    put16(rec + 16, 1); /* subrecord offset past the end */
    assert_int_equal(vsd_ges5_record_decode(rec, REC_LEN, &b), -EBADMSG);
    put16(rec + 16, -2);
    assert_int_equal(vsd_ges5_record_decode(rec, REC_LEN, &b), -EBADMSG);
    example_record(rec);
    put16(rec + 14, 1); /* a waveform record */
    assert_int_equal(vsd_ges5_record_decode(rec, REC_LEN, &b), -ENOMSG);
    example_record(rec);
    put16(rec + SUB + 276, 1 << 8); /* ext1 class only */
    assert_int_equal(vsd_ges5_record_decode(rec, REC_LEN, &b), -ENOMSG);
    example_record(rec);
    rec[18] = 3; /* a 60 s trend subrecord, not displayed values */
    assert_int_equal(vsd_ges5_record_decode(rec, REC_LEN, &b), -ENOMSG);
    /* two subrecords, ext1 first: the class comes from cl_drilvl_subt, not the position */
    example_record(rec);
    memmove(rec + SUB + VSD_GES5_SUBREC_LEN, rec + SUB, VSD_GES5_SUBREC_LEN);
    memset(rec + SUB, 0, VSD_GES5_SUBREC_LEN);
    put16(rec + SUB + 276, 1 << 8);
    put16(rec, REC_LEN + VSD_GES5_SUBREC_LEN);
    rec[19] = 0x16, rec[20] = 0x01, rec[21] = 0x01; /* offset 278, DISPL */
    rec[24] = 0xFF;
    assert_int_equal(vsd_ges5_record_decode(rec, sizeof(rec), &b), 0);
    assert_int_equal(b.ecg.v[0], 72);
    assert_int_equal(b.nibp.v[0], 12000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_example),
        cmocka_unit_test(test_response_example),
        cmocka_unit_test(test_stuffing_round_trip),
        cmocka_unit_test(test_checksum_over_unstuffed_bytes),
        cmocka_unit_test(test_truncated_overlong_badescape),
        cmocka_unit_test(test_resync_after_garbage),
        cmocka_unit_test(test_single_bit_flips),
        cmocka_unit_test(test_invalid_codes),
        cmocka_unit_test(test_status_flags),
        cmocka_unit_test(test_impedance_rr),
        cmocka_unit_test(test_co2_etco2),
        cmocka_unit_test(test_nibp_stored_once),
        cmocka_unit_test(test_nibp_first_seen_and_clock),
        cmocka_unit_test(test_record_decode_errors),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
