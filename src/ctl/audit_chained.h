/* SPDX-License-Identifier: MIT */
/* The staff actions on the audit chain that the sessions and alerts tables must agree with. */
#ifndef VSD_AUDIT_CHAINED_H
#define VSD_AUDIT_CHAINED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* A table's time and its audit row's differ by the few ms between the two writes; more is an
 * edit. */
#define VSD_CHAINED_SLACK_MS 1000

enum vsd_chained_kind { VSD_CHAINED_START, VSD_CHAINED_END, VSD_CHAINED_ACK };

/* One accepted ("result":"done") session_start, session_end or alert_ack audit row. */
struct vsd_chained {
    enum vsd_chained_kind kind;
    int64_t audit_id, ts_ms;
    char *key;     /* start: the session id; end: the bed; ack: the alert id */
    char *session; /* start, and an end that named it; else NULL */
    char *bed;     /* start and end; else NULL */
    char *actor;
    bool used; /* matched to a table row already */
};

struct vsd_chained_set {
    struct vsd_chained *v; /* sorted by kind, key, time */
    size_t n;
};

/* Load the accepted staff actions of audit rows 1 to MAX_ID from DB, in the caller's read
 * transaction: only rows a verified chain vouches for count. Returns 0, or negative errno with
 * ERR set. */
int vsd_chained_load(sqlite3 *db, int64_t max_id, struct vsd_chained_set *set, char *err,
                     size_t errlen);
void vsd_chained_free(struct vsd_chained_set *set);

/* The unused action of KIND about KEY nearest to TS_MS, at most VSD_CHAINED_SLACK_MS away
 * (TS_MS < 0: the first at any time); at BED when BED is not NULL; for an end that names a
 * session, about SESSION when SESSION is not NULL. NULL when there is none. */
struct vsd_chained *vsd_chained_find(struct vsd_chained_set *set, enum vsd_chained_kind kind,
                                     const char *key, const char *bed, const char *session,
                                     int64_t ts_ms);

#endif
