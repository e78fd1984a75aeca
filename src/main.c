/* SPDX-License-Identifier: MIT */
/* vitalsd: start-up in order, the core loop, and a shutdown that loses nothing. */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <systemd/sd-daemon.h>
#include <vitalsd/log.h>

#include "audit_head.h"
#include "bus.h"
#include "command.h"
#include "config.h"
#include "control.h"
#include "core.h"
#include "digest.h"
#include "heartbeat.h"
#include "private_file.h"
#include "mqtt_command.h"
#include "publish.h"
#include "queue.h"
#include "store.h"
#include "vsd_version.h"

#define DEFAULT_CONFIG "/etc/vitalsd/vitalsd.conf"
/* Events are handled as they come; the rest of the loop (the core's timers, which walk every
 * alarm slot, the audit anchor, heartbeat, drop report, watchdog, signals) runs every TICK_MS:
 * after every event it made the core's CPU grow with beds x events (bench/README.md). */
#define TICK_MS 50
#define SHUTDOWN_DRAIN_MS 2000
#define RELOAD_DEFER_MAX 8 /* commands set aside during a reload (each transport sends one) */
#define CORE_BEAT_WITHIN_MS 3000 /* one loop: TICK_MS, one event, a tick; with room */

struct daemon {
    struct vsd_config *cfg;
    struct vsd_store *store;
    struct vsd_publish *pub;
    struct vsd_queue *queue;
    struct vsd_core core;
    bool core_ready;
    struct vsd_control *control;
    struct vsd_mqtt_commands *mqtt_commands;
    struct vsd_command_link link; /* where both command transports send */
    struct vsd_buses *buses;
    struct vsd_audit_anchor anchor; /* the audit chain head last published */
    struct vsd_heartbeat_set beats; /* the core loop's and every bus thread's, for the watchdog */
    struct vsd_heartbeat core_beat;
    /* Reload: configurations a reload replaced, kept until stop (drivers, bus keys and the
     * transports' [access] may point into them); commands that arrived during a reload. */
    struct vsd_config **retired;
    size_t n_retired;
    struct vsd_event deferred[RELOAD_DEFER_MAX];
    size_t n_deferred;
    bool reloading;
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: vitalsd [-c FILE]          run with FILE (default %s)\n"
                 "       vitalsd --check-config FILE check FILE, print every error, exit 78 on "
                 "any\n"
                 "       vitalsd --version\n",
            DEFAULT_CONFIG);
}

/* Every error, one per line, then the exit status for a bad configuration. */
static int load_config(const char *path, struct vsd_config **ret)
{
    struct vsd_diag diag = {0};
    int rc = vsd_config_load(path, ret, &diag);

    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    if (rc < 0 && diag.n == 0)
        fprintf(stderr, "%s: %s\n", path, strerror(-rc));
    if (rc < 0) /* warnings are printed only with no error, so every line counted is one */
        fprintf(stderr, "%s: %zu error%s: vitalsd will not start with this configuration\n", path,
                diag.n - diag.n_warnings, diag.n - diag.n_warnings == 1 ? "" : "s");
    vsd_diag_free(&diag);
    return rc < 0 ? VSD_CONFIG_EXIT : 0;
}

static void on_outbox(void *ctx, int64_t id, int64_t seq, const char *topic, const char *payload)
{
    struct daemon *d = ctx;
    vsd_publish_outbox(d->pub, id, seq, topic, payload);
}

static void on_delivered(void *ctx, int64_t id)
{
    struct daemon *d = ctx;
    vsd_store_outbox_delivered(d->store, id, vsd_clock_wall_ms(&vsd_clock_system));
}

static void load_pending(void *ctx, int64_t id, int64_t seq, const char *topic,
                         const char *payload)
{
    on_outbox(ctx, id, seq, topic, payload);
}

static void session_used(void *ctx, const char *session_id)
{
    struct daemon *d = ctx;
    vsd_core_session_used(&d->core, session_id);
}

static void trend_seed(void *ctx, const char *bed, const char *vital, int64_t ts_ms, double value,
                       unsigned flags)
{
    struct daemon *d = ctx;
    vsd_core_trend_seed(&d->core, bed, vital, ts_ms, value, flags);
}

static void restore_session(void *ctx, const struct vsd_open_session *os)
{
    struct daemon *d = ctx;
    vsd_core_restore_session(&d->core, os->bed, os->session_id, os->started_ms, os->last_ms);
}

