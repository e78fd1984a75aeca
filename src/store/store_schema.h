/* SPDX-License-Identifier: MIT */
/* Opening the database safely: file checks before SQLite, pragmas, schema and migrations. */
#ifndef VSD_STORE_SCHEMA_H
#define VSD_STORE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <sqlite3.h>

/* What vsd_schema_probe() found at a path. */
enum vsd_db_kind {
    VSD_DB_ABSENT, /* no file: a new database */
    VSD_DB_EMPTY,  /* a 0-byte file: also new */
    VSD_DB_SQLITE, /* a file with a sane SQLite header */
};

/* Look at PATH without handing it to SQLite: it must be absent, empty, or a
 * regular file starting with the SQLite header whose size fits its page size
 * (when no -wal or -journal file is beside it), and whose header does not carry
 * a schema version newer than VSD_SCHEMA_VERSION. Only reads the file.
 * Returns an enum vsd_db_kind, or negative errno with one sentence naming the
 * file in ERR (which may be NULL). */
int vsd_schema_probe(const char *path, char *err, size_t errlen);

/* PRAGMA user_version of DB into *RET. Returns 0 or negative errno. */
int vsd_schema_user_version(sqlite3 *db, int *ret);

/* Open PATH read-write for the store: probe it, check that the file and its
 * directory are writable, open it (creating it only when absent), check an
 * existing database (schema version, PRAGMA quick_check, that a version-0 file
 * holds no foreign tables), set the pragmas (WAL, synchronous FULL or NORMAL,
 * busy timeout 5 s, foreign keys off, journal size limit 64 MiB, automatic
 * checkpoints off) and migrate it forward to VSD_SCHEMA_VERSION. A refused
 * database is not modified. Returns 0 and sets *RET (the caller closes it), or
 * negative errno with one sentence naming the file in ERR. */
int vsd_schema_open(const char *path, bool sync_full, sqlite3 **ret, char *err, size_t errlen);

/* Map a SQLite result code to a negative errno (SQLITE_FULL -> -ENOSPC, ...). */
int vsd_schema_errno(int rc);

/* snprintf into ERR when ERR is not NULL. */
void vsd_schema_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The SQL taking a database from FROM_VERSION to the next one (for tests); NULL past the last. */
const char *vsd_schema_migration_sql(int from_version);

#endif
