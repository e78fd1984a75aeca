/* SPDX-License-Identifier: MIT */
/* Exports of readings, alerts and the audit log as CSV or JSON Lines, in one read snapshot. */
#ifndef VSD_EXPORT_TABLE_H
#define VSD_EXPORT_TABLE_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "export.h"

enum vsd_export_what { VSD_EXPORT_READINGS, VSD_EXPORT_ALERTS, VSD_EXPORT_AUDIT };
enum vsd_export_format { VSD_FORMAT_CSV, VSD_FORMAT_JSONL, VSD_FORMAT_FHIR };

/* "readings" / "alerts" / "audit" and "csv" / "jsonl" / "fhir"; -EINVAL for others. */
int vsd_export_what_from_name(const char *name);
int vsd_export_format_from_name(const char *name);
const char *vsd_export_what_name(enum vsd_export_what what);
const char *vsd_export_format_name(enum vsd_export_format format);

/* Write WHAT matching F (may be NULL) to OUT in FORMAT, in one read transaction
 * (the caller's, if DB has one open), streamed in constant memory.
 *
 * CSV is RFC 4180 with formula cells neutralised (see vsd_export_csv). JSON
 * Lines is one JSON object per line, LF-terminated, times as ISO 8601 UTC with
 * milliseconds plus the raw "*_ms" integer, absent values as null.
 *   readings: see vsd_export_csv for the columns; JSONL adds "flags" (integer).
 *   alerts:   alert_id,code,priority,session,bed,device,vital,value,limit,
 *             raised,cleared,state; filtered by session, bed, vital and the
 *             raised time; ordered by raised time.
 *   audit:    id,time,actor,action,detail,prev_hash,hash; filtered by period
 *             only (a filtered audit export is not a verifiable chain); in
 *             JSONL detail is the stored JSON object.
 * FHIR is readings only (see fhir.h). Sets *ROWS (may be NULL) to the rows
 * written (for FHIR: resources). Returns 0, -ENOTSUP for a format WHAT does
 * not have, or negative errno with ERR set. */
int vsd_export_write(sqlite3 *db, enum vsd_export_what what, enum vsd_export_format format,
                     const struct vsd_export_filter *f, FILE *out, uint64_t *rows, char *err,
                     size_t errlen);

/* How many rows of WHAT match F (readings: for FHIR too, the readings it will
 * read), for a progress bar. Returns 0 and sets *N, or negative errno. */
int vsd_export_count(sqlite3 *db, enum vsd_export_what what, const struct vsd_export_filter *f,
                     uint64_t *n);

#endif
