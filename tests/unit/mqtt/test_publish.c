/* SPDX-License-Identifier: MIT */
/* Tests for publish.c against a real mosquitto broker (and a socat relay to cut the link). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>

#include <cmocka.h>
#include <mosquitto.h>

#include "publish.h"

#define MOSQUITTO_BIN "/usr/sbin/mosquitto"
#define SOCAT_BIN "/usr/bin/socat"
#define MAX_ID 1024
#define ALERT_TOPIC "vitals/t/bed-1/alert"
#define STATE_TOPIC "vitals/t/daemon/state"

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Can we connect to loopback PORT (LISTENING) or bind it (!LISTENING)? */
static bool port_is(int port, bool listening)
{
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    if (fd < 0)
        return false;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (listening)
        ok = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    else
        ok = bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
    close(fd);
    return ok;
}

/* Fork and exec ARGV with stdout/stderr to LOG (or /dev/null), in its own process group. */
static pid_t spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();

    if (pid == 0) {
        int fd = open(log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        setpgid(0, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid); /* also here: kill_group() may come before the child runs */
    return pid;
}

/* Wait until PORT accepts connections (true) or PID exits or 3 s pass (false). */
static bool wait_listening(pid_t pid, int port)
{
    int64_t deadline = mono_ms() + 3000;

    while (mono_ms() < deadline) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return false;
        if (port_is(port, true))
            return true;
        nap_ms(5);
    }
    return false;
}

/* Kill the process group of PID (socat forks one child per connection) and reap. */
static void kill_group(pid_t *pid)
{
    if (*pid <= 0)
        return;
    kill(-*pid, SIGKILL);
    kill(*pid, SIGKILL);
    while (waitpid(-*pid, NULL, 0) > 0)
        ;
    *pid = 0;
}

struct rig {
    char dir[64];
    int broker_port;
    pid_t broker;
    int relay_port; /* the daemon under test connects here */
    pid_t relay;
    int saved_stderr; /* while a test captures stderr, else -1 */
    unsigned seed;    /* for random ports */
};

static int random_port(struct rig *r)
{
    return 20000 + (int)(rand_r(&r->seed) % 20000);
}

static void broker_start(struct rig *r)
{
    char conf[128], log[128], *argv[] = {MOSQUITTO_BIN, "-c", conf, NULL};

    snprintf(conf, sizeof(conf), "%s/mosquitto.conf", r->dir);
    snprintf(log, sizeof(log), "%s/mosquitto.log", r->dir);
    for (int tries = 0; tries < 20; tries++) {
        int port = random_port(r);

        if (!port_is(port, false))
            continue;
        FILE *f = fopen(conf, "w");
        assert_non_null(f);
        fprintf(f,
                "listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                "set_tcp_nodelay true\nlog_dest stderr\n",
                port);
        fclose(f);
        r->broker = spawn(argv, log);
        assert_true(r->broker > 0);
        if (wait_listening(r->broker, port)) {
            r->broker_port = port;
            return;
        }
        kill_group(&r->broker); /* the port was taken: try another */
    }
    fail_msg("could not start %s", MOSQUITTO_BIN);
}

/* Relay RELAY_PORT (random the first time) to the broker's current port. */
static void relay_start(struct rig *r)
{
    char listen[96], target[64], *argv[] = {SOCAT_BIN, listen, target, NULL};

    for (int tries = 0; tries < 20; tries++) {
        int port = r->relay_port ? r->relay_port : random_port(r);

        if (!port_is(port, false))
            continue;
        snprintf(listen, sizeof(listen), "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr,fork", port);
        snprintf(target, sizeof(target), "TCP:127.0.0.1:%d", r->broker_port);
        r->relay = spawn(argv, NULL);
        assert_true(r->relay > 0);
        if (wait_listening(r->relay, port)) {
            r->relay_port = port;
            return;
        }
        kill_group(&r->relay);
    }
    fail_msg("could not start %s on port %d", SOCAT_BIN, r->relay_port);
}

