/* SPDX-License-Identifier: MIT */
/* The event loop: every device whose driver has a non-blocking side (vsd_nb_ops), on one thread
 * with an epoll set and a heap of per-device timers (next poll, connect or answer deadline). The
 * schedule, health rules and back-off are bus.c's; only the waiting differs, so a slow or dead
 * device costs the others nothing but its own few system calls. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vitalsd/log.h>

#include "bus_int.h"

#define MAX_EVENTS 64
#define DRAIN_MAX 4096 /* stale bytes dropped before one request, at most */
#define SPREAD_STEP_MS 250  /* first polls start in groups this far apart */
#define PAUSE_RECHECK_MS 10 /* a poll due while a pause waits for exchanges: looked at again */

enum { NB_IDLE, NB_CONNECTING, NB_WAITING };

struct loop {
    struct bus *bus;
    int epfd;
    struct slot **heap; /* a binary min-heap on slot->when */
    size_t n_heap;
    size_t inflight; /* slots connecting or waiting for an answer */
};

static void heap_set(struct loop *l, size_t i, struct slot *s)
{
    l->heap[i] = s;
    s->heap_i = i;
}

static void sift_up(struct loop *l, size_t i)
{
    struct slot *s = l->heap[i];

    while (i > 0 && s->when < l->heap[(i - 1) / 2]->when) {
        heap_set(l, i, l->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_set(l, i, s);
}

static void sift_down(struct loop *l, size_t i)
{
    struct slot *s = l->heap[i];

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= l->n_heap)
            break;
        if (c + 1 < l->n_heap && l->heap[c + 1]->when < l->heap[c]->when)
            c++;
        if (l->heap[c]->when >= s->when)
            break;
        heap_set(l, i, l->heap[c]);
        i = c;
    }
    heap_set(l, i, s);
}

/* S's timer at WHEN, whether or not it is in the heap yet. */
static void set_timer(struct loop *l, struct slot *s, int64_t when)
{
    s->when = when;
    if (s->heap_i == SIZE_MAX) {
        heap_set(l, l->n_heap++, s);
        sift_up(l, s->heap_i);
        return;
    }
    sift_up(l, s->heap_i);
    sift_down(l, s->heap_i);
}

static struct slot *pop_timer(struct loop *l)
{
    struct slot *top = l->heap[0];

    top->heap_i = SIZE_MAX;
    if (--l->n_heap > 0) {
        heap_set(l, 0, l->heap[l->n_heap]);
        sift_down(l, 0);
    }
    return top;
}

static void set_state(struct loop *l, struct slot *s, int state)
{
    if ((s->nb == NB_IDLE) != (state == NB_IDLE))
        l->inflight += state == NB_IDLE ? (size_t)-1 : 1;
    s->nb = state;
}

static int watch(struct loop *l, struct slot *s, int op, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.ptr = s};

    return epoll_ctl(l->epfd, op, s->fd, &ev) < 0 ? -errno : 0;
}

/* The exchange ended with R (0: answered, EV holding N readings): health, then the next poll. */
static void finish(struct loop *l, struct slot *s, int r, struct vsd_event *ev, size_t n)
{
    set_state(l, s, NB_IDLE);
    if (r == 0)
        vsd_bus_answered(l->bus->owner, s, ev, n);
    else
        vsd_bus_poll_failed(l->bus->owner, s, r); /* a broken link is closed there */
    if (!s->dev.open)
        s->fd = -1;
    vsd_bus_reschedule(s, vsd_bus_now());
    set_timer(l, s, s->due);
}

/* The link could not be opened (connect refused, failed or timed out): down, back-off. */
static void open_failed(struct loop *l, struct slot *s, int err)
{
    set_state(l, s, NB_IDLE);
    vsd_bus_close_device(s); /* closes the socket, which leaves the epoll set with it */
    s->fd = -1;
    vsd_bus_set_health(l->bus->owner, s, false, err);
    vsd_bus_reschedule(s, vsd_bus_now());
    set_timer(l, s, s->due);
}

static int sock_err(int e)
{
    return e == EPIPE || e == ECONNRESET || e == ENOTCONN ? -e : -EIO;
}

/* Drop what is waiting on the socket (a late answer, the rest of a wrong one), as the blocking
 * link flushes before each request. Returns 0, or a broken-link error (the peer closed). */
static int drain(struct slot *s)
{
    uint8_t junk[512];

    for (size_t total = 0; total < DRAIN_MAX;) {
        ssize_t n = recv(s->fd, junk, sizeof(junk), MSG_DONTWAIT);

        if (n == 0)
            return -ECONNRESET;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : sock_err(errno);
        total += (size_t)n;
    }
    return 0;
}

