/* SPDX-License-Identifier: MIT */
/* Datascope Accutorr 3 PC interface: a pure parser of the `P:` patient-data line and the
 * readings it gives, with one measurement time per cuff measurement. */
#ifndef VSD_ACCUTORR_FRAME_H
#define VSD_ACCUTORR_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

/* Facts: docs/devices/accutorr.md, 'Protocol facts' (Datascope Accutorr 3 Service Manual, PC
 * interface, commands and responses, status bits). */
#define VSD_ACCUTORR_LINE_MAX 80 /* a P: line is 37 characters; longer ones are noise */
#define VSD_ACCUTORR_FIELDS 9

/* Status byte 0 (SpO2). */
#define VSD_ACCUTORR_S0_NO_SENSOR (1u << 0)
#define VSD_ACCUTORR_S0_SENSOR_OFF (1u << 1)
#define VSD_ACCUTORR_S0_INTERFERENCE (1u << 2)
#define VSD_ACCUTORR_S0_PULSE_SEARCH (1u << 3)
#define VSD_ACCUTORR_S0_PULSE_WEAK (1u << 4)
#define VSD_ACCUTORR_S0_NO_PULSE (1u << 5)
/* Status byte 1 (SpO2 module and self-tests). */
#define VSD_ACCUTORR_S1_UNCALIBRATED (1u << 1)
#define VSD_ACCUTORR_S1_SELFTEST_FAIL (0x0fu << 3) /* RAM, ROM, offset, filter */
#define VSD_ACCUTORR_S1_TEST_RUNNING (1u << 7)
/* Status byte 2 (NIBP). */
#define VSD_ACCUTORR_S2_OVERPRESSURE (1u << 0)
#define VSD_ACCUTORR_S2_MOTION (1u << 1)

/* Order of the three pressures in the line: the manual's field list (systolic, mean,
 * diastolic), or systolic, diastolic, mean (an option, for a unit that prints that way). */
enum vsd_accutorr_order { VSD_ACCUTORR_SYS_MEAN_DIA = 0, VSD_ACCUTORR_SYS_DIA_MEAN };

/* One decoded P: line. A field printed as dashes or blank is NAN (age: -1). */
struct vsd_accutorr_p {
    double spo2, pr, sys, mean, dia;
    uint8_t status[3];
    int age_min; /* minutes since the last NIBP measurement, -1 when none */
};

/* Decode one line (without CR LF) of LEN bytes. Returns 0, or -EBADMSG when it is not a
 * well-formed P: line (another prefix, a field count other than 9, a field that is not 1-3
 * digits or dashes, a status above 255). ORDER says where mean and diastolic are. */
int vsd_accutorr_parse_p(const char *line, size_t len, enum vsd_accutorr_order order,
                         struct vsd_accutorr_p *out);

/* Line assembly from the byte stream: CR and LF end a line; the `>` prompt between lines
 * is not part of one. */
struct vsd_accutorr_rx {
    char line[VSD_ACCUTORR_LINE_MAX + 1];
    size_t len;
    bool overflow; /* the current line is too long: skip to its end */
    bool done;     /* LINE holds a complete line: the next byte starts another */
};

/* Take byte B. Returns 1 when RX->line holds a complete non-empty line (RX->len bytes, NUL
 * terminated; valid until the next call), 0 otherwise, -EMSGSIZE when an over-long line ends. */
int vsd_accutorr_rx_byte(struct vsd_accutorr_rx *rx, uint8_t b);

/* The cuff measurement last reported: the same one is reported with the same time for as long
 * as the monitor shows it. Zero it at open. */
struct vsd_accutorr_nibp {
    bool have;
    double sys, mean, dia;
    int64_t measured_ms;      /* UTC, what the readings carry */
    int64_t measured_mono_ms; /* the same instant on the monotonic clock */
    int age_min;              /* its age in the last line read */
};

/* Two ages of one measurement read in different polls differ by less than a minute (the age is
 * printed in whole minutes); more than this, and the same pressures are a new measurement. */
#define VSD_ACCUTORR_SAME_MEAS_MS 90000

/* The readings of P into OUT (room for CAP; 5 suffice): SpO2 (when SPO2, the model has the
 * option) and PR with the receive time (measured_ms 0), NAN with VSD_Q_INVALID when dashed,
 * flagged from status bytes 0 and 1 (without SPO2, PR comes from the cuff: byte 1 only);
 * NIBP systolic, diastolic and mean only when the line carries a measurement, with the time
 * of that measurement (tracked in T from WALL_MS and MONO_MS), flagged from status byte 2,
 * and all three VSD_Q_INVALID when they contradict each other (mean outside diastolic..
 * systolic). Returns the number of readings written. */
size_t vsd_accutorr_readings(const struct vsd_accutorr_p *p, bool spo2, struct vsd_accutorr_nibp *t,
                             int64_t wall_ms, int64_t mono_ms, struct vsd_reading *out, size_t cap);

/* The quality flags of the SpO2/PR reading for status bytes S0 and S1. */
uint32_t vsd_accutorr_spo2_flags(uint8_t s0, uint8_t s1);

#endif
