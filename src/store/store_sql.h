/* SPDX-License-Identifier: MIT */
/* The store's SQL: queued write operations, written one batch per transaction, start-up reads. */
#ifndef VSD_STORE_SQL_H
#define VSD_STORE_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

enum vsd_op_kind {
    VSD_OP_READING,
    VSD_OP_ALERT,
    VSD_OP_SESSION_START,
    VSD_OP_SESSION_END,
    VSD_OP_AUDIT,
    VSD_OP_DELIVERED,
    VSD_OP_GAP,
    VSD_OP_PURGE, /* a retention run's deleting step (ctx: the run; store_retention.h) */
};

/* The text fields of an op, copied into its tail; unused ones are NULL. */
enum {
    VSD_F_BED,
    VSD_F_DEVICE,
    VSD_F_SESSION,
    VSD_F_ALERT_ID,
    VSD_F_EVENT,
    VSD_F_CODE,
    VSD_F_PRIORITY,
    VSD_F_TOPIC,
    VSD_F_PAYLOAD,
    VSD_F_BY, /* session started_by / ended_by, audit actor, alert acknowledger */
    VSD_F_ACTION,
    VSD_F_DETAIL,
    VSD_F_COUNT
};

/* One queued write. ts_ms is the event time of every kind; num is the alert
 * seq or the delivered outbox row id; vital is an enum vsd_vital or -1. */
struct vsd_op {
    struct vsd_op *next;
    enum vsd_op_kind kind;
    uint64_t ticket;    /* queue order, for vsd_store_sync */
    int64_t arrived_ms; /* monotonic */
    int64_t ts_ms;
    int64_t num;
    int64_t outbox_id; /* set by vsd_store_sql_write for an alert */
    double value;
    double limit;
    int vital;
    uint32_t flags;
    bool ts_from_device;
    void *ctx; /* VSD_OP_PURGE: its struct vsd_retention_run */
    const char *str[VSD_F_COUNT];
    char text[];
};

struct vsd_op_list {
    struct vsd_op *head;
    struct vsd_op *tail;
};

/* A new op of KIND with copies of the strings of SRC (NULLs stay NULL), other
 * fields zero. Free with free(). Returns NULL when out of memory. */
struct vsd_op *vsd_op_new(enum vsd_op_kind kind, const char *const src[VSD_F_COUNT]);

/* A staff record (session row, audit row, acknowledgement) that SQLite refused for good. */
struct vsd_reject {
    uint64_t ticket;
    char what[64];  /* "the audit row of session_start", "the session start", ... */
    char actor[72]; /* who the record names (truncated) */
    char why[160];  /* SQLite's message */
};
#define VSD_REJECT_KEEP 8 /* per batch; more are counted, not kept */

/* What one batch did; the caller applies it to its stats once committed. */
struct vsd_batch_counts {
    uint64_t readings; /* reading ops in the batch */
    uint64_t written;
    uint64_t duplicates;
    size_t n_rejected; /* staff records refused in this batch (may exceed VSD_REJECT_KEEP) */
    struct vsd_reject rejected[VSD_REJECT_KEEP];
};

/* The prepared statements and the audit chain head of one connection. */
struct vsd_store_sql;

/* Prepare the statements on DB (not taken: the caller closes it after
 * vsd_store_sql_free) and load the audit chain head. Returns 0 and sets *RET,
 * or negative errno with ERR set. */
int vsd_store_sql_new(sqlite3 *db, const char *path, struct vsd_store_sql **ret, char *err,
                      size_t errlen);
void vsd_store_sql_free(struct vsd_store_sql *q); /* accepts NULL */
/* The committed head of the audit chain: *ID 0 and VSD_AUDIT_GENESIS when empty. HASH has
 * VSD_AUDIT_HASH_HEX + 1 bytes. */
void vsd_store_sql_head(const struct vsd_store_sql *q, int64_t *id, char *hash);

/* Write BATCH in one transaction (BEGIN IMMEDIATE ... COMMIT), in order. An op
 * that SQLite refuses for good (a constraint) is logged and skipped so it
 * cannot block the queue; when it is a staff record (session start or end,
 * audit row, acknowledgement) it is also listed in C->rejected, so that the
 * command that caused it is answered with an error, not "ok". A session end
 * that finds no open session counts as refused. On any other failure the
 * transaction is rolled back, the batch is left intact for a retry, MSG holds
 * SQLite's message and a negative errno is returned. */
int vsd_store_sql_write(struct vsd_store_sql *q, struct vsd_op_list *batch,
                        struct vsd_batch_counts *c, char *msg, size_t msglen);

/* The start-up reads of store.h, on DB. */
int vsd_store_sql_open_sessions(sqlite3 *db,
                                void (*fn)(void *ctx, const struct vsd_open_session *os),
                                void *ctx);
int64_t vsd_store_sql_max_seq(sqlite3 *db);
int vsd_store_sql_outbox_pending(sqlite3 *db, vsd_store_outbox_fn fn, void *ctx);
int vsd_store_sql_session_ids(sqlite3 *db, void (*fn)(void *ctx, const char *session_id),
                              void *ctx);
int vsd_store_sql_recent_readings(sqlite3 *db, int64_t since_ms, vsd_store_reading_fn fn,
                                  void *ctx);

#endif
