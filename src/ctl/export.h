/* SPDX-License-Identifier: MIT */
/* Exports for auditors: read-only access to the database and RFC 4180 CSV of the readings. */
#ifndef VSD_EXPORT_H
#define VSD_EXPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

/* Which readings to export. NULL or 0 fields match everything; a NULL filter too. */
struct vsd_export_filter {
    const char *session_id;
    const char *bed;
    int64_t from_ms;   /* UTC ms, inclusive */
    int64_t to_ms;     /* UTC ms, exclusive */
    const char *vital; /* vital name ("spo2"); readings and alerts only */
    /* Called (when set) every few thousand rows with the rows written so far. */
    void (*progress)(void *ctx, uint64_t rows);
    void *progress_ctx;
};

/* Open the database at PATH read-only (SQLITE_OPEN_READONLY; it works while the
 * daemon writes in WAL mode, and never blocks it). Never creates the file.
 * Refuses, with one sentence naming the file in ERR (may be NULL), a missing or
 * empty file, a file that is not SQLite (checked before SQLite sees it), and a
 * schema version that is not between 1 and VSD_SCHEMA_VERSION. Returns 0 and
 * sets *RET (close it with sqlite3_close), or negative errno. */
int vsd_export_open(const char *path, sqlite3 **ret, char *err, size_t errlen);

/* Write the readings matching F (may be NULL) to OUT as CSV, in one read
 * transaction (a consistent snapshot; the caller's, if DB has one open), ordered by time then row
 * id, streamed row by row in constant memory. RFC 4180: CRLF line ends, a header row, fields
 * holding a comma, quote, CR or LF quoted with quotes doubled. Columns:
 *   time,session,bed,device,vital,loinc,mdc_code,value,unit,quality
 * time is ISO 8601 UTC with milliseconds and Z; loinc, mdc_code and unit (UCUM)
 * come from the vitals table (empty for a vital this build does not know);
 * value is %.10g, empty for no value; quality is vsd_quality_text() of the
 * flags. Text taken from the database is not trusted: a cell starting with
 * = + - @ TAB or CR is prefixed with a single quote and quoted (no formula
 * injection). Sets *ROWS (may be NULL) to the data rows written. Returns 0, or
 * negative errno with ERR set (the output is then incomplete). */
int vsd_export_csv(sqlite3 *db, const struct vsd_export_filter *f, FILE *out, uint64_t *rows,
                   char *err, size_t errlen);

/* One CSV cell of text S (NULL: empty), quoted per RFC 4180 when needed and
 * neutralised with a leading single quote when it could start a formula. */
void vsd_export_csv_cell(FILE *out, const char *s);

/* Bind F (may be NULL) to the parameters ?1 session, ?2 bed, ?3 from, ?4 to and,
 * when ST has it, ?5 vital, as the export queries use them. */
void vsd_export_bind_filter(sqlite3_stmt *st, const struct vsd_export_filter *f);

/* Writes one export's rows to OUT. Returns SQLITE_OK at the end of the rows (also after a
 * write error: the caller checks OUT), another SQLite code when reading failed. */
typedef int (*vsd_export_rows_fn)(sqlite3 *db, void *ctx, FILE *out);

/* Run FN in one read transaction, the caller's when one is open (a manifest and several
 * files then share one snapshot), and flush OUT. WHAT names the rows in ERR ("readings").
 * Returns 0 or negative errno with ERR set. */
int vsd_export_snapshot(sqlite3 *db, const char *what, vsd_export_rows_fn fn, void *ctx,
                        FILE *out, char *err, size_t errlen);

#endif