/* The database and its journal: the daemon's own, closed to other accounts. */
static int check_database_files(const char *db)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char path[4096], msg[1024];
    bool fixed;
    int rc;

    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", db, suffix[i]);
        if ((rc = vsd_private_file(path, &fixed, msg, sizeof(msg))) < 0) {
            vsd_log(LOG_CRIT, "%s", rc == -EPERM ? msg : strerror(-rc));
            return rc;
        }
        if (fixed)
            vsd_log(LOG_WARNING, "%s", msg);
    }
    return 0;
}

static int open_store(struct daemon *d)
{
    struct vsd_store_options opt = {d->cfg->database, d->cfg->synchronous == VSD_SYNC_FULL,
                                    d->cfg->commit_ms, d->cfg->queue_depth * VSD_SINK_MAX};
    char err[512] = "";
    int rc = check_database_files(d->cfg->database);

    if (rc < 0)
        return rc; /* logged */
    rc = vsd_store_open(&opt, &d->store, err, sizeof(err));
    if (rc < 0)
        vsd_log(LOG_CRIT, "%s", *err ? err : strerror(-rc));
    return rc;
}

static int open_publish(struct daemon *d)
{
    char err[512] = "";
    int rc = vsd_publish_new(&d->cfg->mqtt, d->cfg->area, on_delivered, d, &d->pub, err,
                             sizeof(err));

    if (rc < 0)
        vsd_log(LOG_CRIT, "MQTT: %s", *err ? err : strerror(-rc));
    return rc;
}

static int reload(void *ctx, const char *actor, const char *via, struct vsd_diag *errs,
                  char *summary, size_t size);

static void audit_config(struct daemon *d)
{
    char hex[VSD_SHA256_HEX], detail[512];

    if (vsd_sha256_file(d->cfg->path, hex) < 0)
        snprintf(hex, sizeof(hex), "unreadable");
    snprintf(detail, sizeof(detail), "{\"file\":\"%s\",\"sha256\":\"%s\"}", d->cfg->path, hex);
    vsd_store_audit(d->store, vsd_clock_wall_ms(&vsd_clock_system), "vitalsd", "config_load",
                    detail);
}

/* Database first (refuse a bad one before touching anything), the broker client (not yet
 * connected), the queue, the MQTT command worker (its subscription must precede the connect),
 * the core, the sessions, the last 30 minutes of trends and the outbox rows restored, the store writer and the broker connection,
 * the control socket, and last the devices. */
static int start(struct daemon *d)
{
    char err[512] = "";
    int rc;

    if ((rc = open_store(d)) < 0 || (rc = open_publish(d)) < 0)
        return rc;
    if (!(d->queue = vsd_queue_new(d->cfg->queue_depth)))
        return -ENOMEM;
    d->link = (struct vsd_command_link){d->queue, d->store, &d->cfg->access};
    if (d->cfg->mqtt_password_inline)
        vsd_log(LOG_WARNING, "%s: [mqtt] password is written in the configuration file, which "
                "vitalsctl users read: move it to password_file, readable only by vitalsd",
                d->cfg->path);
    if (!d->cfg->access.configured)
        vsd_log(LOG_WARNING, "%s: no [access] section: every broker user and every account on the "
                "control socket may run every command (docs/security.md)", d->cfg->path);
    if ((rc = vsd_mqtt_commands_start(d->pub, &d->link, d->cfg->area, &d->mqtt_commands)) < 0)
        return rc;
    if ((rc = vsd_core_init(&d->core, d->cfg, &vsd_clock_system, d->queue, d->store, d->pub,
                            vsd_store_max_seq(d->store))) < 0)
        return rc;
    d->core_ready = true;
    d->core.reload = reload;
    d->core.reload_ctx = d;
    int64_t trend_since = vsd_clock_wall_ms(&vsd_clock_system) - VSD_TREND_SLOTS * VSD_TREND_SLOT_MS;
    if ((rc = vsd_store_open_sessions(d->store, restore_session, d)) < 0 ||
        (rc = vsd_store_session_ids(d->store, session_used, d)) < 0 ||
        (rc = vsd_store_recent_readings(d->store, trend_since, trend_seed, d)) < 0 ||
        (rc = vsd_store_outbox_pending(d->store, load_pending, d)) < 0 ||
        (rc = vsd_store_start(d->store, on_outbox, d)) < 0 || (rc = vsd_publish_start(d->pub)) < 0)
        return rc;
    audit_config(d);
    vsd_core_publish_state(&d->core);
    if ((rc = vsd_control_start(d->cfg->control_socket, &d->link, &d->control, err,
                                sizeof(err))) < 0) {
        vsd_log(LOG_CRIT, "%s", err);
        return rc;
    }
    return vsd_buses_start_watched(d->cfg, d->queue, &vsd_clock_system, &d->beats, &d->buses);
}

