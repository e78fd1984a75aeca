/* SPDX-License-Identifier: MIT */
/* MQTT publishing with libmosquitto: live readings, retained state and the alert outbox. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include <vitalsd/log.h>

#include "clock.h"
#include "publish.h"
#include "publish_int.h"

#define LOOP_TIMEOUT_MS 100 /* longest mosquitto_loop() sleep: also how late a held event goes */
#define QUIT_GRACE_MS 1000  /* time for DISCONNECT to go out before we give up */

/*
 * MQTT 5, clean session. Our own network thread runs mosquitto_loop() and
 * reconnects with a back-off in ms (loop_start()'s thread counts whole seconds,
 * never retries a failed first connect, can sleep through loop_stop()). Every
 * new attempt starts from a reinitialised client, or libmosquitto would re-send
 * its old queue after our newer state (a stale retained alarm state).
 *
 * Alert events are kept in seq order (publish_rows.c); a row is in flight once handed to
 * libmosquitto on this connection (mid != 0), as is every row before `cursor`.
 * At most OUTBOX_WINDOW are in flight, more follow the PUBACKs: that bounds
 * libmosquitto's queue and the mids in use. Each connect forgets every mid and
 * sends all rows again.
 *
 * p->lock guards lists, mid map and flags. It is held across mosquitto_publish()
 * (which only queues in threaded mode): a PUBACK cannot overtake the record of
 * its mid. It is never held while logging or calling on_delivered. Callbacks
 * hold libmosquitto's callback mutex, then take p->lock; on_log may run inside
 * mosquitto_publish() and takes only p->err_lock.
 */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
    mosquitto_lib_init();
}

/* The one adapter from MOSQ_ERR_* to negative errno. SAVED_ERRNO is errno as it
 * was right after the failing call (used for MOSQ_ERR_ERRNO). */
static int mosq_errno(int rc, int saved_errno)
{
    /* clang-format off */
    static const int map[][2] = {
        {MOSQ_ERR_SUCCESS, 0}, {MOSQ_ERR_NOMEM, ENOMEM}, {MOSQ_ERR_INVAL, EINVAL},
        {MOSQ_ERR_MALFORMED_UTF8, EINVAL}, {MOSQ_ERR_NO_CONN, ENOTCONN},
        {MOSQ_ERR_CONN_REFUSED, ECONNREFUSED}, {MOSQ_ERR_NOT_FOUND, ENOENT},
        {MOSQ_ERR_CONN_LOST, ECONNRESET}, {MOSQ_ERR_PAYLOAD_SIZE, EMSGSIZE},
        {MOSQ_ERR_OVERSIZE_PACKET, EMSGSIZE}, {MOSQ_ERR_NOT_SUPPORTED, EOPNOTSUPP},
        {MOSQ_ERR_AUTH, EACCES}, {MOSQ_ERR_ACL_DENIED, EACCES}, {MOSQ_ERR_EAI, EHOSTUNREACH},
        {MOSQ_ERR_KEEPALIVE, ETIMEDOUT}, {MOSQ_ERR_PROTOCOL, EPROTO}, {MOSQ_ERR_TLS, EPROTO},
        {MOSQ_ERR_PROXY, EPROTO}, {MOSQ_ERR_MALFORMED_PACKET, EPROTO},
    };
    /* clang-format on */

    if (rc == MOSQ_ERR_ERRNO)
        return saved_errno > 0 ? -saved_errno : -EIO;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i][0] == rc)
            return -map[i][1];
    return -EIO;
}

/* mosquitto_strerror(), which in 2.0.11 has no text for MOSQ_ERR_KEEPALIVE. */
static const char *mosq_reason(int rc)
{
    return rc == MOSQ_ERR_KEEPALIVE ? "no answer within the keepalive" : mosquitto_strerror(rc);
}

