/* SPDX-License-Identifier: MIT */
/* Tests of the Nonin DF2/DF7/DF8 decoder: worked examples, flags, sentinels, sync recovery. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/reading.h>

#include "nonin_frame.h"

/* A test-side encoder: one second (75 frames) of DF7 or DF2 with display values HR and SPO2,
 * STATUS bits EXTRA on every frame. Returns the byte count. */
static size_t encode_second(int format, int hr, int spo2, uint8_t extra, uint8_t *out)
{
    size_t n = 0;

    for (int i = 0; i < 75; i++) {
        int slot = i % 25 + 1;
        uint8_t st = (uint8_t)(0x80 | 0x02 | extra | (slot == 1 ? 0x01 : 0));
        uint8_t fb = 0x55; /* reserved slots: any value */
        uint8_t *f = out + n;

        if (slot == 9)
            fb = (uint8_t)spo2;
        else if (slot == 20)
            fb = (uint8_t)(hr >> 7);
        else if (slot == 21)
            fb = (uint8_t)(hr & 0x7f);
        if (format == 2) {
            f[0] = 0x01, f[1] = st, f[2] = 0x80, f[3] = fb;
        } else {
            f[0] = st, f[1] = 0x12, f[2] = 0x34, f[3] = fb;
        }
        f[4] = (uint8_t)(f[0] + f[1] + f[2] + f[3]);
        n += 5;
    }
    return n;
}

static unsigned take_all(struct vsd_nonin *p, struct vsd_nonin_second *s)
{
    return vsd_nonin_take(p, s, VSD_NONIN_MAX_SECONDS);
}

static void test_worked_examples(void **state)
{
    static const uint8_t df2[3][5] = {{0x01, 0x83, 0x80, 0x00, 0x04},
                                      {0x01, 0x82, 0x85, 0x48, 0x50},
                                      {0x01, 0x82, 0x8A, 0x61, 0x6E}};
    static const uint8_t df7[5] = {0x83, 0x12, 0x34, 0x00, 0xC9};
    uint8_t bad[5] = {0x83, 0x12, 0x34, 0x00, 0xC8};

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_true(vsd_nonin_frame_valid(2, df2[i]));
    assert_true(vsd_nonin_frame_valid(7, df7));
    assert_false(vsd_nonin_frame_valid(7, bad));
    assert_false(vsd_nonin_frame_valid(2, df7)); /* no 01 start byte */
    assert_int_equal(vsd_nonin_hr(0x00, 0x48), 72);
    assert_int_equal(vsd_nonin_hr(0x01, 0x48), 200);
    assert_int_equal(vsd_nonin_hr(0x03, 0x7f), 511);
    assert_int_equal(vsd_nonin_hr(0x1b, 0xc8), 3 * 128 + 0x48); /* only bits 1..0, 6..0 */
}

static void test_df8_examples(void **state)
{
    static const uint8_t stream[] = {0x80, 0x48, 0x61, 0x00, 0x81, 0x48,
                                     0x5F, 0x00, 0x83, 0x7F, 0x7F, 0x08};
    struct vsd_nonin p;
    struct vsd_nonin_second s[8];
    unsigned bad, good;

    (void)state;
    assert_int_equal(vsd_nonin_init(&p, 8), 0);
    vsd_nonin_feed(&p, stream, sizeof(stream));
    assert_int_equal(take_all(&p, s), 3);
    assert_true(s[0].hr.value == 72 && s[0].spo2.value == 97);
    assert_int_equal(s[0].hr.flags, 0);
    assert_true(s[1].hr.value == 200 && s[1].spo2.value == 95);
    assert_true(isnan(s[2].hr.value) && isnan(s[2].spo2.value));
    assert_int_equal(s[2].hr.flags, VSD_Q_INVALID | VSD_Q_SENSOR_OFF);
    assert_int_equal(s[2].spo2.flags, VSD_Q_INVALID | VSD_Q_SENSOR_OFF);
    vsd_nonin_take_counts(&p, &bad, &good);
    assert_int_equal(bad, 0);
    assert_int_equal(good, 3);
}

static void test_status_flags(void **state)
{
    (void)state;
    assert_int_equal(vsd_nonin_status_flags(7, 0x82), 0);                   /* green */
    assert_int_equal(vsd_nonin_status_flags(7, 0x86), 0);                   /* yellow */
    assert_int_equal(vsd_nonin_status_flags(7, 0x80), 0);                   /* no indication */
    assert_int_equal(vsd_nonin_status_flags(7, 0x84), VSD_Q_LOW_PERFUSION); /* red */
    assert_int_equal(vsd_nonin_status_flags(7, 0xA2), VSD_Q_ARTIFACT);
    assert_int_equal(vsd_nonin_status_flags(7, 0x92), VSD_Q_ARTIFACT | VSD_Q_SEARCHING);
    assert_int_equal(vsd_nonin_status_flags(2, 0x8A), VSD_Q_SENSOR_OFF);
    assert_int_equal(vsd_nonin_status_flags(7, 0xC2), VSD_Q_SENSOR_OFF); /* SNSD */
    assert_int_equal(vsd_nonin_status_flags(8, 0xA0), VSD_Q_ARTIFACT | VSD_Q_SEARCHING);
    assert_int_equal(vsd_nonin_status_flags(8, 0x90), VSD_Q_LOW_PERFUSION);
    assert_int_equal(vsd_nonin_status_flags(8, 0x88), 0); /* marginal perfusion */
    assert_int_equal(vsd_nonin_status_flags(8, 0x84), VSD_Q_ARTIFACT);
}

