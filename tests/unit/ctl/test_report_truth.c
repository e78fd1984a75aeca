/* SPDX-License-Identifier: MIT */
/* Unit tests of what the session report says against what the database holds: monitoring gaps
 * from the gaps table (merged across vitals, with cause and length, an open one marked), every
 * band with the session override and when it applied (the limits before it taken from the
 * audit row when no configuration is given), acknowledgements accepted and refused among the
 * staff actions (and none of another session's), and charts whose line breaks at a gap and at
 * unusable readings. */
#include "clock.h"
#include "report_fixture.h"

#define T0 1763782055000LL /* 2025-11-22T03:27:35.000Z */

static const char rows[] =
    "INSERT INTO sessions (session_id, bed, started_ms, started_by, ended_ms, ended_by) VALUES "
    "('G-1', 'b1', 1763782055000, 'Nurse A', 1763782115000, 'Nurse A');"
    "INSERT INTO gaps (session_id, bed, vital, start_ms, end_ms, reason) VALUES "
    "('G-1', 'b1', 'spo2', 1763782075500, 1763782101500, 'sensor_off'),"
    "('G-1', 'b1', 'pr', 1763782075600, 1763782101400, 'sensor_off'),"
    "('G-1', 'b1', 'hr', 1763782113000, NULL, 'comms_loss'),"
    "('G-2', 'b2', 'spo2', 1763782060000, 1763782090000, 'invalid');"
    "INSERT INTO alerts (alert_id, code, priority, bed, device, session_id, vital, value,"
    " limit_value, raised_ms, cleared_ms, state, acked_ms, acked_by) VALUES "
    "('a1', 'low', 'high', 'b1', 'm1', 'G-1', 'spo2', 84, 88, 1763782063000, 1763782067000,"
    " 'cleared', 1763782064000, 'Nurse B'),"
    "('a2', 'sensor_off', 'medium', 'b1', 'm1', 'G-1', 'spo2', NULL, NULL, 1763782077500,"
    " 1763782101500, 'cleared', NULL, NULL);"
    "INSERT INTO audit (ts_ms, actor, action, detail, prev_hash, hash) VALUES "
    "(1763782055000, 'Nurse A', 'session_start',"
    " '{\"bed\":\"b1\",\"session\":\"G-1\",\"result\":\"done\"}', 'p', 'h'),"
    "(1763782064000, 'Nurse B', 'alert_ack',"
    " '{\"alert\":\"a1\",\"code\":\"low\",\"priority\":\"high\",\"alert_bed\":\"b1\","
    "\"result\":\"done\"}', 'p', 'h'),"
    "(1763782064500, 'Nurse C', 'alert_ack', '{\"result\":\"refused\",\"reason\":\"alert "
    "''a1'' was already acknowledged by Nurse B\"}', 'p', 'h'),"
    "(1763782065000, 'Nurse D', 'alert_ack', '{\"result\":\"refused\",\"reason\":\"no active "
    "alert ''zz9'' (already cleared, or never raised)\"}', 'p', 'h'),"
    "(1763782085000, 'Dr Lee', 'limits_set', '{\"vital\":\"spo2\",\"previous\":{\"bands\":"
    "[{\"below\":92,\"priority\":\"medium\"},{\"below\":88,\"priority\":\"high\"}],"
    "\"delay_ms\":0,\"hysteresis\":0},\"new\":{\"bands\":[{\"below\":90,\"priority\":"
    "\"medium\"}],\"delay_ms\":0,\"hysteresis\":0},\"session\":\"G-1\",\"result\":\"done\"}',"
    " 'p', 'h'),"
    "(1763782115000, 'Nurse A', 'session_end',"
    " '{\"bed\":\"b1\",\"session\":\"G-1\",\"result\":\"done\"}', 'p', 'h');";

/* HR every second throughout; SpO2 and pulse every second but for an unusable SpO2 at 5 s and
 * nothing from 21 s to 46 s (the probe was off). */
static void insert_readings(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;

    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO readings (ts_ms, ts_source, bed, device, "
                                        "session_id, vital, value, flags) "
                                        "VALUES (?1, 0, 'b1', 'm1', 'G-1', ?2, ?3, ?4)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int s = 1; s <= 60; s++) {
        const char *vitals[] = {"hr", "spo2", "pr"};
        for (int k = 0; k < 3; k++) {
            bool off = k > 0 && s > 20 && s < 46;
            bool unusable = k == 1 && s == 5;
            if (off)
                continue;
            sqlite3_bind_int64(st, 1, T0 + s * 1000LL);
            sqlite3_bind_text(st, 2, vitals[k], -1, SQLITE_STATIC);
            if (unusable)
                sqlite3_bind_null(st, 3);
            else
                sqlite3_bind_double(st, 3, k == 1 ? 97 : 72);
            sqlite3_bind_int(st, 4, unusable ? 1 : 0);
            assert_int_equal(sqlite3_step(st), SQLITE_DONE);
            sqlite3_reset(st);
        }
    }
    sqlite3_finalize(st);
}

