/* SPDX-License-Identifier: MIT */
/* Bus threads: one per bus key, each polling its devices on their own fixed cadence. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <vitalsd/log.h>

#include "bus_int.h"

#define REOPEN_MIN_MS 1000 /* broken links are reopened at most once per max(poll, this) */
#define PUSH_RETRY_MS 100  /* how often a thread waiting for queue room checks for stop */
#define BEAT_MS VSD_BUS_BEAT_MS /* an idle thread wakes at least this often to show progress */
#define BEAT_SLACK_MS VSD_BUS_BEAT_SLACK_MS /* beyond its bound: scheduling, load, sanitizers */
#define DOWN_AFTER 2       /* polls in a row without any answer before "down" */
#define GARBLED_DOWN_AFTER 5 /* polls in a row without a usable answer before "down" */
#define DEGRADED_AFTER 3   /* polls in a row with garbled frames before "degraded" */
#define HEALTHY_AFTER 10   /* clean polls in a row before "degraded" ends */
#define SHARED_DOWN_FACTOR 4 /* a down unit on a shared bus is polled every 4 periods */
#define REASON_LOG_MS 60000 /* a down device's changing reason is logged at most this often */

static int64_t real_ms(void)
{
    return vsd_clock_mono_ms(&vsd_clock_system);
}

int64_t vsd_bus_now(void)
{
    return real_ms();
}

static bool stopping(const struct slot *s)
{
    struct vsd_buses *b = s->bus->owner;
    bool stop;

    pthread_mutex_lock(&b->lock);
    stop = b->stop || s->bus->stop;
    pthread_mutex_unlock(&b->lock);
    return stop;
}

int64_t vsd_bus_reopen_interval(const struct slot *s)
{
    int64_t poll = vsd_device_poll_ms(&s->dev);

    return poll > REOPEN_MIN_MS ? poll : REOPEN_MIN_MS;
}

/* A state change must not be lost, but must not keep the thread from stopping. */
static void push_state(struct vsd_buses *b, const struct slot *s, const struct vsd_event *ev)
{
    int r;

    do {
        vsd_heartbeat_beat(&s->bus->progress, real_ms(), PUSH_RETRY_MS + BEAT_SLACK_MS);
        r = vsd_queue_push_timed(b->queue, ev, PUSH_RETRY_MS);
    } while (r == -ETIMEDOUT && !stopping(s));
}

static void push_device_state(struct vsd_buses *b, const struct slot *s, int err)
{
    struct vsd_event ev = {.type = VSD_EV_DEVICE_STATE};

    ev.u.state = (struct vsd_device_state){
        .device = s->dev.index,
        .up = s->health == HEALTH_UP,
        .degraded = s->degraded,
        .err = s->health == HEALTH_UP ? 0 : err,
        .mono_ms = vsd_clock_mono_ms(b->clock),
        .wall_ms = vsd_clock_wall_ms(b->clock),
    };
    push_state(b, s, &ev);
}

/* A device down, in words a technician can act on: which device, its bed, its link, why; again
 * when the reason changes (a vanished port after a broken link: docs/reliability.md T04). */
static void log_down(struct slot *s, int err)
{
    const char *host = vsd_device_option(&s->dev, "host");
    const char *port = vsd_device_option(&s->dev, "port");
    int64_t now = real_ms();

    /* The first two reasons of an outage at once (a broken link, then why it cannot reopen);
     * further changes (a device alternating two errors) at most once per REASON_LOG_MS. */
    if (s->logged_err == err || (s->logged_n >= 2 && now - s->logged_ms < REASON_LOG_MS))
        return;
    s->logged_ms = now;
    s->logged_n++;
    vsd_log(LOG_WARNING, "device '%s' (%s, bed '%s'%s%s%s%s): %s: %s", vsd_device_name(&s->dev),
            s->drv->name, s->dev.cfg->bed_name ? s->dev.cfg->bed_name : "-",
            host ? ", host " : "", host ? host : "", port ? ", port " : "", port ? port : "",
            s->logged_err ? "still not answering" : "not answering", strerror(-err));
    s->logged_err = err;
}

/* Record the device's health; report and log only changes. ERR is 0 when up. */
void vsd_bus_set_health(struct vsd_buses *b, struct slot *s, bool up, int err)
{
    enum health was = s->health;

    if (!up)
        log_down(s, err);
    if (was == (up ? HEALTH_UP : HEALTH_DOWN))
        return;
    s->health = up ? HEALTH_UP : HEALTH_DOWN;
    if (up && was == HEALTH_DOWN)
        vsd_log(LOG_NOTICE, "device '%s': answering again", vsd_device_name(&s->dev));
    else if (up)
        vsd_log(LOG_INFO, "device '%s' (%s): answering", vsd_device_name(&s->dev), s->drv->name);
    if (up) {
        s->logged_err = 0;
        s->logged_n = 0;
    }
    push_device_state(b, s, err);
}

