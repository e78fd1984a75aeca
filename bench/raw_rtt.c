/* SPDX-License-Identifier: MIT */
/* Baseline: the raw broker round trip with libmosquitto. One process publishes N messages at
 * RATE a second (QoS 1, TCP_NODELAY) and subscribes to the same topic (QoS 1) on a second
 * connection; each message carries its sequence number and CLOCK_MONOTONIC send time. Prints
 * n, p50, p99 and max round trip in ms and the number of messages never received.
 * Usage: bench_raw_rtt PORT [N [RATE [HOST]]]   (defaults 1000 messages, 100 a second). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>

static double *rtt_ms;      /* by sequence number; < 0 until received */
static long n_msgs, n_recv; /* n_recv under lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void on_message(struct mosquitto *m, void *u, const struct mosquitto_message *msg)
{
    long seq;
    double sent;
    char buf[64];
    (void)m;
    (void)u;
    if (msg->payloadlen <= 0 || msg->payloadlen >= (int)sizeof(buf))
        return;
    memcpy(buf, msg->payload, (size_t)msg->payloadlen);
    buf[msg->payloadlen] = '\0';
    if (sscanf(buf, "%ld %lf", &seq, &sent) != 2 || seq < 0 || seq >= n_msgs)
        return;
    double rtt = mono_ms() - sent;
    pthread_mutex_lock(&lock);
    if (rtt_ms[seq] < 0) {
        rtt_ms[seq] = rtt;
        n_recv++;
    }
    pthread_mutex_unlock(&lock);
}

static struct mosquitto *client(const char *id, const char *host, int port)
{
    struct mosquitto *m = mosquitto_new(id, true, NULL);
    if (!m)
        return NULL;
    mosquitto_int_option(m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_max_inflight_messages_set(m, 0);
    if (mosquitto_connect(m, host, port, 30) != MOSQ_ERR_SUCCESS ||
        mosquitto_loop_start(m) != MOSQ_ERR_SUCCESS) {
        mosquitto_destroy(m);
        return NULL;
    }
    return m;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sends n messages at rate a second on an absolute schedule (no drift). */
static void publish_all(struct mosquitto *pub, const char *topic, double rate)
{
    struct timespec next;
    long step_ns = (long)(1e9 / rate);
    char payload[64];
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (long i = 0; i < n_msgs; i++) {
        int len = snprintf(payload, sizeof(payload), "%ld %.6f", i, mono_ms());
        mosquitto_publish(pub, NULL, topic, len, payload, 1, false);
        next.tv_nsec += step_ns;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_nsec -= 1000000000L;
            next.tv_sec++;
        }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
}

static void report(void)
{
    long n = 0;
    double *v = malloc(sizeof(double) * (size_t)(n_msgs ? n_msgs : 1));
    pthread_mutex_lock(&lock);
    for (long i = 0; i < n_msgs; i++)
        if (rtt_ms[i] >= 0)
            v[n++] = rtt_ms[i];
    pthread_mutex_unlock(&lock);
    qsort(v, (size_t)n, sizeof(double), cmp);
    if (n == 0) {
        printf("n=0 no samples lost=%ld\n", n_msgs);
    } else {
        long i50 = (long)(n * 0.5), i99 = (long)(n * 0.99);
        printf("n=%ld p50=%.2f ms p99=%.2f ms max=%.2f ms lost=%ld\n", n, v[i50 < n ? i50 : n - 1],
               v[i99 < n ? i99 : n - 1], v[n - 1], n_msgs - n);
    }
    free(v);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [N [RATE [HOST]]]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    n_msgs = argc > 2 ? atol(argv[2]) : 1000;
    double rate = argc > 3 ? atof(argv[3]) : 100;
    const char *host = argc > 4 ? argv[4] : "127.0.0.1";
    char topic[64], id[64];
    if (n_msgs <= 0 || rate <= 0)
        return 2;
    rtt_ms = malloc(sizeof(double) * (size_t)n_msgs);
    for (long i = 0; i < n_msgs; i++)
        rtt_ms[i] = -1;
    snprintf(topic, sizeof(topic), "bench/rtt/%d", (int)getpid());
    mosquitto_lib_init();
    snprintf(id, sizeof(id), "rtt-sub-%d", (int)getpid());
    struct mosquitto *sub = client(id, host, port);
    snprintf(id, sizeof(id), "rtt-pub-%d", (int)getpid());
    struct mosquitto *pub = client(id, host, port);
    if (!sub || !pub) {
        fprintf(stderr, "raw_rtt: cannot connect to %s:%d\n", host, port);
        return 1;
    }
    mosquitto_message_callback_set(sub, on_message);
    mosquitto_subscribe(sub, NULL, topic, 1);
    usleep(300000); /* the subscription in place before the first message */
    publish_all(pub, topic, rate);
    for (int i = 0; i < 50; i++) { /* up to 5 s for the last messages */
        pthread_mutex_lock(&lock);
        long got = n_recv;
        pthread_mutex_unlock(&lock);
        if (got == n_msgs)
            break;
        usleep(100000);
    }
    report();
    mosquitto_disconnect(pub);
    mosquitto_disconnect(sub);
    mosquitto_loop_stop(pub, false);
    mosquitto_loop_stop(sub, false);
    mosquitto_destroy(pub);
    mosquitto_destroy(sub);
    mosquitto_lib_cleanup();
    free(rtt_ms);
    return 0;
}
