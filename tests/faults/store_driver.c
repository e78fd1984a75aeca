/* SPDX-License-Identifier: MIT */
/* docs/reliability.md T11 and T12: the real store (vsd_store: writer thread, batches, outbox,
 * audit chain) writing readings, alert events and audit rows in a child process that is SIGKILLed
 * at a random moment, CYCLES times over one database; after each kill the parent checks the file.
 *
 *   store_driver sigkill  DB CYCLES full|normal        the process dies, the page cache survives
 *   store_driver powercut DB CYCLES full|normal [torn] the power goes: powercut_vfs.h undoes every
 *                                                      write not yet synced (torn: a random half)
 *
 * The child reports what the store told it was committed on a log file (write(2), O_APPEND: a
 * line written before the kill is read by the parent; the log stands for what the daemon has
 * told the outside world, so the power cut does not touch it):
 *   R N TS   readings 0..N-1 of this database are committed; TS: wall time of reading N-1
 *   O ID SEQ outbox row ID (alert event SEQ) committed (the store's commit callback)
 *   A ID     outbox row ID acknowledged ("delivered") and that mark committed
 *   U ID     audit rows up to ID committed (the store's committed chain head)
 * After each cut the parent checks: PRAGMA integrity_check is "ok"; every reported reading, alert
 * event, outbox row and audit row is present; every reported outbox row not acknowledged is among
 * the rows the publisher re-sends after a restart (vsd_store_outbox_pending, on a store opened as
 * the daemon opens it). It prints one line of counts and exits 1 on any loss (with FULL) or
 * corruption. With NORMAL a power cut may lose committed rows: it prints the loss and the RPO
 * (the cut's time minus the newest surviving reading) and fails only on corruption. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "powercut_vfs.h"
#include "store.h"

#define READINGS_PER_TICK 4 /* every 2 ms: 2000 readings a second */
#define TICK_US 2000
#define ALERT_EVERY 25 /* ticks: an alert event every 50 ms */
#define AUDIT_EVERY 50 /* ticks: an audit row every 100 ms */
#define COMMIT_MS 100  /* the test configuration's commit_interval */
#define MAX_OUTBOX 100000

struct opts {
    const char *db;
    int cycles;
    int full;
    int powercut;
    int torn;
    unsigned cut_after; /* per cycle: the power goes after this many writes */
    int cut_ms;         /* env CUT_MS: cut on a timer instead (the RPO of synchronous=normal) */
};

