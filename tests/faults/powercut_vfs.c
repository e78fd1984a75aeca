/* SPDX-License-Identifier: MIT */
/* The power-cut VFS of powercut_vfs.h. The undo file is a sequence of records (header + bytes),
 * each appended with one write(2) before the write it undoes, so a record is complete whenever
 * the write it guards may have happened. Only database and WAL files are tracked; the -shm file
 * is shared memory, rebuilt from the WAL after a reboot (sqlite.org/walformat.html, "Recovery"),
 * and the test deletes it after the cut. */
#include "powercut_vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

enum { REC_NAME = 1, REC_WRITE, REC_SYNC, REC_TRUNC };
#define MAX_FILES 16

struct rec {
    uint32_t type;
    uint32_t file;
    int64_t off;   /* NAME, SYNC: the file's size; WRITE: where; TRUNC: the new size */
    uint32_t len;  /* bytes that follow: NAME the path, WRITE/TRUNC the old bytes */
    uint32_t span; /* WRITE: bytes written (more than LEN when it extended the file) */
};

struct pc_file {
    sqlite3_file base;
    int idx;            /* -1: not tracked */
    sqlite3_file *real; /* the unix VFS's file, right after this struct */
};

static sqlite3_vfs *orig;
static sqlite3_vfs pc_vfs;
static sqlite3_io_methods pc_io;
static int undo_fd = -1;
static int n_files;
static unsigned cut_after, n_writes;
static char *names[MAX_FILES]; /* one index per path: a sync on any handle covers the file */

static int log_rec(const struct rec *r, const void *data)
{
    size_t n = sizeof(*r) + r->len;
    char *buf = malloc(n);
    ssize_t w;

    if (!buf)
        return SQLITE_NOMEM;
    memcpy(buf, r, sizeof(*r));
    if (r->len)
        memcpy(buf + sizeof(*r), data, r->len);
    w = write(undo_fd, buf, n);
    free(buf);
    return w == (ssize_t)n ? SQLITE_OK : SQLITE_IOERR_WRITE;
}

static sqlite3_int64 file_size(sqlite3_file *f)
{
    sqlite3_int64 sz = 0;

    return f->pMethods->xFileSize(f, &sz) == SQLITE_OK ? sz : 0;
}

/* Log the LEN bytes at OFF (fewer past the end) before they change. */
static int save_old(struct pc_file *p, uint32_t type, sqlite3_int64 off, sqlite3_int64 end,
                    uint32_t span)
{
    sqlite3_int64 sz = file_size(p->real);
    sqlite3_int64 have = (sz < end ? sz : end) - off;
    struct rec r = {type, (uint32_t)p->idx, off, have > 0 ? (uint32_t)have : 0, span};
    char *old = r.len ? malloc(r.len) : NULL;
    int rc;

    if (r.len && !old)
        return SQLITE_NOMEM;
    if (r.len && p->real->pMethods->xRead(p->real, old, (int)r.len, off) != SQLITE_OK) {
        free(old);
        return SQLITE_IOERR_READ;
    }
    rc = log_rec(&r, old);
    free(old);
    return rc;
}

static int pc_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off)
{
    struct pc_file *p = (struct pc_file *)f;
    int rc = SQLITE_OK;

    if (p->idx >= 0)
        rc = save_old(p, REC_WRITE, off, off + amt, (uint32_t)amt);
    if (rc == SQLITE_OK)
        rc = p->real->pMethods->xWrite(p->real, buf, amt, off);
    if (p->idx >= 0 && cut_after && ++n_writes == cut_after)
        kill(getpid(), SIGKILL);
    return rc;
}

static int pc_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    struct pc_file *p = (struct pc_file *)f;
    int rc = SQLITE_OK;

    if (p->idx >= 0)
        rc = save_old(p, REC_TRUNC, size, file_size(p->real), 0);
    return rc != SQLITE_OK ? rc : p->real->pMethods->xTruncate(p->real, size);
}

static int pc_sync(sqlite3_file *f, int flags)
{
    struct pc_file *p = (struct pc_file *)f;
    int rc = p->real->pMethods->xSync(p->real, flags);

    if (rc == SQLITE_OK && p->idx >= 0) {
        struct rec r = {REC_SYNC, (uint32_t)p->idx, file_size(p->real), 0, 0};
        rc = log_rec(&r, NULL);
    }
    return rc;
}

