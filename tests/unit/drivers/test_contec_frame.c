/* SPDX-License-Identifier: MIT */
/* Tests of the Contec decoder: the worked example, status bits, "no value" codes, the new
 * protocol's packets and commands, sync recovery, and the window median against corruption. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/reading.h>

#include "contec_frame.h"

/* A test-side legacy packet: signal 5, pleth 0x40, bar 3, PR, SpO2, extra bits in bytes 1, 3. */
static void legacy(uint8_t *f, int pr, int spo2, uint8_t b1, uint8_t b3)
{
    f[0] = (uint8_t)(0x80 | 0x05 | b1);
    f[1] = 0x40;
    f[2] = (uint8_t)(0x03 | b3 | (pr & 0x80 ? 0x40 : 0));
    f[3] = (uint8_t)(pr & 0x7f);
    f[4] = (uint8_t)(spo2 & 0x7f);
}

static void new_packet(uint8_t *f, int pr, int spo2, uint8_t status)
{
    const uint8_t p[9] = {0x01,
                          (uint8_t)(0x80 | status),
                          0x80,
                          0xC0,
                          0x80,
                          (uint8_t)(0x80 | pr),
                          (uint8_t)(0x80 | spo2),
                          0xFF,
                          0xFF};

    memcpy(f, p, sizeof(p));
}

/* Feed COUNT copies of packet F (SIZE bytes) and one more start byte to close the last one. */
static void feed_n(struct vsd_contec *p, const uint8_t *f, size_t size, int count)
{
    for (int i = 0; i < count; i++)
        vsd_contec_feed(p, f, size);
}

static void close_last(struct vsd_contec *p)
{
    const uint8_t start = p->proto == VSD_CONTEC_NEW ? 0x01 : 0x80;

    vsd_contec_feed(p, &start, 1);
}

static void test_worked_example(void **state)
{
    static const uint8_t ex[5] = {0x85, 0x40, 0x03, 0x48, 0x61};
    static const uint8_t ex130[5] = {0x85, 0x40, 0x43, 0x02, 0x61};
    struct vsd_contec_value pr, spo2;
    uint8_t f[5];

    (void)state;
    legacy(f, 72, 97, 0, 0);
    assert_memory_equal(f, ex, 5);
    assert_true(vsd_contec_packet_valid(VSD_CONTEC_LEGACY, ex));
    vsd_contec_decode(VSD_CONTEC_LEGACY, ex, &pr, &spo2);
    assert_true(pr.value == 72 && pr.flags == 0);
    assert_true(spo2.value == 97 && spo2.flags == 0);
    vsd_contec_decode(VSD_CONTEC_LEGACY, ex130, &pr, &spo2);
    assert_true(pr.value == 130); /* the 8th bit from byte 3 */
}

static void assert_none(const struct vsd_contec_value *v, uint32_t flags)
{
    assert_true(isnan(v->value));
    assert_int_equal(v->flags, flags | VSD_Q_INVALID);
}

static void test_status_and_no_value(void **state)
{
    struct vsd_contec_value pr, spo2;
    uint8_t f[5];

    (void)state;
    legacy(f, 72, 97, 0x10, 0); /* finger out / search too long */
    vsd_contec_decode(VSD_CONTEC_LEGACY, f, &pr, &spo2);
    assert_none(&pr, VSD_Q_SENSOR_OFF);
    assert_none(&spo2, VSD_Q_SENSOR_OFF);
    legacy(f, 72, 97, 0, 0x20); /* searching */
    vsd_contec_decode(VSD_CONTEC_LEGACY, f, &pr, &spo2);
    assert_none(&pr, VSD_Q_SEARCHING);
    legacy(f, 72, 97, 0, 0x10); /* probe error */
    vsd_contec_decode(VSD_CONTEC_LEGACY, f, &pr, &spo2);
    assert_none(&spo2, VSD_Q_SENSOR_OFF);
    legacy(f, 255, 127, 0x20, 0); /* "no value" codes; "SpO2 dropping" is no quality flag */
    vsd_contec_decode(VSD_CONTEC_LEGACY, f, &pr, &spo2);
    assert_none(&pr, 0);
    assert_none(&spo2, 0);
    legacy(f, 0, 0, 0, 0); /* zero: no measurement, never a reading of 0 */
    vsd_contec_decode(VSD_CONTEC_LEGACY, f, &pr, &spo2);
    assert_none(&pr, 0);
    assert_none(&spo2, 0);
    legacy(f, 60, 101, 0, 0); /* above 100 % */
    vsd_contec_decode(VSD_CONTEC_LEGACY, f, &pr, &spo2);
    assert_true(pr.value == 60);
    assert_none(&spo2, 0);
}