/* Describe an error into ERR (which may be NULL); callers add the "MQTT: " context. */
__attribute__((format(printf, 3, 4))) static void errf(char *err, size_t errlen, const char *fmt,
                                                       ...)
{
    va_list ap;

    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Convert RC at the boundary and describe it once: into ERR when given, else
 * to the log. Call it right after the failing libmosquitto call (errno). */
static int mosq_fail(int rc, const char *what, char *err, size_t errlen)
{
    int ret = mosq_errno(rc, errno);
    const char *msg = mosq_reason(rc); /* reads errno for MOSQ_ERR_ERRNO */

    if (err && errlen > 0)
        errf(err, errlen, "%s: %s", what, msg);
    else
        vsd_log(LOG_ERR, "MQTT: %s: %s", what, msg);
    return ret;
}

static int64_t now_ms(void)
{
    return vsd_clock_mono_ms(&vsd_clock_system);
}

/* Wait on p->cond until the monotonic time DEADLINE_MS (lock held). */
static void wait_until(struct vsd_publish *p, int64_t deadline_ms)
{
    struct timespec ts = {.tv_sec = deadline_ms / 1000,
                          .tv_nsec = (long)(deadline_ms % 1000) * 1000000L};

    pthread_cond_timedwait(&p->cond, &p->lock, &ts);
}

/* A topic we publish to: not empty, no wildcards, no empty level, valid UTF-8. */
static bool topic_valid(const char *topic)
{
    size_t len;

    if (!topic || !*topic || strpbrk(topic, "+#"))
        return false;
    if (topic[0] == '/' || strstr(topic, "//"))
        return false;
    len = strlen(topic);
    if (topic[len - 1] == '/' || len > UINT16_MAX)
        return false;
    return mosquitto_validate_utf8(topic, (int)len) == MOSQ_ERR_SUCCESS;
}

static bool payload_valid(const char *payload)
{
    return payload && strlen(payload) <= 65536u * 1024u; /* far below MQTT's 256 MB */
}

/* mosquitto_publish with the lock held; *RET_MID is set on success. */
static int send_locked(struct vsd_publish *p, const char *topic, const char *payload, int qos,
                       bool retain, int *ret_mid)
{
    int mid = 0;
    int rc = mosquitto_publish(p->mosq, &mid, topic, (int)strlen(payload), payload, qos, retain);

    if (rc != MOSQ_ERR_SUCCESS)
        return rc;
    vsd_mid_claim(p, mid);
    if (ret_mid)
        *ret_mid = mid;
    return MOSQ_ERR_SUCCESS;
}

/* Hand outbox rows to libmosquitto, in id order, until the window is full. */
static void outbox_feed(struct vsd_publish *p)
{
    while (p->connected && p->n_inflight < OUTBOX_WINDOW && p->cursor) {
        struct row *r = p->cursor;
        int mid;

        if (!r->id && r->hold_until_ms > now_ms())
            break; /* waits for its commit; the ones after it too, in seq order */
        p->cursor = r->next;
        if (r->mid)
            continue;
        if (send_locked(p, r->topic, r->payload, 1, false, &mid) != MOSQ_ERR_SUCCESS) {
            /* The connection is going away: this row goes out on the next connect. */
            if (!p->cursor || r->seq < p->cursor->seq)
                p->cursor = r;
            break;
        }
        r->mid = mid;
        p->inflight[p->n_inflight++] = r;
    }
}

/* The alert path is down for REASON (plus libmosquitto's last error line): say
 * so once per outage, not on every retry. */
static void path_down(struct vsd_publish *p, const char *reason)
{
    char lib[REASON_MAX];
    bool news;

    pthread_mutex_lock(&p->err_lock);
    snprintf(lib, sizeof(lib), "%s", p->lib_error);
    p->lib_error[0] = '\0';
    pthread_mutex_unlock(&p->err_lock);
    pthread_mutex_lock(&p->lock);
    news = !p->down_logged;
    p->down_logged = true;
    p->connected = false;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (news)
        vsd_log(LOG_CRIT, "MQTT: alert path down: %s%s%s%s", reason, lib[0] ? " (" : "", lib,
                lib[0] ? ")" : "");
}

static void resend_all_locked(struct vsd_publish *p)
{
    const char *state = p->stopping ? "offline" : "online";

    while (p->n_inflight > 0)
        vsd_inflight_drop(p, p->n_inflight - 1);
    p->cursor = p->head;
    send_locked(p, p->state_topic, state, 1, true, p->stopping ? &p->offline_mid : NULL);
    for (struct row *r = p->retained; r; r = r->next)
        send_locked(p, r->topic, r->payload, 1, true, NULL);
    outbox_feed(p);
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct vsd_publish *p = obj;

    (void)mosq;
    if (rc != 0) {
        path_down(p, mosquitto_connack_string(rc));
        return;
    }
    pthread_mutex_lock(&p->lock);
    p->connected = true;
    p->down_logged = false;
    p->connects++;
    if (p->sub_pattern)
        mosquitto_subscribe_v5(p->mosq, NULL, p->sub_pattern, 1, MQTT_SUB_OPT_RETAIN_AS_PUBLISHED,
                               NULL);
    resend_all_locked(p);
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    vsd_log(LOG_NOTICE, "MQTT connected to %s:%d", p->cfg.host, p->cfg.port);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    struct vsd_publish *p = obj;
    const char *reason = mosq_reason(rc); /* first: it may read errno */

    (void)mosq;
    pthread_mutex_lock(&p->lock);
    bool quit = p->quit;
    p->connected = false;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (!quit) /* our own DISCONNECT closes the path, it does not lose it */
        path_down(p, reason);
}

static void on_publish(struct mosquitto *mosq, void *obj, int mid)
{
    struct vsd_publish *p = obj;
    struct row *r = NULL;
    ssize_t i;

    (void)mosq;
    pthread_mutex_lock(&p->lock);
    if (mid == p->offline_mid) {
        p->offline_acked = true;
        p->offline_mid = 0;
    }
    i = vsd_inflight_find(p, mid);
    if (i >= 0) {
        r = p->inflight[i];
        vsd_inflight_drop(p, (size_t)i);
        vsd_row_unlink(p, r);
        if (!r->id) /* delivered before it was stored: its outbox row is marked when it comes */
            vsd_acked_add(p, r->seq);
        outbox_feed(p);
    }
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    if (r && r->id && p->on_delivered)
        p->on_delivered(p->ctx, r->id);
    vsd_row_free(r);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *m)
{
    struct vsd_publish *p = obj;

    (void)mosq;
    pthread_mutex_lock(&p->sub_lock);
    if (p->on_message && m->topic)
        p->on_message(p->sub_ctx, m->topic, m->payload,
                      m->payloadlen > 0 ? (size_t)m->payloadlen : 0, m->retain);
    pthread_mutex_unlock(&p->sub_lock);
}

static void on_log(struct mosquitto *mosq, void *obj, int level, const char *str)
{
    struct vsd_publish *p = obj;

    (void)mosq;
    if (!(level & MOSQ_LOG_ERR))
        return;
    pthread_mutex_lock(&p->err_lock);
    snprintf(p->lib_error, sizeof(p->lib_error), "%s", str);
    pthread_mutex_unlock(&p->err_lock);
}

static int setup_tls(struct vsd_publish *p, char *err, size_t errlen)
{
    const struct vsd_mqtt_config *c = &p->cfg;
    const char *files[][2] = {{"tls_ca_file", c->tls_ca_file},
                              {"tls_cert_file", c->tls_cert_file},
                              {"tls_key_file", c->tls_key_file}};
    int rc;

    if (!c->tls_ca_file)
        return 0;
    for (size_t i = 0; i < 3; i++) /* libmosquitto would only say "invalid arguments" */
        if (files[i][1] && access(files[i][1], R_OK) < 0) {
            rc = -errno;
            errf(err, errlen, "%s '%s': %s", files[i][0], files[i][1], strerror(-rc));
            return rc;
        }
    rc = mosquitto_tls_set(p->mosq, c->tls_ca_file, NULL, c->tls_cert_file, c->tls_key_file, NULL);
    if (rc != MOSQ_ERR_SUCCESS)
        return mosq_fail(rc, "TLS setup", err, errlen);
    return 0;
}

/* Options, will, credentials, callbacks, TLS: for a new or reinitialised client. */
static int configure_client(struct vsd_publish *p, char *err, size_t errlen)
{
    const struct vsd_mqtt_config *c = &p->cfg;
    int rc;

    mosquitto_threaded_set(p->mosq, true);
    /* MQTT 5: only its "retain as published" subscription option tells a subscriber that a
     * message arriving live was published retained (MQTT 3.1.1 clears the flag, section 3.3.1.3),
     * which the command transport must know to refuse retained commands. */
    if ((rc = mosquitto_int_option(p->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5)) ||
        (rc = mosquitto_int_option(p->mosq, MOSQ_OPT_TCP_NODELAY, 1)))
        return mosq_fail(rc, "client options", err, errlen);
    rc = mosquitto_will_set(p->mosq, p->state_topic, (int)strlen("offline"), "offline", 1, true);
    if (rc)
        return mosq_fail(rc, "last will", err, errlen);
    if ((c->username || c->password) &&
        (rc = mosquitto_username_pw_set(p->mosq, c->username, c->password)))
        return mosq_fail(rc, "username/password", err, errlen);
    mosquitto_connect_callback_set(p->mosq, on_connect);
    mosquitto_disconnect_callback_set(p->mosq, on_disconnect);
    mosquitto_publish_callback_set(p->mosq, on_publish);
    mosquitto_log_callback_set(p->mosq, on_log);
    mosquitto_message_callback_set(p->mosq, on_message);
    return setup_tls(p, err, errlen);
}

/* Start each attempt from a fresh client: libmosquitto would otherwise re-send
 * what it still holds from the old connection after our newer state. Other
 * threads touch p->mosq only while p->connected, which is false here. */
static int reset_client(struct vsd_publish *p, char *err, size_t errlen)
{
    int rc = mosquitto_reinitialise(p->mosq, p->cfg.client_id, true, p);

    if (rc != MOSQ_ERR_SUCCESS)
        return mosq_fail(rc, "resetting the client", err, errlen);
    return configure_client(p, err, errlen);
}

/* libmosquitto 2.0.11 misses a refused non-blocking TLS connect and spins until
 * the keepalive expires: look at the socket ourselves until CONNACK. */
static int connect_error(struct vsd_publish *p)
{
    int fd = mosquitto_socket(p->mosq), e = 0;
    socklen_t len = sizeof(e);
    char b;

    if (fd < 0)
        return 0;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e)
        return e;
    /* A TLS write may have taken the error already: then only EOF is left. */
    return recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0 ? ECONNRESET : 0;
}