/* One event from the queue: a staff command goes to the command handler, everything else to
 * the core. Both run on this, the core thread. */
static void dispatch(struct daemon *d, const struct vsd_event *ev)
{
    if (ev->type == VSD_EV_COMMAND)
        vsd_command_execute(&d->core, ev->u.command);
    else
        vsd_core_handle(&d->core, ev);
}

static void drain_queue(struct daemon *d)
{
    struct vsd_event ev;

    while (vsd_queue_pop(d->queue, &ev, 0) == 1)
        dispatch(d, &ev);
}

/* While a transport stops: run the commands it may still be waiting for. */
static void pump(void *ctx)
{
    struct daemon *d = ctx;
    struct vsd_event ev;

    if (d->core_ready && vsd_queue_pop(d->queue, &ev, 20) == 1)
        dispatch(d, &ev);
}

/* During a reload: data events are handled under the running configuration; a command waits
 * (set aside, queued again after the reload), so none runs half-way through it. */
static void reload_take(struct daemon *d, const struct vsd_event *ev)
{
    if (ev->type == VSD_EV_COMMAND && d->n_deferred < RELOAD_DEFER_MAX)
        d->deferred[d->n_deferred++] = *ev;
    else
        dispatch(d, ev); /* more commands than set aside: run now (a reload in one is refused) */
}

static void reload_pump(void *ctx)
{
    struct daemon *d = ctx;
    struct vsd_event ev;

    if (vsd_queue_pop(d->queue, &ev, 2) == 1)
        reload_take(d, &ev);
}

/* The buses are parked: what they queued is handled, the commands set aside go back. */
static void reload_drain(struct daemon *d)
{
    struct vsd_event ev;

    while (vsd_queue_pop(d->queue, &ev, 0) == 1)
        reload_take(d, &ev);
}

static void reload_requeue(struct daemon *d)
{
    for (size_t i = 0; i < d->n_deferred; i++) /* room: emptied, and no thread polls now */
        vsd_queue_push_wait(d->queue, &d->deferred[i]);
    d->n_deferred = 0;
}

static void reload_audit(struct daemon *d, const char *actor, const char *via, const char *hex,
                         size_t errors, const char *summary)
{
    cJSON *detail = cJSON_CreateObject();
    char *text;

    cJSON_AddStringToObject(detail, "file", d->cfg->path);
    cJSON_AddStringToObject(detail, "sha256", hex);
    cJSON_AddStringToObject(detail, "via", via);
    cJSON_AddStringToObject(detail, "result", errors ? "refused" : "done");
    cJSON_AddNumberToObject(detail, "errors", (double)errors);
    cJSON_AddStringToObject(detail, "summary", summary);
    text = cJSON_PrintUnformatted(detail);
    vsd_store_audit(d->store, vsd_clock_wall_ms(&vsd_clock_system), actor, "config_reload",
                    text ? text : "{}");
    free(text);
    cJSON_Delete(detail);
}