static int setup(void **state)
{
    *state = fx_new(rows, insert_readings);
    return 0;
}

static char *render(const struct fx *f, int html)
{
    return render_session(f, "G-1", html);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;

    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_gaps_from_the_gaps_table(void **state)
{
    char *md = render(*state, 0);

    assert_null(strstr(md, "No monitoring gap"));
    /* SpO2 and pulse rows of one probe-off, merged; the open HR gap runs to the end. */
    assert_non_null(strstr(md, "| 2025-11-22T03:27:55.500Z | 2025-11-22T03:28:21.500Z | 26 s | "
                               "Pulse, SpO2 | sensor off the patient |"));
    assert_non_null(strstr(md, "| 2025-11-22T03:28:33.000Z | still open at the end | at least 2 s "
                               "| HR | no answer from the device |"));
    assert_null(strstr(md, "only unusable values"));     /* another session's gap */
    assert_null(strstr(md, "no reading stored at all")); /* HR went on throughout */
    free(md);
}

static void test_every_band_and_the_override(void **state)
{
    char *md = render(*state, 0);

    /* No configuration given: the limits before the change come from its audit row. */
    assert_non_null(strstr(md, "| SpO2 | 2025-11-22T03:27:35.000Z | 2025-11-22T03:28:05.000Z | "
                               "configuration | below 92 medium | 0 s |"));
    assert_non_null(strstr(md, "| SpO2 | 2025-11-22T03:27:35.000Z | 2025-11-22T03:28:05.000Z | "
                               "configuration | below 88 high | 0 s |"));
    assert_non_null(strstr(md, "| SpO2 | 2025-11-22T03:28:05.000Z | 2025-11-22T03:28:35.000Z | "
                               "session override by Dr Lee | below 90 medium | 0 s |"));
    assert_non_null(strstr(md, "| below 92 medium, below 88 high, changed during the visit |"));
    assert_non_null(strstr(md, "| HR | 2025-11-22T03:27:35.000Z | 2025-11-22T03:28:35.000Z | "
                               "configuration | not known: no configuration given | - |"));
    free(md);
}

static void test_acknowledgements_are_staff_actions(void **state)
{
    char *md = render(*state, 0);

    assert_non_null(strstr(md, "2 acknowledgements, 1 of them refused, 1 limit change"));
    assert_non_null(strstr(md, "| Nurse B | alert\\_ack | acknowledgement | done | alert: a1;"));
    assert_non_null(strstr(md, "| Nurse C | alert\\_ack | acknowledgement | refused: alert 'a1' "
                               "was already acknowledged by Nurse B |"));
    assert_null(strstr(md, "zz9")); /* another alert's refusal */
    assert_non_null(strstr(md, "| limits\\_set | limit change | done | vital: spo2; previous: "
                               "below 92 medium, below 88 high; new: below 90 medium;"));
    assert_non_null(strstr(md, "| medium | sensor\\_off | spo2 | - | - | not acknowledged |"));
    free(md);
}

static void test_chart_breaks_and_labels(void **state)
{
    char *html = render(*state, 1);
    const char *spo2 = strstr(html, "<h3>SpO2");
    char *end;

    assert_non_null(spo2);
    end = strstr(spo2, "</svg>");
    assert_non_null(end);
    *end = '\0';
    /* 1-4 s, 6-20 s (after the unusable reading), 46-60 s (after the gap). */
    assert_int_equal(count(spo2, "<polyline class=\"values\""), 3);
    assert_int_equal(count(spo2, "<rect class=\"gap\""), 1);
    assert_int_equal(count(spo2, "<rect class=\"alert\""), 2);
    assert_non_null(strstr(spo2, ">below 92 medium</text>"));
    assert_non_null(strstr(spo2, ">below 90 medium</text>"));
    assert_non_null(strstr(spo2, ">time (UTC)</text>"));
    assert_non_null(strstr(spo2, ">03:28:00</text>"));
    assert_null(strstr(spo2, "href"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gaps_from_the_gaps_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_band_and_the_override, setup, teardown),
        cmocka_unit_test_setup_teardown(test_acknowledgements_are_staff_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chart_breaks_and_labels, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
