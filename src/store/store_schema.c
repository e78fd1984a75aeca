/* SPDX-License-Identifier: MIT */
/* Opening the database safely: file checks before SQLite, pragmas, schema v1 and migrations. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "store_schema.h"

#define SQLITE_HEADER_SIZE 100
#define BUSY_TIMEOUT_MS 5000

/* Schema version 1. No patient-identifying data: session_id is an opaque id
 * from the clinic. readings has one index only, the partial unique index that
 * stores a device-timed measurement (NIBP) once. There is deliberately no
 * index on readings(session_id): an index on (session, ts) made batched
 * inserts 5.7x slower (measured: bench/README.md), so the export scans for now. */
static const char schema_v1[] =
    "CREATE TABLE sessions ("
    " id INTEGER PRIMARY KEY,"
    " session_id TEXT NOT NULL,"
    " bed TEXT NOT NULL,"
    " started_ms INTEGER NOT NULL,"
    " started_by TEXT NOT NULL,"
    " ended_ms INTEGER,"
    " ended_by TEXT);"
    "CREATE UNIQUE INDEX sessions_open_bed ON sessions(bed) WHERE ended_ms IS NULL;"
    "CREATE INDEX sessions_session_id ON sessions(session_id);"
    "CREATE TABLE readings ("
    " id INTEGER PRIMARY KEY,"
    " ts_ms INTEGER NOT NULL,"
    " ts_source INTEGER NOT NULL," /* 0 = received, 1 = device measurement time */
    " bed TEXT,"
    " device TEXT NOT NULL,"
    " session_id TEXT,"
    " vital TEXT NOT NULL,"
    " value REAL,"
    " flags INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX readings_device_time ON readings(device, vital, ts_ms)"
    " WHERE ts_source = 1;"
    "CREATE TABLE alerts ("
    " alert_id TEXT PRIMARY KEY,"
    " code TEXT,"
    " priority TEXT,"
    " bed TEXT,"
    " device TEXT,"
    " session_id TEXT,"
    " vital TEXT,"
    " value REAL,"
    " limit_value REAL,"
    " raised_ms INTEGER,"
    " cleared_ms INTEGER,"
    " state TEXT);"
    "CREATE TABLE alert_events ("
    " seq INTEGER PRIMARY KEY,"
    " alert_id TEXT NOT NULL,"
    " event TEXT NOT NULL,"
    " ts_ms INTEGER NOT NULL,"
    " value REAL,"
    " payload TEXT NOT NULL);"
    "CREATE TABLE outbox ("
    " id INTEGER PRIMARY KEY,"
    " seq INTEGER,"
    " topic TEXT NOT NULL,"
    " payload TEXT NOT NULL,"
    " created_ms INTEGER NOT NULL,"
    " delivered_ms INTEGER);"
    "CREATE INDEX outbox_pending ON outbox(id) WHERE delivered_ms IS NULL;"
    "CREATE TABLE audit ("
    " id INTEGER PRIMARY KEY,"
    " ts_ms INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " detail TEXT,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);"
    "PRAGMA user_version = 1;";

/* Schema version 2: who acknowledged, escalation steps, the actor of each alert event, and
 * monitoring gaps (intervals of an open session in which a vital was not being measured). */
static const char schema_v2[] =
    "ALTER TABLE alerts ADD COLUMN acked_ms INTEGER;"
    "ALTER TABLE alerts ADD COLUMN acked_by TEXT;"
    "ALTER TABLE alerts ADD COLUMN escalation INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE alert_events ADD COLUMN actor TEXT;"
    "CREATE TABLE gaps ("
    " id INTEGER PRIMARY KEY,"
    " session_id TEXT NOT NULL,"
    " bed TEXT NOT NULL,"
    " vital TEXT NOT NULL,"
    " start_ms INTEGER NOT NULL,"
    " end_ms INTEGER,"        /* NULL while the gap lasts */
    " reason TEXT NOT NULL);" /* docs/auditors.md: comms_loss, wrong_device, ... */
    "CREATE INDEX gaps_session ON gaps(session_id);"
    "PRAGMA user_version = 2;";

