/* SPDX-License-Identifier: MIT */
/* The bounded event queue: a ring under a mutex, condvars on the monotonic clock. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "queue.h"

struct vsd_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    struct vsd_event *ring;
    size_t capacity;
    size_t head;      /* oldest event */
    size_t len;       /* written under lock, read atomically */
    uint64_t dropped; /* idem */
    bool closed;
};

struct vsd_queue *vsd_queue_new(size_t capacity)
{
    struct vsd_queue *q = calloc(1, sizeof(*q));

    if (!q || capacity == 0)
        goto fail;
    q->ring = calloc(capacity, sizeof(*q->ring));
    if (!q->ring)
        goto fail;
    q->capacity = capacity;
    if (pthread_mutex_init(&q->lock, NULL) != 0)
        goto fail;
    if (vsd_clock_cond_init(&q->not_empty) < 0)
        goto fail_mutex;
    if (vsd_clock_cond_init(&q->not_full) < 0)
        goto fail_cond;
    return q;
fail_cond:
    pthread_cond_destroy(&q->not_empty);
fail_mutex:
    pthread_mutex_destroy(&q->lock);
fail:
    if (q)
        free(q->ring);
    free(q);
    return NULL;
}

void vsd_queue_free(struct vsd_queue *q)
{
    if (!q)
        return;
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    pthread_mutex_destroy(&q->lock);
    free(q->ring);
    free(q);
}

/* The absolute CLOCK_MONOTONIC time TIMEOUT_MS from now. */
static struct timespec deadline(int timeout_ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Wait on C until signalled or DL passes (DL NULL: forever). Returns ETIMEDOUT or 0. */
static int wait_on(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *dl)
{
    return dl ? pthread_cond_timedwait(c, m, dl) : pthread_cond_wait(c, m);
}

/* Append EV; the caller holds the lock and made sure there is room. */
static void put(struct vsd_queue *q, const struct vsd_event *ev)
{
    q->ring[(q->head + q->len) % q->capacity] = *ev;
    __atomic_store_n(&q->len, q->len + 1, __ATOMIC_RELAXED);
    pthread_cond_signal(&q->not_empty);
}

int vsd_queue_push(struct vsd_queue *q, const struct vsd_event *ev)
{
    int r = 0;

    pthread_mutex_lock(&q->lock);
    if (q->closed) {
        r = -ECANCELED;
    } else if (q->len == q->capacity) {
        __atomic_store_n(&q->dropped, q->dropped + 1, __ATOMIC_RELAXED);
        r = -ENOBUFS;
    } else {
        put(q, ev);
    }
    pthread_mutex_unlock(&q->lock);
    return r;
}

int vsd_queue_push_timed(struct vsd_queue *q, const struct vsd_event *ev, int timeout_ms)
{
    struct timespec dl = deadline(timeout_ms < 0 ? 0 : timeout_ms);
    int waited = 0, r = 0;

    pthread_mutex_lock(&q->lock);
    while (!q->closed && q->len == q->capacity && timeout_ms != 0 && waited == 0)
        waited = wait_on(&q->not_full, &q->lock, timeout_ms < 0 ? NULL : &dl);
    if (q->closed)
        r = -ECANCELED;
    else if (q->len == q->capacity)
        r = -ETIMEDOUT;
    else
        put(q, ev);
    pthread_mutex_unlock(&q->lock);
    return r;
}

int vsd_queue_push_wait(struct vsd_queue *q, const struct vsd_event *ev)
{
    return vsd_queue_push_timed(q, ev, -1);
}

/* A negative TIMEOUT_MS waits for as long as it takes, 0 does not wait. */
int vsd_queue_pop(struct vsd_queue *q, struct vsd_event *out, int timeout_ms)
{
    struct timespec dl = deadline(timeout_ms < 0 ? 0 : timeout_ms);
    int waited = 0, r;

    pthread_mutex_lock(&q->lock);
    while (q->len == 0 && !q->closed && timeout_ms != 0 && waited == 0)
        waited = wait_on(&q->not_empty, &q->lock, timeout_ms < 0 ? NULL : &dl);
    if (q->len > 0) {
        *out = q->ring[q->head];
        q->head = (q->head + 1) % q->capacity;
        __atomic_store_n(&q->len, q->len - 1, __ATOMIC_RELAXED);
        pthread_cond_signal(&q->not_full);
        r = 1;
    } else {
        r = q->closed ? -ECANCELED : 0;
    }
    pthread_mutex_unlock(&q->lock);
    return r;
}

void vsd_queue_close(struct vsd_queue *q)
{
    pthread_mutex_lock(&q->lock);
    q->closed = true;
    pthread_cond_broadcast(&q->not_empty);
    pthread_cond_broadcast(&q->not_full);
    pthread_mutex_unlock(&q->lock);
}

uint64_t vsd_queue_dropped(const struct vsd_queue *q)
{
    return __atomic_load_n(&q->dropped, __ATOMIC_RELAXED);
}

size_t vsd_queue_length(const struct vsd_queue *q)
{
    return __atomic_load_n(&q->len, __ATOMIC_RELAXED);
}