/* One connection attempt and, if it starts, its whole life. */
static void run_connection(struct vsd_publish *p, bool first)
{
    char err[2 * REASON_MAX];
    int64_t grace = 0;
    int rc, e;

    if (!first && reset_client(p, err, sizeof(err)) < 0) {
        path_down(p, err);
        return;
    }
    rc = mosquitto_connect_async(p->mosq, p->cfg.host, p->cfg.port, p->cfg.keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        path_down(p, mosq_reason(rc));
        return;
    }
    while ((rc = mosquitto_loop(p->mosq, LOOP_TIMEOUT_MS, 1)) == MOSQ_ERR_SUCCESS) {
        pthread_mutex_lock(&p->lock);
        bool quit = p->quit, up = p->connected;
        outbox_feed(p); /* an event held past VSD_PUBLISH_HOLD_MS without its commit */
        pthread_mutex_unlock(&p->lock);
        if (!up && !quit && (e = connect_error(p)) != 0) {
            path_down(p, strerror(e));
            break;
        } else if (quit && grace == 0) {
            grace = now_ms() + QUIT_GRACE_MS;
            mosquitto_disconnect(p->mosq); /* a connection stop() did not see */
        } else if (quit && now_ms() > grace) {
            break;
        }
    }
    pthread_mutex_lock(&p->lock);
    bool quit = p->quit;
    p->connected = false; /* on_disconnect said so already; make sure */
    pthread_mutex_unlock(&p->lock);
    if (rc != MOSQ_ERR_SUCCESS && !quit) /* e.g. a failed TLS handshake: no on_disconnect */
        path_down(p, mosq_reason(rc));
}

