/* SPDX-License-Identifier: MIT */
/* Unit tests of the alarm engine's conditions: bands, delays, hysteresis, rate, technical. */
#include "alarm_steps.h"

/* Steps are numbered in the comments: CLEAR(k, ...) and ACK(..., k, ...) name the alert raised
 * by step k (J(k, j): its j-th event). */

/* Raise exactly at t0 + delay (not 1 ms earlier), on a reading and on a tick; clear exactly at
 * limit + h (low) and limit - h (high), not just inside. */
/* clang-format off */
static const struct step delay_hysteresis[] = {
    /* 0 */ R(1000, 1, 0, HR, 40, 0),
    /* 1 */ R(10999, 1, 0, HR, 40, 0),
    /* 2 */ R(11000, 1, 0, HR, 41, 0, RAISE(LOW, HR, 41, 50, P_HI, 0)),
    /* 3 */ R(11500, 1, 0, HR, 39, 0),
    /* 4 */ R(12000, 1, 0, HR, 54.9, 0),
    /* 5 */ R(12500, 1, 0, HR, 55, 0, LATCH(2, LOW, HR, 55, 50, P_HI, 0)),
    /* 6 */ ACK(13000, 1, 2, BY, 0, ACKD(2, LOW, HR, 41, 50, P_HI, 0),
                CLEAR(2, LOW, HR, NAN, 50, P_HI, 0)),
    /* 7 */ R(20000, 1, 1, HR, 130, 0),
    /* 8 */ TICK(29999, 1),
    /* 9 */ TICK(30000, 1, RAISE(HIGH, HR, 130, 120, P_MED, 1)),
    /* 10 */ R(31000, 1, 1, HR, 115.1, 0),
    /* 11 */ R(32000, 1, 1, HR, 115, 0, CLEAR(9, HIGH, HR, 115, 120, P_MED, 1)),
    /* 12 */ TICK(100000, 1),
};
/* clang-format on */

/* Two low bands of one vital, each with its own priority and its own delay start; raised and
 * cleared independently; the high one latches and a new condition raises a new alert meanwhile. */
/* clang-format off */
static const struct step bands_spo2[] = {
    /* 0 */ R(0, 1, 0, SPO2, 90, 0),
    /* 1 */ R(3000, 1, 0, SPO2, 86, 0),
    /* 2 */ TICK(9999, 1),
    /* 3 */ TICK(10000, 1, RAISE(LOW, SPO2, 86, 92, P_MED, 0)),
    /* 4 */ R(12999, 1, 0, SPO2, 87, 0),
    /* 5 */ R(13000, 1, 0, SPO2, 87, 0, RAISE(LOW, SPO2, 87, 88, P_HI, 0)),
    /* 6 */ R(14000, 1, 0, SPO2, 89.99, 0),
    /* 7 */ R(15000, 1, 0, SPO2, 90, 0, LATCH(5, LOW, SPO2, 90, 88, P_HI, 0)),
    /* 8 */ R(16000, 1, 0, SPO2, 93.99, 0),
    /* 9 */ R(17000, 1, 0, SPO2, 94, 0, CLEAR(3, LOW, SPO2, 94, 92, P_MED, 0)),
    /* 10 */ R(18000, 1, 0, SPO2, 80, 0),
    /* 11 */ TICK(28000, 1, RAISE(LOW, SPO2, 80, 92, P_MED, 0), RAISE(LOW, SPO2, 80, 88, P_HI, 0)),
    /* 12 */ ACK(29000, 1, 5, BY, 0, ACKD(5, LOW, SPO2, 87, 88, P_HI, 0),
                 CLEAR(5, LOW, SPO2, NAN, 88, P_HI, 0)),
    /* 13 */ ACK(29500, 1, 5, BY, -ENOENT),
    /* 14 */ ACK(30000, 1, J(11, 1), "Dr Lee", 0, ACKD(J(11, 1), LOW, SPO2, 80, 88, P_HI, 0)),
    /* 15 */ ACK(30100, 1, J(11, 1), BY, -EALREADY),
    /* 16 */ ACK(30200, 1, NOREF, BY, -ENOENT),
    /* 17 */ R(31000, 1, 0, SPO2, 95, 0, CLEAR(J(11, 0), LOW, SPO2, 95, 92, P_MED, 0),
                CLEAR(J(11, 1), LOW, SPO2, 95, 88, P_HI, 0)),
};
/* clang-format on */

