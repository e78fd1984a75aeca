/* SPDX-License-Identifier: MIT */
/* The alarm engine: pure logic turning readings, device health and staff actions into alert events. */
#ifndef VSD_ALARM_H
#define VSD_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

/* The engine never changes a limit and never silences, hides or clears an alert whose
 * condition holds. It does no I/O, starts no thread and reads no clock: time is passed in.
 * The full semantics are written at the top of alarm.c and in docs/alarms.md. */

enum vsd_priority { VSD_PRIO_LOW = 1, VSD_PRIO_MEDIUM = 2, VSD_PRIO_HIGH = 3 };

enum vsd_alert_code {
    VSD_ALERT_LOW = 0,        /* physiological: value below a low band */
    VSD_ALERT_HIGH,           /* physiological: value above a high band */
    VSD_ALERT_RISE,           /* physiological: value rose more than allowed between readings */
    VSD_ALERT_FALL,           /* physiological: value fell more than allowed between readings */
    VSD_ALERT_APNEA,          /* physiological: no breath detected (monitor's flag, or rr 0) */
    VSD_ALERT_COMMS_LOSS,     /* technical: device stopped answering */
    VSD_ALERT_COMMS_DEGRADED, /* technical: device answers, but many frames are garbled */
    VSD_ALERT_WRONG_DEVICE,   /* technical: the device on the link is not the one configured */
    VSD_ALERT_SENSOR_OFF,     /* technical: probe off / no sensor */
    VSD_ALERT_INVALID,        /* technical: invalid or implausible values persist */
    VSD_ALERT_NIBP_OVERDUE,   /* technical: no new cuff measurement within cycle + grace */
    VSD_ALERT_STORAGE,        /* technical (daemon): the database cannot be written */
    VSD_ALERT_QUEUE_OVERFLOW, /* technical (daemon): readings lost to a full queue */
    VSD_ALERT_ALERT_PATH,     /* technical (daemon): the broker is unreachable */
    VSD_ALERT_CODE_COUNT
};

#define VSD_BANDS_MAX 4
#define VSD_ESCALATION_STEPS 2
#define VSD_ALARM_DAEMON SIZE_MAX /* the "bed" of daemon-wide technical alerts */
#define VSD_ALARM_ACTOR_MAX 64

/* One limit band: alert when the value is below (or above) LIMIT. */
struct vsd_band {
    bool high;
    double limit;
    enum vsd_priority priority;
};

/* A rate-of-change condition between two consecutive usable readings of one vital at one bed
 * (meant for cuff measurements): |change| > DELTA in its direction within WITHIN_MS (0 = any
 * time apart). */
struct vsd_rate {
    bool set;
    double delta;
    enum vsd_priority priority;
    int64_t within_ms;
};

/* Limits for one vital; set by the clinic's configuration or by staff, never by the daemon. */
struct vsd_limit {
    struct vsd_band bands[VSD_BANDS_MAX];
    size_t n_bands;
    struct vsd_rate rise, fall;
    int64_t delay_ms;  /* a band's condition must hold this long before raising */
    double hysteresis; /* clear only at limit + h (low) / limit - h (high) */
};

struct vsd_alarm_config {
    struct vsd_limit limits[VSD_VITAL_COUNT];
    enum vsd_priority technical_priority[VSD_ALERT_CODE_COUNT]; /* of each technical code */
    int64_t sensor_off_delay_ms; /* sensor off this long before the technical alert */
    int64_t invalid_delay_ms;    /* unusable values this long before the technical alert */
    int64_t nibp_overdue_ms;     /* cycle + grace; 0 = not watched */
    /* [alarm.apnea]: rr readings of 0 for apnea_after_ms, or a reading the monitor flags
     * VSD_Q_APNEA (at once: the monitor timed it), raise APNEA; 0 = not watched. */
    int64_t apnea_after_ms;
    enum vsd_priority apnea_priority;
    enum vsd_priority latch_priority;    /* alerts of this priority and above latch */
    enum vsd_priority escalate_priority; /* alerts of this priority and above escalate */
    int64_t escalate_ms[VSD_ESCALATION_STEPS]; /* after raise, unacknowledged; 0 = step off */
    /* What staff may set for one visit (limits_set): read by the command handler, not the engine.
     * A session's low band may not be under session_lowest, its high band not over
     * session_highest (-HUGE_VAL / HUGE_VAL: no bound), its delay not longer than
     * session_longest_delay_ms; it may drop every band of a vital only if session_may_disable. */
    double session_lowest[VSD_VITAL_COUNT];
    double session_highest[VSD_VITAL_COUNT];
    int64_t session_longest_delay_ms;
    bool session_may_disable;
    /* One heart rate per bed ([alerts] heart_rate = one): read by the core, which feeds the
     * oximeter's pulse rate to the hr limits while no ECG gives a usable heart rate. */
    bool heart_rate_one;
};

