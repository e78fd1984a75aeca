/* SPDX-License-Identifier: MIT */
/* The manifest of an export: what was asked, what was written, and how to check it (T16). */
#ifndef VSD_MANIFEST_H
#define VSD_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "audit_hash.h"
#include "digest.h"
#include "export_table.h"

/* One export to a file, and what it produced. */
struct vsd_export_job {
    enum vsd_export_what what;
    enum vsd_export_format format;
    struct vsd_export_filter filter;
    const char *output;  /* the export file; its manifest is OUTPUT ".manifest.json" */
    const char *db_path; /* recorded in the manifest */
    const char *by;      /* the exporting person (--by), or the Unix user */
    /* Set by vsd_export_job_run: */
    uint64_t rows;
    int64_t created_ms;
    int64_t head_id; /* audit chain head in the export's snapshot */
    char head_hash[VSD_AUDIT_HASH_HEX + 1];
    char sha256[VSD_SHA256_HEX]; /* of the export file */
    char manifest_sha256[VSD_SHA256_HEX];
};

/* Export JOB->what from DB (opened with vsd_export_open) to JOB->output and
 * write the manifest beside it. The audit chain head is read inside the same
 * read transaction as the rows, so it names the chain as the export saw it.
 * The manifest (JSON) holds: what, format, filters, rows, the file's name,
 * size and SHA-256, the time, the exporting person and Unix user, the
 * database path and the chain head (id and hash). Both files are created new
 * (vsd_outfile_create) before anything is written: an existing file or link at
 * either path is refused (-EEXIST or -ELOOP) and left untouched. Fills the
 * result fields of JOB. Returns 0, or negative errno with ERR set; files it
 * created are then removed. */
int vsd_export_job_run(sqlite3 *db, struct vsd_export_job *job, char *err, size_t errlen);

/* Remove the files of a finished JOB (its export could not be recorded).
 * Returns 0, or the first negative errno (a missing file is not an error). */
int vsd_export_job_remove(const struct vsd_export_job *job);

/* Record the finished JOB in the audit chain through the daemon's control
 * socket at SOCKET_PATH: action "export" by JOB->by (or the Unix user) with
 * the file, its SHA-256, the manifest's SHA-256, rows and chain head as
 * detail. Returns 0 once the daemon has committed the row, -EPERM when it
 * refused (reason in ERR), or another negative errno when the daemon cannot
 * be reached (ERR says so). */
int vsd_export_record(const char *socket_path, const struct vsd_export_job *job, char *err,
                      size_t errlen);

/* The audit chain head a manifest at PATH names (audit_chain_head: id and hash). Returns 0, or
 * -EINVAL (not a manifest: ERR says why) or another negative errno (unreadable). */
int vsd_manifest_read_head(const char *path, int64_t *id, char *hash, char *err, size_t errlen);

/* The manifest path of OUTPUT into BUF. Returns 0 or -ENAMETOOLONG. */
int vsd_manifest_path(const char *output, char *buf, size_t size);

#endif