static int64_t wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int log_fd = -1;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    char line[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (write(log_fd, line, (size_t)n) != n)
        _exit(3);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ---- The child: writes until killed ---- */

static struct vsd_store *child_store;

static void on_outbox(void *ctx, int64_t id, int64_t seq, const char *topic, const char *payload)
{
    (void)ctx, (void)topic, (void)payload;
    logf_("O %" PRId64 " %" PRId64 "\n", id, seq);
    if (id % 2 == 0) /* half are acknowledged by the "broker" */
        vsd_store_outbox_delivered(child_store, id, wall_ms());
}

static void write_alert(struct vsd_store *s, int64_t seq)
{
    char id[32], payload[96];

    snprintf(id, sizeof(id), "A-%" PRId64, seq);
    snprintf(payload, sizeof(payload), "{\"alert_id\":\"%s\",\"seq\":%" PRId64 "}", id, seq);
    struct vsd_store_alert_event e = {.alert_id = id,
                                      .seq = seq,
                                      .event = "raised",
                                      .code = "high",
                                      .priority = "high",
                                      .bed = "b1",
                                      .device = "drv",
                                      .vital = VSD_VITAL_HR,
                                      .value = NAN,
                                      .limit = NAN,
                                      .ts_ms = wall_ms(),
                                      .topic = "vitals/fault/bed/b1/alert",
                                      .payload = payload};
    if (vsd_store_alert_event(s, &e) < 0)
        _exit(4);
}

/* Report committed readings (in order: batches commit in queue order) and the audit head. */
static void report(struct vsd_store *s, int64_t base, const int64_t *ts, int64_t *last_r,
                   int64_t *last_u)
{
    struct vsd_store_stats st;
    int64_t head;
    char hash[65]; /* store.h: 64 hex digits */

    vsd_store_stats(s, &st);
    if (st.readings_dropped || st.duplicates_ignored)
        _exit(5);
    if ((int64_t)st.readings_written != *last_r && st.readings_written > 0) {
        *last_r = (int64_t)st.readings_written;
        logf_("R %" PRId64 " %" PRId64 "\n", base + *last_r, ts[*last_r - 1]);
    }
    vsd_store_audit_head(s, &head, hash);
    if (head != *last_u) {
        *last_u = head;
        logf_("U %" PRId64 "\n", head);
    }
}

static void child_loop(struct vsd_store *s, int64_t base, int64_t seq)
{
    int64_t *ts = calloc(4000000, sizeof(*ts)), n = 0, last_r = 0, last_u = -1;

    for (uint64_t tick = 1; ts && n < 4000000 - READINGS_PER_TICK; tick++) {
        for (int i = 0; i < READINGS_PER_TICK; i++, n++) {
            struct vsd_store_reading r = {.ts_ms = wall_ms(),
                                          .bed = "b1",
                                          .device = "drv",
                                          .vital = VSD_VITAL_HR,
                                          .value = (double)(base + n)};
            ts[n] = r.ts_ms;
            if (vsd_store_reading(s, &r) < 0)
                _exit(6);
        }
        if (tick % ALERT_EVERY == 0)
            write_alert(s, ++seq);
        if (tick % AUDIT_EVERY == 0 && vsd_store_audit(s, wall_ms(), "fault", "test", NULL) < 0)
            _exit(7);
        report(s, base, ts, &last_r, &last_u);
        usleep(TICK_US);
    }
    _exit(8);
}

static void child(const struct opts *o, const char *logpath, const char *undo)
{
    sqlite3 *db;
    int64_t base = 0, seq = 0;
    char err[256];

    log_fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (log_fd < 0)
        _exit(2);
    logf_("S %" PRId64 "\n", wall_ms());
    if (sqlite3_open_v2(o->db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        base = query_int(db, "SELECT coalesce(max(value), -1) + 1 FROM readings");
        seq = query_int(db, "SELECT coalesce(max(seq), 0) FROM alert_events");
    }
    sqlite3_close(db);
    if (base < 0 || seq < 0 || (o->powercut && powercut_register(undo, o->cut_after) < 0))
        _exit(2);
    struct vsd_store_options so = {o->db, o->full, COMMIT_MS, 1000000};
    if (vsd_store_open(&so, &child_store, err, sizeof(err)) < 0) {
        fprintf(stderr, "store_driver: %s\n", err);
        _exit(2);
    }
    if (vsd_store_start(child_store, on_outbox, NULL) < 0)
        _exit(2);
    child_loop(child_store, base, seq);
}

/* ---- The parent: cut, then check ---- */

#define MAX_R 8192
struct reported {
    int64_t start_ms;                /* the writer's start */
    int64_t r_n[MAX_R], r_ts[MAX_R]; /* the R lines */
    size_t n_r;
    int64_t readings, last_ts, audit;
    int64_t *ids, *seqs; /* outbox rows reported committed */
    char *acked;         /* by index into ids */
    size_t n_outbox;
};

static int read_log(const char *path, struct reported *rep)
{
    FILE *f = fopen(path, "r");
    char line[128];
    int64_t a, b;

    if (!f)
        return -errno;
    *rep = (struct reported){0};
    rep->ids = calloc(MAX_OUTBOX, sizeof(int64_t));
    rep->seqs = calloc(MAX_OUTBOX, sizeof(int64_t));
    rep->acked = calloc(MAX_OUTBOX, 1);
    while (rep->ids && rep->seqs && rep->acked && fgets(line, sizeof(line), f)) {
        if (!strchr(line, '\n'))
            break; /* cut mid-line */
        if (sscanf(line, "R %" SCNd64 " %" SCNd64, &a, &b) == 2) {
            rep->readings = a, rep->last_ts = b;
            if (rep->n_r < MAX_R)
                rep->r_n[rep->n_r] = a, rep->r_ts[rep->n_r++] = b;
        } else if (sscanf(line, "S %" SCNd64, &a) == 1)
            rep->start_ms = a;
        else if (sscanf(line, "U %" SCNd64, &a) == 1)
            rep->audit = a;
        else if (sscanf(line, "O %" SCNd64 " %" SCNd64, &a, &b) == 2 && rep->n_outbox < MAX_OUTBOX)
            rep->ids[rep->n_outbox] = a, rep->seqs[rep->n_outbox++] = b;
    }
    fclose(f);
    return rep->ids && rep->seqs && rep->acked ? 0 : -ENOMEM;
}

static void free_reported(struct reported *rep)
{
    free(rep->ids);
    free(rep->seqs);
    free(rep->acked);
}

struct pending {
    const struct reported *rep;
    size_t *resent; /* reported rows among the pending ones */
};

static void on_pending(void *ctx, int64_t id, int64_t seq, const char *topic, const char *payload)
{
    struct pending *p = ctx;

    (void)seq, (void)topic, (void)payload;
    for (size_t i = 0; i < p->rep->n_outbox; i++)
        if (p->rep->ids[i] == id)
            (*p->resent)++;
}

struct cycle_result {
    int integrity_ok;
    int64_t readings_lost, alerts_lost, outbox_lost, audit_lost, not_resent;
    size_t resent;
    int64_t safe_ms; /* the newest moment up to which every reported reading survived */
};

/* Rows the log says were committed, missing from DB. */
static void count_losses(sqlite3 *db, const struct reported *rep, struct cycle_result *c)
{
    char sql[160];

    snprintf(sql, sizeof(sql), "SELECT count(DISTINCT value) FROM readings WHERE value < %" PRId64,
             rep->readings);
    c->readings_lost = rep->readings - query_int(db, sql);
    c->audit_lost = rep->audit - query_int(db, "SELECT coalesce(max(id), 0) FROM audit");
    if (c->audit_lost < 0)
        c->audit_lost = 0;
    c->safe_ms = rep->start_ms;
    for (size_t i = 0; i < rep->n_r; i++)
        if (rep->r_n[i] <= rep->readings - c->readings_lost)
            c->safe_ms = rep->r_ts[i];
    for (size_t i = 0; i < rep->n_outbox; i++) {
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM alert_events WHERE seq = %" PRId64,
                 rep->seqs[i]);
        c->alerts_lost += query_int(db, sql) != 1;
        snprintf(sql, sizeof(sql),
                 "SELECT CASE WHEN delivered_ms IS NULL THEN 1 ELSE 2 END FROM outbox"
                 " WHERE id = %" PRId64 " AND seq = %" PRId64,
                 rep->ids[i], rep->seqs[i]);
        int64_t state = query_int(db, sql);
        c->outbox_lost += state < 1;
        if (state == 1)
            c->not_resent++; /* counted back below when the restarted store lists it */
    }
}

static int check(const struct opts *o, const char *logpath, struct cycle_result *c)
{
    struct reported rep;
    sqlite3 *db = NULL;
    char text[64] = "";
    sqlite3_stmt *st;
    int r = read_log(logpath, &rep);

    *c = (struct cycle_result){0};
    if (r < 0 || sqlite3_open_v2(o->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(text, sizeof(text), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    c->integrity_ok = strcmp(text, "ok") == 0;
    if (!c->integrity_ok)
        fprintf(stderr, "store_driver: integrity_check: %s\n", text);
    count_losses(db, &rep, c);
    sqlite3_close(db);

    /* Restart as the daemon does: the rows the publisher sends again. */
    struct vsd_store *s;
    struct vsd_store_options so = {o->db, o->full, COMMIT_MS, 1000};
    struct pending p = {&rep, &c->resent};
    char err[256];
    if (vsd_store_open(&so, &s, err, sizeof(err)) < 0) {
        fprintf(stderr, "store_driver: restart: %s\n", err);
        free_reported(&rep);
        return -1;
    }
    vsd_store_outbox_pending(s, on_pending, &p);
    vsd_store_close(s);
    c->not_resent -= (int64_t)c->resent;
    free_reported(&rep);
    return 0;
}

/* One cycle: start the writer, cut at a random moment, check. */
static int cycle(const struct opts *o, const char *logpath, const char *undo, int64_t *cut_ms,
                 struct powercut_result *pr)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        return -1;
    if (pid == 0)
        child(o, logpath, undo);
    /* SIGKILL: 10-120 ms into the run; a power cut: after CUT_AFTER writes, else at 1.5 s;
     * with CUT_MS set, either at a random time in [CUT_MS/2, CUT_MS] */
    int64_t until = wall_ms() + (o->cut_ms     ? o->cut_ms / 2 + rand() % (o->cut_ms / 2 + 1)
                                 : o->powercut ? 1500
                                               : 10 + rand() % 110);
    pid_t done = 0;
    while ((done = waitpid(pid, &status, WNOHANG)) == 0 && wall_ms() < until)
        usleep(1000);
    *cut_ms = wall_ms();
    if (done == 0) {
        kill(pid, SIGKILL);
        done = waitpid(pid, &status, 0);
    }
    if (done != pid || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
        fprintf(stderr, "store_driver: the writer ended before the cut (status %d)\n", status);
        return -1;
    }
    if (o->powercut) {
        char shm[4200];
        if (powercut_revert(undo, o->torn, (unsigned)rand(), pr) < 0)
            return -1;
        snprintf(shm, sizeof(shm), "%s-shm", o->db);
        unlink(shm); /* shared memory does not survive a power cut */
    }
    return 0;
}

struct totals {
    int ok, cycles;
    int64_t lost_committed, lost_staff, resent, rpo_max_ms, readings_lost;
    uint64_t undone, kept;
};

static void add(struct totals *t, const struct cycle_result *c, int64_t cut_ms)
{
    int64_t rpo = cut_ms - c->safe_ms; /* the age of the oldest reading lost, at most */

    t->cycles++;
    t->ok += c->integrity_ok;
    t->readings_lost += c->readings_lost;
    t->lost_staff += c->alerts_lost + c->outbox_lost + c->audit_lost + c->not_resent;
    t->lost_committed += c->readings_lost + c->alerts_lost + c->outbox_lost + c->audit_lost;
    t->resent += (int64_t)c->resent;
    if (rpo > t->rpo_max_ms)
        t->rpo_max_ms = rpo;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
    if (argc < 5 || (strcmp(argv[1], "sigkill") && strcmp(argv[1], "powercut")))
        return -1;
    o->powercut = strcmp(argv[1], "powercut") == 0;
    o->db = argv[2];
    o->cycles = atoi(argv[3]);
    o->full = strcmp(argv[4], "full") == 0;
    o->torn = argc > 5 && strcmp(argv[5], "torn") == 0;
    o->cut_ms = getenv("CUT_MS") ? atoi(getenv("CUT_MS")) : 0;
    return o->cycles > 0 && (o->full || strcmp(argv[4], "normal") == 0) ? 0 : -1;
}

static int report_totals(const struct opts *o, const struct totals *t)
{
    const char *mode = o->full ? "full" : "normal";
    int fail = t->ok != t->cycles || (o->full && t->lost_committed + t->lost_staff) ||
               (!o->powercut && t->lost_committed + t->lost_staff);

    printf("%s: %d/%d integrity ok, %" PRId64 " committed rows lost (synchronous=%s%s; "
           "%" PRId64 " readings, %" PRId64 " alert/outbox/audit rows; %" PRId64
           " outbox rows pending re-send after restart; RPO %" PRId64 " ms",
           o->powercut ? "powercut" : "sigkill", t->ok, t->cycles, t->lost_committed, mode,
           o->torn ? ", torn" : "", t->readings_lost, t->lost_staff, t->resent, t->rpo_max_ms);
    if (o->powercut)
        printf("; %" PRIu64 " unsynced writes undone, %" PRIu64 " kept", t->undone, t->kept);
    printf(")\n");
    return fail ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    struct totals t = {0};
    char logpath[4200], undo[4200], err[256];
    unsigned seed = getenv("SEED") ? (unsigned)atoi(getenv("SEED")) : (unsigned)time(NULL);
    struct vsd_store *s;

    if (parse_opts(argc, argv, &o) < 0) {
        fprintf(stderr, "usage: store_driver sigkill|powercut DB CYCLES full|normal [torn]\n");
        return 2;
    }
    srand(seed);
    snprintf(logpath, sizeof(logpath), "%s.committed", o.db);
    snprintf(undo, sizeof(undo), "%s.undo", o.db);
    struct vsd_store_options so = {o.db, o.full, COMMIT_MS, 1000};
    if (vsd_store_open(&so, &s, err, sizeof(err)) < 0) { /* create the schema */
        fprintf(stderr, "store_driver: %s\n", err);
        return 2;
    }
    vsd_store_close(s);
    for (int i = 0; i < o.cycles; i++) {
        struct cycle_result c;
        struct powercut_result pr = {0};
        int64_t cut_ms;
        o.cut_after = o.cut_ms ? 0 : 1 + (unsigned)(rand() % 120);
        if (cycle(&o, logpath, undo, &cut_ms, &pr) < 0 || check(&o, logpath, &c) < 0) {
            fprintf(stderr, "store_driver: cycle %d failed (SEED=%u)\n", i + 1, seed);
            return 1;
        }
        add(&t, &c, cut_ms);
        t.undone += pr.writes_undone;
        t.kept += pr.writes_kept;
        if (!c.integrity_ok || c.readings_lost || c.alerts_lost + c.outbox_lost + c.audit_lost)
            fprintf(stderr,
                    "cycle %d: integrity %s, lost %" PRId64 " readings, %" PRId64
                    " alert events, %" PRId64 " outbox rows, %" PRId64 " audit rows, %" PRId64
                    " outbox rows not re-sent\n",
                    i + 1, c.integrity_ok ? "ok" : "BAD", c.readings_lost, c.alerts_lost,
                    c.outbox_lost, c.audit_lost, c.not_resent);
    }
    fprintf(stderr, "store_driver: SEED=%u\n", seed);
    return report_totals(&o, &t);
}