/* A value equal to the limit does not satisfy it; delay 0 raises on the reading itself; low
 * and high bands of one vital in one reading: low's events first. */
/* clang-format off */
static const struct step strict_zero_delay[] = {
    /* 0 */ R(0, 1, 0, RR, 8, 0),
    /* 1 */ R(100, 1, 0, RR, 30, 0),
    /* 2 */ R(200, 1, 0, RR, 7.99, 0, RAISE(LOW, RR, 7.99, 8, P_HI, 0)),
    /* 3 */ R(300, 1, 0, RR, 9.99, 0),
    /* 4 */ R(400, 1, 0, RR, 10, 0, LATCH(2, LOW, RR, 10, 8, P_HI, 0)),
    /* 5 */ R(500, 1, 0, RR, 30.01, 0, RAISE(HIGH, RR, 30.01, 30, P_LO, 0)),
    /* 6 */ R(600, 1, 0, RR, 28.01, 0),
    /* 7 */ R(700, 1, 0, RR, 28, 0, CLEAR(5, HIGH, RR, 28, 30, P_LO, 0)),
    /* 8 */ R(800, 1, 0, RR, 5, 0, RAISE(LOW, RR, 5, 8, P_HI, 0)),
    /* 9 */ ACK(900, 1, 2, BY, 0, ACKD(2, LOW, RR, 7.99, 8, P_HI, 0),
                CLEAR(2, LOW, RR, NAN, 8, P_HI, 0)),
    /* 10 */ R(1000, 1, 0, RR, 35, 0, LATCH(8, LOW, RR, 35, 8, P_HI, 0),
                RAISE(HIGH, RR, 35, 30, P_LO, 0)),
    /* 11 */ TICK(1000000, 1),
};
/* clang-format on */

/* Unusable readings (invalid, searching, NAN, implausible, sensor off) cancel a pending
 * condition and never clear an active one; artifact and low perfusion are usable. */
/* clang-format off */
static const struct step unusable[] = {
    /* 0 */ R(0, 1, 0, HR, 40, 0),
    /* 1 */ R(5000, 1, 0, HR, 40, Q_INV),
    /* 2 */ TICK(10000, 1),
    /* 3 */ R(11000, 1, 0, HR, 40, 0),
    /* 4 */ R(12000, 1, 0, HR, 40, Q_SRCH),
    /* 5 */ R(13000, 1, 0, HR, NAN, 0),
    /* 6 */ R(14000, 1, 0, HR, 40, Q_IMPL),
    /* 7 */ R(14500, 1, 0, HR, 40, Q_ART),
    /* 8 */ TICK(24499, 1),
    /* 9 */ TICK(24500, 1, RAISE(LOW, HR, 40, 50, P_HI, 0)),
    /* 10 */ R(25000, 1, 0, HR, 99, Q_IMPL),
    /* 11 */ R(26000, 1, 0, HR, 99, Q_SRCH),
    /* 12 */ R(27000, 1, 0, HR, NAN, 0),
    /* 13 */ R(28000, 1, 0, HR, 99, Q_OFF),
    /* 14 */ DOWN(29000, 1, 0, RAISE(COMMS, NOV, NAN, NAN, P_HI, 0)),
    /* 15 */ TICK(60000, 1),
    /* 16 */ UP(61000, 1, 0, LATCH(14, COMMS, NOV, NAN, NAN, P_HI, 0)),
    /* 17 */ R(62000, 1, 0, HR, 55, Q_ART | Q_PERF, LATCH(9, LOW, HR, 55, 50, P_HI, 0)),
    /* 18 */ ACK(63000, 1, 9, BY, 0, ACKD(9, LOW, HR, 40, 50, P_HI, 0),
                 CLEAR(9, LOW, HR, NAN, 50, P_HI, 0)),
    /* 19 */ ACK(63000, 1, 14, BY, 0, ACKD(14, COMMS, NOV, NAN, NAN, P_HI, 0),
                 CLEAR(14, COMMS, NOV, NAN, NAN, P_HI, 0)),
};
/* clang-format on */

