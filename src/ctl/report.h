/* SPDX-License-Identifier: MIT */
/* The session report: one visit's readings, alerts, gaps and staff actions, described, not judged.
 */
#ifndef VSD_REPORT_H
#define VSD_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include <vitalsd/vitals.h>

#include "alarm.h"

#define VSD_REPORT_GAP_MS 10000 /* no reading from the bed for this long is a monitoring gap */

/* How a name the report shows (who started, ended, acknowledged) stands against the
 * hash-chained audit trail, which the report follows where the two disagree. */
enum vsd_report_proof {
    VSD_PROOF_CHAINED = 0, /* the audit trail names the same person, at the same time */
    VSD_PROOF_MISSING,     /* no matching audit row: the table's name, flagged */
    VSD_PROOF_DIFFERS,     /* the audit row names someone else: its name shown, the table's kept */
    VSD_PROOF_NOT_IN_TABLE /* the audit trail records it, the table does not: shown, flagged */
};

/* The usable readings of one vital, in time order, and what the limits made of them. */
struct vsd_report_series {
    size_t n, cap;
    int64_t *ts;
    double *v;
    unsigned char *brk; /* brk[i]: readings i-1 and i are not joined on a chart (more than
                         * VSD_REPORT_GAP_MS apart, or unusable readings between them) */
    uint64_t unusable;  /* readings without a value or flagged unusable */
    double min, median, max;
    int64_t below_ms, above_ms; /* time spent below low / above high (each reading holds
                                 * until the next one, at most VSD_REPORT_GAP_MS) */
};

struct vsd_report_alert {
    char code[24], priority[16], vital[16], state[16];
    int64_t raised_ms, cleared_ms; /* 0: not recorded */
    double value, limit;
    bool has_value, has_limit; /* false: NULL (technical alerts have neither), shown as a dash */
    int64_t acked_ms;          /* 0: not acknowledged */
    char acked_by[72];
    char alert_id[40];
    enum vsd_report_proof acked_proof;
    char acked_by_table[72]; /* VSD_PROOF_DIFFERS: what the alerts table says */
};

/* A monitoring gap: a row (or rows of several vitals, merged) of the gaps table, or an
 * interval of more than VSD_REPORT_GAP_MS with no reading stored at all. */
struct vsd_report_gap {
    int64_t from_ms, to_ms;
    unsigned vitals; /* bit v: vital v was not measured; all bits: no reading at all */
    char reason[24]; /* comms_loss, sensor_off, invalid, daemon_down; "no_reading" */
    bool open;       /* still open when the session ended (end_ms NULL): TO_MS is the end */
};

/* The limits of one vital in force from FROM_MS to TO_MS: the configuration's, or a session
 * override (limits_set / limits_reset in the audit trail). */
struct vsd_report_period {
    int vital;
    int64_t from_ms, to_ms;
    struct vsd_limit limit;
    bool known;      /* false: no configuration given and no override says what they were */
    char source[96]; /* "configuration", "session override", "reset to configuration" */
    char by[72];     /* who changed them; empty for the configuration */
    int64_t beyond_ms[VSD_BANDS_MAX]; /* time past each band (a reading holds until the next,
                                       * at most VSD_REPORT_GAP_MS) */
};

struct vsd_report_action {
    int64_t ts_ms;
    char actor[72], action[32];
    char *detail; /* stored JSON, may be NULL */
};

struct vsd_report {
    char session[72], bed[72], started_by[72], ended_by[72];
    int64_t started_ms, ended_ms;          /* ended 0: still open; then the last reading ends it */
    const struct vsd_alarm_config *limits; /* NULL: limits not known to the report */
    enum vsd_report_proof started_proof, ended_proof;
    char started_by_table[72], ended_by_table[72]; /* VSD_PROOF_DIFFERS: the sessions table's */
    struct vsd_report_series series[VSD_VITAL_COUNT];
    struct vsd_report_alert *alerts;
    size_t n_alerts;
    struct vsd_report_gap *gaps;
    size_t n_gaps;
    struct vsd_report_action *actions;
    size_t n_actions;
    struct vsd_report_period *periods; /* by vital, then time */
    size_t n_periods;
    uint64_t readings;
};

/* The limit bands of BED (NULL when unknown); borrowed, must outlive the report. */
typedef const struct vsd_alarm_config *(*vsd_report_limits_fn)(void *ctx, const char *bed);

/* Gather the report of session SESSION from DB in one read transaction.
 * LIMITS_OF (may be NULL) gives the limit bands of the session's bed, to
 * measure time outside of. Returns 0 and sets *RET (free with
 * vsd_report_free), -ENOENT when no such session exists, or negative errno;
 * ERR says why. */
int vsd_report_load(sqlite3 *db, const char *session, vsd_report_limits_fn limits_of, void *ctx,
                    struct vsd_report **ret, char *err, size_t errlen);
void vsd_report_free(struct vsd_report *r); /* NULL is fine */

/* report_proof.c, for vsd_report_load: take who started and ended R's session and who
 * acknowledged each alert from the audit trail, setting each *_proof. Returns an SQLite code. */
int vsd_report_proofs(sqlite3 *db, struct vsd_report *r);

/* report_periods.c, for vsd_report_load after the actions are loaded: the limit periods of
 * every vital, and the time each series spent past each band. 0 or -ENOMEM. */
int vsd_report_periods(struct vsd_report *r);
/* The limits of vital V in force at TS (NULL when not known). */
const struct vsd_limit *vsd_report_limit_at(const struct vsd_report *r, int v, int64_t ts);

/* report_chart.c: one inline SVG chart of vital V, for the HTML page. */
void vsd_report_chart(FILE *out, const struct vsd_report *r, int v);
/* "below 92 medium" into BUF: the configuration's own words. */
void vsd_report_band_text(const struct vsd_band *b, char *buf, size_t size);

/* Write the report as Markdown, or as one self-contained HTML page (inline CSS
 * and SVG, no scripts, no network). Return 0 or negative errno. */
int vsd_report_markdown(const struct vsd_report *r, FILE *out);
int vsd_report_html(const struct vsd_report *r, FILE *out);

#endif
