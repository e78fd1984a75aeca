/* SPDX-License-Identifier: MIT */
/* The store: one SQLite writer thread, batched transactions, the alert outbox. */
#ifndef VSD_STORE_H
#define VSD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

#define VSD_SCHEMA_VERSION 2

struct vsd_store;

struct vsd_store_options {
    const char *path;
    bool sync_full;        /* PRAGMA synchronous=FULL (else NORMAL) */
    int64_t commit_ms;     /* longest a queued reading waits for its commit (<= 250) */
    size_t queue_depth;    /* bounded write queue; a full queue drops readings, counted */
};

/* Open (creating if absent), check and migrate the database. Refuses, with a
 * message in ERR naming the file, a file that is not SQLite, a schema newer
 * than VSD_SCHEMA_VERSION, or a database that cannot be written; such a file
 * is never modified. Returns 0 and sets *ret, or negative errno. */
int vsd_store_open(const struct vsd_store_options *opt, struct vsd_store **ret, char *err,
                   size_t errlen);

/* Start-up reads, before vsd_store_start(). */
struct vsd_open_session {
    const char *session_id;
    const char *bed;
    int64_t started_ms;
    int64_t last_ms[VSD_VITAL_COUNT]; /* time of the last reading of each vital; 0: none */
};
/* Call FN for every session without an end. Returns 0 or negative errno. */
int vsd_store_open_sessions(struct vsd_store *s,
                            void (*fn)(void *ctx, const struct vsd_open_session *os), void *ctx);
/* Highest alert-event sequence number stored (0 when none). */
int64_t vsd_store_max_seq(struct vsd_store *s);
/* Call FN for every session id ever used (before the writer starts): a visit's id is never
 * given to another visit. */
int vsd_store_session_ids(struct vsd_store *s, void (*fn)(void *ctx, const char *session_id),
                          void *ctx);
/* A stored reading, as the start-up reads it back (VALUE NAN: none). */
typedef void (*vsd_store_reading_fn)(void *ctx, const char *bed, const char *vital, int64_t ts_ms,
                                     double value, unsigned flags);
/* Call FN for the readings received since SINCE_MS (newest first), before the writer starts:
 * what the trend lines show after a restart. Reads back from the newest row and stops once the
 * received times are a minute older than SINCE_MS, so it costs what it returns. */
int vsd_store_recent_readings(struct vsd_store *s, int64_t since_ms, vsd_store_reading_fn fn,
                              void *ctx);
/* An outbox row: its id, the alert event's SEQ, where and what it delivers. */
typedef void (*vsd_store_outbox_fn)(void *ctx, int64_t id, int64_t seq, const char *topic,
                                    const char *payload);
/* Call FN for every outbox row not yet acknowledged by the broker, oldest first. */
int vsd_store_outbox_pending(struct vsd_store *s, vsd_store_outbox_fn fn, void *ctx);

/* Start the writer thread. ON_OUTBOX is called on it after each commit, for each outbox row the
 * commit wrote. */
int vsd_store_start(struct vsd_store *s, vsd_store_outbox_fn on_outbox, void *ctx);
/* Commit everything queued, stop the thread, close. Accepts NULL. */
void vsd_store_close(struct vsd_store *s);

/* ---- Writes: each copies its input and queues it for the writer thread. ---- */

struct vsd_store_reading {
    int64_t ts_ms;          /* UTC ms: the device's measurement time, else receive time */
    bool ts_from_device;    /* (device, vital, ts_ms) is then stored once */
    const char *bed;        /* may be NULL */
    const char *device;
    const char *session_id; /* NULL when no session is open at the bed */
    enum vsd_vital vital;
    double value;           /* NAN is stored as NULL */
    uint32_t flags;
};
/* Returns 0, or -ENOBUFS when the write queue is full (dropped, counted). */
int vsd_store_reading(struct vsd_store *s, const struct vsd_store_reading *r);

struct vsd_store_alert_event {
    const char *alert_id;
    int64_t seq;            /* per-daemon sequence number */
    const char *event;      /* "raised", "acknowledged", "escalated", "latched", "cleared" */
    const char *actor;      /* "acknowledged": who; NULL otherwise */
    const char *code;       /* "low", "high", "comms_loss", ... */
    const char *priority;   /* "low", "medium", "high" */
    const char *bed;
    const char *device;     /* may be NULL */
    const char *session_id; /* may be NULL */
    int vital;              /* enum vsd_vital, or -1 */
    double value;           /* NAN = NULL */
    double limit;           /* NAN = NULL */
    int64_t ts_ms;
    const char *topic;      /* outbox: MQTT topic and JSON payload to deliver */
    const char *payload;
};
/* Records the event (alerts + alert_events + outbox rows in one transaction),
 * committed promptly: an alert never waits for a batch of readings. Never
 * dropped: waits for room. Returns 0 or negative errno. */