static void test_df7_and_df2_seconds(void **state)
{
    uint8_t buf[2 * 375 + 8];
    struct vsd_nonin p;
    struct vsd_nonin_second s[8];
    size_t n;

    (void)state;
    for (int format = 2; format <= 7; format += 5) {
        assert_int_equal(vsd_nonin_init(&p, format), 0);
        memcpy(buf, "\x12\x99\x05", 3); /* joined mid-frame */
        n = 3 + encode_second(format, 72, 97, 0, buf + 3);
        n += encode_second(format, 200, 95, 0x20, buf + n);
        for (size_t i = 0; i < n; i++) /* byte by byte, as a slow link delivers it */
            vsd_nonin_feed(&p, buf + i, 1);
        assert_int_equal(take_all(&p, s), 2); /* the junk before the first frame is skipped */
        assert_true(s[0].hr.value == 72 && s[0].spo2.value == 97);
        assert_int_equal(s[0].hr.flags, 0);
        assert_true(s[1].hr.value == 200 && s[1].spo2.value == 95);
        assert_int_equal(s[1].hr.flags, VSD_Q_ARTIFACT);
    }
}

static void test_sync_recovery_and_counts(void **state)
{
    uint8_t buf[4 * 375 + 64];
    struct vsd_nonin p;
    struct vsd_nonin_second s[8];
    unsigned bad, good;
    size_t n = 0;

    (void)state;
    assert_int_equal(vsd_nonin_init(&p, 7), 0);
    n += encode_second(7, 72, 97, 0, buf + n);
    memcpy(buf + n, "\x83\x01\xff\x7f\x00\x80\x81", 7); /* noise with sync-looking bytes */
    n += 7;
    n += encode_second(7, 80, 96, 0, buf + n);
    n += encode_second(7, 90, 95, 0, buf + n);
    buf[n - 100 + 4] ^= 0x10; /* a bad checksum in the last second */
    vsd_nonin_feed(&p, buf, n);
    vsd_nonin_take_counts(&p, &bad, &good);
    assert_in_range(bad, 2, 4); /* lock losses + frames of skipped bytes */
    assert_in_range(good, 3 * 75 - 30, 3 * 75 - 1);
    assert_in_range(take_all(&p, s), 2, 3);
    assert_true(s[0].hr.value == 72 && s[0].spo2.value == 97);
    assert_true(s[1].spo2.value == 96 || s[1].spo2.value == 95);
}

static void test_truncated_and_overlong(void **state)
{
    uint8_t buf[3 * 375 + 64];
    struct vsd_nonin p;
    struct vsd_nonin_second s[8];
    unsigned bad, good;
    size_t n = 0, k;

    (void)state;
    assert_int_equal(vsd_nonin_init(&p, 7), 0);
    n += encode_second(7, 72, 97, 0, buf + n);
    k = encode_second(7, 60, 99, 0, buf + n);
    memmove(buf + n + 102, buf + n + 103, k - 103); /* frame 21 (HR-D LSB) loses a byte */
    n += k - 1;
    n += encode_second(7, 65, 98, 0, buf + n);
    memcpy(buf + n - 200, "\x10\x20\x30\x40\x50\x60\x70\x11", 8); /* over-long frame */
    vsd_nonin_feed(&p, buf, n);
    vsd_nonin_take_counts(&p, &bad, &good);
    assert_in_range(bad, 2, 5);
    assert_int_equal(take_all(&p, s), 2);
    assert_true(s[0].hr.value == 72);
    /* the window spans the cut second and the next: only their real values, averaged */
    assert_true(s[1].hr.value >= 60 && s[1].hr.value <= 65);
}

static void test_sentinels_never_values(void **state)
{
    uint8_t buf[375 * 3];
    struct vsd_nonin p;
    struct vsd_nonin_second s[8];
    size_t n = 0;

    (void)state;
    assert_int_equal(vsd_nonin_init(&p, 7), 0);
    n += encode_second(7, 511, 127, 0x08, buf + n); /* finger out after the hold */
    n += encode_second(7, 72, 112, 0, buf + n);     /* SpO2 above 100: not a value */
    vsd_nonin_feed(&p, buf, n);
    assert_int_equal(take_all(&p, s), 2);
    assert_true(isnan(s[0].hr.value) && isnan(s[0].spo2.value));
    assert_int_equal(s[0].spo2.flags, VSD_Q_INVALID | VSD_Q_SENSOR_OFF);
    assert_true(s[1].hr.value == 72);
    assert_true(isnan(s[1].spo2.value));
    assert_true(s[1].spo2.flags & VSD_Q_INVALID);
}

static void test_bad_format_and_overflow(void **state)
{
    uint8_t buf[375 * 10];
    struct vsd_nonin p;
    struct vsd_nonin_second s[16];
    size_t n = 0;

    (void)state;
    assert_int_equal(vsd_nonin_init(&p, 3), -EINVAL);
    assert_int_equal(vsd_nonin_init(&p, 7), 0);
    for (int i = 0; i < 10; i++)
        n += encode_second(7, 60 + i, 97, 0, buf + n);
    vsd_nonin_feed(&p, buf, n);
    assert_int_equal(vsd_nonin_take(&p, s, 16), VSD_NONIN_MAX_SECONDS); /* newest kept */
    assert_true(s[VSD_NONIN_MAX_SECONDS - 1].hr.value == 69);
    assert_int_equal(p.dropped_seconds, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_examples),
        cmocka_unit_test(test_df8_examples),
        cmocka_unit_test(test_status_flags),
        cmocka_unit_test(test_df7_and_df2_seconds),
        cmocka_unit_test(test_sync_recovery_and_counts),
        cmocka_unit_test(test_truncated_and_overlong),
        cmocka_unit_test(test_sentinels_never_values),
        cmocka_unit_test(test_bad_format_and_overflow),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
