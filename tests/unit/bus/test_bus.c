/* SPDX-License-Identifier: MIT */
/* Tests of the bus threads with a scripted test driver: cadence, health, reopen limits, stop. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus.h"
#include "device.h"

#define MAX_DEVS 3
#define MAX_TIMES 256

/* What one test device does and what happened to it; shared with its bus thread. */
struct tdev {
    pthread_mutex_t lock;
    const char *key;    /* bus_key() */
    int poll_err;       /* poll() returns this (after pushing a reading) when non-zero */
    int open_err;       /* open() returns this when non-zero */
    int poll_sleep_ms;  /* how long one exchange takes */
    int fail_once;      /* poll_err applies to the next poll only */
    const char *serial; /* reported with vsd_device_identity() on every poll when set */
    int opens, closes, polls;
    int64_t close_at;
    int64_t open_at[MAX_TIMES], poll_at[MAX_TIMES];
    pthread_t poll_thread;
};

struct fixture {
    struct vsd_device_config devs[MAX_DEVS]; /* first: the driver finds the fixture from it */
    struct tdev t[MAX_DEVS];
    struct vsd_config cfg;
    struct vsd_queue *q;
    struct vsd_buses *buses;
    int up[MAX_DEVS]; /* as last reported: 1 up, -1 down, 0 none yet */
    bool degraded[MAX_DEVS];
};

static int64_t now_ms(void)
{
    return vsd_clock_mono_ms(&vsd_clock_system);
}

static struct tdev *tdev_of(const struct vsd_device *dev)
{
    struct fixture *f = (struct fixture *)(dev->cfg - dev->index);

    return &f->t[dev->index];
}

static const char *t_bus_key(const struct vsd_device *dev)
{
    return tdev_of(dev)->key;
}

static int t_open(struct vsd_device *dev)
{
    struct tdev *t = tdev_of(dev);
    int r;

    pthread_mutex_lock(&t->lock);
    if (t->opens < MAX_TIMES)
        t->open_at[t->opens] = now_ms();
    t->opens++;
    r = t->open_err;
    pthread_mutex_unlock(&t->lock);
    return r;
}

static int t_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct tdev *t = tdev_of(dev);
    struct vsd_reading r = {.vital = VSD_VITAL_HR, .value = 60, .flags = 0, .measured_ms = 0};
    int err, sleep_ms;

    pthread_mutex_lock(&t->lock);
    if (t->polls < MAX_TIMES)
        t->poll_at[t->polls] = now_ms();
    t->polls++;
    t->poll_thread = pthread_self();
    err = t->poll_err;
    if (t->fail_once) {
        t->fail_once = 0;
        t->poll_err = 0;
    }
    sleep_ms = t->poll_sleep_ms;
    if (t->serial)
        vsd_device_identity(dev, "T-1", t->serial);
    pthread_mutex_unlock(&t->lock);
    if (sleep_ms)
        usleep((useconds_t)sleep_ms * 1000);
    assert_int_equal(vsd_sink_push(sink, &r), 0); /* discarded by the bus on error */
    return err;
}

static void t_close(struct vsd_device *dev)
{
    struct tdev *t = tdev_of(dev);

    pthread_mutex_lock(&t->lock);
    t->closes++;
    t->close_at = now_ms();
    pthread_mutex_unlock(&t->lock);
}

static const struct vsd_option no_options[] = {{NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL}};

static const struct vsd_driver test_driver = {
    .name = "test",
    .summary = "scripted test device",
    .options = no_options,
    .bus_key = t_bus_key,
    .open = t_open,
    .poll = t_poll,
    .close = t_close,
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    static char *const names[MAX_DEVS] = {"dev0", "dev1", "dev2"};

    if (!f)
        return -1;
    for (size_t i = 0; i < MAX_DEVS; i++) {
        f->devs[i] = (struct vsd_device_config){
            .name = names[i], .driver = &test_driver, .poll_ms = 100, .timeout_ms = 50};
        pthread_mutex_init(&f->t[i].lock, NULL);
    }
    f->cfg.devices = f->devs;
    f->cfg.n_devices = 1;
    f->q = vsd_queue_new(1024);
    *state = f;
    return f->q ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    vsd_buses_stop(f->buses);
    vsd_queue_free(f->q);
    for (size_t i = 0; i < MAX_DEVS; i++)
        pthread_mutex_destroy(&f->t[i].lock);
    free(f);
    return 0;
}