/* An alert as the engine holds it while it is active. */
struct vsd_alert {
    char id[33];               /* from the injected id generator */
    enum vsd_alert_code code;
    enum vsd_priority priority;
    size_t bed;                /* VSD_ALARM_DAEMON for daemon-wide technical alerts */
    size_t device;             /* SIZE_MAX for none */
    enum vsd_vital vital;      /* VSD_VITAL_COUNT when the alert concerns no one vital */
    enum vsd_vital measured;   /* what the device measured that raised it: VITAL, or the vital
                                * standing in for it (PR for a bed's one heart rate) */
    double value;              /* value that raised it (NAN for technical; APNEA: seconds
                                * without a breath) */
    double limit;              /* limit crossed (NAN for technical; APNEA: the configured
                                * seconds, NAN when the monitor flagged it) */
    int64_t raised_wall_ms;
    int64_t raised_mono_ms;
    bool condition;            /* false: the condition ended, kept (latched) until acknowledged */
    bool acked;
    char acked_by[VSD_ALARM_ACTOR_MAX + 1];
    int64_t acked_wall_ms;
    int escalation;            /* escalation steps taken: 0..VSD_ESCALATION_STEPS */
};

enum vsd_alarm_event_type {
    VSD_ALARM_RAISED,
    VSD_ALARM_ACKNOWLEDGED,
    VSD_ALARM_ESCALATED,
    VSD_ALARM_LATCHED, /* condition ended; the alert stays until acknowledged */
    VSD_ALARM_CLEARED,
};

struct vsd_alarm_event {
    enum vsd_alarm_event_type type;
    const struct vsd_alert *alert; /* valid only during the callback */
    double value;                  /* the value now (cleared: the value that cleared it) */
    int64_t wall_ms;               /* event time */
};

struct vsd_alarm_now {
    int64_t mono_ms; /* for delays */
    int64_t wall_ms; /* for stamps */
};

typedef void (*vsd_alarm_emit_fn)(void *ctx, const struct vsd_alarm_event *ev);
typedef void (*vsd_alarm_id_fn)(void *ctx, char out[33]);

struct vsd_alarm;

/* New engine for N_BEDS beds (each with its own config, copied) and N_DEVICES
 * devices. ID_FN makes alert ids (32 hex chars). Returns NULL on ENOMEM.
 * Free with vsd_alarm_free(), which accepts NULL. */
struct vsd_alarm *vsd_alarm_new(const struct vsd_alarm_config *bed_cfgs, size_t n_beds,
                                size_t n_devices, vsd_alarm_id_fn id_fn, void *id_ctx);
void vsd_alarm_free(struct vsd_alarm *a);

/* Where events go. */
struct vsd_alarm_out {
    vsd_alarm_emit_fn emit;
    void *ctx;
};

/* Feed one normalised reading from DEVICE at BED. Readings with any
 * VSD_Q_UNUSABLE flag never satisfy or clear a limit condition. */
void vsd_alarm_reading(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                       const struct vsd_reading *r, struct vsd_alarm_out out);
/* A usable reading of MEASURED standing in for R->vital (a bed's pulse rate counted as its
 * heart rate when no ECG gives one): only R->vital's limits see it, and an alert it raises
 * names MEASURED. Technical conditions stay with the reading's own vital. */
void vsd_alarm_reading_as(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed,
                          size_t device, const struct vsd_reading *r, enum vsd_vital measured,
                          struct vsd_alarm_out out);
