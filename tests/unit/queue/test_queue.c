/* SPDX-License-Identifier: MIT */
/* Tests of the bounded event queue: bounds, drops, blocking pushes, timeouts and close. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "queue.h"

static struct vsd_event poll_event(size_t device)
{
    struct vsd_event ev = {.type = VSD_EV_POLL};

    ev.u.poll.device = device;
    return ev;
}

static int64_t now_ms(void)
{
    return vsd_clock_mono_ms(&vsd_clock_system);
}

static void test_bounds_and_drops(void **state)
{
    struct vsd_queue *q = vsd_queue_new(3);
    struct vsd_event ev;

    (void)state;
    assert_non_null(q);
    for (size_t i = 0; i < 3; i++) {
        ev = poll_event(i);
        assert_int_equal(vsd_queue_push(q, &ev), 0);
    }
    assert_int_equal(vsd_queue_length(q), 3);
    ev = poll_event(99);
    assert_int_equal(vsd_queue_push(q, &ev), -ENOBUFS);
    assert_int_equal(vsd_queue_push(q, &ev), -ENOBUFS);
    assert_int_equal(vsd_queue_dropped(q), 2);
    assert_int_equal(vsd_queue_length(q), 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(vsd_queue_pop(q, &ev, 0), 1);
        assert_int_equal(ev.u.poll.device, i);
    }
    assert_int_equal(vsd_queue_pop(q, &ev, 0), 0);
    assert_int_equal(vsd_queue_length(q), 0);
    vsd_queue_free(q);
}

static void test_fifo_wraps(void **state)
{
    struct vsd_queue *q = vsd_queue_new(4);
    struct vsd_event ev;
    size_t next_in = 0, next_out = 0;

    (void)state;
    for (int round = 0; round < 50; round++) {
        for (int k = 0; k < 3; k++) {
            ev = poll_event(next_in++);
            assert_int_equal(vsd_queue_push(q, &ev), 0);
        }
        for (int k = 0; k < 3; k++) {
            assert_int_equal(vsd_queue_pop(q, &ev, 0), 1);
            assert_int_equal(ev.u.poll.device, next_out++);
        }
    }
    assert_int_equal(vsd_queue_dropped(q), 0);
    vsd_queue_free(q);
}

static void test_new_zero_and_free_null(void **state)
{
    (void)state;
    assert_null(vsd_queue_new(0));
    vsd_queue_free(NULL);
}

static void test_pop_timeout(void **state)
{
    struct vsd_queue *q = vsd_queue_new(2);
    struct vsd_event ev;
    int64_t t0 = now_ms(), dt;

    (void)state;
    assert_int_equal(vsd_queue_pop(q, &ev, 80), 0);
    dt = now_ms() - t0;
    assert_true(dt >= 75);
    assert_true(dt < 500);
    t0 = now_ms();
    assert_int_equal(vsd_queue_pop(q, &ev, 0), 0);
    assert_true(now_ms() - t0 < 20);
    vsd_queue_free(q);
}

struct pusher {
    struct vsd_queue *q;
    struct vsd_event ev;
    int result;
    int done; /* read and written with __atomic */
};