int vsd_store_alert_event(struct vsd_store *s, const struct vsd_store_alert_event *e);

/* Sessions and audit rows; never dropped. DETAIL_JSON may be NULL. */
int vsd_store_session_start(struct vsd_store *s, const char *session_id, const char *bed,
                            int64_t ts_ms, const char *by);
int vsd_store_session_end(struct vsd_store *s, const char *bed, int64_t ts_ms, const char *by);
int vsd_store_audit(struct vsd_store *s, int64_t ts_ms, const char *actor, const char *action,
                    const char *detail_json);
/* A monitoring gap of VITAL at BED during SESSION_ID began (END_MS 0) or ended: the gap
 * that began at START_MS gets END_MS. REASON: "comms_loss", "sensor_off", "invalid". */
struct vsd_store_gap {
    const char *session_id;
    const char *bed;
    int vital;
    int64_t start_ms;
    int64_t end_ms;
    const char *reason;
};
int vsd_store_gap(struct vsd_store *s, const struct vsd_store_gap *g);

/* ---- Retention (docs/auditors.md, "Retention") ----
 * A run deletes the readings older than CUTOFF_MS that an archive already holds. On the writer
 * thread, between batches and never delaying one by more than a step: it reads the readings
 * 10,000 rows a step (those added after it began are never in it) and counts the ones older than
 * the cutoff; unless they are exactly ROWS it deletes nothing. Rows of a session open when it
 * began are kept. Then it deletes the others in steps of at most 1,000 rows, one transaction
 * each. Its one audit row (action "retention", DETAIL_JSON extended with the cutoff, the counts
 * and "result": "done" or "refused" with a "reason") commits with the first deletion, or alone
 * when nothing is deleted. */
struct vsd_store_retention {
    int64_t cutoff_ms;       /* readings with ts_ms < cutoff_ms */
    uint64_t rows;           /* the archive's row count */
    int64_t ts_ms;           /* when asked: the audit row's time */
    const char *actor;       /* who asked: the audit row's actor */
    const char *detail_json; /* a JSON object (the archive's file, hashes, ...) */
};
/* Queue a run. Returns 0, -EBUSY while another is queued or running, -EINVAL, -ENOMEM. */
int vsd_store_retention(struct vsd_store *s, const struct vsd_store_retention *r);

/* The broker acknowledged outbox row ID. */
int vsd_store_outbox_delivered(struct vsd_store *s, int64_t id, int64_t ts_ms);

/* Wait until everything queued before this call is committed. Returns 0, or the
 * negative errno of a failed commit (the rows stay queued and are retried). */
int vsd_store_sync(struct vsd_store *s);

/* ---- Staff records fail closed ----
 * A staff record (session start or end, audit row, acknowledgement) that SQLite refuses for good
 * (a constraint, a trigger), or a session end that finds no open session, is skipped so that it
 * cannot block the queue, logged at LOG_CRIT, and kept for the command that caused it: */

/* The ticket of the newest write queued so far: a command's writes all come after it. Take it
 * before handing the command to the core. */
uint64_t vsd_store_mark(struct vsd_store *s);
/* vsd_store_sync(), then -ENOTRECOVERABLE when a staff record naming ACTOR (NULL: anyone) queued
 * after MARK was refused; WHY (may be NULL) then says which and why, for the reply. Errs towards
 * refusal: a record refused among more than vitalsd keeps track of counts for every caller. */
int vsd_store_sync_since(struct vsd_store *s, uint64_t mark, const char *actor, char *why,
                         size_t whylen);

/* The committed head of the audit chain (*ID 0 and 64 zeros when empty; HASH has 65 bytes), for
 * the anchor the daemon publishes outside the database. Any thread. */
void vsd_store_audit_head(struct vsd_store *s, int64_t *id, char *hash);

struct vsd_store_stats {
    uint64_t readings_written;
    uint64_t readings_dropped;   /* write queue full */
    uint64_t duplicates_ignored; /* same device measurement seen again */
    uint64_t commits;
    uint64_t commit_errors;
    uint64_t staff_records_refused; /* session, audit or acknowledgement records refused */
    int last_error; /* negative errno of the last failed commit; 0 once one succeeds again */
    uint64_t readings_deleted;      /* by retention runs */
    int64_t retention_longest_step_us; /* the longest writer stall a retention step caused */
    bool retention_running;            /* a run is queued or running */
};
void vsd_store_stats(struct vsd_store *s, struct vsd_store_stats *out);

#endif