/* migrations[i] takes a database from schema version i to i + 1, bumping
 * user_version itself so that both happen in one transaction. */
static const char *const migrations[VSD_SCHEMA_VERSION] = {schema_v1, schema_v2};

const char *vsd_schema_migration_sql(int from_version)
{
    return from_version >= 0 && from_version < VSD_SCHEMA_VERSION ? migrations[from_version]
                                                                   : NULL;
}

void vsd_schema_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

int vsd_schema_errno(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
        return 0;
    case SQLITE_FULL:
        return -ENOSPC;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_READONLY:
        return -EROFS;
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return -EACCES;
    case SQLITE_NOMEM:
        return -ENOMEM;
    case SQLITE_CANTOPEN:
        return -ENOENT;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        return -EBADMSG;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
    case SQLITE_TOOBIG:
        return -EINVAL;
    default:
        return -EIO;
    }
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* True when PATH+SUFFIX (a -wal or hot -journal) exists and is not empty. */
static bool sidecar_has_data(const char *path, const char *suffix)
{
    char side[4096];
    struct stat st;

    if (snprintf(side, sizeof(side), "%s%s", path, suffix) >= (int)sizeof(side))
        return true; /* cannot tell: assume it does, skip the size checks */
    return stat(side, &st) == 0 && st.st_size > 0;
}

/* The header fields that tell a truncated or foreign file from a database. */
static int check_header(const char *path, const unsigned char *hdr, size_t got, off_t size,
                        char *err, size_t errlen)
{
    unsigned page_size;
    uint32_t pages;
    int32_t version;

    if (got < SQLITE_HEADER_SIZE) {
        vsd_schema_errf(err, errlen, "database %s is truncated (%lld bytes): refusing to touch it",
                        path, (long long)size);
        return -EBADMSG;
    }
    page_size = (unsigned)hdr[16] << 8 | hdr[17];
    if (page_size == 1)
        page_size = 65536;
    if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
        vsd_schema_errf(err, errlen,
                        "database %s is not a valid SQLite database (page size %u): refusing to "
                        "touch it",
                        path, page_size);
        return -EBADMSG;
    }
    version = (int32_t)be32(hdr + 60);
    if (version > VSD_SCHEMA_VERSION) {
        vsd_schema_errf(err, errlen,
                        "database %s has schema version %d, newer than this vitalsd understands "
                        "(%d): refusing to touch it",
                        path, version, VSD_SCHEMA_VERSION);
        return -EPROTONOSUPPORT;
    }
    /* With a -wal or hot -journal beside it the file may legitimately be short
     * until SQLite recovers it; quick_check judges those. */
    if (sidecar_has_data(path, "-wal") || sidecar_has_data(path, "-journal"))
        return VSD_DB_SQLITE;
    pages = be32(hdr + 28);
    if (size % page_size != 0 || (pages != 0 && be32(hdr + 24) == be32(hdr + 92) &&
                                  (uint64_t)size < (uint64_t)pages * page_size)) {
        vsd_schema_errf(
            err, errlen,
            "database %s is truncated (%lld bytes, %u-byte pages): refusing to touch it", path,
            (long long)size, page_size);
        return -EBADMSG;
    }
    return VSD_DB_SQLITE;
}

