/* SPDX-License-Identifier: MIT */
/* Unit tests of the session report's rendering of untrusted text and missing numbers: hostile
 * names from a tampered or legacy database inject no Markdown link, image or HTML, and a NULL
 * value or limit shows as a dash, never as 0. */
#include "md_escape.h"
#include "report_fixture.h"

#define T0 1763782055000LL
#define SESSION "S-[1](x)"

/* Rows as a tampered database would hold them: names no vitalsd input check lets through. */
static const char hostile_rows[] =
    "INSERT INTO sessions (session_id, bed, started_ms, started_by, ended_ms, ended_by) VALUES "
    "('" SESSION "', 'bed|<b>[evil](http://e.example)</b>', 1763782055000,"
    " '![img](http://e.example/i.png)', 1763782115000, 'Nurse `x` *y* _z_ #1 ~s~ & \\');"
    "INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags) VALUES "
    "(1763782056000, 0, 'b', 'm', '" SESSION "', 'spo2', 95, 0),"
    "(1763782057000, 0, 'b', 'm', '" SESSION "', 'spo2', 84, 0),"
    "(1763782058000, 0, 'b', 'm', '" SESSION "', 'hr', NULL, 1);"
    "INSERT INTO alerts (alert_id, code, priority, bed, device, session_id, vital, value,"
    " limit_value, raised_ms, cleared_ms, state) VALUES "
    "('a1', 'low', 'high', 'b', 'm', '" SESSION "', 'spo2', 84, 90, 1763782057000,"
    " 1763782060000, 'cleared'),"
    "('a2', 'sensor_off', 'medium', 'b', 'm', '" SESSION "', 'spo2', NULL, NULL,"
    " 1763782070000, NULL, 'active'),"
    "('a3', 'low', 'low', 'b', 'm', '" SESSION "', 'resp', 0, 8, 1763782080000, NULL,"
    " '<i>[x](js:1)');" /* state: 15 bytes kept */
    "INSERT INTO audit (ts_ms, actor, action, detail, prev_hash, hash) VALUES "
    "(1763782055000, '<script>alert(1)</script>', 'session_start',"
    " '{\"session\":\"" SESSION "\",\"reason\":\"![x](http://e.example/p.png)\"}', 'p', 'h');";

static int setup(void **state)
{
    *state = fx_new(hostile_rows, NULL);
    return 0;
}

static char *render(const struct fx *f, int html)
{
    return render_session(f, SESSION, html);
}

/* Every < [ ( ! ` in MD is escaped (an odd run of backslashes before it): no HTML, link, image
 * or code can start, and no ]( survives. */
static void assert_inert(const char *md)
{
    for (const char *p = md; *p; p++) {
        size_t slashes = 0;
        if (!strchr("<[(!`", *p))
            continue;
        while (p - slashes > md && p[-1 - (ptrdiff_t)slashes] == '\\')
            slashes++;
        assert_true(slashes % 2 == 1);
    }
    assert_null(strstr(md, "]("));
}

static void test_markdown_escapes_hostile_names(void **state)
{
    char *md = render(*state, 0);

    assert_inert(md);
    assert_non_null(strstr(md, "# Session report: S-\\[1\\]\\(x\\)\n"));
    assert_non_null(strstr(md, "| Bed | bed\\|\\<b\\>\\[evil\\]\\(http://e.example\\)\\</b\\> |"));
    assert_non_null(strstr(md, " by \\!\\[img\\]\\(http://e.example/i.png\\) |"));
    assert_non_null(strstr(md, " by Nurse \\`x\\` \\*y\\* \\_z\\_ \\#1 \\~s\\~ \\& \\\\ |"));
    assert_non_null(strstr(md, "| \\<script\\>alert\\(1\\)\\</script\\> | session\\_start |"));
    assert_non_null(strstr(md, "\\!\\[x\\]\\(http://e.example/p.png\\)"));
    assert_non_null(strstr(md, "| \\<i\\>\\[x\\]\\(js:1\\) |"));
    free(md);
}

static void test_html_escapes_hostile_names(void **state)
{
    char *html = render(*state, 1);

    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<b>"));
    assert_null(strstr(html, "<i>"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    free(html);
}

static void test_null_numbers_are_dashes(void **state)
{
    char *md = render(*state, 0);

    /* technical alert: no value, no limit */
    assert_non_null(strstr(md, "| medium | sensor\\_off | spo2 | - | - | not acknowledged |"));
    assert_non_null(strstr(md, "| high | low | spo2 | 84 | 90 |"));
    assert_non_null(strstr(md, "| low | low | resp | 0 | 8 |")); /* a real 0 stays 0 */
    /* a vital with only unusable readings: no min, median or max */
    assert_non_null(strstr(md, "| HR | bpm | 0 | 1 | - | - | - |"));
    free(md);
}

static void test_md_put(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    vsd_md_put(out, "a\\b`c*d_e[f]g(h)i!j#k<l>m|n&o~p\nq\rr\x1bs");
    vsd_md_put(out, NULL);
    fclose(out);
    assert_string_equal(text,
                        "a\\\\b\\`c\\*d\\_e\\[f\\]g\\(h\\)i\\!j\\#k\\<l\\>m\\|n\\&o\\~p q r\\x1bs");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_markdown_escapes_hostile_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html_escapes_hostile_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_numbers_are_dashes, setup, teardown),
        cmocka_unit_test(test_md_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