static void *net_main(void *arg)
{
    struct vsd_publish *p = arg;
    int64_t delay = p->cfg.reconnect_min_ms;
    bool first = true;

    for (;;) {
        pthread_mutex_lock(&p->lock);
        uint64_t connects = p->connects;
        bool quit = p->quit;
        pthread_mutex_unlock(&p->lock);
        if (quit)
            break;
        run_connection(p, first);
        first = false;
        pthread_mutex_lock(&p->lock);
        if (p->connects != connects)
            delay = p->cfg.reconnect_min_ms; /* it was up: start the back-off again */
        for (int64_t end = now_ms() + delay; !p->quit && now_ms() < end;)
            wait_until(p, end);
        pthread_mutex_unlock(&p->lock);
        delay = delay * 2 > p->cfg.reconnect_max_ms ? p->cfg.reconnect_max_ms : delay * 2;
    }
    return NULL;
}

static void init_sync(struct vsd_publish *p)
{
    /* None of these can fail on Linux with these attributes. */
    vsd_clock_cond_init(&p->cond);
    pthread_mutex_init(&p->lock, NULL);
    pthread_mutex_init(&p->err_lock, NULL);
    pthread_mutex_init(&p->sub_lock, NULL);
}

int vsd_publish_new(const struct vsd_mqtt_config *mqtt, const char *area,
                    vsd_publish_delivered_fn on_delivered, void *ctx, struct vsd_publish **ret,
                    char *err, size_t errlen)
{
    struct vsd_publish *p = NULL;
    char *state_topic;
    int r = -EINVAL;

    if (err && errlen > 0)
        err[0] = '\0';
    if (!mqtt || !mqtt->host || !area || !ret)
        goto fail;
    if (mqtt->port < 1 || mqtt->port > 65535 || mqtt->keepalive_s > 65535 ||
        (mqtt->keepalive_s < 5 && mqtt->keepalive_s != 0) || /* libmosquitto's range */
        mqtt->reconnect_min_ms <= 0 || mqtt->reconnect_max_ms < mqtt->reconnect_min_ms) {
        errf(err, errlen, "port, keepalive or reconnect delays out of range");
        goto fail;
    }
    pthread_once(&lib_once, lib_init);
    r = -ENOMEM;
    if (!(p = calloc(1, sizeof(*p))))
        goto fail;
    init_sync(p);
    p->on_delivered = on_delivered;
    p->ctx = ctx;
    if (vsd_mqtt_config_copy(&p->cfg, mqtt) < 0 ||
        asprintf(&state_topic, "vitals/%s/daemon/state", area) < 0)
        goto fail;
    p->state_topic = state_topic;
    if (!topic_valid(state_topic)) {
        errf(err, errlen, "area '%s' does not make a valid topic", area);
        r = -EINVAL;
        goto fail;
    }
    p->mosq = mosquitto_new(p->cfg.client_id, true, p);
    if (!p->mosq) {
        r = mosq_fail(MOSQ_ERR_ERRNO, "creating the client", err, errlen);
        goto fail;
    }
    if ((r = configure_client(p, err, errlen)) < 0)
        goto fail;
    *ret = p;
    return 0;
fail:
    if (err && errlen > 0 && !err[0])
        errf(err, errlen, "%s", strerror(-r));
    vsd_publish_free(p);
    return r;
}