int vsd_schema_probe(const char *path, char *err, size_t errlen)
{
    static const char magic[16] = "SQLite format 3"; /* with its NUL: 16 bytes */
    unsigned char hdr[SQLITE_HEADER_SIZE];
    struct stat st;
    ssize_t got;
    int fd, r;

    if (stat(path, &st) < 0) {
        if (errno == ENOENT)
            return VSD_DB_ABSENT;
        r = -errno;
        goto fail_errno;
    }
    if (!S_ISREG(st.st_mode)) {
        vsd_schema_errf(err, errlen, "database %s is not a regular file: refusing to touch it",
                        path);
        return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
    }
    if (st.st_size == 0)
        return VSD_DB_EMPTY;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        r = -errno;
        goto fail_errno;
    }
    got = pread(fd, hdr, sizeof(hdr), 0);
    r = got < 0 ? -errno : 0;
    close(fd);
    if (r < 0)
        goto fail_errno;
    if ((size_t)got < sizeof(magic) || memcmp(hdr, magic, sizeof(magic)) != 0) {
        vsd_schema_errf(err, errlen, "database %s is not a SQLite database: refusing to touch it",
                        path);
        return -EBADMSG;
    }
    return check_header(path, hdr, (size_t)got, st.st_size, err, errlen);

fail_errno:
    vsd_schema_errf(err, errlen, "database %s cannot be opened: %s", path, strerror(-r));
    return r;
}

/* The file (when it exists) and its directory (for -wal and -shm) must be writable. */
static int check_writable(const char *path, bool exists, char *err, size_t errlen)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    size_t len;

    if (!slash) {
        strcpy(dir, ".");
    } else {
        len = slash == path ? 1 : (size_t)(slash - path);
        if (len >= sizeof(dir)) {
            vsd_schema_errf(err, errlen, "database %s: path too long", path);
            return -ENAMETOOLONG;
        }
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    if (exists && access(path, R_OK | W_OK) < 0) {
        int r = -errno;
        vsd_schema_errf(err, errlen, "database %s cannot be written: %s", path, strerror(-r));
        return r;
    }
    if (access(dir, W_OK | X_OK) < 0) {
        int r = -errno;
        vsd_schema_errf(err, errlen, "database %s cannot be written: %s (directory %s)", path,
                        strerror(-r), dir);
        return r;
    }
    return 0;
}

/* Run a pragma and copy the first column of its first row into BUF ("" if none). */
static int pragma_text(sqlite3 *db, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    buf[0] = '\0';
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(st, 0);
        snprintf(buf, len, "%s", text ? (const char *)text : "");
        rc = SQLITE_OK;
    } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int vsd_schema_user_version(sqlite3 *db, int *ret)
{
    char text[32];
    int rc = pragma_text(db, "PRAGMA user_version", text, sizeof(text));

    if (rc != SQLITE_OK)
        return vsd_schema_errno(rc);
    *ret = atoi(text);
    return 0;
}

/* Checks on an existing database, before anything is written to it. */
static int check_existing(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    char text[160];
    int version, rc, r;

    r = vsd_schema_user_version(db, &version);
    if (r < 0) {
        vsd_schema_errf(err, errlen, "database %s cannot be read: %s", path, sqlite3_errmsg(db));
        return r;
    }
    if (version > VSD_SCHEMA_VERSION || version < 0) {
        vsd_schema_errf(err, errlen,
                        "database %s has schema version %d, newer than this vitalsd understands "
                        "(%d): refusing to touch it",
                        path, version, VSD_SCHEMA_VERSION);
        return -EPROTONOSUPPORT;
    }
    rc = pragma_text(db, "PRAGMA quick_check(1)", text, sizeof(text));
    if (rc != SQLITE_OK || strcmp(text, "ok") != 0) {
        text[strcspn(text, "\n")] = '\0';
        vsd_schema_errf(err, errlen,
                        "database %s failed its integrity check (%s): refusing to touch it", path,
                        rc != SQLITE_OK ? sqlite3_errmsg(db) : text);
        return rc != SQLITE_OK ? vsd_schema_errno(rc) : -EBADMSG;
    }
    if (version == 0) {
        rc = pragma_text(db, "SELECT count(*) FROM sqlite_schema", text, sizeof(text));
        if (rc != SQLITE_OK || strcmp(text, "0") != 0) {
            vsd_schema_errf(err, errlen,
                            "database %s holds tables but no vitalsd schema version: refusing to "
                            "touch it",
                            path);
            return -EINVAL;
        }
    }
    return 0;
}

