/* SPDX-License-Identifier: MIT */
/* Benchmark: readings through the store's writer thread vs a plain prepared-insert loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store.h"

#define BATCH 1000

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The baseline: the same rows, the same table, the same durability, BATCH rows a commit. */
static double plain_loop(const char *path, long rows, int sync_full)
{
    sqlite3 *db;
    sqlite3_stmt *ins;
    double t0;

    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    sqlite3_exec(db, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL,
                 NULL, NULL);
    sqlite3_exec(db,
                 "CREATE TABLE readings (id INTEGER PRIMARY KEY, ts_ms INTEGER NOT NULL,"
                 " ts_source INTEGER NOT NULL, bed TEXT, device TEXT NOT NULL, session_id TEXT,"
                 " vital TEXT NOT NULL, value REAL, flags INTEGER NOT NULL)",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(db,
                       "INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital,"
                       " value, flags) VALUES (?1, 0, ?2, ?3, ?4, ?5, ?6, 0)",
                       -1, &ins, NULL);
    t0 = now_s();
    for (long i = 0; i < rows; i++) {
        if (i % BATCH == 0)
            sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        sqlite3_bind_int64(ins, 1, 1795000000000 + i);
        sqlite3_bind_text(ins, 2, "chair-1", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, "mon-1", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, "S-1001", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, "spo2", -1, SQLITE_STATIC);
        sqlite3_bind_double(ins, 6, 90 + i % 10);
        sqlite3_step(ins);
        sqlite3_reset(ins);
        if (i % BATCH == BATCH - 1 || i == rows - 1)
            sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    }
    double t = now_s() - t0;
    sqlite3_finalize(ins);
    sqlite3_close(db);
    return t;
}

static double through_store(const char *path, long rows, int sync_full, uint64_t *dropped)
{
    struct vsd_store_options opt = {path, sync_full, 250, (size_t)rows};
    struct vsd_store *s;
    struct vsd_store_stats st;
    char err[256];
    double t0;

    if (vsd_store_open(&opt, &s, err, sizeof(err)) < 0 || vsd_store_start(s, NULL, NULL) < 0) {
        fprintf(stderr, "store: %s\n", err);
        exit(1);
    }
    t0 = now_s();
    for (long i = 0; i < rows; i++) {
        struct vsd_store_reading r = {1795000000000 + i, 0,        "chair-1",
                                      "mon-1",           "S-1001", VSD_VITAL_SPO2,
                                      90 + i % 10,       0};
        vsd_store_reading(s, &r);
    }
    vsd_store_sync(s);
    double t = now_s() - t0;
    vsd_store_stats(s, &st);
    *dropped = st.readings_dropped;
    vsd_store_close(s);
    return t;
}

int main(int argc, char **argv)
{
    long rows = argc > 1 ? atol(argv[1]) : 500000;
    char dir[] = "/tmp/vsd-bench-XXXXXX", a[64], b[64];

    if (!mkdtemp(dir))
        return 1;
    for (int full = 1; full >= 0; full--) {
        uint64_t dropped = 0;
        snprintf(a, sizeof(a), "%s/plain-%d.db", dir, full);
        snprintf(b, sizeof(b), "%s/store-%d.db", dir, full);
        double tp = plain_loop(a, rows, full);
        double ts = through_store(b, rows, full, &dropped);
        printf("synchronous=%-6s %ld rows: plain prepared-insert loop (%d/commit) %.0f rows/s, "
               "vitalsd store %.0f rows/s (dropped %llu): ratio %.2f\n",
               full ? "FULL" : "NORMAL", rows, BATCH, rows / tp, rows / ts,
               (unsigned long long)dropped, tp / ts);
    }
    if (fork() == 0)
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
    return 0;
}