void vsd_bus_close_device(struct slot *s)
{
    if (!s->dev.open)
        return;
    s->drv->close(&s->dev);
    s->dev.open = false;
    vsd_device_identity(&s->dev, NULL, NULL); /* the next device on the link tells its own */
    s->dev.identity_changed = false;
}

/* What the device said it is, when it changed: before the readings of the same exchange, so
 * that the core never attributes a wrong device's readings (docs/devices/README.md). */
static void push_identity(struct vsd_buses *b, struct slot *s)
{
    struct vsd_event ev = {.type = VSD_EV_DEVICE_IDENTITY};
    struct vsd_device_identity *id = &ev.u.identity;

    s->dev.identity_changed = false;
    id->device = s->dev.index;
    memcpy(id->model, s->dev.model, sizeof(id->model));
    memcpy(id->serial, s->dev.serial, sizeof(id->serial));
    id->mono_ms = vsd_clock_mono_ms(b->clock);
    id->wall_ms = vsd_clock_wall_ms(b->clock);
    vsd_log(LOG_INFO, "device '%s' (%s): reports model '%s', serial '%s'",
            vsd_device_name(&s->dev), s->drv->name, id->model, id->serial);
    push_state(b, s, &ev);
}

static bool garbled_answer(int err)
{
    return err == -EBADMSG || err == -EPROTO;
}

/* Count garbled exchanges (a failed poll with a garbled answer, or bad frames inside a good
 * one): DEGRADED_AFTER in a row make the link degraded, HEALTHY_AFTER clean ones end it. */
static void track_garbled(struct vsd_buses *b, struct slot *s, bool garbled)
{
    bool was = s->degraded;

    s->garbled = garbled ? s->garbled + 1 : 0;
    s->clean = garbled ? 0 : s->clean + 1;
    if (!s->degraded && s->garbled >= DEGRADED_AFTER)
        s->degraded = true;
    else if (s->degraded && s->clean >= HEALTHY_AFTER)
        s->degraded = false;
    if (was == s->degraded || s->health == HEALTH_UNKNOWN) /* unknown: told with the health */
        return;
    vsd_log(s->degraded ? LOG_WARNING : LOG_NOTICE, "device '%s': %s", vsd_device_name(&s->dev),
            s->degraded ? "communication degraded (garbled frames persist)"
                        : "communication clean again");
    push_device_state(b, s, 0);
}

/* A failed exchange: a broken link is down at once; no answer DOWN_AFTER times in a row, or
 * only garbled ones GARBLED_DOWN_AFTER times (an isolated exception or bad frame is not). */
void vsd_bus_poll_failed(struct vsd_buses *b, struct slot *s, int err)
{
    bool garbled = garbled_answer(err);

    track_garbled(b, s, garbled);
    if (vsd_device_broken_link(err)) {
        vsd_bus_set_health(b, s, false, err);
        vsd_bus_close_device(s);
        s->last_open = real_ms();
        return;
    }
    s->failures++;
    s->silent = garbled ? 0 : s->silent + 1;
    if (s->silent >= DOWN_AFTER || s->failures >= GARBLED_DOWN_AFTER || s->health != HEALTH_UP)
        vsd_bus_set_health(b, s, false, err);
}

/* Open the link if it is closed and an attempt is allowed. Returns 0 when open,
 * -EAGAIN when it is too early to try, or open()'s error. */
static int ensure_open(struct vsd_buses *b, struct slot *s, int64_t now)
{
    int r;

    if (s->dev.open)
        return 0;
    if (s->tried_open && now - s->last_open < vsd_bus_reopen_interval(s))
        return -EAGAIN;
    s->tried_open = true;
    s->last_open = now;
    r = s->drv->open(&s->dev);
    if (r < 0) {
        vsd_bus_set_health(b, s, false, r);
        return r;
    }
    s->dev.open = true;
    return 0;
}