static int rig_setup(void **state)
{
    struct rig *r = calloc(1, sizeof(*r));

    if (!r)
        return -1;
    r->saved_stderr = -1;
    r->seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    snprintf(r->dir, sizeof(r->dir), "/tmp/vsd-pub-XXXXXX");
    if (!mkdtemp(r->dir)) {
        free(r);
        return -1;
    }
    if (access(MOSQUITTO_BIN, X_OK) != 0 || access(SOCAT_BIN, X_OK) != 0) {
        /* scripts/deps installs both: a missing one is a broken set-up, not a skip. */
        print_message("%s or %s missing: run scripts/deps\n", MOSQUITTO_BIN, SOCAT_BIN);
        rmdir(r->dir);
        free(r);
        return -1;
    }
    *state = r;
    return 0;
}

static int rig_teardown(void **state)
{
    struct rig *r = *state;
    static const char *files[] = {"mosquitto.conf", "mosquitto.log", "stderr.log"};
    char path[128];

    if (r->saved_stderr >= 0) { /* a failed test left stderr captured */
        dup2(r->saved_stderr, STDERR_FILENO);
        close(r->saved_stderr);
    }
    kill_group(&r->relay);
    kill_group(&r->broker);
    if (r->dir[0]) {
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s", r->dir, files[i]);
            unlink(path);
        }
        rmdir(r->dir);
    }
    free(r);
    return 0;
}

/* Broker plus relay. */
static struct rig *rig_up(void **state)
{
    struct rig *r = *state;

    broker_start(r);
    relay_start(r);
    return r;
}

struct msg {
    char *topic;
    char *payload;
    bool retain;
};

struct sub {
    struct mosquitto *m;
    pthread_mutex_t lock;
    struct msg msgs[4096];
    size_t n;
    bool subscribed;
};

static void sub_on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
    struct sub *s = obj;

    (void)m;
    pthread_mutex_lock(&s->lock);
    if (s->n < sizeof(s->msgs) / sizeof(s->msgs[0])) {
        s->msgs[s->n].topic = strdup(msg->topic);
        s->msgs[s->n].payload = strndup(msg->payload, (size_t)msg->payloadlen);
        s->msgs[s->n].retain = msg->retain;
        s->n++;
    }
    pthread_mutex_unlock(&s->lock);
}

static void sub_on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *qos)
{
    struct sub *s = obj;

    (void)m, (void)mid, (void)n, (void)qos;
    pthread_mutex_lock(&s->lock);
    s->subscribed = true;
    pthread_mutex_unlock(&s->lock);
}

/* Connect to the broker itself (not the relay), subscribe to PATTERN, wait for SUBACK. */
static struct sub *sub_new(int port, const char *pattern)
{
    struct sub *s = calloc(1, sizeof(*s));
    int64_t deadline = mono_ms() + 3000;
    bool ok = false;

    assert_non_null(s);
    pthread_mutex_init(&s->lock, NULL);
    s->m = mosquitto_new(NULL, true, s);
    assert_non_null(s->m);
    mosquitto_message_callback_set(s->m, sub_on_message);
    mosquitto_subscribe_callback_set(s->m, sub_on_subscribe);
    assert_int_equal(mosquitto_connect(s->m, "127.0.0.1", port, 30), MOSQ_ERR_SUCCESS);
    assert_int_equal(mosquitto_subscribe(s->m, NULL, pattern, 1), MOSQ_ERR_SUCCESS);
    assert_int_equal(mosquitto_loop_start(s->m), MOSQ_ERR_SUCCESS);
    while (!ok && mono_ms() < deadline) {
        nap_ms(2);
        pthread_mutex_lock(&s->lock);
        ok = s->subscribed;
        pthread_mutex_unlock(&s->lock);
    }
    assert_true(ok);
    return s;
}

