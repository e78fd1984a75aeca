/* SPDX-License-Identifier: MIT */
/* A reading as a driver reports it: one vital, one value, its quality flags. */
#ifndef VITALSD_READING_H
#define VITALSD_READING_H

#include <stdint.h>

/* The vitals the daemon knows. The one table describing them (names, MDC and
 * LOINC codes, UCUM units, plausible ranges) is <vitalsd/vitals.h>. */
enum vsd_vital {
    VSD_VITAL_HR = 0,    /* heart rate (ECG or monitor), /min */
    VSD_VITAL_PR,        /* pulse rate from oximetry, /min */
    VSD_VITAL_SPO2,      /* oxygen saturation, % */
    VSD_VITAL_NIBP_SYS,  /* non-invasive blood pressure, systolic, mm[Hg] */
    VSD_VITAL_NIBP_DIA,  /* diastolic, mm[Hg] */
    VSD_VITAL_NIBP_MEAN, /* mean arterial, mm[Hg] */
    VSD_VITAL_RR,        /* respiratory rate, /min */
    VSD_VITAL_ETCO2,     /* end-tidal CO2 partial pressure (capnography), mm[Hg] */
    VSD_VITAL_COUNT
};

/* Quality flags. A reading with any of VSD_Q_UNUSABLE set never satisfies or
 * suppresses a threshold; it is stored flagged so the gap is visible. */
enum vsd_quality {
    VSD_Q_INVALID = 1u << 0,       /* device said "no value" (sentinel, status) */
    VSD_Q_SENSOR_OFF = 1u << 1,    /* probe off / no sensor */
    VSD_Q_ARTIFACT = 1u << 2,      /* motion artifact reported by the device */
    VSD_Q_IMPLAUSIBLE = 1u << 3,   /* outside the vital's plausible range (set by the core) */
    VSD_Q_LOW_PERFUSION = 1u << 4, /* device reports low perfusion */
    VSD_Q_SEARCHING = 1u << 5,     /* device is searching for a pulse */
    VSD_Q_APNEA = 1u << 6,         /* device reports apnea: no breath detected (on rr); the
                                    * value, when there is one, is still a value */
    VSD_Q_WRONG_DEVICE = 1u << 7,  /* from a device other than the configured one, kept for no
                                    * session (set by the core) */
};
#define VSD_Q_UNUSABLE                                                                      \
    (VSD_Q_INVALID | VSD_Q_SENSOR_OFF | VSD_Q_IMPLAUSIBLE | VSD_Q_SEARCHING | VSD_Q_WRONG_DEVICE)

struct vsd_reading {
    enum vsd_vital vital;
    double value;        /* NAN when the device gave no value */
    uint32_t flags;      /* enum vsd_quality bits */
    int64_t measured_ms; /* device's own measurement time, UTC ms since the epoch;
                          * 0 = none (the core stamps the receive time). A device
                          * that reports a measurement time (NIBP) repeats it for
                          * as long as it repeats the measurement: the core stores
                          * each (device, vital, measured_ms) once. */
};

#endif
