/* SPDX-License-Identifier: MIT */
/* The alarm engine's inside, shared by alarm.c (alert lifecycle) and alarm_cond.c (conditions). */
#ifndef VSD_ALARM_INT_H
#define VSD_ALARM_INT_H

#include "alarm.h"

#define LATCHED_MAX 16 /* latched alerts kept per bed beside the condition slots */

enum cond_state { COND_IDLE, COND_PENDING, COND_ACTIVE };

/* An alert as a slot holds it. The alert is the first member so that a pointer handed out by
 * vsd_alarm_active() leads back to its body. */
struct body {
    struct vsd_alert alert;
    uint64_t seq; /* raise order, for a stable ordering */
};

/* One alert condition. Its alert's body comes from the engine's pool at the slot's first raise
 * and stays with it (a slot an alert moves to gives its own in exchange), so a slot that never
 * raised is about 90 bytes, not 280: a bed has about 90 slots, and at 1,000 beds the
 * difference was 16 MB of resident memory. */
struct slot {
    struct body *body; /* NULL until the first raise; set whenever STATE is ACTIVE */
    enum cond_state state;
    int64_t t0;           /* mono ms the pending condition started */
    double value;         /* last value that fed the pending condition */
    size_t device;        /* device that last fed the condition */
    size_t bed;           /* per-device slots: bed of the condition */
    enum vsd_vital vital; /* SENSOR_OFF: vital of the first sensor-off reading */
    struct vsd_band band; /* limit bands: the band it was raised under, which clears it */
    bool listed;          /* in the engine's list of alerts that may escalate */
};

struct vital_state {
    struct slot bands[VSD_BANDS_MAX];
    struct slot rise, fall, invalid;
    bool has_last; /* the last usable value, for rate-of-change */
    double last_value;
    int64_t last_mono;
};

struct device_state {
    struct slot comms, degraded, wrong, sensor_off;
};
#define DEVICE_SLOTS (sizeof(struct device_state) / sizeof(struct slot))

/* Per bed (and one more for the daemon): what is not tied to one vital or device. */
struct bed_state {
    struct slot nibp_overdue;
    struct slot apnea; /* t0: the first reading without a breath (kept while active) */
    bool watched;
    int64_t nibp_since; /* mono ms of the last cuff measurement, or of the watch's start */
    struct slot latched[LATCHED_MAX];
    struct slot daemon[VSD_ALERT_CODE_COUNT]; /* used in the daemon's entry only */
};

struct vsd_alarm {
    size_t n_beds, n_devices;
    struct vsd_alarm_config *cfgs; /* one per bed, then the daemon's (a copy of bed 0's) */
    struct vital_state *vitals;    /* n_beds x VSD_VITAL_COUNT */
    struct device_state *devices;  /* n_devices */
    struct bed_state *beds;        /* n_beds + 1: the last one is the daemon's */
    vsd_alarm_id_fn id_fn;
    void *id_ctx;
    uint64_t seq;
    /* The active alerts that may still escalate, so that a tick visits those, not every slot:
     * a slot joins when raised and leaves on the tick that finds it done (idle, acknowledged,
     * every step taken). A slot copied elsewhere (latched apart, reload) sets RELIST: the
     * next tick makes the list again from every slot. */
    struct slot **escalating;
    size_t n_escalating, max_escalating;
    bool relist;
    struct body *bodies; /* max_escalating (one a slot at most), the first N_BODIES given out */
    size_t n_bodies;
};

/* What a raise needs beyond the slot. */
struct raise_info {
    enum vsd_alert_code code;
    enum vsd_priority priority;
    size_t bed; /* VSD_ALARM_DAEMON for the daemon */
    enum vsd_vital vital;
    double limit;
};

/* Where events go, and when. */
struct sink {
    struct vsd_alarm_out out;
    struct vsd_alarm_now now;
    bool stand_in;           /* the reading stands in for its vital (vsd_alarm_reading_as) */
    enum vsd_vital measured; /* ... and this is what was measured */
};

/* alarm.c: the lifecycle every condition shares. */
void vsd_alarm_slot_raise(struct vsd_alarm *a, struct slot *s, const struct raise_info *ri,
                          const struct sink *k);
/* The condition of active S ended with VALUE: cleared, or latched until acknowledged. */
void vsd_alarm_slot_end(struct vsd_alarm *a, struct slot *s, double value, const struct sink *k);
/* Start or continue a pending condition; true when its delay has run out. */
bool vsd_alarm_slot_pend(struct slot *s, int64_t mono_ms, double value, size_t device,
                         int64_t delay);
void vsd_alarm_slot_cancel(struct slot *s);
bool vsd_alarm_slot_due(const struct slot *s, int64_t mono_ms, int64_t delay);
/* Active with its condition holding (not latched): the condition may end. */
bool vsd_alarm_slot_holding(const struct slot *s);
struct vital_state *vsd_alarm_vital(const struct vsd_alarm *a, size_t bed, enum vsd_vital v);
struct bed_state *vsd_alarm_bed(const struct vsd_alarm *a, size_t bed); /* DAEMON: the last */
const struct vsd_alarm_config *vsd_alarm_cfg(const struct vsd_alarm *a, size_t bed);

/* Calls FN for every slot (condition slots, latched ones, daemon ones). */
typedef void (*vsd_alarm_slot_fn)(struct slot *s, void *ctx);
void vsd_alarm_each_slot(const struct vsd_alarm *a, vsd_alarm_slot_fn fn, void *ctx);
/* A device's technical slots, DEVICE_SLOTS of them. */
void vsd_alarm_each_device_slot(struct device_state *ds, vsd_alarm_slot_fn fn, void *ctx);

/* alarm_cond.c: conditions that wait for their delay, checked on each tick. */
void vsd_alarm_tick_conditions(struct vsd_alarm *a, const struct sink *k);

/* alarm_apnea.c: no breath detected at a bed (rr readings and the monitor's apnea flag). */
void vsd_alarm_apnea_reading(struct vsd_alarm *a, size_t bed, size_t device,
                             const struct vsd_reading *r, bool usable, const struct sink *k);
void vsd_alarm_apnea_tick(struct vsd_alarm *a, size_t bed, const struct sink *k);
void vsd_alarm_apnea_device_down(struct vsd_alarm *a, size_t bed, size_t device);

#endif