static void sub_free(struct sub *s)
{
    if (!s)
        return;
    mosquitto_disconnect(s->m);
    mosquitto_loop_stop(s->m, false);
    mosquitto_destroy(s->m);
    for (size_t i = 0; i < s->n; i++) {
        free(s->msgs[i].topic);
        free(s->msgs[i].payload);
    }
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* How many messages on TOPIC with PAYLOAD (NULL: any) and, if RETAINED_ONLY, retained. */
static size_t sub_count(struct sub *s, const char *topic, const char *payload, bool retained_only)
{
    size_t n = 0;

    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->msgs[i].topic, topic) == 0 &&
            (!payload || strcmp(s->msgs[i].payload, payload) == 0) &&
            (!retained_only || s->msgs[i].retain))
            n++;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static bool sub_wait(struct sub *s, const char *topic, const char *payload, bool retained_only,
                     int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;

    while (sub_count(s, topic, payload, retained_only) == 0) {
        if (mono_ms() > deadline)
            return false;
        nap_ms(2);
    }
    return true;
}

/* Alert ids seen on ALERT_TOPIC, in arrival order; returns how many. */
static size_t sub_alert_ids(struct sub *s, int64_t *ids, size_t max)
{
    size_t n = 0;

    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n && n < max; i++) {
        long long id;
        if (strcmp(s->msgs[i].topic, ALERT_TOPIC) == 0 &&
            sscanf(s->msgs[i].payload, "{\"alert_id\":%lld}", &id) == 1)
            ids[n++] = id;
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* Wait until at least N alerts arrived; returns how many did. */
static size_t sub_wait_alerts(struct sub *s, int64_t *ids, size_t max, size_t n, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    size_t got;

    while ((got = sub_alert_ids(s, ids, max)) < n && mono_ms() < deadline)
        nap_ms(2);
    return got;
}

struct delivered {
    atomic_int count[MAX_ID]; /* on_delivered calls per outbox id */
};

static void on_delivered(void *ctx, int64_t id)
{
    struct delivered *d = ctx;

    if (id >= 0 && id < MAX_ID)
        atomic_fetch_add(&d->count[id], 1);
}

static int delivered_count(struct delivered *d, int64_t id)
{
    return atomic_load(&d->count[id]);
}

/* Wait until every id in [FIRST, LAST] was delivered. */
static bool delivered_wait(struct delivered *d, int64_t first, int64_t last, int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;

    for (int64_t id = first; id <= last; id++)
        while (delivered_count(d, id) == 0) {
            if (mono_ms() > deadline)
                return false;
            nap_ms(2);
        }
    return true;
}

static struct vsd_publish *pub_new(int port, const char *client_id, const char *area,
                                   struct delivered *d)
{
    struct vsd_mqtt_config c = {.host = "127.0.0.1",
                                .port = port,
                                .client_id = (char *)client_id,
                                .keepalive_s = 5,
                                .reconnect_min_ms = 50,
                                .reconnect_max_ms = 200};
    struct vsd_publish *p = NULL;
    char err[256] = "";

    assert_int_equal(vsd_publish_new(&c, area, d ? on_delivered : NULL, d, &p, err, sizeof(err)),
                     0);
    assert_non_null(p);
    return p;
}

static bool pub_wait_connected(struct vsd_publish *p, bool want, uint64_t min_reconnects,
                               int timeout_ms)
{
    int64_t deadline = mono_ms() + timeout_ms;
    struct vsd_publish_stats st;

    for (;;) {
        vsd_publish_stats(p, &st);
        if (st.connected == want && st.reconnects >= min_reconnects)
            return true;
        if (mono_ms() > deadline)
            return false;
        nap_ms(2);
    }
}

static void alert(struct vsd_publish *p, int64_t id)
{
    char payload[64];

    snprintf(payload, sizeof(payload), "{\"alert_id\":%lld}", (long long)id);
    assert_int_equal(vsd_publish_outbox(p, id, id, ALERT_TOPIC, payload), 0); /* seq = id */
}

/* An event sent at once (as while the disk fails), or held HOLD_MS for its commit. */
static void event_held(struct vsd_publish *p, int64_t seq, int hold_ms)
{
    char payload[64];

    snprintf(payload, sizeof(payload), "{\"alert_id\":%lld}", (long long)seq);
    assert_int_equal(vsd_publish_event(p, seq, ALERT_TOPIC, payload, hold_ms), 0);
}

static void event(struct vsd_publish *p, int64_t seq)
{
    event_held(p, seq, 0);
}

/* Count the lines of PATH containing NEEDLE. */
static int count_in_file(const char *path, const char *needle)
{
    char line[1024];
    int n = 0;
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (strstr(line, needle))
            n++;
    fclose(f);
    return n;
}

static void test_bad_arguments(void **state)
{
    struct vsd_mqtt_config c = {.host = "127.0.0.1", .port = 1, .keepalive_s = 2}; /* < 5 s */
    struct vsd_publish *p = NULL;
    struct vsd_publish_stats st;
    static const char *bad[] = {"",          "vitals/+/x", "vitals/#", "vitals//x",
                                "/vitals/x", "vitals/x/",  "#",        "vitals/a+b"};
    char err[256];

    (void)state;
    c.reconnect_min_ms = c.reconnect_max_ms = 1;
    assert_int_equal(vsd_publish_new(&c, "t", NULL, NULL, &p, err, sizeof(err)), -EINVAL);
    assert_null(p);
    assert_non_null(strstr(err, "keepalive"));
    c.keepalive_s = 5;
    assert_int_equal(vsd_publish_new(&c, "a/+", NULL, NULL, &p, err, sizeof(err)), -EINVAL);
    assert_int_equal(vsd_publish_new(&c, "t", NULL, NULL, &p, err, sizeof(err)), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(vsd_publish_live(p, bad[i], "1"), -EINVAL);
        assert_int_equal(vsd_publish_retained(p, bad[i], "1"), -EINVAL);
        assert_int_equal(vsd_publish_outbox(p, 1, 1, bad[i], "1"), -EINVAL);
        assert_int_equal(vsd_publish_event(p, 1, bad[i], "1", 0), -EINVAL);
    }
    assert_int_equal(vsd_publish_live(p, "vitals/t/x", NULL), -EINVAL);
    assert_int_equal(vsd_publish_live(p, "vitals/t/\xff", "1"), -EINVAL); /* not UTF-8 */
    /* Valid calls while never connected: live is dropped, the others kept. */
    assert_int_equal(vsd_publish_live(p, "vitals/t/bed-1/hr", "72"), 0);
    assert_int_equal(vsd_publish_retained(p, "vitals/t/bed-1/state", "{}"), 0);
    assert_int_equal(vsd_publish_outbox(p, 0, 7, ALERT_TOPIC, "{}"), -EINVAL); /* no row id */
    assert_int_equal(vsd_publish_event(p, 0, ALERT_TOPIC, "{}", 0), -EINVAL);  /* no seq */
    assert_int_equal(vsd_publish_outbox(p, 7, 7, ALERT_TOPIC, "{}"), 0);
    assert_int_equal(vsd_publish_outbox(p, 7, 7, ALERT_TOPIC, "{}"), -EEXIST);
    assert_int_equal(vsd_publish_outbox(p, 3, 3, ALERT_TOPIC, "{}"), 0);
    assert_int_equal(vsd_publish_event(p, 3, ALERT_TOPIC, "{}", 0), -EEXIST);
    assert_int_equal(vsd_publish_event(p, 9, ALERT_TOPIC, "{}", 0), 0);
    /* The event's outbox row joins the pending event: one row, not two. */
    assert_int_equal(vsd_publish_outbox(p, 20, 9, ALERT_TOPIC, "{}"), 0);
    assert_int_equal(vsd_publish_outbox(p, 20, 9, ALERT_TOPIC, "{}"), -EEXIST);
    vsd_publish_stats(p, &st);
    assert_false(st.connected);
    assert_int_equal(st.outbox_pending, 3);
    assert_int_equal(st.live_dropped, 1);
    vsd_publish_stop(p, 100); /* never started: nothing to do */
    vsd_publish_free(p);
    vsd_publish_free(NULL);
    vsd_publish_stop(NULL, 0);
    p = NULL;
    c.tls_ca_file = "/nonexistent/ca.pem"; /* reported by new(), with the path */
    assert_int_equal(vsd_publish_new(&c, "t", NULL, NULL, &p, err, sizeof(err)), -ENOENT);
    assert_null(p);
    assert_non_null(strstr(err, "/nonexistent/ca.pem"));
}

static void test_online_and_live(void **state)
{
    struct rig *r = rig_up(state);
    struct sub *s = sub_new(r->broker_port, "vitals/#"), *late;
    struct vsd_publish *p = pub_new(r->relay_port, "pub-live", "t", NULL);
    struct vsd_publish_stats st;

    kill_group(&r->relay); /* the broker is out of reach when we start */
    assert_int_equal(vsd_publish_start(p), 0);
    assert_int_equal(vsd_publish_start(p), -EALREADY);
    nap_ms(150); /* the first attempts fail */
    assert_false(pub_wait_connected(p, true, 0, 0));
    relay_start(r);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    assert_true(sub_wait(s, STATE_TOPIC, "online", false, 2000));
    for (int i = 0; i < 20; i++) {
        char v[16];
        snprintf(v, sizeof(v), "%d", 60 + i);
        assert_int_equal(vsd_publish_live(p, "vitals/t/bed-1/hr", v), 0);
    }
    assert_true(sub_wait(s, "vitals/t/bed-1/hr", "79", false, 2000));
    assert_int_equal(sub_count(s, "vitals/t/bed-1/hr", NULL, false), 20);
    /* A subscriber that comes later gets "online" from the broker's retained store. */
    late = sub_new(r->broker_port, STATE_TOPIC);
    assert_true(sub_wait(late, STATE_TOPIC, "online", true, 2000));
    vsd_publish_stats(p, &st);
    assert_true(st.connected);
    assert_int_equal(st.live_dropped, 0);
    assert_int_equal(st.reconnects, 0);
    vsd_publish_free(p); /* stops first */
    assert_true(sub_wait(s, STATE_TOPIC, "offline", false, 2000));
    sub_free(late);
    sub_free(s);
}

/* Rows queued while the broker is down arrive, in id order, once it is back. */
static void test_outbox_survives_broker_outage(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct vsd_publish *p;
    struct vsd_publish_stats st;
    struct sub *s;
    int64_t ids[64];
    size_t n;
    char errlog[128];
    int fd;

    snprintf(errlog, sizeof(errlog), "%s/stderr.log", r->dir);
    fd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    r->saved_stderr = dup(STDERR_FILENO);
    assert_true(fd >= 0 && r->saved_stderr >= 0);
    dup2(fd, STDERR_FILENO); /* capture what the module logs */
    close(fd);

    p = pub_new(r->relay_port, "pub-outage", "t", &d);
    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    kill_group(&r->broker); /* SIGKILL: no goodbye */
    kill_group(&r->relay);
    assert_true(pub_wait_connected(p, false, 0, 3000));
    for (int64_t id = 5; id >= 1; id--) /* out of order on purpose */
        alert(p, id);
    assert_int_equal(vsd_publish_live(p, "vitals/t/bed-1/hr", "80"), 0);
    nap_ms(600); /* several reconnect attempts fail meanwhile */
    vsd_publish_stats(p, &st);
    assert_false(st.connected);
    assert_int_equal(st.outbox_pending, 5);
    assert_int_equal(st.live_dropped, 1);
    assert_int_equal(delivered_count(&d, 1), 0);

    broker_start(r); /* a new broker with no memory of anything */
    s = sub_new(r->broker_port, "vitals/#");
    relay_start(r);
    assert_true(delivered_wait(&d, 1, 5, 5000));
    n = sub_wait_alerts(s, ids, 64, 5, 2000);
    assert_true(n >= 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(ids[i], (int64_t)i + 1);
    vsd_publish_stats(p, &st);
    assert_int_equal(st.outbox_pending, 0);
    assert_int_equal(st.reconnects, 1);
    vsd_publish_free(p);
    fflush(stderr);
    dup2(r->saved_stderr, STDERR_FILENO);
    close(r->saved_stderr);
    r->saved_stderr = -1;
    for (int64_t id = 1; id <= 5; id++)
        assert_int_equal(delivered_count(&d, id), 1);
    /* One crit line for one outage, whatever the number of retries. */
    assert_int_equal(count_in_file(errlog, "<2>MQTT: alert path down: "), 1);
    assert_int_equal(count_in_file(errlog, "<5>MQTT connected to 127.0.0.1:"), 2);
    sub_free(s);
}

/* An alert event goes out from memory before the store has it; the outbox row that follows is
 * marked delivered without a second send, whether it comes after the PUBACK or before it. */
static void test_event_before_outbox_row(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct sub *s = sub_new(r->broker_port, "vitals/#");
    struct vsd_publish *p = pub_new(r->relay_port, "pub-event", "t", &d);
    int64_t ids[64];

    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    event(p, 21); /* the disk is slow: no outbox row yet */
    assert_true(sub_wait(s, ALERT_TOPIC, "{\"alert_id\":21}", false, 2000));
    nap_ms(100); /* the PUBACK is in */
    assert_int_equal(delivered_count(&d, 41), 0);
    assert_int_equal(vsd_publish_outbox(p, 41, 21, ALERT_TOPIC, "{\"alert_id\":21}"), 0);
    assert_int_equal(delivered_count(&d, 41), 1); /* at once: acknowledged already */

    kill_group(&r->relay); /* not connected: the next event waits in memory, no outbox row yet */
    assert_true(pub_wait_connected(p, false, 0, 3000));
    event(p, 22);
    assert_int_equal(vsd_publish_outbox(p, 42, 22, ALERT_TOPIC, "{\"alert_id\":22}"), 0);
    relay_start(r);
    assert_true(delivered_wait(&d, 42, 42, 3000)); /* with the PUBACK of the memory send */
    assert_true(sub_wait(s, ALERT_TOPIC, "{\"alert_id\":22}", false, 2000));
    nap_ms(200);
    assert_int_equal(sub_alert_ids(s, ids, 64), 2); /* each event once */
    assert_int_equal(ids[0], 21);
    assert_int_equal(ids[1], 22);
    assert_int_equal(delivered_count(&d, 41), 1);
    assert_int_equal(delivered_count(&d, 42), 1);
    vsd_publish_free(p);
    sub_free(s);
}

/* An event waits for its outbox row's commit (nothing the ward sees is missing from the record
 * after a crash), and goes without it after its hold (a slow disk cannot silence an alert). */
static void test_event_waits_for_its_commit(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct sub *s = sub_new(r->broker_port, "vitals/#");
    struct vsd_publish *p = pub_new(r->relay_port, "pub-hold", "t", &d);
    int64_t t0;

    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    event_held(p, 31, VSD_PUBLISH_HOLD_MS);
    nap_ms(VSD_PUBLISH_HOLD_MS / 2);
    assert_int_equal(sub_count(s, ALERT_TOPIC, "{\"alert_id\":31}", false), 0); /* held */
    t0 = mono_ms();
    assert_int_equal(vsd_publish_outbox(p, 51, 31, ALERT_TOPIC, "{\"alert_id\":31}"), 0);
    assert_true(sub_wait(s, ALERT_TOPIC, "{\"alert_id\":31}", false, 2000));
    assert_true(mono_ms() - t0 < VSD_PUBLISH_HOLD_MS); /* sent on the commit, not the timer */
    assert_true(delivered_wait(&d, 51, 51, 3000));

    t0 = mono_ms();
    event_held(p, 32, VSD_PUBLISH_HOLD_MS); /* no commit comes */
    assert_true(sub_wait(s, ALERT_TOPIC, "{\"alert_id\":32}", false, 3000));
    assert_true(mono_ms() - t0 >= VSD_PUBLISH_HOLD_MS - 5);
    vsd_publish_free(p);
    sub_free(s);
}

/* A row the broker acknowledged is not sent again after a later reconnect. */
static void test_acked_row_not_resent(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct sub *s = sub_new(r->broker_port, "vitals/#");
    struct vsd_publish *p = pub_new(r->relay_port, "pub-acked", "t", &d);
    int64_t ids[64];
    size_t n;

    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    alert(p, 10);
    assert_true(delivered_wait(&d, 10, 10, 3000));
    kill_group(&r->relay); /* the link drops, the broker stays */
    assert_true(pub_wait_connected(p, false, 0, 3000));
    relay_start(r);
    assert_true(pub_wait_connected(p, true, 1, 3000));
    alert(p, 11);
    assert_true(delivered_wait(&d, 11, 11, 3000));
    assert_true(sub_wait(s, ALERT_TOPIC, "{\"alert_id\":11}", false, 2000));
    /* Same connection, in order: a re-sent 10 would have arrived before 11. */
    n = sub_alert_ids(s, ids, 64);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 10);
    assert_int_equal(ids[1], 11);
    assert_int_equal(delivered_count(&d, 10), 1);
    assert_int_equal(sub_count(s, STATE_TOPIC, "online", false), 2);
    vsd_publish_free(p);
    sub_free(s);
}

/* What was in flight when the link died is sent again; the retained cache too,
 * newest payload only, to a broker that lost everything. */
static void test_in_flight_and_retained_after_restart(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct vsd_publish *p = pub_new(r->relay_port, "pub-retained", "t", &d);
    struct sub *s, *late;
    const char *topic = "vitals/t/bed-1/alarms";

    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    kill(-r->relay, SIGSTOP); /* the relay holds what we send: nothing is acknowledged */
    assert_int_equal(vsd_publish_retained(p, topic, "A"), 0);
    alert(p, 20);
    nap_ms(20);
    kill_group(&r->broker);
    kill_group(&r->relay);
    assert_true(pub_wait_connected(p, false, 0, 3000));
    assert_int_equal(delivered_count(&d, 20), 0);
    assert_int_equal(vsd_publish_retained(p, topic, "B"), 0); /* newer than the lost "A" */

    broker_start(r);
    s = sub_new(r->broker_port, "vitals/#");
    relay_start(r);
    assert_true(delivered_wait(&d, 20, 20, 5000));
    assert_true(sub_wait(s, ALERT_TOPIC, "{\"alert_id\":20}", false, 2000));
    assert_true(sub_wait(s, topic, "B", false, 2000));
    assert_true(sub_wait(s, STATE_TOPIC, "online", false, 2000));
    /* The new broker keeps them retained; a stale "A" never overwrote "B". */
    late = sub_new(r->broker_port, "vitals/#");
    assert_true(sub_wait(late, topic, "B", true, 2000));
    assert_true(sub_wait(late, STATE_TOPIC, "online", true, 2000));
    assert_int_equal(sub_count(s, topic, "A", false), 0);
    vsd_publish_free(p);
    sub_free(late);
    sub_free(s);
}

/* Many rows (more than the in-flight window) mixed with live readings. */
static void test_outbox_storm(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct sub *s = sub_new(r->broker_port, "vitals/#");
    struct vsd_publish *p = pub_new(r->relay_port, "pub-storm", "t", &d);
    struct vsd_publish_stats st;
    static int64_t ids[2048];
    size_t n;

    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    for (int64_t id = 100; id < 600; id++) {
        alert(p, id);
        assert_int_equal(vsd_publish_live(p, "vitals/t/bed-1/hr", "70"), 0);
    }
    assert_true(delivered_wait(&d, 100, 599, 8000));
    sub_wait_alerts(s, ids, 2048, 500, 2000);
    nap_ms(50); /* anything extra would show up now */
    n = sub_alert_ids(s, ids, 2048);
    assert_int_equal(n, 500); /* no reconnect happened: nothing twice */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ids[i], (int64_t)i + 100);
    for (int64_t id = 100; id < 600; id++)
        assert_int_equal(delivered_count(&d, id), 1);
    vsd_publish_stats(p, &st);
    assert_int_equal(st.outbox_pending, 0);
    assert_int_equal(st.live_dropped, 0);
    vsd_publish_free(p);
    sub_free(s);
}