int vsd_publish_start(struct vsd_publish *p)
{
    int r;

    if (!p)
        return -EINVAL;
    if (p->started || p->quit) /* running, or stopped for good */
        return -EALREADY;
    if ((r = pthread_create(&p->thread, NULL, net_main, p)) != 0)
        return -r;
    p->started = true;
    return 0;
}

void vsd_publish_stop(struct vsd_publish *p, int drain_ms)
{
    int64_t deadline;

    if (!p || !p->started)
        return;
    deadline = now_ms() + (drain_ms > 0 ? drain_ms : 0);
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    p->offline_acked = false;
    if (p->connected) /* else on_connect sends it, if it connects while we drain */
        send_locked(p, p->state_topic, "offline", 1, true, &p->offline_mid);
    while (!(p->offline_acked && !p->head) && now_ms() < deadline)
        wait_until(p, deadline);
    size_t left = p->n_pending;
    bool acked = p->offline_acked;
    p->quit = true;
    pthread_cond_broadcast(&p->cond); /* wakes a back-off wait */
    if (p->connected)
        mosquitto_disconnect(p->mosq); /* wakes the loop; else it sees quit within 1 s */
    pthread_mutex_unlock(&p->lock);

    pthread_join(p->thread, NULL);
    p->started = false;
    vsd_log(left ? LOG_WARNING : LOG_INFO, "MQTT: stopped, %zu outbox row(s) unacknowledged%s",
            left, acked ? "" : ", \"offline\" not acknowledged");
}

void vsd_publish_free(struct vsd_publish *p)
{
    if (!p)
        return;
    vsd_publish_stop(p, 0);
    mosquitto_destroy(p->mosq); /* accepts NULL */
    vsd_rows_free(p->head);
    vsd_rows_free(p->retained);
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->err_lock);
    pthread_mutex_destroy(&p->sub_lock);
    pthread_cond_destroy(&p->cond);
    vsd_mqtt_config_clear(&p->cfg);
    free(p->state_topic);
    free(p->sub_pattern);
    free(p);
}

int vsd_publish_subscribe(struct vsd_publish *p, const char *pattern, vsd_publish_message_fn fn,
                          void *ctx)
{
    if (!p || !pattern || !fn || p->started || p->sub_pattern)
        return -EINVAL;
    if (!(p->sub_pattern = strdup(pattern)))
        return -ENOMEM;
    p->on_message = fn;
    p->sub_ctx = ctx;
    return 0;
}