/* Send one request of LEN bytes and wait TIMEOUT_MS for its answer. */
static int send_request(struct loop *l, struct slot *s, const uint8_t *req, size_t len,
                        int64_t timeout_ms)
{
    int r = drain(s);
    ssize_t n;

    if (r < 0)
        return r;
    n = send(s->fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0)
        return sock_err(errno);
    if ((size_t)n != len)
        return -EIO; /* a dozen bytes on an idle socket: a full buffer is a stuck peer */
    s->rx_len = 0;
    set_state(l, s, NB_WAITING);
    set_timer(l, s, vsd_bus_now() + timeout_ms);
    return 0;
}

static void begin_poll(struct loop *l, struct slot *s)
{
    uint8_t req[VSD_NB_MAX_ADU];
    size_t len = 0;
    int64_t timeout_ms = vsd_device_timeout_ms(&s->dev);
    int r;

    s->dev.bad_frames = 0;
    r = s->drv->nb->begin(&s->dev, req, &len, &timeout_ms);
    r = r < 0 ? r : send_request(l, s, req, len, timeout_ms);
    if (r < 0)
        finish(l, s, r, NULL, 0);
}

/* A due poll: connect first when the link is closed (at most once per reopen interval). */
static void start(struct loop *l, struct slot *s, int64_t now)
{
    int r;

    if (s->dev.open) {
        begin_poll(l, s);
        return;
    }
    if (s->tried_open && now - s->last_open < vsd_bus_reopen_interval(s)) {
        vsd_bus_reschedule(s, now);
        set_timer(l, s, s->due);
        return;
    }
    s->tried_open = true;
    s->last_open = now;
    r = s->drv->nb->connect(&s->dev, &s->fd);
    if (r == 0) {
        s->dev.open = true;
        r = watch(l, s, EPOLL_CTL_ADD, EPOLLOUT);
    }
    if (r < 0) {
        open_failed(l, s, r);
        return;
    }
    set_state(l, s, NB_CONNECTING);
    set_timer(l, s, now + vsd_device_timeout_ms(&s->dev));
}

static void connected(struct loop *l, struct slot *s)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err == 0)
        err = -watch(l, s, EPOLL_CTL_MOD, EPOLLIN);
    if (err != 0) {
        open_failed(l, s, -err);
        return;
    }
    begin_poll(l, s);
}

/* Answer bytes: hand them to the driver until it has the whole answer (or a next request). */
static void readable(struct loop *l, struct slot *s)
{
    struct vsd_event ev = {.type = VSD_EV_POLL};
    struct vsd_sink sink = {.readings = ev.u.poll.readings, .n = 0};

    for (;;) {
        uint8_t out[VSD_NB_MAX_ADU];
        size_t out_len = 0;
        int64_t timeout_ms = 0;
        ssize_t n = recv(s->fd, s->rx + s->rx_len, sizeof(s->rx) - s->rx_len, MSG_DONTWAIT);
        int r;

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            finish(l, s, n == 0 ? -ECONNRESET : sock_err(errno), NULL, 0);
            return;
        }
        s->rx_len += (size_t)n;
        r = s->drv->nb->input(&s->dev, s->rx, s->rx_len, out, &out_len, &timeout_ms, &sink);
        if (r == VSD_NB_MORE && s->rx_len < sizeof(s->rx))
            continue;
        if (r == VSD_NB_SEND && (r = send_request(l, s, out, out_len, timeout_ms)) == 0)
            return;
        finish(l, s, r == VSD_NB_MORE ? -EBADMSG : r, &ev, sink.n);
        return;
    }
}

static void on_io(struct loop *l, struct slot *s)
{
    if (s->nb == NB_CONNECTING)
        connected(l, s);
    else if (s->nb == NB_WAITING)
        readable(l, s);
    else if (drain(s) < 0) { /* idle: the peer closed; reconnect at the next poll */
        vsd_bus_close_device(s);
        s->fd = -1;
    }
}

/* A timer: a due poll, or a deadline passed. While pausing, due polls wait (after the park the
 * timers are set again from the schedule). */
static void on_timer(struct loop *l, struct slot *s, int64_t now, bool pausing)
{
    if (s->nb == NB_IDLE) {
        if (pausing)
            set_timer(l, s, now + PAUSE_RECHECK_MS);
        else
            start(l, s, now);
    } else if (s->nb == NB_CONNECTING) {
        open_failed(l, s, -ETIMEDOUT);
    } else {
        if (s->drv->nb->timed_out)
            s->drv->nb->timed_out(&s->dev);
        finish(l, s, -ETIMEDOUT, NULL, 0);
    }
}

