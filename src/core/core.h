/* SPDX-License-Identifier: MIT */
/* The core: normalises readings, attaches sessions, runs the alarm engine, feeds store and MQTT. */
#ifndef VSD_CORE_H
#define VSD_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "alarm.h"
#include "clock.h"
#include "config.h"
#include "ids.h"
#include "publish.h"
#include "queue.h"
#include "store.h"
#include "strset.h"
#include "trend.h"

enum vsd_health { VSD_HEALTH_UNKNOWN = 0, VSD_HEALTH_UP, VSD_HEALTH_DOWN };

struct vsd_bed_state {
    char session_id[VSD_SESSION_ID_MAX + 1]; /* "" when no session is open */
    int64_t session_started_ms;
    int64_t gap_start_ms[VSD_VITAL_COUNT]; /* an open monitoring gap: its start; 0: none */
    const char *gap_reason[VSD_VITAL_COUNT];
    bool limits_overridden[VSD_VITAL_COUNT]; /* staff set this session's own limits */
    int64_t ecg_hr_until_ms; /* mono: an ECG heart rate is current until then ([alerts] heart_rate) */
};

struct vsd_device_state_core {
    enum vsd_health health;
    int last_err;
    int64_t last_change_ms;          /* wall */
    int64_t last_answer_ms;          /* wall */
    uint64_t polls_answered;
    bool degraded;
    unsigned vitals_seen;            /* bit per vital this device has reported */
    int64_t last_measured_ms[VSD_VITAL_COUNT]; /* device-timed readings already seen */
    /* Identity (core_identity.c): as last reported by the device ("": not reported). */
    char model[VSD_IDENTITY_MAX + 1];
    char serial[VSD_IDENTITY_MAX + 1];
    bool wrong;                      /* not the configured device: its readings are unattributed */
    bool confirmed;                  /* a technician accepted the identity below for this run */
    char confirmed_model[VSD_IDENTITY_MAX + 1];
    char confirmed_serial[VSD_IDENTITY_MAX + 1];
};

/* The "reload" command's way to the composition root (main.c): re-read the configuration file,
 * all or nothing. ACTOR and VIA are recorded; ERRORS gets every error ("FILE:LINE: ..."),
 * SUMMARY what was applied or why nothing was. Returns 0 or negative errno. */
typedef int (*vsd_core_reload_fn)(void *ctx, const char *actor, const char *via,
                                  struct vsd_diag *errors, char *summary, size_t size);

struct vsd_core {
    const struct vsd_config *cfg;
    vsd_core_reload_fn reload;     /* set by main.c after vsd_core_init(); NULL: not offered */
    void *reload_ctx;
    const struct vsd_clock *clock;
    struct vsd_queue *queue;
    struct vsd_store *store;
    struct vsd_publish *pub;       /* may be NULL in tests */
    struct vsd_alarm *alarm;
    struct vsd_trend *trend;       /* the last 30 minutes, for the dashboard's trend lines */
    struct vsd_strset used_sessions; /* every session id ever opened: never given out again */
    struct vsd_bed_state *beds;
    struct vsd_device_state_core *devices;
    int64_t seq;                   /* last alert-event sequence number used */
    uint64_t readings_seen;
    int random_fd;                 /* /dev/urandom for alert ids */
    /* Daemon-wide conditions (core_watch.c). */
    int64_t path_down_since;       /* mono ms the broker became unreachable; 0: reachable */
    int64_t path_checked_since;    /* mono ms of the first check */
    uint64_t drops_seen;           /* readings lost to full queues, as last counted */
    int64_t drops_last_ms;         /* mono ms readings were last lost */
};

/* Set up CORE for CFG. SEQ is the highest sequence number already stored.
 * Returns 0 or negative errno; vsd_core_fini() undoes it (safe after a failure). */
int vsd_core_init(struct vsd_core *core, const struct vsd_config *cfg, const struct vsd_clock *clock,
                  struct vsd_queue *queue, struct vsd_store *store, struct vsd_publish *pub,
                  int64_t seq);
void vsd_core_fini(struct vsd_core *core);

/* Restore a session found open in the database at start-up. LAST_MS: the time of each vital's
 * last reading before the restart (0: none); from there a "daemon_down" gap is open until the
 * vital is measured again. */
int vsd_core_restore_session(struct vsd_core *core, const char *bed, const char *session_id,
                             int64_t started_ms, const int64_t last_ms[VSD_VITAL_COUNT]);
