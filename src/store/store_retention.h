/* SPDX-License-Identifier: MIT */
/* Private to the store: one retention run, stepped on the writer thread between batches. */
#ifndef VSD_STORE_RETENTION_H
#define VSD_STORE_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store.h"

struct vsd_store_sql;
struct vsd_retention_run;

#define VSD_RETENTION_COUNT_STEP 10000 /* rows read per counting step */
#define VSD_RETENTION_DELETE_STEP 1000 /* rows read (and at most deleted) per deleting step */

/* A run for REQ (copied). NULL when out of memory or REQ is malformed. */
struct vsd_retention_run *vsd_retention_new(const struct vsd_store_retention *req);
void vsd_retention_free(struct vsd_retention_run *run); /* accepts NULL */

/* One bounded step of RUN on the writer's connection DB through Q (its audit chain). Returns 1
 * while steps remain, 0 once the run is over (its audit row committed), or negative errno with
 * MSG set: the step is rolled back, the run ends and what it committed stands. */
int vsd_retention_step(struct vsd_retention_run *run, sqlite3 *db, struct vsd_store_sql *q,
                       char *msg, size_t msglen);

/* What RUN did so far: deleted, kept (rows of a session open at the count) and the longest
 * step in microseconds. */
void vsd_retention_result(const struct vsd_retention_run *run, uint64_t *deleted, uint64_t *kept,
                          int64_t *longest_us);

/* store_sql.c: the deleting step inside the batch transaction (a VSD_OP_PURGE op). Returns a
 * SQLite result code. */
int vsd_retention_sql_chunk(struct vsd_retention_run *run, sqlite3 *db);

#endif
