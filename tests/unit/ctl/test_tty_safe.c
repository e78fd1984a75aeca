/* SPDX-License-Identifier: MIT */
/* Unit tests of terminal-safe output: control bytes, escape sequences, C1 controls and broken
 * UTF-8 are shown as \xNN; text, UTF-8 and line ends pass; vitalsctl watch lines are escaped. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* open_memstream */
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tty_safe.h"
#include "watch.h"

/* IN written in pieces of CHUNK bytes (0: at once) through one state; the result, malloc'd. */
static char *escape(const char *in, size_t chunk)
{
    struct vsd_tty_esc st = {0};
    size_t n = strlen(in), len = 0;
    char *text = NULL;
    FILE *out = open_memstream(&text, &len);

    assert_non_null(out);
    for (size_t i = 0; i < n; i += chunk ? chunk : n)
        vsd_tty_escape(&st, in + i, chunk && n - i > chunk ? chunk : n - i, out);
    vsd_tty_escape_end(&st, out);
    fclose(out);
    return text;
}

static void expect(const char *in, const char *want)
{
    for (size_t chunk = 0; chunk < 4; chunk++) { /* whole, and split at every place */
        char *got = escape(in, chunk);
        assert_string_equal(got, want);
        free(got);
    }
}

/* No byte a terminal acts on: below 0x20 but TAB/LF/CR, 0x7f, nor a raw or UTF-8 C1 control. */
static bool terminal_safe(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p < 0x20 && !strchr("\t\n\r", *p)) || *p == 0x7f)
            return false;
        if (*p >= 0x80 && *p <= 0x9f && ((const char *)p == s || p[-1] < 0x80 || p[-1] == 0xc2))
            return false;
    }
    return true;
}

static void test_controls_escaped(void **state)
{
    (void)state;
    expect("a\x1b[31mred\x1b[0m", "a\\x1b[31mred\\x1b[0m"); /* ESC: colours */
    expect("\x1b]0;title\x07", "\\x1b]0;title\\x07");       /* OSC: window title */
    expect("bell\x07 del\x7f nul-ish\x01", "bell\\x07 del\\x7f nul-ish\\x01");
    expect("over\rwrite", "over\\x0dwrite"); /* a lone CR */
    expect("end\r", "end\\x0d");
    expect("\xc2\x9bK", "\\xc2\\x9bK"); /* C1 CSI as UTF-8 */
    expect("\x9bK", "\\x9bK");          /* raw 8-bit CSI */
    expect("\xc0\xaf \xed\xa0\x80 \xf5\x80", "\\xc0\\xaf \\xed\\xa0\\x80 \\xf5\\x80");
    expect("cut \xe2\x82", "cut \\xe2\\x82"); /* unfinished at the end */
    expect("\xe2\x82Z", "\\xe2\\x82Z");
}

static void test_text_passes(void **state)
{
    (void)state;
    expect("time,bed\r\n2026,b1\r\n", "time,bed\r\n2026,b1\r\n"); /* CSV line ends */
    expect("{\"a\":1}\n\tx", "{\"a\":1}\n\tx");
    expect("Ren\xc3\xa9\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0",
           "Ren\xc3\xa9\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0");
    expect("C:\\path \\x1b", "C:\\path \\x1b");
}

static void test_one_line(void **state)
{
    char buf[64];

    (void)state;
    vsd_tty_escape_str("a\nb\tc\r\n\x1b", buf, sizeof(buf));
    assert_string_equal(buf, "a\\x0ab\\x09c\\x0d\\x0a\\x1b");
    vsd_tty_escape_str("\x1b\x1b\x1b\x1b\x1b", buf, 9);
    assert_true(terminal_safe(buf));
    assert_int_equal(strlen(buf), 8);
}

static void test_guard_stream(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *dst = open_memstream(&text, &len), *g;

    (void)state;
    assert_non_null(dst);
    g = vsd_tty_guard_open(dst);
    assert_non_null(g);
    fprintf(g, "bed,%s\r\n", "b\x1b[2J");
    fputs("split \xc2", g);
    fflush(g);
    fputs("\x9b and \xe2\x82", g);
    fputs("\xac ok\r", g);
    fclose(g); /* the CR still held is shown */
    fclose(dst);
    assert_string_equal(text, "bed,b\\x1b[2J\r\nsplit \\xc2\\x9b and \xe2\x82\xac ok\\x0d");
    free(text);
}

static void test_watch_line_escaped(void **state)
{
    char line[512];

    (void)state;
    assert_int_equal(
        vsd_watch_format("{\"event\":\"acknowledged\",\"priority\":\"high\","
                         "\"bed\":\"b1\\u001b[2J\",\"session\":\"S-1\\n10:00  RAISED\","
                         "\"code\":\"low\",\"vital\":\"spo2\",\"value\":85,"
                         "\"limit\":90,\"acknowledged_by\":\"A\\u009b31m\\r\","
                         "\"time\":\"2026-11-22T09:30:00.000Z\"}",
                         line, sizeof(line)),
        0);
    assert_true(terminal_safe(line));
    assert_null(strchr(line, '\n'));
    assert_non_null(strstr(line, "bed b1\\x1b[2J"));
    assert_non_null(strstr(line, "S-1\\x0a10:00  RAISED"));
    assert_non_null(strstr(line, "by A\\xc2\\x9b31m\\x0d"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_escaped),   cmocka_unit_test(test_text_passes),
        cmocka_unit_test(test_one_line),           cmocka_unit_test(test_guard_stream),
        cmocka_unit_test(test_watch_line_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
