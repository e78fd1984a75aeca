/* SPDX-License-Identifier: MIT */
/* The alarm engine: pure logic turning readings and device health into alert events. */
#ifndef VSD_ALARM_H
#define VSD_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

/* The engine never changes a limit and never suppresses an alert by itself.
 * It does no I/O, starts no thread and reads no clock: time is passed in. */

enum vsd_priority { VSD_PRIO_LOW = 1, VSD_PRIO_MEDIUM = 2, VSD_PRIO_HIGH = 3 };

enum vsd_alert_code {
    VSD_ALERT_LOW = 0,     /* physiological: value below the low limit */
    VSD_ALERT_HIGH,        /* physiological: value above the high limit */
    VSD_ALERT_COMMS_LOSS,  /* technical: device stopped answering */
    VSD_ALERT_SENSOR_OFF,  /* technical: probe off / no sensor */
    VSD_ALERT_INVALID,     /* technical: invalid or implausible values persist */
    VSD_ALERT_CODE_COUNT
};

/* Limits for one vital; set by the clinic's configuration, never by the daemon. */
struct vsd_limit {
    bool has_low, has_high;
    double low, high;                 /* alert when value < low or value > high */
    enum vsd_priority low_priority, high_priority;
    int64_t delay_ms;                 /* condition must hold this long before raising */
    double hysteresis;                /* clear only at low + h / high - h */
};

struct vsd_alarm_config {
    struct vsd_limit limits[VSD_VITAL_COUNT];
    enum vsd_priority comms_loss_priority;
    enum vsd_priority sensor_off_priority;
    enum vsd_priority invalid_priority;
    int64_t sensor_off_delay_ms; /* sensor off this long before the technical alert */
    int64_t invalid_delay_ms;    /* unusable values this long before the technical alert */
};

/* An active alert as the engine holds it. */
struct vsd_alert {
    char id[33];               /* from the injected id generator */
    enum vsd_alert_code code;
    enum vsd_priority priority;
    size_t bed;
    size_t device;             /* technical alerts: the device; SIZE_MAX for none */
    enum vsd_vital vital;      /* VSD_VITAL_COUNT when the alert concerns no one vital */
    double value;              /* value that raised it (NAN for technical) */
    double limit;              /* limit crossed (NAN for technical) */
    int64_t raised_wall_ms;
};

enum vsd_alarm_event_type { VSD_ALARM_RAISED, VSD_ALARM_CLEARED };

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

/* Feed one normalised reading from DEVICE at BED. Readings with any
 * VSD_Q_UNUSABLE flag never satisfy or clear a limit condition. */
void vsd_alarm_reading(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                       const struct vsd_reading *r, vsd_alarm_emit_fn emit, void *ctx);
/* A device went down (stopped answering) or came back. */
void vsd_alarm_device(struct vsd_alarm *a, struct vsd_alarm_now now, size_t bed, size_t device,
                      bool up, vsd_alarm_emit_fn emit, void *ctx);
/* Advance time: raises conditions whose delay has run out. */
void vsd_alarm_tick(struct vsd_alarm *a, struct vsd_alarm_now now, vsd_alarm_emit_fn emit,
                    void *ctx);
/* Active alerts of BED, up to MAX into OUT (highest priority first, then oldest);
 * returns how many there are in all. */
size_t vsd_alarm_active(const struct vsd_alarm *a, size_t bed, const struct vsd_alert **out,
                        size_t max);

const char *vsd_priority_name(enum vsd_priority p);   /* "low", "medium", "high" */
int vsd_priority_parse(const char *s);               /* enum value or -EINVAL */
const char *vsd_alert_code_name(enum vsd_alert_code c); /* "low","high","comms_loss",... */
bool vsd_alert_code_technical(enum vsd_alert_code c);

#endif