void vsd_bus_answered(struct vsd_buses *b, struct slot *s, struct vsd_event *ev, size_t n)
{
    struct vsd_poll_result *res = &ev->u.poll;

    s->failures = 0;
    s->silent = 0;
    track_garbled(b, s, s->dev.bad_frames > 0);
    vsd_bus_set_health(b, s, true, 0);
    if (s->dev.identity_changed)
        push_identity(b, s);
    ev->type = VSD_EV_POLL;
    res->device = s->dev.index;
    res->mono_ms = vsd_clock_mono_ms(b->clock);
    res->wall_ms = vsd_clock_wall_ms(b->clock);
    res->n = n;
    vsd_queue_push(b->queue, ev); /* full: dropped and counted by the queue */
}

/* One exchange with the device; readings go to the queue only if it answered. */
static void poll_device(struct vsd_buses *b, struct slot *s, int64_t now)
{
    struct vsd_event ev = {.type = VSD_EV_POLL};
    struct vsd_poll_result *res = &ev.u.poll;
    struct vsd_sink sink = {.readings = res->readings, .n = 0};
    int r = ensure_open(b, s, now);

    if (r < 0)
        return;
    s->dev.bad_frames = 0;
    r = s->drv->poll(&s->dev, &sink);
    if (r < 0)
        vsd_bus_poll_failed(b, s, r);
    else
        vsd_bus_answered(b, s, &ev, sink.n);
}

/* The period now: a down unit sharing its bus is polled SHARED_DOWN_FACTOR times less often,
 * so that it costs the units that answer at most one timeout per few cycles. */
static int64_t period(const struct slot *s)
{
    int64_t poll = vsd_device_poll_ms(&s->dev);

    return s->shared && s->health == HEALTH_DOWN ? poll * SHARED_DOWN_FACTOR : poll;
}

/* The next due time after a poll at S->due: a fixed cadence, skipping whole
 * periods when more than one period late. A closed link waits for its reopen. */
void vsd_bus_reschedule(struct slot *s, int64_t now)
{
    int64_t poll = period(s);
    int64_t next = s->due + poll;

    if (now - next > poll) {
        int64_t skip = (now - next) / poll;

        next += skip * poll;
        s->missed += (uint64_t)skip;
        vsd_log(LOG_DEBUG, "device '%s': %lld polls missed", vsd_device_name(&s->dev),
                (long long)skip);
    }
    if (!s->dev.open && s->tried_open && next < s->last_open + vsd_bus_reopen_interval(s))
        next = s->last_open + vsd_bus_reopen_interval(s);
    s->due = next;
}

/* Sleep until DUE (real monotonic ms) or until woken. Called with the lock held. */
static void sleep_until(struct vsd_buses *b, int64_t due)
{
    struct timespec ts = {.tv_sec = due / 1000, .tv_nsec = (long)(due % 1000) * 1000000L};

    pthread_cond_timedwait(&b->wake, &b->lock, &ts);
}

/* The slot due first. */
static struct slot *earliest(const struct bus *bus)
{
    struct slot *first = bus->slots[0];

    for (size_t i = 1; i < bus->n; i++)
        if (bus->slots[i]->due < first->due)
            first = bus->slots[i];
    return first;
}

/* The longest one exchange may take: open() and poll(), each within the device's timeout. */
static int64_t exchange_bound(const struct slot *s)
{
    return 2 * vsd_device_timeout_ms(&s->dev) + BEAT_SLACK_MS;
}

/* A pause (a reload): wait parked, still beating, until it ends. Called with the lock held. */
void vsd_bus_park(struct bus *bus)
{
    struct vsd_buses *b = bus->owner;

    bus->parked = true;
    b->n_parked++;
    while (b->pause && !b->stop && !bus->stop) {
        int64_t now = real_ms();

        vsd_heartbeat_beat(&bus->progress, now, BEAT_MS + BEAT_SLACK_MS);
        sleep_until(b, now + BEAT_MS);
    }
    b->n_parked--;
    bus->parked = false;
}

static void *bus_main(void *arg)
{
    struct bus *bus = arg;
    struct vsd_buses *b = bus->owner;

    pthread_mutex_lock(&b->lock);
    while (!b->stop && !bus->stop) {
        struct slot *s = earliest(bus);
        int64_t now = real_ms();

        if (b->pause) {
            vsd_bus_park(bus);
            continue;
        }
        if (s->due > now) { /* idle: wake at least every BEAT_MS, so progress shows */
            int64_t wake = s->due < now + BEAT_MS ? s->due : now + BEAT_MS;

            vsd_heartbeat_beat(&bus->progress, now, wake - now + BEAT_SLACK_MS);
            sleep_until(b, wake);
            continue;
        }
        vsd_heartbeat_beat(&bus->progress, now, exchange_bound(s));
        pthread_mutex_unlock(&b->lock);
        poll_device(b, s, now);
        vsd_bus_reschedule(s, real_ms());
        pthread_mutex_lock(&b->lock);
    }
    pthread_mutex_unlock(&b->lock);
    return NULL;
}