/* Timers due, then the sockets ready, waiting at most a beat. */
static void loop_once(struct loop *l, bool pausing)
{
    struct epoll_event evs[MAX_EVENTS];
    int64_t now = vsd_bus_now(), wait = VSD_BUS_BEAT_MS;
    int n;

    while (l->n_heap > 0 && l->heap[0]->when <= now)
        on_timer(l, pop_timer(l), now, pausing);
    if (l->n_heap > 0 && l->heap[0]->when - now < wait)
        wait = l->heap[0]->when - now;
    vsd_heartbeat_beat(&l->bus->progress, now, wait + VSD_BUS_BEAT_SLACK_MS);
    n = epoll_wait(l->epfd, evs, MAX_EVENTS, (int)wait);
    for (int i = 0; i < n; i++) {
        uint64_t count;

        if (evs[i].data.ptr)
            on_io(l, evs[i].data.ptr);
        else if (read(l->bus->wake_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
            vsd_log(LOG_DEBUG, "event loop: wake: %s", strerror(errno));
    }
}

/* The first poll of the K-th of N new devices: spread over one period in steps of SPREAD_STEP_MS,
 * so that a thousand devices neither connect and ask in the same millisecond (the first answers
 * time out) nor each wake the core on its own (every wake-up costs the core, store and MQTT
 * threads a round of work: at 1 Hz, four groups measured 0.11 CPU s per 1,000 polls at 1,000
 * devices, evenly spread ones several times more). */
static int64_t spread(int64_t poll, size_t k, size_t n)
{
    int64_t at = poll * (int64_t)k / (int64_t)n;

    return at - at % SPREAD_STEP_MS;
}

/* The epoll set and the timers from the bus's slots: at the start and after every pause, since a
 * reload may have closed, kept or added devices meanwhile. Every slot is idle here. */
static int rebuild(struct loop *l)
{
    struct bus *bus = l->bus;
    struct epoll_event wake = {.events = EPOLLIN, .data.ptr = NULL};
    struct slot **heap = realloc(l->heap, (bus->n ? bus->n : 1) * sizeof(*heap));

    if (!heap)
        return -ENOMEM;
    l->heap = heap;
    l->n_heap = 0;
    l->inflight = 0;
    if (l->epfd >= 0)
        close(l->epfd);
    l->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (l->epfd < 0 || epoll_ctl(l->epfd, EPOLL_CTL_ADD, bus->wake_fd, &wake) < 0)
        return -errno;
    for (size_t i = 0, k = 0; i < bus->n; i++) {
        struct slot *s = bus->slots[i];

        if (!s->tried_open) /* a first poll: spread over one period, not all in one burst */
            s->due = vsd_bus_now() + spread(vsd_device_poll_ms(&s->dev), k++, bus->n);
        s->nb = NB_IDLE;
        s->heap_i = SIZE_MAX;
        if (s->dev.open && s->fd >= 0 && watch(l, s, EPOLL_CTL_ADD, EPOLLIN) < 0) {
            vsd_bus_close_device(s); /* reconnects at its next poll */
            s->fd = -1;
        }
        set_timer(l, s, s->due);
    }
    return 0;
}

/* While a pause waits for exchanges under way, no new one starts; then the loop parks. */
static void run(struct loop *l)
{
    struct bus *bus = l->bus;
    struct vsd_buses *b = bus->owner;

    pthread_mutex_lock(&b->lock);
    while (!b->stop && !bus->stop) {
        bool pausing = b->pause;

        if (pausing && l->inflight == 0) {
            vsd_bus_park(bus);
            pthread_mutex_unlock(&b->lock);
            if (rebuild(l) < 0)
                vsd_log(LOG_CRIT, "event loop: %s: its devices are not polled", strerror(errno));
            pthread_mutex_lock(&b->lock);
            continue;
        }
        pthread_mutex_unlock(&b->lock);
        loop_once(l, pausing);
        pthread_mutex_lock(&b->lock);
    }
    pthread_mutex_unlock(&b->lock);
}

void *vsd_bus_loop_main(void *arg)
{
    struct loop l = {.bus = arg, .epfd = -1};
    int r = rebuild(&l);

    if (r < 0)
        vsd_log(LOG_CRIT, "event loop: %s: its devices are not polled", strerror(-r));
    else {
        vsd_log(LOG_INFO, "event loop: %zu network devices on one thread", l.bus->n);
        run(&l);
    }
    if (l.epfd >= 0)
        close(l.epfd);
    free(l.heap);
    return NULL;
}
