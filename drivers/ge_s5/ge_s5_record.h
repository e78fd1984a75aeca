/* SPDX-License-Identifier: MIT */
/* S/5 records: the periodic-transmission request and the basic physiological data decoder. */
#ifndef VSD_GE_S5_RECORD_H
#define VSD_GE_S5_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

/* Layout facts (docs/devices/ge-s5.md, 'Record layout', from GE's DRI specification 8005313):
 * all little-endian, packed. */
#define VSD_GES5_REQUEST_LEN 49 /* header + one 9-byte PHDB request subrecord */
#define VSD_GES5_SUBREC_LEN 278 /* one physiological data subrecord */
#define VSD_GES5_SR_DESC_MAX 8
#define VSD_GES5_SR_END 0xFF
#define VSD_GES5_MT_PHDB 0
#define VSD_GES5_SR_DISPL 1           /* displayed (current) values */
#define VSD_GES5_TX_MIN_S 5           /* shortest periodic interval the monitor accepts */
#define VSD_GES5_CLASS_BASIC 0        /* phdb_class_bf: 0 asks for the basic class only */
#define VSD_GES5_SPECIAL_MAX (-32001) /* values at or below are codes, never measurements */

/* Special value codes. */
#define VSD_GES5_INVALID (-32767)
#define VSD_GES5_NOT_UPDATED (-32766)
#define VSD_GES5_DISCONT (-32765)
#define VSD_GES5_UNDER_RANGE (-32764)
#define VSD_GES5_OVER_RANGE (-32763)
#define VSD_GES5_NOT_CALIBRATED (-32762)

/* Group status bits (u32 status word of every group header). */
#define VSD_GES5_ST_EXISTS (1u << 0)
#define VSD_GES5_ST_ACTIVE (1u << 1)
/* ECG status bits. */
#define VSD_GES5_ECG_ASYSTOLE (1u << 2)
#define VSD_GES5_ECG_NOISE (1u << 7)
#define VSD_GES5_ECG_ARTIFACT (1u << 8)
#define VSD_GES5_ECG_LEARNING (1u << 9)
#define VSD_GES5_ECG_LEADS_OFF (7u << 11) /* channel 1..3 off */
/* NIBP label bits (the NIBP state is in its label word, not its status). */
#define VSD_GES5_NIBP_AUTO (1u << 3)
#define VSD_GES5_NIBP_STAT (1u << 4)
#define VSD_GES5_NIBP_MEASURING (1u << 5)
#define VSD_GES5_NIBP_STASIS (1u << 6)
#define VSD_GES5_NIBP_CALIBRATING (1u << 7)
#define VSD_GES5_NIBP_OLD (1u << 8) /* the values are older than 60 s */

/* CO2 group status bits (the S/5 Computer Interface Specification, CO2 group): apnea. */
#define VSD_GES5_CO2_APNEA (1u << 2)
/* Ambient pressures (1/10 mmHg) outside this range cannot convert a CO2 fraction. */
#define VSD_GES5_AMB_MIN 4000  /* 400 mmHg, about 4,900 m above sea level */
#define VSD_GES5_AMB_MAX 8500  /* 850 mmHg, well above any weather at sea level */

/* Offsets of the groups this driver reads, within the 270-byte basic class data. */
#define VSD_GES5_OFF_ECG 0
#define VSD_GES5_OFF_NIBP 72
#define VSD_GES5_OFF_SPO2 118
#define VSD_GES5_OFF_CO2 132

/* One parameter group as received: its header and the int16 fields after it. */
struct vsd_ges5_group {
    uint32_t status;
    uint16_t label;
    int16_t v[4]; /* the first four int16 fields after the header */
};

/* The basic-class values of one displayed-values subrecord. */
struct vsd_ges5_basic {
    uint32_t time;             /* the subrecord's Unix time (the header's r_time when 0) */
    struct vsd_ges5_group ecg; /* v: hr, st1, st2, st3; imp_rr is ecg_imp_rr */
    int16_t ecg_imp_rr;
    struct vsd_ges5_group nibp; /* v: sys, dia, mean, hr (1/100 mmHg, 1/min) */
    struct vsd_ges5_group spo2; /* v: spo2 (1/100 %), pr, ir_amp, svo2 */
    struct vsd_ges5_group co2;  /* v: et, fi, rr, amb_press */
};

/* Build the request for periodic displayed values every TX_IVAL seconds (0 = stop, -1 = once)
 * with class bits CLASSES and header interface level DRI_LEVEL into OUT (49 bytes). */
void vsd_ges5_request_build(int16_t tx_ival, uint32_t classes, uint8_t dri_level,
                            uint8_t out[VSD_GES5_REQUEST_LEN]);

/* Decode record REC (N bytes, checksum already checked and removed). Returns 0 with the basic
 * class of the last displayed-values subrecord in *RET; -ENOMSG for a well-formed record that
 * carries no basic displayed values (another main type, trends, other classes); -EBADMSG when
 * the record contradicts itself (lengths, offsets). */
int vsd_ges5_record_decode(const uint8_t *rec, size_t n, struct vsd_ges5_basic *ret);

/* Tracks cuff measurements across records, so that the NIBP shown in every record until the
 * next cuff cycle is reported with one measurement time. Zero it at open. */
struct vsd_ges5_nibp_track {
    int16_t sys, dia, mean; /* the last measurement reported */
    bool have;              /* one was reported since open */
    bool cycle_seen;        /* a measuring/stasis/calibrating state since then */
    int64_t measured_ms;    /* its measurement time */
};

/* Longest a monitor clock may differ from the host's before the host's time is used. */
#define VSD_GES5_CLOCK_SKEW_MAX_MS (10 * 60 * 1000)

/* Turn B into readings in OUT (room for CAP; 8 suffice): HR, SpO2, PR, RR, EtCO2 with the
 * receive time (measured_ms 0), values or NAN with quality flags (RR from the CO2 group carries
 * VSD_Q_APNEA while the monitor reports apnea; EtCO2 = et (1/100 %) x amb_press (1/10 mmHg)
 * / 100000 mmHg); NIBP sys/dia/mean only for a
 * completed cuff measurement, with measured_ms from NIBP (updated). WALL_MS is the host's UTC
 * time, used when the monitor's clock is off by more than VSD_GES5_CLOCK_SKEW_MAX_MS. Absent
 * modules give no reading. Returns the number of readings written. */
size_t vsd_ges5_readings(const struct vsd_ges5_basic *b, struct vsd_ges5_nibp_track *nibp,
                         int64_t wall_ms, struct vsd_reading *out, size_t cap);

#endif