/* A usable reading inside the limit cancels a pending condition; the delay then starts again. */
/* clang-format off */
static const struct step pending_restart[] = {
    /* 0 */ R(1000, 1, 0, HR, 40, 0),
    /* 1 */ R(5000, 1, 0, HR, 60, 0),
    /* 2 */ R(11000, 1, 0, HR, 40, 0),
    /* 3 */ TICK(20999, 1),
    /* 4 */ TICK(21000, 1, RAISE(LOW, HR, 40, 50, P_HI, 0)),
};
/* clang-format on */

/* A device going down cancels what it fed (bands, invalid, sensor off); other devices go on. */
/* clang-format off */
static const struct step down_cancels[] = {
    /* 0 */ R(1000, 1, 0, HR, 40, 0),
    /* 1 */ R(1000, 1, 1, SPO2, 90, 0),
    /* 2 */ R(2000, 1, 0, RR, NAN, Q_INV),
    /* 3 */ R(2000, 1, 0, PR, NAN, Q_OFF),
    /* 4 */ DOWN(5000, 1, 0, RAISE(COMMS, NOV, NAN, NAN, P_HI, 0)),
    /* 5 */ TICK(11000, 1, RAISE(LOW, SPO2, 90, 92, P_MED, 1)),
    /* 6 */ TICK(20000, 1),
    /* 7 */ UP(21000, 1, 0, LATCH(4, COMMS, NOV, NAN, NAN, P_HI, 0)),
    /* 8 */ R(22000, 1, 0, HR, 40, 0),
    /* 9 */ TICK(31999, 1),
    /* 10 */ TICK(32000, 1, RAISE(LOW, HR, 40, 50, P_HI, 0)),
};
/* clang-format on */

/* Rate of change between consecutive usable readings: strictly more than delta, within the
 * window (inclusive) or at any interval; limit = previous value +/- delta; ends on the next
 * reading without the change; band events before RISE before FALL. */
/* clang-format off */
static const struct step rate[] = {
    /* 0 */ R(0, 1, 2, SYS, 120, 0),
    /* 1 */ R(600000, 1, 2, SYS, 150.5, 0, RAISE(RISE, SYS, 150.5, 150, P_MED, 2)),
    /* 2 */ R(1200000, 1, 2, SYS, 150.5, 0, CLEAR(1, RISE, SYS, 150.5, 150, P_MED, 2)),
    /* 3 */ R(1800001, 1, 2, SYS, 181, 0, RAISE(HIGH, SYS, 181, 160, P_MED, 2)),
    /* 4 */ R(1800002, 1, 2, SYS, 150, 0, CLEAR(3, HIGH, SYS, 150, 160, P_MED, 2)),
    /* 5 */ R(1800003, 1, 2, SYS, 180, 0, RAISE(HIGH, SYS, 180, 160, P_MED, 2)),
    /* 6 */ R(5000000, 1, 2, SYS, 139.5, 0, CLEAR(5, HIGH, SYS, 139.5, 160, P_MED, 2),
               RAISE(FALL, SYS, 139.5, 140, P_HI, 2)),
    /* 7 */ R(5000001, 1, 2, SYS, 139.5, 0, LATCH(J(6, 1), FALL, SYS, 139.5, 140, P_HI, 2)),
    /* 8 */ R(5000002, 1, 2, SYS, 99, 0, RAISE(FALL, SYS, 99, 99.5, P_HI, 2)),
    /* 9 */ ACK(5000003, 1, 8, BY, 0, ACKD(8, FALL, SYS, 99, 99.5, P_HI, 2)),
    /* 10 */ R(5000004, 1, 2, SYS, 99, 0, CLEAR(8, FALL, SYS, 99, 99.5, P_HI, 2)),
    /* 11 */ ACK(5000005, 1, J(6, 1), BY, 0, ACKD(J(6, 1), FALL, SYS, 139.5, 140, P_HI, 2),
                 CLEAR(J(6, 1), FALL, SYS, NAN, 140, P_HI, 2)),
    /* 12 */ R(5000010, 1, 2, SYS, 300, Q_IMPL),
    /* 13 */ R(5000020, 1, 2, SYS, 129.5, 0, RAISE(RISE, SYS, 129.5, 129, P_MED, 2)),
    /* 14 */ R(5000030, 1, 2, SYS, 95, 0, CLEAR(13, RISE, SYS, 95, 129, P_MED, 2)),
};
/* clang-format on */

