/* SPDX-License-Identifier: MIT */
/* Philips IntelliVue data export messages (the payload of a serial frame or a LAN datagram):
 * the association, the MDS Create Event Result, the poll request, and the parser of poll
 * results into numeric observations and readings. Pure code: no I/O, bounds-checked. */
#ifndef VSD_INTELLIVUE_PDU_H
#define VSD_INTELLIVUE_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

/* Facts: docs/devices/intellivue.md, 'Protocol facts' (Philips IntelliVue Data Export Interface
 * Programming Guide: session and presentation headers, remote operations, poll actions,
 * attribute ids, FLOAT-Type, measurement state). All numbers are big-endian. */

/* Session SPDU ids (the first byte of a message). */
#define VSD_IVUE_SPDU_CN 0x0D   /* association request */
#define VSD_IVUE_SPDU_AC 0x0E   /* association accepted */
#define VSD_IVUE_SPDU_RF 0x0C   /* association refused */
#define VSD_IVUE_SPDU_FN 0x09   /* release request */
#define VSD_IVUE_SPDU_DN 0x0A   /* release response */
#define VSD_IVUE_SPDU_AB 0x19   /* abort */
#define VSD_IVUE_SPDU_DATA 0xE1 /* data: E1 00 00 02 then a remote operation */

/* Remote operation APDU types, command types. */
#define VSD_IVUE_ROIV 1
#define VSD_IVUE_RORS 2
#define VSD_IVUE_ROER 3
#define VSD_IVUE_RORLS 5
#define VSD_IVUE_CMD_CONFIRMED_EVENT_REPORT 1
#define VSD_IVUE_CMD_CONFIRMED_ACTION 7

#define VSD_IVUE_NOM_MOC_VMS_MDS 0x0021
#define VSD_IVUE_NOM_NOTI_MDS_CREAT 0x0D06
#define VSD_IVUE_ACT_POLL 0x0C16     /* NOM_ACT_POLL_MDIB_DATA */
#define VSD_IVUE_ACT_POLL_EXT 0xF13B /* NOM_ACT_POLL_MDIB_DATA_EXT */
#define VSD_IVUE_MOC_NUMERIC 6       /* NOM_MOC_VMO_METRIC_NU, partition 1 */

#define VSD_IVUE_ATTR_NU_CMPD_VAL_OBS 0x094B
#define VSD_IVUE_ATTR_NU_VAL_OBS 0x0950
#define VSD_IVUE_ATTR_TIME_STAMP_ABS 0x0990

/* FLOAT-Type special values (the whole 32 bits). */
#define VSD_IVUE_FLOAT_NAN 0x007FFFFFu
#define VSD_IVUE_FLOAT_NRES 0x00800000u
#define VSD_IVUE_FLOAT_PINF 0x007FFFFEu
#define VSD_IVUE_FLOAT_NINF 0x00800002u

/* Measurement state bits. */
#define VSD_IVUE_ST_INVALID 0x8000u
#define VSD_IVUE_ST_QUESTIONABLE 0x4000u
#define VSD_IVUE_ST_UNAVAILABLE 0x2000u
#define VSD_IVUE_ST_CALIBRATION 0x1000u
#define VSD_IVUE_ST_TEST_DATA 0x0800u
#define VSD_IVUE_ST_DEMO_DATA 0x0400u

/* What a received message is. */
enum vsd_ivue_kind {
    VSD_IVUE_OTHER = 0,
    VSD_IVUE_ACCEPT,  /* AC */
    VSD_IVUE_REFUSE,  /* RF */
    VSD_IVUE_ABORT,   /* AB */
    VSD_IVUE_RELEASE, /* FN or DN: the association ends */
    VSD_IVUE_INVOKE,  /* ROIV (the MDS Create Event Report) */
    VSD_IVUE_RESULT,  /* RORS */
    VSD_IVUE_LINKED,  /* RORLS: one part of a result in several messages */
    VSD_IVUE_ERROR,   /* ROER */
};

struct vsd_ivue_msg {
    enum vsd_ivue_kind kind;
    uint16_t invoke_id, command;
    const uint8_t *arg; /* the command's argument/result (after its length), ARG_LEN bytes */
    size_t arg_len;
};

/* Classify PAYLOAD (N bytes). Returns 0 (M filled; a data message is checked for its lengths),
 * or -1 for a data message that does not hold together. */
int vsd_ivue_classify(const uint8_t *p, size_t n, struct vsd_ivue_msg *m);

/* Builders: each returns the payload's length in OUT, 0 when CAP is too small. */
size_t vsd_ivue_build_assoc(uint8_t *out, size_t cap);
size_t vsd_ivue_build_release(uint8_t *out, size_t cap);
/* The MDS Create Event Result answering the event report M (its managed object and type). */
size_t vsd_ivue_build_event_result(const struct vsd_ivue_msg *m, uint8_t *out, size_t cap);
/* A poll request for numerics: EXT selects NOM_ACT_POLL_MDIB_DATA_EXT (no attributes). */
size_t vsd_ivue_build_poll(uint16_t invoke_id, uint16_t poll_no, bool ext, uint8_t *out,
                           size_t cap);

/* Is M the MDS Create Event Report (a confirmed event report of NOM_NOTI_MDS_CREAT)? */
bool vsd_ivue_is_mds_create(const struct vsd_ivue_msg *m);

/* FLOAT-Type: 8-bit signed exponent, 24-bit signed mantissa. NAN for NaN, NRes and +-INF. */
double vsd_ivue_float(uint32_t f);

/* One numeric observation of a poll result. */
struct vsd_ivue_obs {
    uint16_t physio, state, unit;
    uint32_t value;
    bool has_time;   /* the object carried NOM_ATTR_TIME_STAMP_ABS */
    uint8_t time[8]; /* its BCD absolute time */
};

#define VSD_IVUE_MAX_OBS 48
/* What the result messages of one poll held. */
struct vsd_ivue_poll {
    bool has_time;   /* the reply's absolute time stamp was set (not all FF) */
    uint8_t time[8]; /* BCD: century, year, month, day, hour, minute, second, fraction */
    size_t n;
    struct vsd_ivue_obs obs[VSD_IVUE_MAX_OBS];
    unsigned dropped; /* observations past VSD_IVUE_MAX_OBS */
};

/* Add the observations of the poll result (RORS or RORLS) M to P. Returns 0, or -1 when the
 * message does not hold together (nothing added from it then). Action results of other actions
 * return 1 and add nothing. */
int vsd_ivue_parse_result(const struct vsd_ivue_msg *m, struct vsd_ivue_poll *p);

/* Seconds between two BCD absolute times (B - A); false when either is not a valid date. */
bool vsd_ivue_time_diff(const uint8_t a[8], const uint8_t b[8], int64_t *seconds);

/* The readings of P: one per known vital (the last observation of it), value NAN with
 * VSD_Q_INVALID for NaN/NRes/INF, an INVALID/UNAVAILABLE/calibration/test/demo state or a unit
 * that is not the expected one; VSD_Q_ARTIFACT for a QUESTIONABLE state. measured_ms is left 0:
 * the caller sets it. TIMED[i] is the index of the observation of OUT[i] in P. Returns the
 * count. */
size_t vsd_ivue_readings(const struct vsd_ivue_poll *p, struct vsd_reading *out, size_t timed[],
                         size_t cap);

#endif
