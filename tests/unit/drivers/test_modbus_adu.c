/* SPDX-License-Identifier: MIT */
/* Tests of the Modbus/TCP framing and answer checks the event loop's modbus-tcp side relies on
 * (adu.c): a request's bytes, when an answer is complete, and every way one can be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <modbus/modbus.h>

#include "adu.h"

static const struct vsd_mb_request rq = {VSD_MB_HOLDING, 0x0010, 2};

/* A good answer of unit 1 to RQ with transaction id 0x1234: HR 72, SpO2 97. */
static size_t good(uint8_t *a)
{
    const uint8_t g[] = {0x12, 0x34, 0, 0, 0, 7, 1, 3, 4, 0, 72, 0, 97};

    memcpy(a, g, sizeof(g));
    return sizeof(g);
}

static int check(const uint8_t *a, size_t len)
{
    return vsd_mb_answer_check(a, (int)len, VSD_MB_MBAP_LEN + 1, 1, &rq, true, 0x1234);
}

static void test_request_bytes(void **state)
{
    const uint8_t want[VSD_MB_TCP_REQ_LEN] = {0xab, 0xcd, 0, 0, 0, 6, 9, 3, 0, 0x10, 0, 2};
    const struct vsd_mb_request in = {VSD_MB_INPUT, 0x0010, 2};
    uint8_t out[VSD_MB_TCP_REQ_LEN];

    (void)state;
    vsd_mb_tcp_request(out, 0xabcd, 9, &rq);
    assert_memory_equal(out, want, sizeof(want));
    vsd_mb_tcp_request(out, 0xabcd, 9, &in);
    assert_int_equal(out[7], 4); /* input registers: function 4 */
}

static void test_frame_len(void **state)
{
    uint8_t a[300];
    size_t n = good(a);

    (void)state;
    assert_int_equal(vsd_mb_tcp_frame_len(a, 5), 0); /* header incomplete: wait */
    assert_int_equal(vsd_mb_tcp_frame_len(a, 6), (int)n);
    a[3] = 1; /* protocol id 1 */
    assert_int_equal(vsd_mb_tcp_frame_len(a, n), -1);
    a[3] = 0;
    a[4] = 1; /* length 263: more than any PDU, never waited for */
    assert_int_equal(vsd_mb_tcp_frame_len(a, n), -1);
    a[4] = 0;
    a[5] = 2; /* too short for any answer */
    assert_int_equal(vsd_mb_tcp_frame_len(a, n), -1);
}

static void test_answer_good(void **state)
{
    uint8_t a[300];
    uint16_t regs[2];
    size_t n = good(a);

    (void)state;
    assert_int_equal(check(a, n), 0);
    vsd_mb_answer_regs(a, VSD_MB_MBAP_LEN + 1, &rq, regs);
    assert_int_equal(regs[0], 72);
    assert_int_equal(regs[1], 97);
}

static void test_answer_wrong(void **state)
{
    uint8_t a[300];
    size_t n;

    (void)state;
    n = good(a), a[1] = 0x35; /* another request's transaction id */
    assert_int_equal(check(a, n), EMBBADDATA);
    n = good(a), a[6] = 2; /* another unit */
    assert_int_equal(check(a, n), EMBBADSLAVE);
    n = good(a), a[7] = 4; /* another function */
    assert_int_equal(check(a, n), EMBBADDATA);
    n = good(a), a[8] = 6; /* byte count past the frame */
    assert_int_equal(check(a, n), EMBBADDATA);
    n = good(a), a[5] = 9, a[n] = 0, a[n + 1] = 0; /* MBAP length counts two bytes too many */
    assert_int_equal(check(a, n + 2), EMBBADDATA);
    n = good(a), a[5] = 6; /* MBAP length one short of the bytes after it */
    assert_int_equal(check(a, n), EMBBADDATA);
}

static void test_exception(void **state)
{
    const uint8_t e[] = {0x12, 0x34, 0, 0, 0, 3, 1, 0x83, 2};

    (void)state;
    assert_int_equal(vsd_mb_tcp_frame_len(e, sizeof(e)), (int)sizeof(e));
    assert_int_equal(check(e, sizeof(e)), MODBUS_ENOBASE + 2); /* illegal data address */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_bytes), cmocka_unit_test(test_frame_len),
        cmocka_unit_test(test_answer_good),   cmocka_unit_test(test_answer_wrong),
        cmocka_unit_test(test_exception),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