static int exec_sql(sqlite3 *db, const char *sql, char *msg, size_t msglen)
{
    char *emsg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &emsg);

    if (rc != SQLITE_OK)
        snprintf(msg, msglen, "%s", emsg ? emsg : sqlite3_errstr(rc));
    sqlite3_free(emsg);
    return rc;
}

static int configure(sqlite3 *db, const char *path, bool sync_full, char *err, size_t errlen)
{
    char text[256];
    int rc;

    rc = pragma_text(db, "PRAGMA journal_mode=WAL", text, sizeof(text));
    if (rc == SQLITE_OK && strcasecmp(text, "wal") != 0) {
        vsd_schema_errf(err, errlen, "database %s cannot use WAL journal mode (got '%s')", path,
                        text);
        return -EIO;
    }
    if (rc == SQLITE_OK)
        rc = exec_sql(db, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", text,
                      sizeof(text));
    if (rc == SQLITE_OK)
        rc = exec_sql(db, "PRAGMA foreign_keys=OFF", text, sizeof(text));
    if (rc == SQLITE_OK)
        rc = exec_sql(db, "PRAGMA journal_size_limit=67108864", text, sizeof(text));
    if (rc == SQLITE_OK)
        rc = sqlite3_wal_autocheckpoint(db, 0); /* the writer checkpoints when idle */
    if (rc != SQLITE_OK) {
        vsd_schema_errf(err, errlen, "database %s cannot be configured: %s", path,
                        sqlite3_errmsg(db));
        return vsd_schema_errno(rc);
    }
    return 0;
}

/* Forward migrations, each in its own transaction with its user_version bump. */
static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    char msg[256];
    int version = 0, rc, r;

    for (;;) {
        rc = exec_sql(db, "BEGIN IMMEDIATE", msg, sizeof(msg));
        if (rc != SQLITE_OK)
            goto fail;
        r = vsd_schema_user_version(db, &version);
        if (r < 0) {
            rc = SQLITE_IOERR;
            snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(db));
            goto fail;
        }
        if (version >= VSD_SCHEMA_VERSION)
            break;
        rc = exec_sql(db, migrations[version], msg, sizeof(msg));
        if (rc == SQLITE_OK)
            rc = exec_sql(db, "COMMIT", msg, sizeof(msg));
        if (rc != SQLITE_OK)
            goto fail;
    }
    rc = exec_sql(db, "COMMIT", msg, sizeof(msg));
    if (rc != SQLITE_OK)
        goto fail;
    return 0;

fail:
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    vsd_schema_errf(err, errlen, "database %s: migration to schema version %d failed: %s", path,
                    version + 1, msg);
    return vsd_schema_errno(rc);
}

int vsd_schema_open(const char *path, bool sync_full, sqlite3 **ret, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int kind, flags, rc, r;

    kind = vsd_schema_probe(path, err, errlen);
    if (kind < 0)
        return kind;
    r = check_writable(path, kind != VSD_DB_ABSENT, err, errlen);
    if (r < 0)
        return r;
    flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    if (kind == VSD_DB_ABSENT)
        flags |= SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        vsd_schema_errf(err, errlen, "database %s cannot be opened: %s", path,
                        db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        r = vsd_schema_errno(rc);
        goto fail;
    }
    sqlite3_extended_result_codes(db, 1);
    /* Until the checks pass, closing must not checkpoint a WAL into the file. */
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    if (kind == VSD_DB_SQLITE) {
        r = check_existing(db, path, err, errlen);
        if (r < 0)
            goto fail;
    }
    r = configure(db, path, sync_full, err, errlen);
    if (r < 0)
        goto fail;
    r = migrate(db, path, err, errlen);
    if (r < 0)
        goto fail;
    sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
    *ret = db;
    return 0;

fail:
    sqlite3_close(db);
    return r;
}