void vsd_publish_unsubscribe(struct vsd_publish *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->sub_lock); /* waits for a message being handed over */
    p->on_message = NULL;
    p->sub_ctx = NULL;
    pthread_mutex_unlock(&p->sub_lock);
}

int vsd_publish_live(struct vsd_publish *p, const char *topic, const char *payload)
{
    return vsd_publish_send(p, topic, payload, 0);
}

int vsd_publish_send(struct vsd_publish *p, const char *topic, const char *payload, int qos)
{
    int rc = MOSQ_ERR_NO_CONN;

    if (!p || !topic_valid(topic) || !payload_valid(payload) || qos < 0 || qos > 1)
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    if (p->connected)
        rc = send_locked(p, topic, payload, qos, false, NULL);
    if (rc == MOSQ_ERR_NO_CONN)
        p->live_dropped++;
    pthread_mutex_unlock(&p->lock);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
        return mosq_fail(rc, "live publish", NULL, 0);
    return 0;
}

int vsd_publish_retained(struct vsd_publish *p, const char *topic, const char *payload)
{
    struct row *r, **at;
    int rc = MOSQ_ERR_SUCCESS;

    if (!p || !topic_valid(topic) || !payload_valid(payload))
        return -EINVAL;
    if (!(r = vsd_row_new(topic, payload)))
        return -ENOMEM;
    pthread_mutex_lock(&p->lock);
    for (at = &p->retained; *at && strcmp((*at)->topic, topic) != 0; at = &(*at)->next)
        ;
    if (*at) { /* replace the older payload */
        r->next = (*at)->next;
        vsd_row_free(*at);
    }
    *at = r;
    if (p->connected) /* else it goes out with the others on connect */
        rc = send_locked(p, topic, payload, 1, true, NULL);
    pthread_mutex_unlock(&p->lock);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
        return mosq_fail(rc, "retained publish", NULL, 0);
    return 0;
}

int vsd_publish_event(struct vsd_publish *p, int64_t seq, const char *topic, const char *payload,
                      int hold_ms)
{
    struct row *r;
    int ret;

    if (!p || seq <= 0 || hold_ms < 0 || !topic_valid(topic) || !payload_valid(payload))
        return -EINVAL;
    if (!(r = vsd_row_new(topic, payload)))
        return -ENOMEM;
    r->seq = seq;
    r->hold_until_ms = hold_ms ? now_ms() + hold_ms : 0;
    pthread_mutex_lock(&p->lock);
    ret = vsd_row_insert(p, r);
    if (ret == 0 && !hold_ms)
        outbox_feed(p);
    pthread_mutex_unlock(&p->lock);
    if (ret < 0)
        vsd_row_free(r);
    return ret;
}

int vsd_publish_outbox(struct vsd_publish *p, int64_t id, int64_t seq, const char *topic,
                       const char *payload)
{
    struct row *r = NULL, *known;
    int ret = 0;

    if (!p || id <= 0 || seq <= 0 || !topic_valid(topic) || !payload_valid(payload))
        return -EINVAL;
    pthread_mutex_lock(&p->lock);
    if ((known = vsd_row_find(p, seq))) { /* held, or sent and not yet acknowledged */
        ret = known->id ? -EEXIST : 0;
        if (!known->id)
            known->id = id;
        outbox_feed(p);                   /* a held event goes now */
    } else if (!vsd_acked_take(p, seq)) { /* not sent before (a restart): send it now */
        if ((r = vsd_row_new(topic, payload))) {
            r->seq = seq;
            r->id = id;
            ret = vsd_row_insert(p, r);
            if (ret == 0)
                outbox_feed(p);
        }
        ret = r ? ret : -ENOMEM;
    } else {
        ret = 1; /* acknowledged before it was stored */
    }
    pthread_mutex_unlock(&p->lock);
    if (ret < 0)
        vsd_row_free(r);
    if (ret == 1 && p->on_delivered)
        p->on_delivered(p->ctx, id);
    return ret < 0 ? ret : 0;
}

void vsd_publish_stats(struct vsd_publish *p, struct vsd_publish_stats *out)
{
    memset(out, 0, sizeof(*out));
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    out->connected = p->connected;
    out->outbox_pending = p->n_pending;
    out->live_dropped = p->live_dropped;
    out->reconnects = p->connects > 0 ? p->connects - 1 : 0;
    out->ever_connected = p->connects > 0;
    pthread_mutex_unlock(&p->lock);
}
