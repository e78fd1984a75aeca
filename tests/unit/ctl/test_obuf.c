/* SPDX-License-Identifier: MIT */
/* Unit tests of the exports' output buffer: its JSON strings, numbers and times are byte for
 * byte what cJSON, printf and vsd_clock_iso8601 write (the exports' output did not change when
 * they stopped using those), and text longer than the buffer arrives whole. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "clock.h"
#include "obuf.h"

/* An obuf of CAP bytes over a memory stream. */
struct sink {
    char *text;
    size_t size;
    FILE *out;
    struct vsd_obuf b;
    char buf[VSD_OBUF_SIZE];
};

static void sink_open(struct sink *s, size_t cap)
{
    s->out = open_memstream(&s->text, &s->size);
    assert_non_null(s->out);
    vsd_obuf_init(&s->b, s->out, s->buf, cap);
}

/* What was written (valid until sink_close). */
static const char *sink_text(struct sink *s)
{
    vsd_obuf_flush(&s->b);
    assert_int_equal(fflush(s->out), 0);
    return s->text;
}

static void sink_close(struct sink *s)
{
    fclose(s->out);
    free(s->text);
}

/* cJSON's rendering of ITEM (deleted). */
static char *cjson_text(cJSON *item)
{
    char *text = cJSON_PrintUnformatted(item);

    cJSON_Delete(item);
    assert_non_null(text);
    return text;
}

static void test_json_text_as_cjson(void **state)
{
    char s[4] = "a?b";
    struct sink k;

    (void)state;
    for (int c = 1; c < 256; c++) { /* every byte, the controls escaped, UTF-8 bytes as they are */
        char *want;
        s[1] = (char)c;
        sink_open(&k, 16);
        vsd_obuf_putc(&k.b, '"');
        vsd_obuf_json_text(&k.b, s);
        vsd_obuf_putc(&k.b, '"');
        want = cjson_text(cJSON_CreateString(s));
        assert_string_equal(sink_text(&k), want);
        free(want);
        sink_close(&k);
    }
}

/* V through the fast path (when it takes it) and through the JSON writer, against printf's
 * "%.10g" and cJSON; true when the fast path took it. */
static int check_number(double v)
{
    char num[24], want[48], *json;
    size_t n = vsd_fmt_short_decimal(v, num);
    struct sink k;

    if (n) {
        snprintf(want, sizeof(want), "%.10g", v);
        num[n] = '\0';
        assert_string_equal(num, want);
    }
    sink_open(&k, 64);
    assert_int_equal(vsd_obuf_json_number(&k.b, v), 0);
    json = cjson_text(cJSON_CreateNumber(v));
    assert_string_equal(sink_text(&k), json);
    free(json);
    sink_close(&k);
    return n > 0;
}

static void test_numbers_as_printf_and_cjson(void **state)
{
    static const double fast[] = {0,     1,      -1,     0.5,  -0.5,    97.25,   36.6,
                                  120,   0.001,  -0.001, 98.6, 123.456, 1e6,     9999999.999,
                                  -60.5, 4096.5, 0.1,    0.3,  12.05,   -12.081, 2147483.647};
    static const double other[] = {1e7,  -1e7,     1e-4,      0.0001, 1.0 / 3,   0.1 + 0.2,
                                   1e15, 1e16,     1e300,     -1e300, 5e-324,    4503599627370496.5,
                                   -0.0, INFINITY, -INFINITY, NAN,    1234.5678, 2147483648.0};
    uint64_t x = 88172645463325252u;
    int taken = 0;

    (void)state;
    for (size_t i = 0; i < sizeof(fast) / sizeof(fast[0]); i++)
        assert_true(check_number(fast[i]));
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        assert_false(check_number(other[i]));
    for (int64_t m = -20000; m <= 400000; m += 7) /* every kind of x.yyy a monitor sends */
        taken += check_number((double)m / 1000.0);
    for (int i = 0; i < 20000; i++) { /* and arbitrary doubles, decimals and integers */
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        check_number((double)(int64_t)(x % 20000000000u) / 1000.0 - 1e7);
        check_number((double)(x >> 11) * 0x1p-40);
    }
    assert_int_equal(taken, 420001 / 7 + 1);
}

static void test_time_as_clock(void **state)
{
    struct vsd_obuf_time cache = VSD_OBUF_TIME_INIT;
    char want[40];
    int64_t ts = -3 * 86400000LL - 5;
    struct sink k;

    (void)state;
    for (int i = 0; i < 20000; i++) { /* across midnights, before 1970, back and forth */
        ts += i % 97 == 0 ? -7200000 : i % 13 == 0 ? 86400000 : 37123;
        sink_open(&k, 32);
        vsd_obuf_time(&k.b, &cache, ts);
        vsd_clock_iso8601(ts, want, sizeof(want));
        assert_string_equal(sink_text(&k), want);
        sink_close(&k);
    }
    sink_open(&k, 32);
    vsd_obuf_time(&k.b, &cache, 1795300000123);
    assert_string_equal(sink_text(&k), "2026-11-21T22:26:40.123Z");
    sink_close(&k);
}

/* Text longer than the buffer, and cells and numbers that straddle its end, arrive whole. */
static void test_small_buffer_whole(void **state)
{
    char long_text[300];
    struct sink k;

    (void)state;
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    sink_open(&k, 8);
    vsd_obuf_puts(&k.b, "abc");
    vsd_obuf_puts(&k.b, long_text);
    vsd_obuf_csv_cell(&k.b, "=1+\"2\"");
    vsd_obuf_putc(&k.b, ',');
    vsd_obuf_csv_cell(&k.b, "a,b");
    vsd_obuf_putc(&k.b, ',');
    vsd_obuf_csv_cell(&k.b, "plain");
    vsd_obuf_putc(&k.b, ',');
    vsd_obuf_int(&k.b, INT64_MIN);
    vsd_obuf_putc(&k.b, ',');
    vsd_obuf_int(&k.b, 1234567);
    assert_int_equal(strncmp(sink_text(&k), "abc", 3), 0);
    assert_memory_equal(k.text + 3, long_text, sizeof(long_text) - 1);
    assert_string_equal(k.text + 3 + sizeof(long_text) - 1,
                        "\"'=1+\"\"2\"\"\",\"a,b\",plain,-9223372036854775808,1234567");
    sink_close(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_text_as_cjson),
        cmocka_unit_test(test_numbers_as_printf_and_cjson),
        cmocka_unit_test(test_time_as_clock),
        cmocka_unit_test(test_small_buffer_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
