/* SPDX-License-Identifier: MIT */
/* Unit tests of the alarm engine's alert lifecycle: latching, escalation, overrides, lists. */
#include "alarm_steps.h"

#include "alarm_int.h" /* LATCHED_MAX */

/* CLEAR(k, ...) and ACK(..., k, ...) name the alert raised by step k (J(k, j): its j-th event). */

/* Step 1 exactly escalate_ms[0] after the raise, step 2 exactly escalate_ms[1] after it, then
 * no more; none below escalate_priority; none after an acknowledgement; a latched alert nobody
 * acknowledged goes on escalating. */
/* clang-format off */
static const struct step escalation[] = {
    /* 0 */ R(0, 0, 0, HR, 130, 0),
    /* 1 */ TICK(10000, 0, RAISE(HIGH, HR, 130, 120, P_MED, 0)),
    /* 2 */ TICK(69999, 0),
    /* 3 */ TICK(70000, 0, ESC(1, HIGH, HR, 130, 120, P_MED, 0)),
    /* 4 */ TICK(70001, 0),
    /* 5 */ TICK(189999, 0),
    /* 6 */ TICK(190000, 0, ESC(1, HIGH, HR, 130, 120, P_MED, 0)),
    /* 7 */ TICK(1000000, 0),
    /* 8 */ R(1000001, 0, 0, RR, 31, 0, RAISE(HIGH, RR, 31, 30, P_LO, 0)),
    /* 9 */ TICK(2000000, 0),
    /* 10 */ R(2000001, 0, 0, SPO2, 91, 0),
    /* 11 */ TICK(2010001, 0, RAISE(LOW, SPO2, 91, 92, P_MED, 0)),
    /* 12 */ ACK(2010002, 0, 11, BY, 0, ACKD(11, LOW, SPO2, 91, 92, P_MED, 0)),
    /* 13 */ TICK(2200000, 0),
    /* 14 */ R(2200001, 0, 0, HR, 100, 0, CLEAR(1, HIGH, HR, 100, 120, P_MED, 0)),
    /* 15 */ R(3000000, 0, 1, RR, 5, 0, RAISE(LOW, RR, 5, 8, P_HI, 1),
                CLEAR(8, HIGH, RR, 5, 30, P_LO, 0)),
    /* 16 */ R(3000001, 0, 1, RR, 12, 0, LATCH(15, LOW, RR, 12, 8, P_HI, 1)),
    /* 17 */ TICK(3059999, 0),
    /* 18 */ TICK(3060000, 0, ESC(15, LOW, RR, 5, 8, P_HI, 1)),
    /* 19 */ TICK(3180000, 0, ESC(15, LOW, RR, 5, 8, P_HI, 1)),
    /* 20 */ ACK(3180001, 0, 15, BY, 0, ACKD(15, LOW, RR, 5, 8, P_HI, 1),
                 CLEAR(15, LOW, RR, NAN, 8, P_HI, 1)),
    /* 21 */ TICK(9000000, 0),
};
/* clang-format on */

/* Bed 2: step 2 is off (0), so step 1 only. Bed 1: step 1 is off, so no escalation at all. */
/* clang-format off */
static const struct step escalation_off[] = {
    /* 0 */ DOWN(0, 2, 1, RAISE(COMMS, NOV, NAN, NAN, P_HI, 1)),
    /* 1 */ DOWN(0, 1, 2, RAISE(COMMS, NOV, NAN, NAN, P_HI, 2)),
    /* 2 */ TICK(59999, 2),
    /* 3 */ TICK(60000, 2, ESC(0, COMMS, NOV, NAN, NAN, P_HI, 1)),
    /* 4 */ TICK(500000, 2),
    /* 5 */ TICK(5000000, 1),
};
/* clang-format on */

