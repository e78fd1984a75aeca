/* SPDX-License-Identifier: MIT */
/* Baseline: the minimal Modbus TCP poller. COUNT devices on HOST:BASE..BASE+COUNT-1, one read of
 * 8 holding registers per device per second with libmodbus, one thread, a plain deadline loop
 * (device i is due at i/COUNT of each second; the devices due in one 10 ms slot are asked
 * together, then their answers read). A poll that fails or starts a whole period late is missed.
 * The values are consumed (summed). After WARM seconds it measures SECONDS and prints polls,
 * missed, CPU s per 1000 polls, peak RSS and the poll-interval jitter p99 (time between a device's
 * successive reads minus the period). Usage: bench_min_poller HOST BASE COUNT [SECONDS [WARM]]
 * (defaults 30 s, 3 s). */
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
#define SLOTS 100 /* the devices due in one 10 ms slot are polled together */

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

/* The request, as libmodbus frames it (it adds the MBAP header): read 8 holding registers from 0.
 */
static const uint8_t req8[] = {1, 0x03, 0, 0, 0, 8};
#define RSP8_LEN (7 + 2 + 16) /* MBAP, function and byte count, 8 registers */

/* libmodbus waits in select(), which cannot take a descriptor >= FD_SETSIZE (glibc aborts):
 * such a connection is read through a low duplicate (LOW, kept free) for the one answer. */
static int receive8(modbus_t *ctx, int low, uint16_t *reg)
{
    uint8_t rsp[MODBUS_TCP_MAX_ADU_LENGTH];
    int fd = modbus_get_socket(ctx), n;
    if (fd >= FD_SETSIZE) {
        dup2(fd, low);
        modbus_set_socket(ctx, low);
    }
    n = modbus_receive_confirmation(ctx, rsp);
    modbus_set_socket(ctx, fd);
    if (n != RSP8_LEN || rsp[7] != 0x03 || rsp[8] != 16)
        return -1;
    for (int r = 0; r < 8; r++)
        reg[r] = (uint16_t)(rsp[9 + 2 * r] << 8 | rsp[10 + 2 * r]);
    return 8;
}

struct run {
    modbus_t **ctx;
    int count, low;
    long long *last; /* each device's last answer (ns) */
    double *jit;     /* interval minus period (ms) */
    long polls, missed, n_jit, sum;
};

/* Devices [lo, hi) are due at DUE: one request each, sent together, then the answers read
 * (the requests overlap: one thread, blocking calls). Counted if MEASURE. */
static void poll_slot(struct run *r, int lo, int hi, long long due, int measure)
{
    uint16_t reg[8];
    int sent[hi - lo + 1];
    int late = mono_ns() >= due + PERIOD_NS;
    for (int i = lo; i < hi; i++)
        sent[i - lo] = !late && modbus_send_raw_request(r->ctx[i], req8, sizeof(req8)) > 0;
    for (int i = lo; i < hi; i++) {
        int ok = sent[i - lo] && receive8(r->ctx[i], r->low, reg) == 8;
        long long t = mono_ns();
        if (!measure)
            continue;
        if (!ok) {
            r->missed++;
            continue;
        }
        r->polls++;
        r->sum += reg[1];
        if (r->last[i])
            r->jit[r->n_jit++] = (t - r->last[i] - PERIOD_NS) / 1e6;
        r->last[i] = t;
    }
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
    struct run r = {.count = count, .low = dup(0)}; /* a descriptor below FD_SETSIZE */
    r.ctx = connect_all(argv[1], base, count);
    r.last = calloc((size_t)count, sizeof(*r.last));
    r.jit = malloc(sizeof(double) * (size_t)count * (size_t)secs);
    double cpu0 = 0;
    long long start = mono_ns() + 100000000LL;
    for (long k = 0; k < warm + secs; k++) {
        if (k == warm)
            cpu0 = cpu_s();
        for (int sl = 0; sl < SLOTS; sl++) {
            long long due = start + k * PERIOD_NS + PERIOD_NS / SLOTS * sl;
            int lo = (int)((long)count * sl / SLOTS), hi = (int)((long)count * (sl + 1) / SLOTS);
            if (lo == hi)
                continue;
            sleep_until(due);
            poll_slot(&r, lo, hi, due, k >= warm);
        }
    }
    double cpu = cpu_s() - cpu0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    qsort(r.jit, (size_t)r.n_jit, sizeof(double), cmp);
    long i99 = (long)(r.n_jit * 0.99);
    printf("polls=%ld missed=%ld cpu_s_per_1k=%.4f rss_mb=%.1f jitter_p99_ms=%.2f checksum=%ld\n",
           r.polls, r.missed, r.polls ? cpu * 1000 / r.polls : 0, ru.ru_maxrss / 1024.0,
           r.n_jit ? r.jit[i99 < r.n_jit ? i99 : r.n_jit - 1] : 0, r.sum);
    for (int i = 0; i < count; i++) {
        modbus_close(r.ctx[i]);
        modbus_free(r.ctx[i]);
    }
    free(r.ctx);
    free(r.last);
    free(r.jit);
    return 0;
}
