/* SPDX-License-Identifier: MIT */
/* The system clocks behind the injectable clock interface, and UTC formatting. */
#include <stdio.h>
#include <time.h>

#include "clock.h"

static int64_t ts_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t system_mono(void *ctx)
{
    (void)ctx;
    return ts_ms(CLOCK_MONOTONIC);
}

static int64_t system_wall(void *ctx)
{
    (void)ctx;
    return ts_ms(CLOCK_REALTIME);
}

const struct vsd_clock vsd_clock_system = {system_mono, system_wall, NULL};

int64_t vsd_clock_mono_ms(const struct vsd_clock *c)
{
    return c->mono_ms(c->ctx);
}

int64_t vsd_clock_wall_ms(const struct vsd_clock *c)
{
    return c->wall_ms(c->ctx);
}

int vsd_clock_cond_init(pthread_cond_t *cond)
{
    pthread_condattr_t attr;
    int r = pthread_condattr_init(&attr);

    if (r != 0)
        return -r;
    r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    if (r == 0)
        r = pthread_cond_init(cond, &attr);
    pthread_condattr_destroy(&attr);
    return -r;
}

void vsd_clock_iso8601(int64_t wall_ms, char *buf, unsigned size)
{
    time_t secs = (time_t)(wall_ms / 1000);
    int ms = (int)(wall_ms % 1000);
    struct tm tm;

    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    gmtime_r(&secs, &tm);
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}