static void start(struct fixture *f)
{
    assert_int_equal(vsd_buses_start(&f->cfg, f->q, &vsd_clock_system, &f->buses), 0);
}

static void stop(struct fixture *f)
{
    vsd_buses_stop(f->buses);
    f->buses = NULL;
}

/* Read a tdev counter under its lock. */
static int get(struct tdev *t, const int *field)
{
    int v;

    pthread_mutex_lock(&t->lock);
    v = *field;
    pthread_mutex_unlock(&t->lock);
    return v;
}

static void set(struct tdev *t, int *field, int v)
{
    pthread_mutex_lock(&t->lock);
    *field = v;
    pthread_mutex_unlock(&t->lock);
}

/* Events seen since the last call, by kind. */
struct seen {
    int polls, ups, downs; /* changes of "up" only */
    int degraded_on, degraded_off;
    int last_err;
    int first_state;                   /* 1 up, -1 down, 0 none yet */
    int identities;                    /* VSD_EV_DEVICE_IDENTITY events */
    int polls_before_identity;         /* poll results seen before the first of them */
    char serial[VSD_IDENTITY_MAX + 1]; /* of the last one */
};

static void drain(struct fixture *f, struct seen *s, int wait_ms)
{
    struct vsd_event ev;
    int64_t end = now_ms() + wait_ms;

    memset(s, 0, sizeof(*s));
    for (;;) {
        int64_t left = end - now_ms();
        int r = vsd_queue_pop(f->q, &ev, left > 0 ? (int)left : 0);

        if (r != 1)
            break;
        if (ev.type == VSD_EV_POLL) {
            assert_int_equal(ev.u.poll.n, 1);
            assert_int_equal(ev.u.poll.readings[0].vital, VSD_VITAL_HR);
            assert_true(ev.u.poll.wall_ms > 1600000000000LL);
            s->polls++;
        } else if (ev.type == VSD_EV_DEVICE_IDENTITY) {
            assert_string_equal(ev.u.identity.model, "T-1");
            if (!s->identities++)
                s->polls_before_identity = s->polls;
            memcpy(s->serial, ev.u.identity.serial, sizeof(s->serial));
        } else if (ev.type == VSD_EV_DEVICE_STATE) {
            size_t d = ev.u.state.device;
            int up = ev.u.state.up ? 1 : -1;

            assert_true(d < MAX_DEVS);
            if (!s->first_state)
                s->first_state = up;
            if (ev.u.state.degraded != f->degraded[d]) {
                f->degraded[d] = ev.u.state.degraded;
                f->degraded[d] ? s->degraded_on++ : s->degraded_off++;
            }
            if (up == f->up[d])
                continue;
            f->up[d] = up;
            if (ev.u.state.up) {
                assert_int_equal(ev.u.state.err, 0);
                s->ups++;
            } else {
                s->downs++;
                s->last_err = ev.u.state.err;
            }
        }
    }
}

static void test_polls_at_period(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;
    int n;

    start(f);
    drain(f, &s, 1050);
    stop(f);
    n = get(t, &t->polls);
    /* Polls at 0, 100, ..., 1000 ms: 11, +-20%. */
    assert_true(n >= 9 && n <= 13);
    assert_int_equal(s.polls, n);
    assert_int_equal(s.first_state, 1);
    assert_int_equal(s.ups, 1);
    assert_int_equal(s.downs, 0);
    /* Mean spacing 100 ms +-20%, and never a burst. */
    assert_true(t->poll_at[n - 1] - t->poll_at[0] >= (n - 1) * 80);
    assert_true(t->poll_at[n - 1] - t->poll_at[0] <= (n - 1) * 120);
    for (int i = 1; i < n; i++)
        assert_true(t->poll_at[i] - t->poll_at[i - 1] >= 50);
    assert_int_equal(t->opens, 1);
    assert_int_equal(t->closes, 1); /* closed by stop */
}