/* stop() waits for the outbox and says "offline" before it disconnects. */
static void test_stop_drains_and_says_offline(void **state)
{
    struct rig *r = rig_up(state);
    struct delivered d = {0};
    struct sub *s = sub_new(r->broker_port, "vitals/#");
    struct vsd_publish *p = pub_new(r->relay_port, "pub-stop", "t", &d);
    struct vsd_publish_stats st;
    int64_t t0;

    assert_int_equal(vsd_publish_start(p), 0);
    assert_true(pub_wait_connected(p, true, 0, 3000));
    for (int64_t id = 30; id < 230; id++)
        alert(p, id);
    t0 = mono_ms();
    vsd_publish_stop(p, 5000);
    assert_true(mono_ms() - t0 < 4000); /* returned once drained, not at the deadline */
    for (int64_t id = 30; id < 230; id++)
        assert_int_equal(delivered_count(&d, id), 1);
    vsd_publish_stats(p, &st);
    assert_int_equal(st.outbox_pending, 0);
    assert_false(st.connected);
    assert_true(sub_wait(s, STATE_TOPIC, "offline", false, 2000));
    vsd_publish_stop(p, 1000); /* twice is fine */
    vsd_publish_free(p);
    sub_free(s);
}

/* A child process runs a publisher and dies (or hangs) without disconnecting. */
static pid_t will_child(int port, const char *area)
{
    pid_t pid = fork();

    if (pid == 0) {
        struct vsd_publish *p = pub_new(port, area, area, NULL);
        if (vsd_publish_start(p) != 0)
            _exit(1);
        for (;;)
            pause(); /* until the parent kills or stops us */
    }
    return pid;
}

