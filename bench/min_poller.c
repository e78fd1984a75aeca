/* SPDX-License-Identifier: MIT */
/* Baseline: the minimal Modbus TCP poller. COUNT devices on HOST:BASE..BASE+COUNT-1, one read of
 * 8 holding registers per device per second with libmodbus, one thread, a plain deadline loop
 * (device i is due at i/COUNT of each second). A poll that fails or starts a whole period late
 * is missed. The values are consumed (summed). After WARM seconds it measures SECONDS and
 * prints polls, missed, CPU s per 1000 polls, peak RSS and the poll-interval jitter p99 (time
 * between a device's successive reads minus the period).
 * Usage: bench_min_poller HOST BASE COUNT [SECONDS [WARM]]   (defaults 30 s, 3 s). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <modbus.h>

#define PERIOD_NS 1000000000LL

static long long mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long t)
{
    struct timespec ts = {.tv_sec = t / 1000000000LL, .tv_nsec = t % 1000000000LL};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* libmodbus waits in select(), which cannot take a descriptor >= FD_SETSIZE (glibc aborts):
 * such a connection is read through a low duplicate (LOW, kept free) for the one request. */
static int read8(modbus_t *ctx, int low, uint16_t *reg)
{
    int fd = modbus_get_socket(ctx), n;
    if (fd < FD_SETSIZE)
        return modbus_read_registers(ctx, 0, 8, reg);
    dup2(fd, low);
    modbus_set_socket(ctx, low);
    n = modbus_read_registers(ctx, 0, 8, reg);
    modbus_set_socket(ctx, fd);
    return n;
}

static modbus_t **connect_all(const char *host, int base, int count)
{
    modbus_t **ctx = calloc((size_t)count, sizeof(*ctx));
    for (int i = 0; i < count; i++) {
        char port[16];
        snprintf(port, sizeof(port), "%d", base + i);
        ctx[i] = modbus_new_tcp_pi(host, port);
        if (!ctx[i] || modbus_connect(ctx[i]) < 0) {
            fprintf(stderr, "min_poller: %s:%s: %s\n", host, port, modbus_strerror(errno));
            exit(1);
        }
        int fd = modbus_get_socket(ctx[i]); /* connecting selects too: keep low ones free */
        if (fd >= FD_SETSIZE - 64) {
            int hi = fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);
            close(fd);
            modbus_set_socket(ctx[i], hi);
        }
        modbus_set_slave(ctx[i], 1);
        modbus_set_response_timeout(ctx[i], 0, 500000);
    }
    return ctx;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST BASE COUNT [SECONDS [WARM]]\n", argv[0]);
        return 2;
    }
    int base = atoi(argv[2]), count = atoi(argv[3]);
    long secs = argc > 4 ? atol(argv[4]) : 30, warm = argc > 5 ? atol(argv[5]) : 3;
    if (count <= 0 || secs <= 0 || warm < 0)
        return 2;
    int low = dup(0); /* a descriptor below FD_SETSIZE for read8() */
    modbus_t **ctx = connect_all(argv[1], base, count);
    long long *last = calloc((size_t)count, sizeof(*last));
    double *jit = malloc(sizeof(double) * (size_t)count * (size_t)secs);
    long polls = 0, missed = 0, n_jit = 0, sum = 0;
    double cpu0 = 0;
    long long start = mono_ns() + 100000000LL, measure_from = start + warm * PERIOD_NS;
    for (long k = 0; k < warm + secs; k++) {
        if (k == warm)
            cpu0 = cpu_s();
        for (int i = 0; i < count; i++) {
            long long due = start + k * PERIOD_NS + PERIOD_NS * i / count;
            uint16_t reg[8];
            sleep_until(due);
            long long t = mono_ns();
            int ok = t < due + PERIOD_NS && read8(ctx[i], low, reg) == 8;
            if (due < measure_from)
                continue;
            if (!ok) {
                missed++;
                continue;
            }
            polls++;
            sum += reg[1];
            if (last[i])
                jit[n_jit++] = (t - last[i] - PERIOD_NS) / 1e6;
            last[i] = t;
        }
    }
    double cpu = cpu_s() - cpu0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    qsort(jit, (size_t)n_jit, sizeof(double), cmp);
    long i99 = (long)(n_jit * 0.99);
    printf("polls=%ld missed=%ld cpu_s_per_1k=%.4f rss_mb=%.1f jitter_p99_ms=%.2f checksum=%ld\n",
           polls, missed, polls ? cpu * 1000 / polls : 0, ru.ru_maxrss / 1024.0,
           n_jit ? jit[i99 < n_jit ? i99 : n_jit - 1] : 0, sum);
    for (int i = 0; i < count; i++) {
        modbus_close(ctx[i]);
        modbus_free(ctx[i]);
    }
    free(ctx);
    free(last);
    free(jit);
    return 0;
}