static void test_down_and_up_link_kept(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;
    int polls_before;

    f->devs[0].poll_ms = 50;
    start(f);
    drain(f, &s, 200);
    assert_int_equal(s.first_state, 1);
    assert_true(s.polls >= 2);
    set(t, &t->poll_err, -ETIMEDOUT);
    drain(f, &s, 300);
    polls_before = get(t, &t->polls);
    assert_int_equal(s.downs, 1);
    assert_int_equal(s.last_err, -ETIMEDOUT);
    assert_true(s.polls <= 1); /* one answer may have been queued just before; then none */
    assert_int_equal(s.ups, 0);
    set(t, &t->poll_err, 0);
    drain(f, &s, 300);
    assert_int_equal(s.ups, 1);
    assert_int_equal(s.downs, 0);
    assert_true(s.polls >= 3);
    assert_true(get(t, &t->polls) > polls_before);
    assert_int_equal(get(t, &t->opens), 1); /* -ETIMEDOUT keeps the link */
    assert_int_equal(get(t, &t->closes), 0);
}

/* Garbled answers: "degraded" after the third in a row, down after the fifth. */
static void test_garbled_answers_down_then_degraded(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;

    t->poll_err = -EPROTO;
    start(f);
    drain(f, &s, 550);
    assert_int_equal(s.first_state, -1);
    assert_int_equal(s.downs, 1);
    assert_int_equal(s.degraded_on, 1);
    assert_int_equal(s.last_err, -EPROTO);
    assert_int_equal(s.polls, 0);
    assert_true(get(t, &t->polls) >= 3);
    set(t, &t->poll_err, 0);
    drain(f, &s, 250);
    assert_int_equal(s.first_state, 1);
    assert_int_equal(s.ups, 1);
    assert_int_equal(s.degraded_off, 0); /* ends only after 10 clean polls */
    drain(f, &s, 1000);
    assert_int_equal(s.degraded_off, 1);
}

/* One lost answer is not "down" (docs/reliability.md T10: no false comms-loss alerts). */
static void test_single_timeout_is_not_down(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;

    start(f);
    drain(f, &s, 250);
    assert_int_equal(s.ups, 1);
    pthread_mutex_lock(&t->lock);
    t->poll_err = -ETIMEDOUT;
    t->fail_once = 1;
    pthread_mutex_unlock(&t->lock);
    drain(f, &s, 400);
    assert_int_equal(s.downs, 0);
    assert_true(s.polls >= 2);
}

static void test_unplug_reopen_rate_limited(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;
    int opens;

    start(f);
    drain(f, &s, 250);
    assert_int_equal(s.ups, 1);
    pthread_mutex_lock(&t->lock);
    t->poll_err = -EIO;
    t->open_err = -ENODEV;
    pthread_mutex_unlock(&t->lock);
    drain(f, &s, 2600);
    assert_int_equal(s.downs, 1);
    assert_int_equal(s.last_err, -EIO);
    assert_int_equal(get(t, &t->closes), 1);
    /* One open at start, then at most one per second of outage (~2.5 s). */
    opens = get(t, &t->opens);
    assert_true(opens >= 2 && opens <= 4);
    assert_true(t->open_at[1] - t->close_at >= 990);
    for (int i = 2; i < opens; i++)
        assert_true(t->open_at[i] - t->open_at[i - 1] >= 990);
    pthread_mutex_lock(&t->lock);
    t->poll_err = 0;
    t->open_err = 0;
    pthread_mutex_unlock(&t->lock);
    drain(f, &s, 1300);
    assert_int_equal(s.ups, 1);
    assert_int_equal(s.downs, 0);
    assert_true(s.polls >= 2);
    assert_int_equal(get(t, &t->opens), opens + 1);
}

static void test_open_failure_at_start(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;

    t->open_err = -ENOENT;
    start(f);
    drain(f, &s, 500);
    assert_int_equal(s.first_state, -1);
    assert_int_equal(s.downs, 1);
    assert_int_equal(s.last_err, -ENOENT);
    assert_int_equal(get(t, &t->opens), 1);
    assert_int_equal(get(t, &t->polls), 0);
    set(t, &t->open_err, 0);
    drain(f, &s, 800);
    assert_int_equal(s.ups, 1);
    assert_int_equal(get(t, &t->opens), 2);
    stop(f);
    assert_int_equal(t->closes, 1); /* only the successful open is closed */
}