static void *push_wait_thread(void *arg)
{
    struct pusher *p = arg;

    p->result = vsd_queue_push_wait(p->q, &p->ev);
    __atomic_store_n(&p->done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void fill(struct vsd_queue *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct vsd_event ev = poll_event(i);
        assert_int_equal(vsd_queue_push(q, &ev), 0);
    }
}

static void test_push_wait_blocks_until_pop(void **state)
{
    struct vsd_queue *q = vsd_queue_new(2);
    struct pusher p = {.q = q, .ev = {.type = VSD_EV_DEVICE_STATE}};
    struct vsd_event ev;
    pthread_t th;

    (void)state;
    fill(q, 2);
    p.ev.u.state.device = 7;
    assert_int_equal(pthread_create(&th, NULL, push_wait_thread, &p), 0);
    usleep(100 * 1000);
    assert_int_equal(__atomic_load_n(&p.done, __ATOMIC_SEQ_CST), 0);
    assert_int_equal(vsd_queue_pop(q, &ev, 0), 1);
    assert_int_equal(ev.u.poll.device, 0);
    pthread_join(th, NULL);
    assert_int_equal(p.result, 0);
    assert_int_equal(vsd_queue_length(q), 2);
    assert_int_equal(vsd_queue_pop(q, &ev, 0), 1);
    assert_int_equal(vsd_queue_pop(q, &ev, 0), 1);
    assert_int_equal(ev.type, VSD_EV_DEVICE_STATE);
    assert_int_equal(ev.u.state.device, 7);
    assert_int_equal(vsd_queue_dropped(q), 0);
    vsd_queue_free(q);
}

static void test_push_timed_gives_up(void **state)
{
    struct vsd_queue *q = vsd_queue_new(1);
    struct vsd_event ev = poll_event(5);
    int64_t t0;

    (void)state;
    fill(q, 1);
    t0 = now_ms();
    assert_int_equal(vsd_queue_push_timed(q, &ev, 60), -ETIMEDOUT);
    assert_true(now_ms() - t0 >= 55);
    assert_int_equal(vsd_queue_push_timed(q, &ev, 0), -ETIMEDOUT);
    assert_int_equal(vsd_queue_dropped(q), 0);
    assert_int_equal(vsd_queue_length(q), 1);
    vsd_queue_free(q);
}

static void test_close_wakes_push_wait(void **state)
{
    struct vsd_queue *q = vsd_queue_new(1);
    struct pusher p = {.q = q, .ev = {.type = VSD_EV_DEVICE_STATE}};
    pthread_t th;
    int64_t t0;

    (void)state;
    fill(q, 1);
    assert_int_equal(pthread_create(&th, NULL, push_wait_thread, &p), 0);
    usleep(50 * 1000);
    t0 = now_ms();
    vsd_queue_close(q);
    pthread_join(th, NULL);
    assert_true(now_ms() - t0 < 200);
    assert_int_equal(p.result, -ECANCELED);
    vsd_queue_free(q);
}

struct popper {
    struct vsd_queue *q;
    int result;
};

static void *pop_thread(void *arg)
{
    struct popper *p = arg;
    struct vsd_event ev;

    p->result = vsd_queue_pop(p->q, &ev, -1);
    return NULL;
}

static void test_close_wakes_pop_and_drains(void **state)
{
    struct vsd_queue *q = vsd_queue_new(4);
    struct popper p = {.q = q, .result = 99};
    struct vsd_event ev = poll_event(1);
    pthread_t th;

    (void)state;
    assert_int_equal(pthread_create(&th, NULL, pop_thread, &p), 0);
    usleep(50 * 1000);
    vsd_queue_close(q);
    pthread_join(th, NULL);
    assert_int_equal(p.result, -ECANCELED);
    vsd_queue_free(q);

    /* Events pushed before close are still popped; later pushes fail. */
    q = vsd_queue_new(4);
    fill(q, 2);
    vsd_queue_close(q);
    assert_int_equal(vsd_queue_push(q, &ev), -ECANCELED);
    assert_int_equal(vsd_queue_push_wait(q, &ev), -ECANCELED);
    assert_int_equal(vsd_queue_pop(q, &ev, 1000), 1);
    assert_int_equal(ev.u.poll.device, 0);
    assert_int_equal(vsd_queue_pop(q, &ev, 1000), 1);
    assert_int_equal(ev.u.poll.device, 1);
    assert_int_equal(vsd_queue_pop(q, &ev, 1000), -ECANCELED);
    assert_int_equal(vsd_queue_dropped(q), 0);
    vsd_queue_free(q);
}

static void test_pop_wakes_on_push(void **state)
{
    struct vsd_queue *q = vsd_queue_new(4);
    struct popper p = {.q = q, .result = 99};
    struct vsd_event ev = poll_event(3);
    pthread_t th;
    int64_t t0;

    (void)state;
    assert_int_equal(pthread_create(&th, NULL, pop_thread, &p), 0);
    usleep(50 * 1000);
    t0 = now_ms();
    assert_int_equal(vsd_queue_push(q, &ev), 0);
    pthread_join(th, NULL);
    assert_true(now_ms() - t0 < 200);
    assert_int_equal(p.result, 1);
    assert_int_equal(vsd_queue_length(q), 0);
    vsd_queue_free(q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounds_and_drops),
        cmocka_unit_test(test_fifo_wraps),
        cmocka_unit_test(test_new_zero_and_free_null),
        cmocka_unit_test(test_pop_timeout),
        cmocka_unit_test(test_push_wait_blocks_until_pop),
        cmocka_unit_test(test_push_timed_gives_up),
        cmocka_unit_test(test_close_wakes_push_wait),
        cmocka_unit_test(test_close_wakes_pop_and_drains),
        cmocka_unit_test(test_pop_wakes_on_push),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