struct slot *vsd_bus_slot_new(struct vsd_buses *b, const struct vsd_config *cfg, size_t i)
{
    struct slot *s = calloc(1, sizeof(*s));

    if (!s)
        return NULL;
    vsd_device_init(&s->dev, &cfg->devices[i], i, b->clock);
    s->drv = cfg->devices[i].driver;
    s->due = real_ms();
    s->key = s->drv->bus_key ? s->drv->bus_key(&s->dev) : NULL;
    s->fd = -1;
    s->heap_i = SIZE_MAX;
    return s;
}

bool vsd_bus_on_loop(const struct slot *s)
{
    const struct vsd_nb_ops *nb = s->drv->nb;

    return nb && (!nb->usable || nb->usable(&s->dev));
}

/* On the event loop, devices share a "bus" (for the reduced polling of a down unit) when they
 * share a key (units behind one gateway); each keeps its own connection and exchange. */
static void mark_shared(struct bus *bus, struct slot *s)
{
    for (size_t k = 0; k + 1 < bus->n; k++)
        if (s->key && bus->slots[k]->key && strcmp(s->key, bus->slots[k]->key) == 0)
            s->shared = bus->slots[k]->shared = true;
}

/* The bus S goes to among BUSES: the event loop, or the thread of its key. */
static struct bus *bus_for(struct bus **buses, size_t n, const struct slot *s, bool loop)
{
    for (size_t k = 0; k < n; k++)
        if (loop ? buses[k]->loop
                 : !buses[k]->loop && s->key && buses[k]->key && !strcmp(buses[k]->key, s->key))
            return buses[k];
    return NULL;
}

int vsd_bus_assign(struct vsd_buses *b, struct bus **buses, size_t *n, struct slot *s)
{
    bool loop = vsd_bus_on_loop(s);
    struct bus *bus = bus_for(buses, *n, s, loop);
    struct slot **grown;

    if (!bus) {
        if (!(bus = calloc(1, sizeof(*bus))))
            return -ENOMEM;
        bus->owner = b;
        bus->key = loop ? NULL : s->key;
        bus->loop = loop;
        bus->wake_fd = -1;
        buses[(*n)++] = bus;
    }
    grown = realloc(bus->slots, (bus->n + 1) * sizeof(*bus->slots));
    if (!grown)
        return -ENOMEM;
    bus->slots = grown;
    bus->slots[bus->n++] = s;
    s->bus = bus;
    if (loop)
        mark_shared(bus, s);
    for (size_t k = 0; !loop && k < bus->n; k++)
        bus->slots[k]->shared = bus->n > 1;
    return 0;
}

void vsd_bus_wake(struct bus *bus)
{
    uint64_t one = 1;

    if (bus->loop && bus->wake_fd >= 0 && write(bus->wake_fd, &one, sizeof(one)) < 0)
        vsd_log(LOG_DEBUG, "event loop: wake: %s", strerror(errno)); /* already pending */
}

/* The devices of CFG, grouped into buses (threads not started). */
static int build(struct vsd_buses *b, const struct vsd_config *cfg)
{
    b->buses = calloc(cfg->n_devices ? cfg->n_devices : 1, sizeof(*b->buses));
    if (!b->buses)
        return -ENOMEM;
    for (size_t i = 0; i < cfg->n_devices; i++) {
        struct slot *s = vsd_bus_slot_new(b, cfg, i);
        int r = s ? vsd_bus_assign(b, b->buses, &b->n_buses, s) : -ENOMEM;

        if (r < 0) {
            free(s);
            return r;
        }
    }
    return 0;
}

static int init_sync(struct vsd_buses *b)
{
    int r = pthread_mutex_init(&b->lock, NULL);

    if (r != 0)
        return -r;
    r = vsd_clock_cond_init(&b->wake);
    if (r < 0)
        pthread_mutex_destroy(&b->lock);
    return r;
}