/* An identity reaches the queue before the readings of its exchange, once per change; it is
 * forgotten when the link closes, so the device on the reopened link reports again. */
static void test_identity_before_readings(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;

    t->serial = "SN-A";
    start(f);
    drain(f, &s, 350);
    assert_int_equal(s.identities, 1);
    assert_int_equal(s.polls_before_identity, 0);
    assert_string_equal(s.serial, "SN-A");
    assert_true(s.polls >= 2);
    pthread_mutex_lock(&t->lock);
    t->serial = "SN-B";
    pthread_mutex_unlock(&t->lock);
    drain(f, &s, 250);
    assert_int_equal(s.identities, 1);
    assert_string_equal(s.serial, "SN-B");
    pthread_mutex_lock(&t->lock);
    t->poll_err = -EIO; /* unplugged: closed, reopened a second later */
    t->fail_once = 1;
    pthread_mutex_unlock(&t->lock);
    drain(f, &s, 1500);
    assert_int_equal(get(t, &t->closes), 1);
    assert_int_equal(s.identities, 1);
    assert_int_equal(s.polls_before_identity, 0);
    assert_string_equal(s.serial, "SN-B");
}

static void test_shared_bus_key_shares_thread(void **state)
{
    struct fixture *f = *state;
    struct seen s;

    f->cfg.n_devices = 3;
    f->t[0].key = "/dev/ttyUSB0";
    f->t[1].key = "/dev/ttyUSB0";
    f->t[2].key = NULL;
    start(f);
    drain(f, &s, 300);
    stop(f);
    assert_true(f->t[0].polls >= 2 && f->t[1].polls >= 2 && f->t[2].polls >= 2);
    assert_true(pthread_equal(f->t[0].poll_thread, f->t[1].poll_thread));
    assert_false(pthread_equal(f->t[0].poll_thread, f->t[2].poll_thread));
    assert_false(pthread_equal(f->t[0].poll_thread, pthread_self()));
    assert_int_equal(s.ups, 3);
}

static void test_stop_is_prompt(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;
    int64_t t0;

    f->devs[0].poll_ms = 10000;
    start(f);
    drain(f, &s, 100);
    assert_int_equal(get(t, &t->polls), 1);
    t0 = now_ms();
    stop(f);
    assert_true(now_ms() - t0 < 200);
    assert_int_equal(t->closes, 1);
}

/* A full queue drops poll results; a state change waiting for room does not block stop. */
static void test_full_queue(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    int64_t t0;

    vsd_queue_free(f->q);
    f->q = vsd_queue_new(1);
    f->devs[0].poll_ms = 20;
    start(f);
    usleep(200 * 1000);
    assert_true(vsd_queue_dropped(f->q) >= 3);
    set(t, &t->poll_err, -EPROTO); /* a state change, with no room for it */
    usleep(150 * 1000);
    t0 = now_ms();
    stop(f);
    assert_true(now_ms() - t0 < 300);
}

/* An exchange slower than the period: skipped polls, never a burst to catch up. */
static void test_slow_poll_skips(void **state)
{
    struct fixture *f = *state;
    struct tdev *t = &f->t[0];
    struct seen s;
    int n;

    t->poll_sleep_ms = 230;
    start(f);
    drain(f, &s, 1000);
    stop(f);
    n = t->polls;
    assert_true(n >= 3 && n <= 5);
    for (int i = 1; i < n; i++)
        assert_true(t->poll_at[i] - t->poll_at[i - 1] >= 230);
}

static void test_no_devices(void **state)
{
    struct fixture *f = *state;

    f->cfg.n_devices = 0;
    start(f);
    stop(f);
    vsd_buses_stop(NULL);
}

static void pump(void *ctx)
{
    struct fixture *f = ctx;
    struct vsd_event ev;

    vsd_queue_pop(f->q, &ev, 2);
}

/* A reload: the bus whose devices are unchanged keeps its thread and open links (polled on,
 * a poll interval stretched by the pause alone); the changed device's bus is stopped (closed)
 * and started again (opened anew). */