/* A band and a rate condition from one reading: the band's event first; a fall of exactly
 * delta raises nothing. */
/* clang-format off */
static const struct step rate_and_band[] = {
    /* 0 */ R(0, 1, 2, SYS, 130, 0),
    /* 1 */ R(1000, 1, 2, SYS, 89.5, 0, RAISE(LOW, SYS, 89.5, 90, P_MED, 2),
               RAISE(FALL, SYS, 89.5, 90, P_HI, 2)),
    /* 2 */ R(2000, 1, 2, SYS, 95, 0, CLEAR(1, LOW, SYS, 95, 90, P_MED, 2),
               LATCH(J(1, 1), FALL, SYS, 95, 90, P_HI, 2)),
    /* 3 */ R(3000, 1, 2, SYS, 55, 0, RAISE(LOW, SYS, 55, 90, P_MED, 2)),
};
/* clang-format on */

/* Comms loss (high: latches) and comms degraded (low): raised at once, once; ended when the
 * device comes back or heals; an acknowledged one clears when its condition ends. */
/* clang-format off */
static const struct step comms[] = {
    /* 0 */ DEGR(0, 1, 3, RAISE(DEGRADED, NOV, NAN, NAN, P_LO, 3)),
    /* 1 */ DEGR(1000, 1, 3),
    /* 2 */ HEAL(2000, 1, 3, CLEAR(0, DEGRADED, NOV, NAN, NAN, P_LO, 3)),
    /* 3 */ HEAL(3000, 1, 3),
    /* 4 */ DOWN(4000, 1, 3, RAISE(COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 5 */ DOWN(4500, 1, 3),
    /* 6 */ UP(5000, 1, 3, LATCH(4, COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 7 */ UP(5500, 1, 3),
    /* 8 */ DOWN(6000, 1, 3, RAISE(COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 9 */ UP(7000, 1, 3, LATCH(8, COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 10 */ ACK(7100, 1, 4, BY, 0, ACKD(4, COMMS, NOV, NAN, NAN, P_HI, 3),
                 CLEAR(4, COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 11 */ ACK(7200, 1, 8, BY, 0, ACKD(8, COMMS, NOV, NAN, NAN, P_HI, 3),
                 CLEAR(8, COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 12 */ DOWN(8000, 1, 3, RAISE(COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 13 */ ACK(8100, 1, 12, BY, 0, ACKD(12, COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 14 */ UP(9000, 1, 3, CLEAR(12, COMMS, NOV, NAN, NAN, P_HI, 3)),
    /* 15 */ DEGR(9500, 0, 2, RAISE(DEGRADED, NOV, NAN, NAN, P_LO, 2)),
    /* 16 */ DOWN(9600, 0, 2, RAISE(COMMS, NOV, NAN, NAN, P_HI, 2)),
};
/* clang-format on */

/* Sensor off: the delay runs on readings and ticks from the first flagged reading (of any
 * vital); a reading of the first vital without the flag cancels or ends it, other vitals do
 * not; delay 0 (bed 2) raises at once. */
/* clang-format off */
static const struct step sensor_off[] = {
    /* 0 */ R(0, 1, 0, SPO2, NAN, Q_OFF),
    /* 1 */ R(5000, 1, 0, PR, NAN, Q_OFF),
    /* 2 */ R(6000, 1, 0, HR, 70, 0),
    /* 3 */ R(9999, 1, 0, SPO2, NAN, Q_OFF),
    /* 4 */ R(10000, 1, 0, PR, NAN, Q_OFF, RAISE(SOFF, SPO2, NAN, NAN, P_MED, 0)),
    /* 5 */ R(11000, 1, 0, PR, 70, 0),
    /* 6 */ R(12000, 1, 0, SPO2, 97, 0, CLEAR(4, SOFF, SPO2, 97, NAN, P_MED, 0)),
    /* 7 */ R(20000, 1, 0, SPO2, NAN, Q_OFF),
    /* 8 */ R(23000, 1, 0, SPO2, 97, 0),
    /* 9 */ TICK(30000, 1),
    /* 10 */ R(40000, 1, 0, HR, NAN, Q_OFF | Q_INV),
    /* 11 */ TICK(49999, 1),
    /* 12 */ TICK(50000, 1, RAISE(SOFF, HR, NAN, NAN, P_MED, 0)),
    /* 13 */ TICK(80000, 1),
    /* 14 */ R(90000, 2, 1, SPO2, NAN, Q_OFF, RAISE(SOFF, SPO2, NAN, NAN, P_MED, 1)),
};
/* clang-format on */

/* Invalid: invalid, implausible, searching or NAN values persisting for the delay, on a
 * reading and on a tick; a sensor-off reading neither ends an active one nor lets a pending
 * one go on; a usable reading ends it (its band events follow). */
/* clang-format off */
static const struct step invalid[] = {
    /* 0 */ R(0, 1, 0, HR, NAN, Q_INV),
    /* 1 */ R(14999, 1, 0, HR, NAN, Q_INV),
    /* 2 */ R(15000, 1, 0, HR, NAN, Q_INV, RAISE(INVAL, HR, NAN, NAN, P_LO, 0)),
    /* 3 */ R(16000, 1, 0, HR, NAN, Q_OFF),
    /* 4 */ R(17000, 1, 0, HR, 70, 0, CLEAR(2, INVAL, HR, 70, NAN, P_LO, 0)),
    /* 5 */ R(20000, 1, 1, SPO2, 20, Q_IMPL),
    /* 6 */ TICK(34999, 1),
    /* 7 */ TICK(35000, 1, RAISE(INVAL, SPO2, 20, NAN, P_LO, 1)),
    /* 8 */ R(36000, 1, 1, SPO2, 30, Q_SRCH),
    /* 9 */ R(37000, 1, 1, SPO2, 85, 0, CLEAR(7, INVAL, SPO2, 85, NAN, P_LO, 1)),
    /* 10 */ TICK(47000, 1, RAISE(LOW, SPO2, 85, 92, P_MED, 1), RAISE(LOW, SPO2, 85, 88, P_HI, 1)),
    /* 11 */ R(50000, 1, 0, RR, NAN, Q_INV),
    /* 12 */ R(60000, 1, 0, RR, 12, 0),
    /* 13 */ TICK(65000, 1),
    /* 14 */ R(70000, 1, 0, RR, NAN, 0),
    /* 15 */ R(75000, 1, 0, RR, NAN, Q_OFF),
    /* 16 */ R(76000, 1, 0, RR, NAN, 0),
    /* 17 */ TICK(90999, 1),
    /* 18 */ TICK(91000, 1, RAISE(INVAL, RR, NAN, NAN, P_LO, 0)),
};
/* clang-format on */

/* NIBP overdue: watched from the session's start, raised at exactly overdue ms; a systolic
 * reading ends it and restarts the watch (not a diastolic one); the watch's end ends it; not
 * raised when not watched or when the bed's overdue time is 0. */
/* clang-format off */
static const struct step nibp_overdue[] = {
    /* 0 */ TICK(0, 1),
    /* 1 */ WATCH(1000, 1),
    /* 2 */ TICK(300999, 1),
    /* 3 */ TICK(301000, 1, RAISE(NIBP, SYS, NAN, NAN, P_MED, NOD)),
    /* 4 */ TICK(400000, 1),
    /* 5 */ R(500000, 1, 2, SYS, 120, 0, CLEAR(3, NIBP, SYS, 120, NAN, P_MED, NOD)),
    /* 6 */ TICK(799999, 1),
    /* 7 */ TICK(800000, 1, RAISE(NIBP, SYS, NAN, NAN, P_MED, NOD)),
    /* 8 */ R(810000, 1, 2, DIA, 80, 0),
    /* 9 */ UNWATCH(820000, 1, CLEAR(7, NIBP, SYS, NAN, NAN, P_MED, NOD)),
    /* 10 */ TICK(2000000, 1),
    /* 11 */ WATCH(2000000, 1),
    /* 12 */ R(2100000, 1, 2, SYS, 121, 0),
    /* 13 */ TICK(2399999, 1),
    /* 14 */ TICK(2400000, 1, RAISE(NIBP, SYS, NAN, NAN, P_MED, NOD)),
    /* 15 */ WATCH(2400000, 2),
    /* 16 */ TICK(9000000, 2),
    /* 17 */ UNWATCH(9000001, 2),
};
/* clang-format on */

/* Beds are independent, even for the same vital and device numbers. */
/* clang-format off */
static const struct step two_beds[] = {
    /* 0 */ R(0, 1, 0, HR, 40, 0),
    /* 1 */ R(0, 2, 1, HR, 40, 0),
    /* 2 */ R(5000, 2, 1, HR, 70, 0),
    /* 3 */ TICK(10000, 1, RAISE(LOW, HR, 40, 50, P_HI, 0)),
    /* 4 */ R(11000, 2, 1, RR, 5, 0, RAISE(LOW, RR, 5, 8, P_HI, 1)),
    /* 5 */ R(12000, 1, 0, RR, 12, 0),
    /* 6 */ DOWN(13000, 2, 1, RAISE(COMMS, NOV, NAN, NAN, P_HI, 1)),
    /* 7 */ R(14000, 1, 0, HR, 60, 0, LATCH(3, LOW, HR, 60, 50, P_HI, 0)),
};
/* clang-format on */

/* EtCO2 limits like any vital's: a high band after its delay, cleared inside the hysteresis;
 * 0 mmHg is a value and meets the low band. */
/* clang-format off */
static const struct step etco2[] = {
    /* 0 */ R(0, 0, 1, ETCO2, 38, 0),
    /* 1 */ R(1000, 0, 1, ETCO2, 51, 0),
    /* 2 */ TICK(5999, 0),
    /* 3 */ TICK(6000, 0, RAISE(HIGH, ETCO2, 51, 50, P_MED, 1)),
    /* 4 */ R(7000, 0, 1, ETCO2, 49, 0),
    /* 5 */ R(8000, 0, 1, ETCO2, 48, 0, CLEAR(3, HIGH, ETCO2, 48, 50, P_MED, 1)),
    /* 6 */ R(9000, 0, 1, ETCO2, 0, 0),
    /* 7 */ TICK(14000, 0, RAISE(LOW, ETCO2, 0, 10, P_LO, 1)),
};
/* clang-format on */

/* Apnea (bed 0: after 20 s, high). rr 0 is a value: it meets the low band at once and starts
 * the apnea; the alert carries the seconds without a breath and clears, with the whole
 * duration, on the first breath. An unusable reading does not end it (step 5); the
 * monitor's own apnea flag raises at once (limit NAN) and is not an "invalid" value (step 9).
 * A breath cancels a pending apnea (13, 14); so does the device going down (16, 17). */
/* clang-format off */
static const struct step apnea[] = {
    /* 0 */ R(0, 0, 0, RR, 12, 0),
    /* 1 */ R(1000, 0, 0, RR, 0, 0, RAISE(LOW, RR, 0, 8, P_HI, 0)),
    /* 2 */ TICK(20999, 0),
    /* 3 */ TICK(21000, 0, RAISE(APNEA, RR, 20, 20, P_HI, 0)),
    /* 4 */ R(25000, 0, 0, RR, 0, 0),
    /* 5 */ R(26000, 0, 0, RR, NAN, Q_INV),
    /* 6 */ ACK(27000, 0, 3, BY, 0, ACKD(3, APNEA, RR, 20, 20, P_HI, 0)),
    /* 7 */ R(31000, 0, 0, RR, 10, 0, LATCH(1, LOW, RR, 10, 8, P_HI, 0),
                CLEAR(3, APNEA, RR, 30, 20, P_HI, 0)),
    /* 8 */ R(40000, 0, 0, RR, NAN, Q_APNEA | Q_INV, RAISE(APNEA, RR, 0, NAN, P_HI, 0)),
    /* 9 */ TICK(60000, 0),
    /* 10 */ R(61000, 0, 0, RR, 14, 0, LATCH(8, APNEA, RR, 21, NAN, P_HI, 0)),
    /* 11 */ ACK(62000, 0, 8, BY, 0, ACKD(8, APNEA, RR, 0, NAN, P_HI, 0),
                 CLEAR(8, APNEA, RR, NAN, NAN, P_HI, 0)),
    /* 12 */ R(70000, 0, 0, RR, 0, 0, RAISE(LOW, RR, 0, 8, P_HI, 0)),
    /* 13 */ R(80000, 0, 0, RR, 5, 0),
    /* 14 */ TICK(95000, 0, ESC(1, LOW, RR, 0, 8, P_HI, 0)),
    /* 15 */ R(96000, 0, 0, RR, 0, 0),
    /* 16 */ DOWN(100000, 0, 0, RAISE(COMMS, NOV, NAN, NAN, P_HI, 0)),
    /* 17 */ TICK(120000, 0),
};
/* clang-format on */

/* Bed 1 (apnea after 20 s, medium): an unusable reading (sensor off) restarts the wait, as
 * missing data does for a limit band; a medium apnea clears by itself when breathing resumes. */
/* clang-format off */
static const struct step apnea_unusable[] = {
    /* 0 */ R(0, 1, 0, RR, 0, 0, RAISE(LOW, RR, 0, 8, P_HI, 0)),
    /* 1 */ R(10000, 1, 0, RR, NAN, Q_OFF),
    /* 2 */ TICK(25000, 1, RAISE(SOFF, RR, NAN, NAN, P_MED, 0)),
    /* 3 */ R(26000, 1, 0, RR, 0, 0, CLEAR(2, SOFF, RR, 0, NAN, P_MED, 0)),
    /* 4 */ TICK(45999, 1),
    /* 5 */ TICK(46000, 1, RAISE(APNEA, RR, 20, 20, P_MED, 0)),
    /* 6 */ R(47000, 1, 0, RR, 9, 0, CLEAR(5, APNEA, RR, 21, 20, P_MED, 0)),
};
/* clang-format on */

/* Bed 2 does not watch apnea: rr 0 and the monitor's flag meet only the rr limits. */
/* clang-format off */
static const struct step apnea_off[] = {
    /* 0 */ R(0, 2, 0, RR, 0, Q_APNEA, RAISE(LOW, RR, 0, 8, P_HI, 0)),
    /* 1 */ TICK(60000, 2, ESC(0, LOW, RR, 0, 8, P_HI, 0)),
    /* 2 */ R(61000, 2, 0, RR, 0, 0),
};
/* clang-format on */

static const struct tcase cases[] = {
    CASE(delay_hysteresis),
    CASE(bands_spo2),
    CASE(strict_zero_delay),
    CASE(unusable),
    CASE(pending_restart),
    CASE(down_cancels),
    CASE(rate),
    CASE(rate_and_band),
    CASE(comms),
    CASE(sensor_off),
    CASE(invalid),
    CASE(nibp_overdue),
    CASE(two_beds),
    CASE(etco2),
    CASE(apnea),
    CASE(apnea_unusable),
    CASE(apnea_off),
};

int main(void)
{
    return run_tables(cases, sizeof(cases) / sizeof(cases[0]), NULL, 0);
}