static void test_new_protocol(void **state)
{
    static const uint8_t start[9] = {0x7D, 0x81, 0xA1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    struct vsd_contec_value pr, spo2;
    struct vsd_contec p;
    uint8_t f[9], cmd[9];

    (void)state;
    vsd_contec_command(VSD_CONTEC_CMD_START, cmd);
    assert_memory_equal(cmd, start, 9);
    vsd_contec_command(VSD_CONTEC_CMD_KEEPALIVE, cmd);
    assert_int_equal(cmd[2], 0xAF);
    new_packet(f, 64, 98, 0);
    assert_true(vsd_contec_packet_valid(VSD_CONTEC_NEW, f));
    assert_false(vsd_contec_packet_valid(VSD_CONTEC_LEGACY, f));
    vsd_contec_decode(VSD_CONTEC_NEW, f, &pr, &spo2);
    assert_true(pr.value == 64 && spo2.value == 98 && pr.flags == 0);
    new_packet(f, 64, 98, 0x01);
    vsd_contec_decode(VSD_CONTEC_NEW, f, &pr, &spo2);
    assert_none(&pr, VSD_Q_SENSOR_OFF);
    new_packet(f, 127, 127, 0x02);
    vsd_contec_decode(VSD_CONTEC_NEW, f, &pr, &spo2);
    assert_none(&spo2, VSD_Q_SEARCHING);
    f[0] = 0x02; /* another packet type */
    assert_false(vsd_contec_packet_valid(VSD_CONTEC_NEW, f));
    assert_int_equal(vsd_contec_init(&p, 7), -EINVAL);
    assert_int_equal(vsd_contec_init(&p, VSD_CONTEC_NEW), 0);
    new_packet(f, 64, 98, 0);
    feed_n(&p, f, 9, 30);
    close_last(&p);
    assert_true(vsd_contec_take(&p, &pr, &spo2));
    assert_true(pr.value == 64 && spo2.value == 98);
}

/* Joining mid-packet costs nothing; each window gives the median; an empty window gives none. */
static void test_stream_and_window(void **state)
{
    struct vsd_contec_value pr, spo2;
    struct vsd_contec p;
    unsigned bad, good;
    uint8_t f[5];

    (void)state;
    vsd_contec_init(&p, VSD_CONTEC_LEGACY);
    legacy(f, 72, 97, 0, 0);
    vsd_contec_feed(&p, f + 2, 3); /* the tail of a packet */
    feed_n(&p, f, 5, 60);
    close_last(&p);
    vsd_contec_take_counts(&p, &bad, &good);
    assert_int_equal(bad, 0);
    assert_int_equal(good, 60);
    assert_true(vsd_contec_take(&p, &pr, &spo2));
    assert_true(pr.value == 72 && spo2.value == 97);
    assert_false(vsd_contec_take(&p, &pr, &spo2));
    /* 400 packets: the window keeps the last 256, all of the new value. */
    vsd_contec_feed(&p, f + 1, 4);
    legacy(f, 80, 95, 0, 0);
    feed_n(&p, f, 5, 400);
    close_last(&p);
    assert_true(vsd_contec_take(&p, &pr, &spo2));
    assert_true(pr.value == 80 && spo2.value == 95);
}

/* No checksum: a flipped value bit passes the packet check, but a minority of such packets
 * never becomes the reading; a flipped sync bit, truncated and over-long packets are counted. */
static void test_corruption(void **state)
{
    struct vsd_contec_value pr, spo2;
    struct vsd_contec p;
    unsigned bad, good;
    uint8_t f[5], g[5], junk[7] = {0x85, 0x40, 0x03, 0x48, 0x61, 0x11, 0x22};

    (void)state;
    vsd_contec_init(&p, VSD_CONTEC_LEGACY);
    legacy(f, 72, 97, 0, 0);
    legacy(g, 72, 33, 0, 0x20); /* a flip: SpO2 changed and "searching" set */
    feed_n(&p, f, 5, 10);
    feed_n(&p, g, 5, 3);
    feed_n(&p, f, 5, 10);
    vsd_contec_feed(&p, f, 3); /* truncated */
    feed_n(&p, f, 5, 5);
    vsd_contec_feed(&p, junk, 7); /* over-long */
    feed_n(&p, f, 5, 5);
    g[3] |= 0x80; /* sync bit in a data byte */
    vsd_contec_feed(&p, g, 5);
    feed_n(&p, f, 5, 5);
    close_last(&p);
    vsd_contec_take_counts(&p, &bad, &good);
    assert_true(bad >= 3);
    assert_int_equal(good, 10 + 3 + 10 + 5 + 5 + 5);
    assert_true(vsd_contec_take(&p, &pr, &spo2));
    assert_true(pr.value == 72 && pr.flags == 0);
    assert_true(spo2.value == 97 && spo2.flags == 0);
}

/* Mostly finger-out packets: the window's reading is "no value", flagged. */
static void test_window_majority_flagged(void **state)
{
    struct vsd_contec_value pr, spo2;
    struct vsd_contec p;
    uint8_t f[5], g[5];

    (void)state;
    vsd_contec_init(&p, VSD_CONTEC_LEGACY);
    legacy(f, 72, 97, 0, 0);
    legacy(g, 0, 0, 0x10, 0);
    feed_n(&p, f, 5, 10);
    feed_n(&p, g, 5, 50);
    close_last(&p);
    assert_true(vsd_contec_take(&p, &pr, &spo2));
    assert_none(&pr, VSD_Q_SENSOR_OFF);
    assert_none(&spo2, VSD_Q_SENSOR_OFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example), cmocka_unit_test(test_status_and_no_value),
        cmocka_unit_test(test_new_protocol),   cmocka_unit_test(test_stream_and_window),
        cmocka_unit_test(test_corruption),     cmocka_unit_test(test_window_majority_flagged),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
