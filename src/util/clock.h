/* SPDX-License-Identifier: MIT */
/* Injectable clocks: monotonic for schedules and delays, UTC wall time for records. */
#ifndef VSD_CLOCK_H
#define VSD_CLOCK_H

#include <pthread.h>
#include <stdint.h>

struct vsd_clock {
    int64_t (*mono_ms)(void *ctx); /* CLOCK_MONOTONIC, ms */
    int64_t (*wall_ms)(void *ctx); /* CLOCK_REALTIME, ms since the epoch */
    void *ctx;
};

/* The system clocks. */
extern const struct vsd_clock vsd_clock_system;

int64_t vsd_clock_mono_ms(const struct vsd_clock *c);
int64_t vsd_clock_wall_ms(const struct vsd_clock *c);

/* Initialise a condition variable whose timed waits use CLOCK_MONOTONIC, so a
 * wall-clock step neither stalls nor hurries a wait. Returns 0 or negative errno. */
int vsd_clock_cond_init(pthread_cond_t *cond);

/* Format UTC ms as ISO 8601 "2026-11-22T03:47:35.123Z" into buf (>= 25 bytes). */
void vsd_clock_iso8601(int64_t wall_ms, char *buf, unsigned size);

#endif