/* A tick that comes late takes every step that is due: step 2 is due at escalate_ms[1]. */
/* clang-format off */
static const struct step escalation_late_tick[] = {
    /* 0 */ DOWN(0, 0, 3, RAISE(COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 1 */ TICK(180000, 0, ESC(0, COMMS, NOV, NAN, NAN, P_HI, 3),
                 ESC(0, COMMS, NOV, NAN, NAN, P_HI, 3)),
};
/* clang-format on */

/* Staff limits for one patient (set_limit): what was pending starts over under the new limits;
 * the new band raises new alerts; back to the configured limits likewise. */
static const struct vsd_limit lim_spo2_85 = {/* bands[1] is beyond n_bands: never used */
                                             .bands = {{false, 85, P_HI}, {false, 99, P_LO}},
                                             .n_bands = 1,
                                             .delay_ms = 5000,
                                             .hysteresis = 2};
/* clang-format off */
static const struct step override_restart[] = {
    /* 0 */ R(0, 1, 0, SPO2, 91, 0),
    /* 1 */ R(5000, 1, 0, SPO2, 87, 0),
    /* 2 */ LIMIT(6000, 1, SPO2, &lim_spo2_85, 0),
    /* 3 */ TICK(10000, 1),
    /* 4 */ R(11000, 1, 0, SPO2, 87, 0),
    /* 5 */ TICK(20000, 1),
    /* 6 */ R(21000, 1, 0, SPO2, 84, 0),
    /* 7 */ TICK(25999, 1),
    /* 8 */ TICK(26000, 1, RAISE(LOW, SPO2, 84, 85, P_HI, 0)),
    /* 9 */ R(27000, 1, 0, SPO2, 86.99, 0),
    /* 10 */ R(28000, 1, 0, SPO2, 87, 0, LATCH(8, LOW, SPO2, 87, 85, P_HI, 0)),
    /* 11 */ LIMIT(29000, 1, SPO2, &lim_spo2, 0),
    /* 12 */ R(30000, 1, 0, SPO2, 89, 0),
    /* 13 */ TICK(39999, 1),
    /* 14 */ TICK(40000, 1, RAISE(LOW, SPO2, 89, 92, P_MED, 0)),
    /* 15 */ ACK(41000, 1, 8, BY, 0, ACKD(8, LOW, SPO2, 84, 85, P_HI, 0),
                 CLEAR(8, LOW, SPO2, NAN, 85, P_HI, 0)),
    /* 16 */ LIMIT(42000, 0, SPO2, &lim_spo2_85, 0),
    /* 17 */ R(43000, 1, 0, SPO2, 95, 0, CLEAR(14, LOW, SPO2, 95, 92, P_MED, 0)),
    /* 18 */ R(44000, 1, 0, SPO2, 84, 0),
    /* 19 */ TICK(49000, 1),
    /* 20 */ TICK(54000, 1, RAISE(LOW, SPO2, 84, 92, P_MED, 0), RAISE(LOW, SPO2, 84, 88, P_HI, 0)),
};
/* clang-format on */

/* An active alert ends by the band it was raised under, not by the new one; the old band
 * raises nothing more. */
static const struct vsd_limit lim_hr_wide = {.bands = {{false, 40, P_HI}, {true, 140, P_MED}},
                                             .n_bands = 2,
                                             .delay_ms = 10000,
                                             .hysteresis = 5};
/* clang-format off */
static const struct step override_old_band[] = {
    /* 0 */ R(0, 1, 0, HR, 130, 0),
    /* 1 */ TICK(10000, 1, RAISE(HIGH, HR, 130, 120, P_MED, 0)),
    /* 2 */ LIMIT(11000, 1, HR, &lim_hr_wide, 0),
    /* 3 */ R(12000, 1, 0, HR, 115.1, 0),
    /* 4 */ R(13000, 1, 0, HR, 115, 0, CLEAR(1, HIGH, HR, 115, 120, P_MED, 0)),
    /* 5 */ R(14000, 1, 0, HR, 140, 0),
    /* 6 */ R(15000, 1, 0, HR, 141, 0),
    /* 7 */ TICK(24999, 1),
    /* 8 */ TICK(25000, 1, RAISE(HIGH, HR, 141, 140, P_MED, 0)),
    /* 9 */ R(26000, 1, 0, HR, 45, 0, CLEAR(8, HIGH, HR, 45, 140, P_MED, 0)),
    /* 10 */ TICK(40000, 1),
    /* 11 */ LIMIT(40001, N_BEDS, HR, &lim_hr, -EINVAL),
    /* 12 */ LIMIT(40002, DAEMON, HR, &lim_hr, -EINVAL),
    /* 13 */ LIMIT(40003, 1, NOV, &lim_hr, -EINVAL),
    /* 14 */ LIMIT(40004, 1, HR, NULL, -EINVAL),
};
/* clang-format on */

/* A staff band must raise while an older alert of the band at the same position is active:
 * here "below 90 high" replaces "below 92 medium" during a medium alert from 92 (which stays
 * until 94). */
static const struct vsd_limit lim_spo2_90 = {
    .bands = {{false, 90, P_HI}}, .n_bands = 1, .delay_ms = 10000, .hysteresis = 2};
/* clang-format off */
static const struct step override_same_slot[] = {
    /* 0 */ R(0, 1, 0, SPO2, 91, 0),
    /* 1 */ TICK(10000, 1, RAISE(LOW, SPO2, 91, 92, P_MED, 0)),
    /* 2 */ LIMIT(11000, 1, SPO2, &lim_spo2_90, 0),
    /* 3 */ R(12000, 1, 0, SPO2, 89, 0),
    /* 4 */ TICK(22000, 1, RAISE(LOW, SPO2, 89, 90, P_HI, 0)),
};
/* clang-format on */

/* Daemon-wide technical alerts: bed VSD_ALARM_DAEMON, the first bed's latching and escalation;
 * raised once; other codes ignored. */
/* clang-format off */
static const struct step daemon[] = {
    /* 0 */ DON(0, STORAGE, RAISE(STORAGE, NOV, NAN, NAN, P_HI, NOD)),
    /* 1 */ DON(100, STORAGE),
    /* 2 */ DON(200, QOVER, RAISE(QOVER, NOV, NAN, NAN, P_MED, NOD)),
    /* 3 */ DON(300, APATH, RAISE(APATH, NOV, NAN, NAN, P_HI, NOD)),
    /* 4 */ DOFF(400, QOVER, CLEAR(2, QOVER, NOV, NAN, NAN, P_MED, NOD)),
    /* 5 */ DOFF(500, STORAGE, LATCH(0, STORAGE, NOV, NAN, NAN, P_HI, NOD)),
    /* 6 */ DON(600, LOW),
    /* 7 */ DON(600, COMMS),
    /* 8 */ DON(600, VSD_ALERT_CODE_COUNT),
    /* 9 */ DOFF(600, COMMS),
    /* 10 */ TICK(60000, DAEMON, ESC(0, STORAGE, NOV, NAN, NAN, P_HI, NOD)),
    /* 11 */ TICK(60299, DAEMON),
    /* 12 */ TICK(60300, DAEMON, ESC(3, APATH, NOV, NAN, NAN, P_HI, NOD)),
    /* 13 */ ACK(61000, DAEMON, 0, BY, 0, ACKD(0, STORAGE, NOV, NAN, NAN, P_HI, NOD),
                 CLEAR(0, STORAGE, NOV, NAN, NAN, P_HI, NOD)),
    /* 14 */ DOFF(62000, APATH, LATCH(3, APATH, NOV, NAN, NAN, P_HI, NOD)),
    /* 15 */ TICK(180299, DAEMON),
    /* 16 */ TICK(180300, DAEMON, ESC(3, APATH, NOV, NAN, NAN, P_HI, NOD)),
    /* 17 */ ACK(180301, DAEMON, 3, BY, 0, ACKD(3, APATH, NOV, NAN, NAN, P_HI, NOD),
                 CLEAR(3, APATH, NOV, NAN, NAN, P_HI, NOD)),
    /* 18 */ DON(180302, STORAGE, RAISE(STORAGE, NOV, NAN, NAN, P_HI, NOD)),
    /* 19 */ DOFF(180303, STORAGE, LATCH(18, STORAGE, NOV, NAN, NAN, P_HI, NOD)),
};
/* clang-format on */

static const struct tcase cases[] = {
    CASE(escalation),       CASE(escalation_off),    CASE(escalation_late_tick),
    CASE(override_restart), CASE(override_old_band), CASE(override_same_slot),
    CASE(daemon),
};

/* Highest priority first, then oldest, then raise order (kept when an alert latches); MAX
 * truncates; other beds are not listed. */
static void test_active_order(void **state)
{
    struct recorder rec = {0};
    struct vsd_alarm_out out = out_to(&rec);
    struct vsd_alarm *a = new_engine(&rec);
    struct vsd_reading rr = {RR, 40, 0, 0}, hr = {HR, 40, 0, 0}, sys = {SYS, 200, 0, 0};
    const struct vsd_alert *l[8] = {0};

    (void)state;
    assert_non_null(a);
    vsd_alarm_reading(a, at(0), 0, 0, &rr, out);      /* RR high: low, wall 0 */
    vsd_alarm_reading(a, at(0), 0, 0, &hr, out);      /* HR low: high, pending until 10000 */
    vsd_alarm_degraded(a, at(1000), 0, 3, true, out); /* low, wall 1000 */
    vsd_alarm_device(a, at(2000), 0, 2, false, out);  /* high, wall 2000 */
    vsd_alarm_device(a, at(2000), 0, 1, false, out);  /* high, wall 2000, raised after */
    vsd_alarm_reading(a, at(3000), 0, 0, &sys, out);  /* SYS high: medium, wall 3000 */
    vsd_alarm_tick(a, at(10000), out);                /* HR low: high, wall 10000 */
    vsd_alarm_reading(a, at(10000), 1, 0, &sys, out); /* bed 1 */
    vsd_alarm_device(a, at(11000), 0, 2, true, out);  /* latches: keeps its place */
    assert_int_equal(rec.n, 8);
    assert_int_equal(vsd_alarm_active(a, 0, l, 8), 6);
    assert_true(l[0]->code == COMMS && l[0]->device == 2 && !l[0]->condition);
    assert_true(l[1]->code == COMMS && l[1]->device == 1 && l[1]->condition);
    assert_true(l[2]->code == LOW && l[2]->vital == HR);
    assert_true(l[3]->code == HIGH && l[3]->vital == SYS);
    assert_true(l[4]->code == HIGH && l[4]->vital == RR);
    assert_true(l[5]->code == DEGRADED && !l[6]);
    memset(l, 0, sizeof(l));
    assert_int_equal(vsd_alarm_active(a, 0, l, 2), 6);
    assert_true(l[0]->device == 2 && l[1]->device == 1 && !l[2]);
    assert_int_equal(vsd_alarm_active(a, 0, NULL, 0), 6);
    assert_int_equal(vsd_alarm_active(a, 1, l, 8), 1);
    assert_true(l[0]->bed == 1 && l[0]->vital == SYS);
    assert_int_equal(vsd_alarm_active(a, 2, l, 8), 0);
    assert_int_equal(vsd_alarm_active(a, DAEMON, l, 8), 0);
    assert_int_equal(vsd_alarm_active(a, N_BEDS, l, 8), 0);
    vsd_alarm_free(a);
}

static void feed_rr(struct vsd_alarm *a, int64_t t, size_t bed, double value, struct recorder *rec)
{
    struct vsd_reading r = {RR, value, 0, 0};

    rec->n = 0;
    vsd_alarm_reading(a, at(t), bed, 0, &r, out_to(rec));
}

/* LATCHED_MAX latched alerts per bed move aside; one more stays in its condition slot, which
 * then raises nothing new until it is acknowledged. */
static void test_latched_full(void **state)
{
    struct recorder rec = {0};
    struct vsd_alarm *a = new_engine(&rec);
    char id[33];
    int64_t t = 0;

    (void)state;
    assert_non_null(a);
    for (int i = 0; i <= LATCHED_MAX; i++) {
        feed_rr(a, t++, 1, 5, &rec);
        assert_true(rec.n == 1 && rec.ev[0].type == VSD_ALARM_RAISED);
        strcpy(id, rec.alert[0].id);
        feed_rr(a, t++, 1, 10, &rec);
        assert_true(rec.n == 1 && rec.ev[0].type == VSD_ALARM_LATCHED);
        assert_string_equal(rec.alert[0].id, id);
    }
    assert_int_equal(vsd_alarm_active(a, 1, NULL, 0), LATCHED_MAX + 1);
    feed_rr(a, t++, 1, 5, &rec);
    assert_int_equal(rec.n, 0);
    rec.n = 0;
    assert_int_equal(vsd_alarm_ack(a, at(t++), id, BY, out_to(&rec)), 0);
    assert_true(rec.n == 2 && rec.ev[0].type == VSD_ALARM_ACKNOWLEDGED &&
                rec.ev[1].type == VSD_ALARM_CLEARED);
    assert_int_equal(vsd_alarm_active(a, 1, NULL, 0), LATCHED_MAX);
    feed_rr(a, t++, 1, 5, &rec);
    assert_true(rec.n == 1 && rec.ev[0].type == VSD_ALARM_RAISED);
    assert_int_equal(vsd_alarm_active(a, 0, NULL, 0), 0);
    vsd_alarm_free(a);
}

/* One id_fn call per raise; without id_fn the ids are still 32 hex chars and unique. */
static void test_ids(void **state)
{
    struct vsd_alarm_config cfg = test_config(1);
    struct recorder rec = {0};
    struct vsd_alarm *a = vsd_alarm_new(&cfg, 1, 1, NULL, NULL);
    char ids[6][33];

    (void)state;
    assert_non_null(a);
    for (int i = 0; i < 6; i++) {
        feed_rr(a, i, 0, 20, &rec); /* back inside: clears the (low priority) high alert */
        feed_rr(a, i, 0, 40, &rec);
        assert_true(rec.n == 1 && rec.ev[0].type == VSD_ALARM_RAISED);
        assert_int_equal(strspn(rec.alert[0].id, "0123456789abcdef"), 32);
        assert_int_equal(strlen(rec.alert[0].id), 32);
        strcpy(ids[i], rec.alert[0].id);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(ids[k], ids[i]);
    }
    assert_int_equal(rec.id_calls, 0);
    vsd_alarm_free(a);
    a = new_engine(&rec);
    assert_non_null(a);
    feed_rr(a, 0, 0, 40, &rec);
    feed_rr(a, 1, 0, 5, &rec);
    assert_int_equal(rec.id_calls, 2);
    assert_int_equal(rec.n, 2); /* RAISED low, CLEARED high */
    vsd_alarm_free(a);
}

/* Every out-of-range bed, device, vital or code is ignored; NULL engine is harmless. */
static void test_out_of_range(void **state)
{
    struct recorder rec = {0};
    struct vsd_alarm_out out = out_to(&rec);
    struct vsd_alarm *a = new_engine(&rec);
    struct vsd_reading r = {RR, 3, 0, 0};
    struct vsd_limit bad = lim_hr;
    struct vsd_alarm_config one = test_config(0);

    (void)state;
    assert_non_null(a);
    vsd_alarm_reading(a, at(0), N_BEDS, 0, &r, out);
    vsd_alarm_reading(a, at(0), DAEMON, 0, &r, out);
    vsd_alarm_reading(a, at(0), 0, N_DEVICES, &r, out);
    vsd_alarm_reading(a, at(0), 0, 0, NULL, out);
    r.vital = NOV;
    vsd_alarm_reading(a, at(0), 0, 0, &r, out);
    vsd_alarm_device(a, at(0), N_BEDS, 0, false, out);
    vsd_alarm_device(a, at(0), 0, N_DEVICES, false, out);
    vsd_alarm_degraded(a, at(0), N_BEDS, 0, true, out);
    vsd_alarm_degraded(a, at(0), 0, N_DEVICES, true, out);
    vsd_alarm_watch(a, at(0), N_BEDS, true, out);
    vsd_alarm_watch(a, at(0), DAEMON, true, out);
    vsd_alarm_daemon(a, at(0), (enum vsd_alert_code) - 1, true, out);
    vsd_alarm_tick(a, at(10000000), out);
    assert_int_equal(rec.n, 0);
    for (size_t b = 0; b < N_BEDS; b++)
        assert_int_equal(vsd_alarm_active(a, b, NULL, 0), 0);
    assert_int_equal(vsd_alarm_active(a, DAEMON, NULL, 0), 0);
    assert_int_equal(vsd_alarm_ack(a, at(0), NULL, BY, out), -ENOENT);
    assert_null(vsd_alarm_find(a, NULL));
    bad.n_bands = VSD_BANDS_MAX + 1;
    bad.delay_ms = 1;
    assert_int_equal(vsd_alarm_set_limit(a, 0, HR, &bad), -EINVAL);
    assert_memory_equal(vsd_alarm_limit(a, 0, HR), &lim_hr, sizeof(lim_hr));
    assert_null(vsd_alarm_limit(a, N_BEDS, HR));
    assert_null(vsd_alarm_limit(a, 0, NOV));

    vsd_alarm_free(NULL);
    vsd_alarm_tick(NULL, at(0), out);
    vsd_alarm_reading(NULL, at(0), 0, 0, &r, out);
    vsd_alarm_daemon(NULL, at(0), STORAGE, true, out);
    assert_int_equal(rec.n, 0);
    assert_int_equal(vsd_alarm_ack(NULL, at(0), "x", BY, out), -ENOENT);
    assert_int_equal(vsd_alarm_set_limit(NULL, 0, HR, &lim_hr), -EINVAL);
    assert_int_equal(vsd_alarm_active(NULL, 0, NULL, 0), 0);
    assert_null(vsd_alarm_find(NULL, "x"));
    assert_null(vsd_alarm_limit(NULL, 0, HR));
    assert_null(vsd_alarm_new(NULL, 1, 1, NULL, NULL));
    assert_null(vsd_alarm_new(&one, 0, 1, NULL, NULL));
    vsd_alarm_free(a);
}

/* No emit: the state still moves. The actor's name: NULL is "", a long one is cut at
 * VSD_ALARM_ACTOR_MAX. */
static void test_ack_actor(void **state)
{
    struct recorder rec = {0};
    struct vsd_alarm_out none = {NULL, NULL};
    struct vsd_alarm *a = new_engine(&rec);
    const struct vsd_alert *l[2];
    char long_by[VSD_ALARM_ACTOR_MAX + 10];
    struct vsd_reading r = {RR, 3, 0, 0};

    (void)state;
    assert_non_null(a);
    vsd_alarm_reading(a, at(0), 0, 0, &r, none);
    vsd_alarm_device(a, at(1), 0, 1, false, none);
    assert_int_equal(vsd_alarm_active(a, 0, l, 2), 2);
    assert_int_equal(vsd_alarm_ack(a, at(2), l[0]->id, NULL, none), 0);
    assert_true(l[0]->acked && l[0]->acked_by[0] == '\0' && l[0]->acked_wall_ms == WALL0 + 2);
    memset(long_by, 'n', sizeof(long_by) - 1);
    long_by[sizeof(long_by) - 1] = '\0';
    assert_int_equal(vsd_alarm_ack(a, at(3), l[1]->id, long_by, none), 0);
    assert_int_equal(strlen(l[1]->acked_by), VSD_ALARM_ACTOR_MAX);
    assert_memory_equal(l[1]->acked_by, long_by, VSD_ALARM_ACTOR_MAX);
    assert_int_equal(rec.n, 0);
    vsd_alarm_free(a);
}

/* WRONG_DEVICE: raised at once at its configured priority, naming the device; what the device
 * had pending at its bed starts over (a wrong monitor's values never complete a delay); the
 * expected device back ends it (high priority latches until acknowledged). */
static void test_wrong_device(void **state)
{
    struct recorder rec = {0};
    struct vsd_alarm_out out = out_to(&rec);
    struct vsd_alarm *a = new_engine(&rec);
    struct vsd_alarm_config cfg = test_config(0);
    struct vsd_reading hr = {HR, 130, 0, 0};
    const struct vsd_alert *l[2];

    (void)state;
    assert_non_null(a);
    vsd_alarm_reading(a, at(0), 0, 3, &hr, out); /* HR high pending from device 3 */
    vsd_alarm_wrong_device(a, at(1000), 0, 3, true, out);
    assert_int_equal(rec.n, 1);
    assert_int_equal(rec.ev[0].type, VSD_ALARM_RAISED);
    assert_int_equal(rec.alert[0].code, VSD_ALERT_WRONG_DEVICE);
    assert_int_equal(rec.alert[0].device, 3);
    assert_int_equal(rec.alert[0].bed, 0);
    assert_int_equal(rec.alert[0].priority, cfg.technical_priority[VSD_ALERT_WRONG_DEVICE]);
    vsd_alarm_wrong_device(a, at(1500), 0, 3, true, out); /* still wrong: nothing new */
    vsd_alarm_tick(a, at(10000), out); /* HR's delay ran out, but it was cancelled */
    assert_int_equal(rec.n, 1);
    assert_int_equal(vsd_alarm_active(a, 0, l, 2), 1);
    vsd_alarm_wrong_device(a, at(20000), 0, 3, false, out);
    assert_int_equal(rec.n, 2);
    assert_int_equal(rec.ev[1].type, VSD_ALARM_LATCHED);
    assert_int_equal(vsd_alarm_ack(a, at(21000), l[0]->id, BY, out), 0);
    assert_int_equal(rec.ev[3].type, VSD_ALARM_CLEARED);
    assert_int_equal(vsd_alarm_active(a, 0, NULL, 0), 0);
    vsd_alarm_wrong_device(a, at(0), N_BEDS, 0, true, out);
    vsd_alarm_wrong_device(a, at(0), 0, N_DEVICES, true, out);
    vsd_alarm_wrong_device(NULL, at(0), 0, 0, true, out);
    assert_int_equal(rec.n, 4);
    vsd_alarm_free(a);
}

static void test_names(void **state)
{
    static const char *const codes[VSD_ALERT_CODE_COUNT] = {"low",
                                                            "high",
                                                            "rise",
                                                            "fall",
                                                            "apnea",
                                                            "comms_loss",
                                                            "comms_degraded",
                                                            "wrong_device",
                                                            "sensor_off",
                                                            "invalid",
                                                            "nibp_overdue",
                                                            "storage_failing",
                                                            "queue_overflow",
                                                            "alert_path_down"};
    static const char *const events[] = {"raised", "acknowledged", "escalated", "latched",
                                         "cleared"};

    (void)state;
    assert_string_equal(vsd_priority_name(P_LO), "low");
    assert_string_equal(vsd_priority_name(P_MED), "medium");
    assert_string_equal(vsd_priority_name(P_HI), "high");
    assert_string_equal(vsd_priority_name((enum vsd_priority)0), "unknown");
    assert_string_equal(vsd_priority_name((enum vsd_priority)4), "unknown");
    for (int p = P_LO; p <= P_HI; p++)
        assert_int_equal(vsd_priority_parse(vsd_priority_name((enum vsd_priority)p)), p);
    assert_int_equal(vsd_priority_parse("urgent"), -EINVAL);
    assert_int_equal(vsd_priority_parse("High"), -EINVAL);
    assert_int_equal(vsd_priority_parse(""), -EINVAL);
    assert_int_equal(vsd_priority_parse(NULL), -EINVAL);
    for (int c = 0; c < VSD_ALERT_CODE_COUNT; c++) {
        assert_string_equal(vsd_alert_code_name((enum vsd_alert_code)c), codes[c]);
        assert_int_equal(vsd_alert_code_technical((enum vsd_alert_code)c), c >= COMMS);
    }
    assert_string_equal(vsd_alert_code_name(VSD_ALERT_CODE_COUNT), "unknown");
    assert_false(vsd_alert_code_technical(VSD_ALERT_CODE_COUNT));
    for (int e = VSD_ALARM_RAISED; e <= VSD_ALARM_CLEARED; e++)
        assert_string_equal(vsd_alarm_event_name((enum vsd_alarm_event_type)e), events[e]);
    assert_string_equal(vsd_alarm_event_name((enum vsd_alarm_event_type)(VSD_ALARM_CLEARED + 1)),
                        "unknown");
}

int main(void)
{
    static const struct CMUnitTest extra[] = {
        cmocka_unit_test(test_active_order), cmocka_unit_test(test_latched_full),
        cmocka_unit_test(test_ids),          cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_ack_actor),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_wrong_device),
    };

    return run_tables(cases, sizeof(cases) / sizeof(cases[0]), extra,
                      sizeof(extra) / sizeof(extra[0]));
}