static int pc_close(sqlite3_file *f)
{
    struct pc_file *p = (struct pc_file *)f;

    return p->real->pMethods->xClose(p->real);
}

#define PASS(name, sig, args)                                                                      \
    static int pc_##name sig                                                                       \
    {                                                                                              \
        struct pc_file *p = (struct pc_file *)f;                                                   \
        return p->real->pMethods->x##name args;                                                    \
    }
PASS(Read, (sqlite3_file * f, void *b, int n, sqlite3_int64 o), (p->real, b, n, o))
PASS(FileSize, (sqlite3_file * f, sqlite3_int64 *s), (p->real, s))
PASS(Lock, (sqlite3_file * f, int l), (p->real, l))
PASS(Unlock, (sqlite3_file * f, int l), (p->real, l))
PASS(CheckReservedLock, (sqlite3_file * f, int *o), (p->real, o))
PASS(FileControl, (sqlite3_file * f, int op, void *a), (p->real, op, a))
PASS(SectorSize, (sqlite3_file * f), (p->real))
PASS(DeviceCharacteristics, (sqlite3_file * f), (p->real))
PASS(ShmMap, (sqlite3_file * f, int i, int s, int e, void volatile **pp), (p->real, i, s, e, pp))
PASS(ShmLock, (sqlite3_file * f, int o, int n, int fl), (p->real, o, n, fl))
PASS(ShmUnmap, (sqlite3_file * f, int d), (p->real, d))
PASS(Fetch, (sqlite3_file * f, sqlite3_int64 o, int n, void **pp), (p->real, o, n, pp))
PASS(Unfetch, (sqlite3_file * f, sqlite3_int64 o, void *pp), (p->real, o, pp))

static void pc_ShmBarrier(sqlite3_file *f)
{
    struct pc_file *p = (struct pc_file *)f;

    p->real->pMethods->xShmBarrier(p->real);
}

static sqlite3_io_methods pc_io = {
    3,
    pc_close,
    pc_Read,
    pc_write,
    pc_truncate,
    pc_sync,
    pc_FileSize,
    pc_Lock,
    pc_Unlock,
    pc_CheckReservedLock,
    pc_FileControl,
    pc_SectorSize,
    pc_DeviceCharacteristics,
    pc_ShmMap,
    pc_ShmLock,
    pc_ShmBarrier,
    pc_ShmUnmap,
    pc_Fetch,
    pc_Unfetch,
};

static int pc_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out)
{
    struct pc_file *p = (struct pc_file *)f;
    int rc;

    (void)vfs;
    p->real = (sqlite3_file *)&p[1];
    p->idx = -1;
    rc = orig->xOpen(orig, name, p->real, flags, out);
    if (rc != SQLITE_OK || !p->real->pMethods) {
        f->pMethods = NULL;
        return rc;
    }
    f->pMethods = &pc_io;
    if (!name || !(flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL)))
        return rc;
    for (int i = 0; i < n_files; i++)
        if (strcmp(names[i], name) == 0)
            p->idx = i;
    if (p->idx < 0 && n_files < MAX_FILES && (names[n_files] = strdup(name))) {
        struct rec r = {REC_NAME, (uint32_t)n_files, file_size(p->real), (uint32_t)strlen(name), 0};
        p->idx = n_files++;
        rc = log_rec(&r, name);
    }
    return rc;
}