/* At start: a session id the database knows (SESSION_ID was used before). */
void vsd_core_session_used(struct vsd_core *core, const char *session_id);
/* Was SESSION_ID ever opened, here or before a restart? */
bool vsd_core_session_was_used(const struct vsd_core *core, const char *session_id);
/* At start: a reading from the database (BED and VITAL by name) for the trend lines. */
void vsd_core_trend_seed(struct vsd_core *core, const char *bed, const char *vital, int64_t ts_ms,
                         double value, unsigned flags);
/* Handle one reading or device event from the queue; staff commands go to
 * vsd_command_execute() (command.h), which sits above the core. */
void vsd_core_handle(struct vsd_core *core, const struct vsd_event *ev);
/* Advance the alarm engine's time. */
void vsd_core_tick(struct vsd_core *core);
/* Publish retained state (daemon, beds, devices) once at start. */
void vsd_core_publish_state(struct vsd_core *core);

/* Used by the command handler (src/command/), the one caller that changes sessions. */
void vsd_core_open_session(struct vsd_core *core, size_t bed, const char *session_id, int64_t now);
/* Ends the session's monitoring gaps and its own limits, stops the NIBP watch. */
void vsd_core_close_session(struct vsd_core *core, size_t bed);
/* Acknowledge: 0, -ENOENT or -EALREADY (vsd_alarm_ack). */
int vsd_core_ack(struct vsd_core *core, const char *alert_id, const char *by);

/* core_reload.c, on the core thread with every bus thread parked and the queue drained: CFG
 * replaces the running configuration (which the caller keeps alive). BED_FROM[i] / DEV_FROM[i]:
 * the running index of CFG's bed / device i, SIZE_MAX for a new one (a changed device is new).
 * A bed that stays keeps its session, gaps, its session's own limits, trend lines and alarm
 * state (vsd_alarm_rebuild); a device that stays its health. Removed beds must have no open
 * session (the caller refuses that reload). Retained state is published again. Returns 0, or
 * -ENOMEM with nothing changed. */
int vsd_core_reload(struct vsd_core *core, const struct vsd_config *cfg, const size_t *bed_from,
                    const size_t *dev_from);
/* The engine's output, for core_reload.c. */
struct vsd_alarm_out vsd_core_alarm_out(struct vsd_core *core);

/* core_identity.c: the device on a link against the configured one (docs/devices/README.md). */
/* A device reported its model and serial: a mismatch with the configuration that no technician
 * confirmed makes the device "wrong" (alert, gaps, audit row) until it reports the expected one. */
void vsd_core_identity(struct vsd_core *core, const struct vsd_device_identity *id);
/* A technician (BY) confirms the device now on DEVICE's link: its readings count again until it
 * reports another identity or the daemon restarts. Returns 0, or -EALREADY when the device is not
 * flagged wrong (nothing to confirm). The command handler writes the audit row. */
int vsd_core_confirm_device(struct vsd_core *core, size_t device, const char *by);
/* "not_checked", "not_read", "expected", "wrong" or "confirmed". */
const char *vsd_core_identity_state(const struct vsd_core *core, size_t device);
/* Publish DEVICE's retained status (health and identity). */
void vsd_core_publish_device(struct vsd_core *core, size_t device);

/* core_watch.c: monitoring gaps and the daemon-wide technical conditions. */
struct vsd_alarm_out;
/* A reading of R->vital at BED: an unusable one opens a gap, a usable one ends it. */
void vsd_core_gap_reading(struct vsd_core *core, size_t bed, const struct vsd_reading *r,
                          int64_t wall_ms);
/* A device stopped answering (REASON "comms_loss") or is not the configured one
 * ("wrong_device"): every vital it reported (VITALS bit mask) is not measured. */
void vsd_core_gap_device_down(struct vsd_core *core, size_t bed, unsigned vitals,
                              const char *reason, int64_t wall_ms);
/* A reload removed or changed a device that was answering: its vitals (VITALS bit mask) are not
 * measured until a reading comes again ("reconfigured"). */
void vsd_core_gap_reconfigured(struct vsd_core *core, size_t bed, unsigned vitals, int64_t wall_ms);
/* After a restart: a gap from each vital's last reading (LAST_MS, 0: none), "daemon_down". */
void vsd_core_gaps_resume(struct vsd_core *core, size_t bed, const int64_t last_ms[VSD_VITAL_COUNT]);
/* The session ends: its open gaps end at WALL_MS. */
void vsd_core_gaps_close(struct vsd_core *core, size_t bed, int64_t wall_ms);
/* Storage failing, readings lost, broker unreachable: raise or end the daemon's alerts. */
void vsd_core_check_daemon(struct vsd_core *core, struct vsd_alarm_now now,
                           struct vsd_alarm_out out);

#endif