/* A device went down (stopped answering) or came back. */
void vsd_alarm_device(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                      bool up, struct vsd_alarm_out out);
/* A device's link became degraded (many garbled frames) or healthy again. */
void vsd_alarm_degraded(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                        bool degraded, struct vsd_alarm_out out);
/* The device on DEVICE's link reported a serial or model other than the configured one (WRONG),
 * or the expected one again / a technician confirmed it. Its readings no longer reach the engine
 * (the core's rule); pending conditions it fed are cancelled as for a device going down. */
void vsd_alarm_wrong_device(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed,
                            size_t device, bool wrong, struct vsd_alarm_out out);
/* A session opened (WATCHED) or closed at BED: starts or stops the NIBP-overdue watch. */
void vsd_alarm_watch(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, bool watched,
                     struct vsd_alarm_out out);
/* A daemon-wide technical condition (STORAGE, QUEUE_OVERFLOW, ALERT_PATH) began or ended. */
void vsd_alarm_daemon(struct vsd_alarm *a, struct vsd_alarm_now now, enum vsd_alert_code code,
                      bool on, struct vsd_alarm_out out);
/* Advance time: raises conditions whose delay has run out, takes escalation steps. */
void vsd_alarm_tick(struct vsd_alarm *a, struct vsd_alarm_now now, struct vsd_alarm_out out);

/* Staff acknowledge alert ID. Returns 0, -ENOENT (no such active alert) or -EALREADY. */
int vsd_alarm_ack(struct vsd_alarm *a, struct vsd_alarm_now now, const char *id, const char *by,
                  struct vsd_alarm_out out);
/* Replace the limits of VITAL at BED (a staff override, or back to the configured ones).
 * Pending conditions of that vital start over; active alerts clear by the band that raised them. */
int vsd_alarm_set_limit(struct vsd_alarm *a, size_t bed, enum vsd_vital vital,
                        const struct vsd_limit *lim);
const struct vsd_limit *vsd_alarm_limit(const struct vsd_alarm *a, size_t bed,
                                        enum vsd_vital vital);

/* A reloaded configuration: a new engine for N_BEDS beds (CFGS, copied) and N_DEVICES devices,
 * carrying OLD's state over. BED_FROM[i] / DEV_FROM[i]: the old index of new bed / device i, or
 * SIZE_MAX for a new one (a changed device counts as removed and added). What stays keeps its
 * pending conditions and active alerts (same ids, not raised again, escalation clocks running).
 * A vital whose limits changed is treated as vsd_alarm_set_limit() treats a staff change: its
 * active alerts stay and each ends by the band it was raised under; the new bands are tested from
 * the next reading. Active alerts of removed beds and devices are CLEARED through OUT (while OLD
 * still holds them). Returns the new engine (OLD is then the caller's to free) or NULL on ENOMEM
 * with nothing emitted. */
struct vsd_alarm *vsd_alarm_rebuild(struct vsd_alarm *old, const struct vsd_alarm_config *cfgs,
                                    size_t n_beds, size_t n_devices, const size_t *bed_from,
                                    const size_t *dev_from, struct vsd_alarm_now now,
                                    struct vsd_alarm_out out);

/* Active alerts of BED (or VSD_ALARM_DAEMON), up to MAX into OUT (highest priority first, then
 * oldest); returns how many there are in all. */
size_t vsd_alarm_active(const struct vsd_alarm *a, size_t bed, const struct vsd_alert **out,
                        size_t max);
/* The active alert with ID, NULL when none. */
const struct vsd_alert *vsd_alarm_find(const struct vsd_alarm *a, const char *id);

const char *vsd_priority_name(enum vsd_priority p);     /* "low", "medium", "high" */
int vsd_priority_parse(const char *s);                  /* enum value or -EINVAL */
const char *vsd_alert_code_name(enum vsd_alert_code c); /* "low","high","comms_loss",... */
bool vsd_alert_code_technical(enum vsd_alert_code c);
const char *vsd_alarm_event_name(enum vsd_alarm_event_type t); /* "raised", ... */

#endif