int vsd_bus_run(struct bus *bus)
{
    char name[80];
    int r;

    if (bus->loop)
        snprintf(name, sizeof(name), "event loop");
    else if (bus->key)
        snprintf(name, sizeof(name), "bus '%s'", bus->key);
    else
        snprintf(name, sizeof(name), "bus of device '%s'", vsd_device_name(&bus->slots[0]->dev));
    if (bus->loop && (bus->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
        return -errno;
    vsd_heartbeat_add(bus->owner->progress, &bus->progress, name, real_ms(), BEAT_SLACK_MS);
    r = -pthread_create(&bus->thread, NULL, bus->loop ? vsd_bus_loop_main : bus_main, bus);
    bus->running = r == 0;
    if (r < 0)
        vsd_heartbeat_remove(bus->owner->progress, &bus->progress);
    return r;
}

void vsd_bus_retire(struct bus *bus)
{
    struct vsd_buses *b = bus->owner;

    pthread_mutex_lock(&b->lock);
    bus->stop = true;
    pthread_cond_broadcast(&b->wake);
    vsd_bus_wake(bus);
    pthread_mutex_unlock(&b->lock);
    if (bus->running) {
        pthread_join(bus->thread, NULL);
        vsd_heartbeat_remove(b->progress, &bus->progress);
    }
    if (bus->loop && bus->wake_fd >= 0)
        close(bus->wake_fd);
    for (size_t i = 0; i < bus->n; i++) {
        vsd_bus_close_device(bus->slots[i]);
        free(bus->slots[i]);
    }
    free(bus->slots);
    free(bus);
}

int vsd_buses_start_watched(const struct vsd_config *cfg, struct vsd_queue *queue,
                            const struct vsd_clock *clock, struct vsd_heartbeat_set *progress,
                            struct vsd_buses **ret)
{
    struct vsd_buses *b = calloc(1, sizeof(*b));
    int r = -ENOMEM;

    if (!b)
        return -ENOMEM;
    b->queue = queue;
    b->clock = clock;
    b->progress = progress;
    r = init_sync(b);
    if (r < 0) {
        free(b);
        return r;
    }
    r = build(b, cfg);
    for (size_t k = 0; r == 0 && k < b->n_buses; k++)
        r = vsd_bus_run(b->buses[k]);
    if (r < 0)
        goto fail;
    *ret = b;
    return 0;
fail:
    vsd_buses_stop(b);
    return r;
}

int vsd_buses_start(const struct vsd_config *cfg, struct vsd_queue *queue,
                    const struct vsd_clock *clock, struct vsd_buses **ret)
{
    return vsd_buses_start_watched(cfg, queue, clock, NULL, ret);
}

int vsd_buses_pause(struct vsd_buses *b, void (*pump)(void *ctx), void *ctx, char *stuck,
                    size_t size)
{
    size_t running = 0;
    int64_t bound = 0, deadline;

    if (!b)
        return 0;
    for (size_t k = 0; k < b->n_buses; k++) {
        running += b->buses[k]->running;
        for (size_t i = 0; i < b->buses[k]->n; i++) {
            int64_t x = exchange_bound(b->buses[k]->slots[i]);
            bound = x > bound ? x : bound;
        }
    }
    deadline = real_ms() + bound;
    pthread_mutex_lock(&b->lock);
    b->pause = true;
    pthread_cond_broadcast(&b->wake);
    for (size_t k = 0; k < b->n_buses; k++)
        vsd_bus_wake(b->buses[k]);
    while (b->n_parked < running && real_ms() < deadline) {
        pthread_mutex_unlock(&b->lock); /* a thread may wait for queue room: keep it moving */
        pump(ctx);
        pthread_mutex_lock(&b->lock);
    }
    for (size_t k = 0; b->n_parked < running && k < b->n_buses; k++)
        if (b->buses[k]->running && !b->buses[k]->parked)
            snprintf(stuck, size, "%s", b->buses[k]->progress.name);
    pthread_mutex_unlock(&b->lock);
    return b->n_parked >= running ? 0 : -ETIMEDOUT;
}

void vsd_buses_resume(struct vsd_buses *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->pause = false;
    pthread_cond_broadcast(&b->wake);
    pthread_mutex_unlock(&b->lock);
}

void vsd_buses_stop(struct vsd_buses *b)
{
    if (!b)
        return;
    pthread_mutex_lock(&b->lock);
    b->stop = true;
    pthread_cond_broadcast(&b->wake);
    for (size_t k = 0; k < b->n_buses; k++)
        vsd_bus_wake(b->buses[k]);
    pthread_mutex_unlock(&b->lock);
    for (size_t k = 0; k < b->n_buses; k++)
        vsd_bus_retire(b->buses[k]);
    pthread_cond_destroy(&b->wake);
    pthread_mutex_destroy(&b->lock);
    free(b->buses);
    free(b);
}