static void will_case(struct rig *r, const char *area, int sig, int timeout_ms)
{
    char topic[96];
    pid_t child = will_child(r->broker_port, area);
    struct sub *s;

    assert_true(child > 0);
    snprintf(topic, sizeof(topic), "vitals/%s/daemon/state", area);
    s = sub_new(r->broker_port, topic);
    assert_true(sub_wait(s, topic, "online", false, 3000));
    kill(child, sig);
    assert_true(sub_wait(s, topic, "offline", false, timeout_ms));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    sub_free(s);
}

/* The broker publishes the last will "offline" when the daemon dies or hangs. */
static void test_last_will(void **state)
{
    struct rig *r = rig_up(state);

    will_case(r, "will-kill", SIGKILL, 3000);
    /* A hung process (SIGSTOP) keeps its socket: only the keepalive gives it away. That case runs
     * in the default suite against the real daemon: tests/faults/test_daemon_hang_will.sh. */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test_setup_teardown(test_online_and_live, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_survives_broker_outage, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_event_before_outbox_row, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_event_waits_for_its_commit, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_acked_row_not_resent, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_in_flight_and_retained_after_restart, rig_setup,
                                        rig_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_storm, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_stop_drains_and_says_offline, rig_setup, rig_teardown),
        cmocka_unit_test_setup_teardown(test_last_will, rig_setup, rig_teardown),
    };

    /* socat forks a child per connection: adopt them when their parent is killed. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    mosquitto_lib_init(); /* for the subscribers */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