static void reload_error(struct vsd_diag *errs, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void reload_error(struct vsd_diag *errs, const char *fmt, ...)
{
    char line[1024], **lines = realloc(errs->lines, (errs->n + 1) * sizeof(*lines));
    va_list ap;

    if (!lines)
        return;
    errs->lines = lines;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if ((lines[errs->n] = strdup(line)))
        errs->n++;
}

/* A bed the new file removes while a session is open there: an error naming it. */
static void check_sessions(struct daemon *d, const struct vsd_config *next, struct vsd_diag *errs)
{
    for (size_t b = 0; b < d->cfg->n_beds; b++) {
        const char *bed = d->cfg->beds[b].name, *session = d->core.beds[b].session_id;

        if (*session && vsd_config_bed_index(next, bed) < 0)
            reload_error(errs,
                         "%s: [bed.%s]: removed, but session '%s' is open there: end the "
                         "session (vitalsctl session end --bed %s --session %s), then reload",
                         next->path, bed, session, bed, session);
    }
}

/* The running index of each of NEXT's beds and devices (SIZE_MAX: new, or a changed device). */
static int reload_maps(const struct vsd_config *cur, const struct vsd_config *next,
                       size_t **bed_from, size_t **dev_from, size_t counts[3])
{
    *bed_from = calloc(next->n_beds + 1, sizeof(size_t));
    *dev_from = calloc(next->n_devices + 1, sizeof(size_t));
    if (!*bed_from || !*dev_from)
        return -ENOMEM;
    counts[0] = counts[1] = counts[2] = 0; /* beds added, devices added, devices changed */
    for (size_t b = 0; b < next->n_beds; b++) {
        int ob = vsd_config_bed_index(cur, next->beds[b].name);
        (*bed_from)[b] = ob >= 0 ? (size_t)ob : SIZE_MAX;
        counts[0] += ob < 0;
    }
    for (size_t i = 0; i < next->n_devices; i++) {
        int od = vsd_config_device_index(cur, next->devices[i].name);
        bool same = od >= 0 && vsd_config_device_same(cur, (size_t)od, next, i);
        (*dev_from)[i] = same ? (size_t)od : SIZE_MAX;
        counts[1] += od < 0;
        counts[2] += od >= 0 && !same;
    }
    return 0;
}

/* Apply NEXT: every bus thread parked (its exchange finished), every reading already queued
 * handled under the running configuration, the core and the buses switched, polling resumed. */
static int reload_apply(struct daemon *d, struct vsd_config *next, char *summary, size_t size)
{
    size_t *bed_from = NULL, *dev_from = NULL, c[3], kept = 0, stopped = 0, started = 0;
    char stuck[80] = "";
    struct vsd_config **retired = realloc(d->retired, (d->n_retired + 1) * sizeof(*retired));
    int64_t t0 = vsd_clock_mono_ms(&vsd_clock_system);
    int rc = retired ? reload_maps(d->cfg, next, &bed_from, &dev_from, c) : -ENOMEM;

    if (retired)
        d->retired = retired;
    if (rc == 0 && vsd_buses_pause(d->buses, reload_pump, d, stuck, sizeof(stuck)) < 0) {
        snprintf(summary, size, "thread %s did not finish its exchange in time: not reloaded",
                 stuck);
        rc = -ETIMEDOUT;
    } else if (rc == 0) {
        reload_drain(d);
        rc = vsd_core_reload(&d->core, next, bed_from, dev_from);
        if (rc == 0 && vsd_buses_reload(d->buses, next, dev_from, &kept, &stopped, &started) < 0) {
            /* the core has the new indexes, the buses the old: readings would go astray */
            vsd_log(LOG_CRIT, "reload: out of memory half-way: aborting (restart applies %s)",
                    next->path);
            abort();
        }
    }
    if (bed_from) { /* paused (or tried to): the commands set aside go back before polls do */
        reload_requeue(d);
        vsd_buses_resume(d->buses);
    }
    if (rc == 0) {
        size_t removed_beds = d->cfg->n_beds + c[0] - next->n_beds;
        size_t removed_devs = d->cfg->n_devices + c[1] - next->n_devices;

        d->retired[d->n_retired++] = d->cfg;
        d->cfg = next;
        vsd_log_set_level(next->log_level);
        snprintf(summary, size,
                 "applied %s: %zu beds (%zu added, %zu removed), %zu devices (%zu added, %zu "
                 "removed, %zu changed); bus threads: %zu kept, %zu stopped, %zu started; "
                 "polling paused %lld ms",
                 next->path, next->n_beds, c[0], removed_beds, next->n_devices, c[1],
                 removed_devs, c[2], kept, stopped, started,
                 (long long)(vsd_clock_mono_ms(&vsd_clock_system) - t0));
    }
    free(bed_from);
    free(dev_from);
    return rc;
}

/* Re-read the configuration file, all or nothing (the "reload" command and SIGHUP). ERRS gets
 * every error, each "FILE:LINE: ..."; SUMMARY what was done or why not. Audited either way. */
static int reload(void *ctx, const char *actor, const char *via, struct vsd_diag *errs,
                  char *summary, size_t size)
{
    struct daemon *d = ctx;
    struct vsd_config *next = NULL;
    struct vsd_diag diag = {0};
    char hex[VSD_SHA256_HEX];
    int rc;

    summary[0] = '\0';
    if (d->reloading) {
        snprintf(summary, size, "a reload is already running");
        return -EBUSY;
    }
    if (vsd_sha256_file(d->cfg->path, hex) < 0)
        snprintf(hex, sizeof(hex), "unreadable");
    rc = vsd_config_load(d->cfg->path, &next, &diag);
    if (rc < 0 && diag.n == 0)
        reload_error(&diag, "%s: %s", d->cfg->path, strerror(-rc));
    if (rc < 0) {
        *errs = diag;
    } else {
        for (size_t i = 0; i < diag.n; i++)
            vsd_log(LOG_WARNING, "reload: %s", diag.lines[i]);
        vsd_diag_free(&diag);
        vsd_config_restart_needed(d->cfg, next, errs);
        check_sessions(d, next, errs);
    }
    if (errs->n == 0) {
        d->reloading = true;
        rc = reload_apply(d, next, summary, size);
        d->reloading = false;
        if (rc < 0)
            reload_error(errs, "%s: %s", d->cfg->path, *summary ? summary : strerror(-rc));
    }
    if (errs->n) {
        for (size_t i = 0; i < errs->n; i++)
            vsd_log(LOG_ERR, "reload: %s", errs->lines[i]);
        snprintf(summary, size,
                 "configuration not applied: %zu error%s in %s; the running configuration is "
                 "unchanged",
                 errs->n, errs->n == 1 ? "" : "s", d->cfg->path);
        vsd_config_free(next);
    }
    vsd_log(errs->n ? LOG_ERR : LOG_NOTICE, "reload asked by %s: %s", actor, summary);
    reload_audit(d, actor, via, hex, errs->n, summary);
    return errs->n ? -EINVAL : 0;
}

/* Devices stop first, then everything they produced is processed, committed and
 * handed to the broker before the database closes. */
static void stop(struct daemon *d)
{
    vsd_control_stop(d->control, pump, d);
    vsd_mqtt_commands_stop(d->mqtt_commands, pump, d);
    vsd_buses_stop(d->buses);
    if (d->core_ready) {
        drain_queue(d);
        vsd_core_tick(&d->core);
    }
    if (d->store && vsd_store_sync(d->store) < 0)
        vsd_log(LOG_ERR, "some rows could not be committed before shutdown");
    if (d->core_ready) /* the final head, anchored before the broker link closes */
        vsd_audit_head_publish(&d->anchor, d->store, d->pub, d->cfg->area, &vsd_clock_system);
    vsd_publish_stop(d->pub, SHUTDOWN_DRAIN_MS);
    vsd_store_close(d->store);
    vsd_publish_free(d->pub);
    if (d->core_ready)
        vsd_core_fini(&d->core);
    vsd_queue_free(d->queue);
}

static int64_t watchdog_interval_ms(void)
{
    uint64_t usec = 0;
    return sd_watchdog_enabled(0, &usec) > 0 ? (int64_t)(usec / 2000) : 0;
}

/* WATCHDOG=1 only while the core loop and every bus thread make progress: a thread stuck past
 * its bound (a device call that never returns) stops the pings, so systemd restarts vitalsd.
 * Logged once per stuck spell, critical, naming the thread. */
static void watchdog(struct daemon *d, int64_t now, bool *stuck)
{
    char name[80];
    int64_t late = 0;

    if (vsd_heartbeat_check(&d->beats, now, name, sizeof(name), &late)) {
        if (*stuck)
            vsd_log(LOG_NOTICE, "watchdog: every thread makes progress again: pinging resumes");
        *stuck = false;
        sd_notify(0, "WATCHDOG=1");
        return;
    }
    if (!*stuck)
        vsd_log(LOG_CRIT, "watchdog: thread %s is stuck (no progress for %lld ms past its "
                          "bound): no more WATCHDOG=1, systemd will restart vitalsd",
                name, (long long)late);
    *stuck = true;
}

/* A full queue drops readings: never silently. Logged when the count grows, at most every 10 s. */
static void report_drops(struct daemon *d, int64_t now, uint64_t *seen, int64_t *last_ms)
{
    struct vsd_store_stats ss;
    uint64_t dropped;

    if (now - *last_ms < 10000)
        return;
    vsd_store_stats(d->store, &ss);
    dropped = vsd_queue_dropped(d->queue) + ss.readings_dropped;
    if (dropped > *seen)
        vsd_log(LOG_ERR,
                "readings lost to full queues: %llu poll results at the core, %llu readings at "
                "the store, since start",
                (unsigned long long)vsd_queue_dropped(d->queue),
                (unsigned long long)ss.readings_dropped);
    *seen = dropped;
    *last_ms = now;
}

/* SIGHUP (systemctl reload): the reply is the log and the audit row. */
static void reload_signal(struct daemon *d)
{
    struct vsd_diag errs = {0};
    char summary[512] = "";

    reload(d, "SIGHUP", "signal SIGHUP", &errs, summary, sizeof(summary));
    vsd_diag_free(&errs);
}

static void run_loop(struct daemon *d, const sigset_t *signals)
{
    const struct timespec zero = {0, 0};
    int64_t wd_every = watchdog_interval_ms(), wd_last = 0, drops_last = 0;
    int64_t ticked = vsd_clock_mono_ms(&vsd_clock_system) - TICK_MS;
    uint64_t drops_seen = 0;
    bool stuck = false;

    for (;;) {
        struct vsd_event ev;
        siginfo_t info;
        int64_t now = vsd_clock_mono_ms(&vsd_clock_system), wait = ticked + TICK_MS - now;

        if (vsd_queue_pop(d->queue, &ev, wait > 0 ? (int)wait : 0) == 1)
            dispatch(d, &ev);
        if ((now = vsd_clock_mono_ms(&vsd_clock_system)) - ticked < TICK_MS)
            continue;
        ticked = now;
        vsd_core_tick(&d->core);
        vsd_audit_head_publish(&d->anchor, d->store, d->pub, d->cfg->area, &vsd_clock_system);
        vsd_heartbeat_beat(&d->core_beat, now, CORE_BEAT_WITHIN_MS);
        report_drops(d, now, &drops_seen, &drops_last);
        if (wd_every && now - wd_last >= wd_every) {
            watchdog(d, now, &stuck);
            wd_last = now;
        }
        int sig = sigtimedwait(signals, &info, &zero);
        if (sig == SIGTERM || sig == SIGINT) {
            vsd_log(LOG_NOTICE, "signal %d: stopping", sig);
            return;
        }
        if (sig == SIGHUP)
            reload_signal(d);
    }
}

static int run(const char *path)
{
    struct daemon d = {0};
    sigset_t signals;
    int rc;

    if ((rc = load_config(path, &d.cfg)) != 0)
        return rc;
    vsd_log_set_level(d.cfg->log_level);
    /* Threads inherit this mask: only the main loop takes the signals. */
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit is a write error (storage alert), not death */
    if ((rc = vsd_heartbeat_set_init(&d.beats)) < 0) {
        vsd_config_free(d.cfg);
        return EXIT_FAILURE;
    }
    vsd_heartbeat_add(&d.beats, &d.core_beat, "core", vsd_clock_mono_ms(&vsd_clock_system),
                      CORE_BEAT_WITHIN_MS);
    if ((rc = start(&d)) < 0) {
        vsd_log(LOG_CRIT, "vitalsd could not start: %s", strerror(-rc));
        stop(&d);
        vsd_heartbeat_set_destroy(&d.beats);
        vsd_config_free(d.cfg);
        return EXIT_FAILURE;
    }
    vsd_log(LOG_NOTICE, "vitalsd ready: area '%s', %zu beds, %zu devices, database %s",
            d.cfg->area, d.cfg->n_beds, d.cfg->n_devices, d.cfg->database);
    sd_notify(0, "READY=1");
    run_loop(&d, &signals);
    sd_notify(0, "STOPPING=1");
    stop(&d);
    vsd_log(LOG_NOTICE, "vitalsd stopped");
    vsd_heartbeat_set_destroy(&d.beats);
    for (size_t i = 0; i < d.n_retired; i++)
        vsd_config_free(d.retired[i]);
    free(d.retired);
    vsd_config_free(d.cfg);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"check-config", required_argument, NULL, 'C'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *path = DEFAULT_CONFIG;
    int opt;

    while ((opt = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'c':
            path = optarg;
            break;
        case 'C': {
            struct vsd_config *cfg = NULL;
            int rc = load_config(optarg, &cfg);
            if (rc == 0)
                printf("%s: ok (%zu beds, %zu devices)\n", optarg, cfg->n_beds, cfg->n_devices);
            vsd_config_free(cfg);
            return rc;
        }
        case 'V':
            printf("vitalsd %s (commit %s)\n", VSD_VERSION, VSD_COMMIT);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    /* What the daemon creates (the database, its journal, the socket's directory entries) is
     * its own and its group's, never every account's, whatever umask it was started with. */
    umask(umask(0) | 027);
    return run(path);
}
