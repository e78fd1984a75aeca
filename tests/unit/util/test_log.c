/* SPDX-License-Identifier: MIT */
/* A log line is one line: control characters from outside text are escaped, never written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <vitalsd/log.h>

/* What vsd_log wrote to stderr while FN ran. */
static char *captured(void (*fn)(void))
{
    static char buf[4096];
    FILE *tmp = tmpfile();
    int saved = dup(STDERR_FILENO);
    size_t n;

    assert_non_null(tmp);
    fflush(stderr);
    dup2(fileno(tmp), STDERR_FILENO);
    fn();
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    n = fread(buf, 1, sizeof(buf) - 1, tmp);
    buf[n] = '\0';
    fclose(tmp);
    return buf;
}

static void forged_line(void)
{
    vsd_log(LOG_WARNING, "MQTT: message on '%s' ignored", "vitals/x\n<2>vitalsd: all is well\x1b[2J");
}

static void test_controls_escaped(void **state)
{
    const char *out = captured(forged_line);

    (void)state;
    assert_string_equal(out, "<4>MQTT: message on 'vitals/x\\x0a<2>vitalsd: all is well\\x1b[2J' "
                             "ignored\n");
}

static void plain_line(void)
{
    vsd_log(LOG_NOTICE, "bed '%s': session '%s' started by %s", "chair-1", "S-1", "nurse1 é");
}

static void test_plain_text_unchanged(void **state)
{
    (void)state;
    assert_string_equal(captured(plain_line),
                        "<5>bed 'chair-1': session 'S-1' started by nurse1 é\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_controls_escaped),
        cmocka_unit_test(test_plain_text_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