static void test_reload_keeps_unchanged(void **state)
{
    struct fixture *f = *state;
    const size_t dev_from[3] = {0, 1, SIZE_MAX};
    size_t kept, stopped, started;
    struct seen s;
    char stuck[80] = "";
    int before;

    f->cfg.n_devices = 3;
    f->t[0].key = "lineA";
    f->t[1].key = "lineA";
    start(f);
    drain(f, &s, 300);
    before = get(&f->t[0], &f->t[0].polls);
    assert_int_equal(vsd_buses_pause(f->buses, pump, f, stuck, sizeof(stuck)), 0);
    assert_int_equal(vsd_buses_reload(f->buses, &f->cfg, dev_from, &kept, &stopped, &started), 0);
    assert_int_equal(get(&f->t[2], &f->t[2].closes), 1); /* its old thread's link */
    vsd_buses_resume(f->buses);
    drain(f, &s, 300);
    stop(f);
    assert_int_equal(kept, 1);
    assert_int_equal(stopped, 1);
    assert_int_equal(started, 1);
    assert_true(f->t[0].polls >= before + 2);
    assert_int_equal(f->t[0].opens, 1);
    assert_int_equal(f->t[1].opens, 1);
    assert_int_equal(f->t[2].opens, 2);
    for (int i = 1; i < f->t[0].polls && i < MAX_TIMES; i++)
        assert_true(f->t[0].poll_at[i] - f->t[0].poll_at[i - 1] < 100 + 60);
}

/* A thread inside an exchange past its bound (2 x timeout + 2 s) cannot park: the pause gives
 * up naming it, and the watchdog's heartbeat names it stuck; an idle thread polled every 10 s
 * still beats at least every second. */
static void test_pause_and_heartbeat_stuck(void **state)
{
    struct fixture *f = *state;
    struct vsd_heartbeat_set set;
    char stuck[80] = "", name[80] = "";
    int64_t late = 0, t0;
    struct seen s;

    assert_int_equal(vsd_heartbeat_set_init(&set), 0);
    f->cfg.n_devices = 2;
    f->devs[1].poll_ms = 10000;
    assert_int_equal(vsd_buses_start_watched(&f->cfg, f->q, &vsd_clock_system, &set, &f->buses), 0);
    drain(f, &s, 1200);
    assert_true(vsd_heartbeat_check(&set, now_ms(), name, sizeof(name), &late));
    drain(f, &s, 1200); /* dev1 idle the whole time: its thread beat anyway */
    assert_true(vsd_heartbeat_check(&set, now_ms(), name, sizeof(name), &late));
    pthread_mutex_lock(&f->t[0].lock);
    f->t[0].poll_sleep_ms = 3500;
    pthread_mutex_unlock(&f->t[0].lock);
    drain(f, &s, 250); /* dev0's next poll has begun */
    t0 = now_ms();
    assert_int_equal(vsd_buses_pause(f->buses, pump, f, stuck, sizeof(stuck)), -ETIMEDOUT);
    assert_true(now_ms() - t0 >= 2000);
    assert_string_equal(stuck, "bus of device 'dev0'");
    vsd_buses_resume(f->buses);
    vsd_heartbeat_check(&set, now_ms(), name, sizeof(name), &late); /* its beat before the poll */
    assert_false(vsd_heartbeat_check(&set, now_ms(), name, sizeof(name), &late));
    assert_string_equal(name, "bus of device 'dev0'");
    pthread_mutex_lock(&f->t[0].lock);
    f->t[0].poll_sleep_ms = 0;
    pthread_mutex_unlock(&f->t[0].lock);
    stop(f);
    vsd_heartbeat_set_destroy(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_polls_at_period, setup, teardown),
        cmocka_unit_test_setup_teardown(test_down_and_up_link_kept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbled_answers_down_then_degraded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_timeout_is_not_down, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unplug_reopen_rate_limited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_failure_at_start, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identity_before_readings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_bus_key_shares_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_is_prompt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_poll_skips, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_keeps_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_and_heartbeat_stuck, setup, teardown),
    };

    vsd_log_set_level(LOG_CRIT); /* device state changes log warnings on purpose */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