int powercut_register(const char *undo_path, unsigned cut)
{
    cut_after = cut;
    orig = sqlite3_vfs_find(NULL);
    if (!orig)
        return -ENOENT;
    undo_fd = open(undo_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (undo_fd < 0)
        return -errno;
    pc_vfs = *orig;
    pc_vfs.zName = "powercut";
    pc_vfs.szOsFile = (int)sizeof(struct pc_file) + orig->szOsFile;
    pc_vfs.xOpen = pc_open;
    pc_vfs.pNext = NULL;
    return sqlite3_vfs_register(&pc_vfs, 1) == SQLITE_OK ? 0 : -EIO;
}

/* ---- Reverting, in the process that survives the cut ---- */

struct tracked {
    char path[4096];
    int64_t synced_size;
    size_t *pending; /* offsets of WRITE/TRUNC records since the last sync */
    size_t n, cap;
};

static int push(struct tracked *t, size_t at)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        size_t *p = realloc(t->pending, cap * sizeof(*p));
        if (!p)
            return -ENOMEM;
        t->pending = p;
        t->cap = cap;
    }
    t->pending[t->n++] = at;
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    off_t sz = fd >= 0 ? lseek(fd, 0, SEEK_END) : -1;
    char *buf = sz >= 0 ? malloc((size_t)sz + 1) : NULL;

    if (buf && pread(fd, buf, (size_t)sz, 0) != sz) {
        free(buf);
        buf = NULL;
    }
    if (fd >= 0)
        close(fd);
    *len = buf ? (size_t)sz : 0;
    return buf;
}

/* Sort the records into per-file lists of what no sync covered. */
static int parse(const char *buf, size_t len, struct tracked *files, int *nf)
{
    size_t at = 0;

    while (at + sizeof(struct rec) <= len) {
        struct rec r;
        memcpy(&r, buf + at, sizeof(r));
        if (at + sizeof(r) + r.len > len || r.file >= MAX_FILES)
            break; /* a torn tail: the write it guarded never happened */
        struct tracked *t = &files[r.file];
        if (r.type == REC_NAME) {
            size_t n = r.len < sizeof(t->path) - 1 ? r.len : sizeof(t->path) - 1;
            memcpy(t->path, buf + at + sizeof(r), n);
            t->synced_size = r.off;
            if ((int)r.file + 1 > *nf)
                *nf = (int)r.file + 1;
        } else if (r.type == REC_SYNC) {
            t->synced_size = r.off;
            t->n = 0;
        } else if (push(t, at) < 0) {
            return -ENOMEM;
        }
        at += sizeof(r) + r.len;
    }
    return 0;
}

/* Undo one record: the old bytes back, zeros where the write extended the file. */
static int undo(int fd, const char *buf, size_t at)
{
    struct rec r;
    static const char zeros[4096];

    memcpy(&r, buf + at, sizeof(r));
    if (r.len && pwrite(fd, buf + at + sizeof(r), r.len, r.off) != (ssize_t)r.len)
        return -errno;
    for (uint32_t done = r.len; done < r.span;) {
        uint32_t n = r.span - done < sizeof(zeros) ? r.span - done : (uint32_t)sizeof(zeros);
        if (pwrite(fd, zeros, n, r.off + done) != (ssize_t)n)
            return -errno;
        done += n;
    }
    return 0;
}

static int revert_file(const struct tracked *t, const char *buf, int torn,
                       struct powercut_result *res)
{
    int fd = open(t->path, O_RDWR | O_CLOEXEC);
    int r = 0;
    int64_t keep_end = t->synced_size;

    if (fd < 0)
        return errno == ENOENT ? 0 : -errno;
    for (size_t i = t->n; i-- > 0 && r == 0;) {
        struct rec rec;
        memcpy(&rec, buf + t->pending[i], sizeof(rec));
        if (torn && rand() % 2) {
            res->writes_kept++;
            if (rec.type == REC_WRITE && rec.off + rec.span > keep_end)
                keep_end = rec.off + rec.span;
            continue;
        }
        r = undo(fd, buf, t->pending[i]);
        res->writes_undone++;
    }
    if (r == 0 && ftruncate(fd, keep_end) < 0)
        r = -errno;
    if (r == 0 && fsync(fd) < 0)
        r = -errno;
    close(fd);
    return r;
}

int powercut_revert(const char *undo_path, int torn, unsigned seed, struct powercut_result *res)
{
    struct tracked *files = calloc(MAX_FILES, sizeof(*files));
    size_t len;
    char *buf = slurp(undo_path, &len);
    int nf = 0, r = files && buf ? 0 : -ENOMEM;

    *res = (struct powercut_result){0};
    srand(seed);
    if (r == 0)
        r = parse(buf, len, files, &nf);
    for (int i = 0; i < nf && r == 0; i++) {
        r = revert_file(&files[i], buf, torn, res);
        res->files++;
    }
    for (int i = 0; files && i < MAX_FILES; i++)
        free(files[i].pending);
    free(files);
    free(buf);
    return r;
}
