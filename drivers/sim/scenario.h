/* SPDX-License-Identifier: MIT */
/* The sim monitor's scenario: event parsing and a value model, pure functions of time. */
#ifndef VSD_SIM_SCENARIO_H
#define VSD_SIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

enum vsd_sim_kind {
    VSD_SIM_DESATURATION, /* SpO2 glides down to value, holds, glides back */
    VSD_SIM_HYPERTENSION, /* cuff measurements high; one at the start, one back at the end */
    VSD_SIM_TACHYCARDIA,  /* HR and PR glide to value */
    VSD_SIM_BRADYPNEA,    /* RR glides to value */
    VSD_SIM_PROBE_OFF,    /* SpO2 and PR carry no value and VSD_Q_SENSOR_OFF */
    VSD_SIM_SILENT,       /* the monitor does not answer: -ETIMEDOUT */
    VSD_SIM_IMPLAUSIBLE,  /* VITAL reports VALUE as given */
    VSD_SIM_LEAD_OFF,     /* HR (the ECG) carries no value and VSD_Q_SENSOR_OFF */
    VSD_SIM_HANG,         /* a poll blocks until the event ends, far past any timeout (tests
                           * of the watchdog: a driver call that never returns in time) */
    VSD_SIM_HYPOVENTILATION, /* RR falls and EtCO2 rises to value, then apnea, SpO2 falls late */
    VSD_SIM_KIND_COUNT
};

/* One scripted event; times are ms since the device was first opened. */
struct vsd_sim_event {
    enum vsd_sim_kind kind;
    int64_t at_ms;
    int64_t for_ms;       /* > 0; 30 s when not written */
    double value;         /* the kind's default when not written */
    enum vsd_vital vital; /* implausible only */
};

/* Which vitals a monitor reports ("vitals" option), as bits. */
enum vsd_sim_vitals {
    VSD_SIM_V_HR = 1u << 0,
    VSD_SIM_V_PR = 1u << 1,
    VSD_SIM_V_SPO2 = 1u << 2,
    VSD_SIM_V_RR = 1u << 3,
    VSD_SIM_V_NIBP = 1u << 4, /* sys, dia, mean */
    VSD_SIM_V_ETCO2 = 1u << 5,
};

/* The hypoventilation event in fractions of its for=: the rate falls to
 * VSD_SIM_HYPO_RR and EtCO2 rises to value= until APNEA; no breath (rr 0, EtCO2 0: no CO2 at
 * the sensor) until RECOVER; SpO2 falls to VSD_SIM_HYPO_SPO2 from DESAT to RECOVER, then
 * comes back with the breathing by the end. */
#define VSD_SIM_HYPO_APNEA 0.4
#define VSD_SIM_HYPO_DESAT 0.55
#define VSD_SIM_HYPO_RECOVER 0.8
#define VSD_SIM_HYPO_RR 6.0
#define VSD_SIM_HYPO_SPO2 84.0

/* Parse one "event" option value ("desaturation at=20s for=40s value=84").
 * Returns 0 and fills *ret, or -EINVAL and writes the reason to ERR (may be NULL). */
int vsd_sim_event_parse(const char *text, struct vsd_sim_event *ret, char *err, size_t errlen);
/* Parse the "vitals" list ("hr,spo2,nibp") into enum vsd_sim_vitals bits.
 * Returns 0 and sets *ret, or -EINVAL with the reason in ERR (may be NULL). */
int vsd_sim_vitals_parse(const char *text, unsigned *ret, char *err, size_t errlen);

/* Everything the values depend on besides time. EVENTS is borrowed. */
struct vsd_sim_model {
    uint32_t seed;
    unsigned vitals; /* enum vsd_sim_vitals bits */
    double hr, spo2, rr, nibp_sys, nibp_dia, etco2;
    int64_t nibp_interval_ms;
    const struct vsd_sim_event *events;
    size_t n_events;
};

#define VSD_SIM_FIRST_CUFF_MS 5000 /* the first automatic NIBP measurement after open */
#define VSD_SIM_MAX_READINGS 8

/* One reading of a sample; measured_ms is ms since first open (NIBP), or -1. */
struct vsd_sim_reading {
    enum vsd_vital vital;
    double value;
    uint32_t flags;
    int64_t measured_ms;
};

struct vsd_sim_sample {
    size_t n;
    struct vsd_sim_reading r[VSD_SIM_MAX_READINGS];
};

/* What the monitor reports T ms after it was first opened. Pure: the same
 * (model, t) always gives the same sample. Returns 0, or -ETIMEDOUT while a
 * "silent" event is running (OUT then holds nothing). */
int vsd_sim_sample(const struct vsd_sim_model *m, int64_t t, struct vsd_sim_sample *out);

/* While a "hang" event runs at T: the ms until it ends (a poll blocks that long); else 0. */
int64_t vsd_sim_hang_left(const struct vsd_sim_model *m, int64_t t);

/* Time of the last cuff measurement at or before T (ms since open), -1 when none yet. */
int64_t vsd_sim_last_cuff(const struct vsd_sim_model *m, int64_t t);

#endif
