/* SPDX-License-Identifier: MIT */
/* Staff commands over MQTT: checked, run by the one command handler, answered and logged. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <vitalsd/log.h>

#include "access.h"
#include "clock.h"
#include "command.h"
#include "mqtt_command.h"
#include "replay.h"

#define PENDING_MAX 32 /* messages waiting for the worker; more are refused */
#define TOPIC_MAX 256
#define REPLAY_MAX 256              /* answers remembered for repeated request ids */
#define REPLAY_WINDOW_MS 600000     /* ... for 10 minutes */

/* One message as received: the user from its topic, its payload (NULL when too large). */
struct message {
    char user[VSD_ACTOR_MAX + 1];
    char *payload;
    size_t len;
    bool retained;
};

struct vsd_mqtt_commands {
    struct vsd_publish *pub;
    struct vsd_command_link link;
    char prefix[TOPIC_MAX]; /* vitals/<area>/command/ */
    char area[64];
    struct vsd_replay *replay; /* the worker's own */
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    struct message pending[PENDING_MAX];
    size_t head, n;
};

/* MQTT user names become topic levels and audit actors: keep them plain. */
static bool user_ok(const char *u)
{
    size_t n = strlen(u);

    return n > 0 && n <= VSD_ACTOR_MAX &&
           strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@") == n;
}

static void send_text(struct vsd_mqtt_commands *m, const char *user, const char *text)
{
    char topic[TOPIC_MAX];

    snprintf(topic, sizeof(topic), "vitals/%s/reply/%s", m->area, user);
    vsd_publish_send(m->pub, topic, text, 1);
}

static cJSON *refuse(const char *user, const char *why)
{
    cJSON *r = cJSON_CreateObject();

    vsd_log(LOG_WARNING, "MQTT command from '%s' refused: %s", user, why);
    cJSON_AddBoolToObject(r, "ok", false);
    cJSON_AddStringToObject(r, "error", why);
    return r;
}

/* Commands a dashboard may send; exports and their audit records stay with vitalsctl. */
static bool allowed(const char *cmd)
{
    static const char *const names[] = {"ack",        "session_start", "session_end",
                                        "limits_set", "limits_reset",  "limits_show",
                                        "alerts",     "status",        "session_list",
                                        "ping",       "trend",         NULL};

    for (size_t i = 0; names[i]; i++)
        if (strcmp(cmd, names[i]) == 0)
            return true;
    return false;
}

/* Check what only MQTT needs: the command's name, the area, and "by" = the MQTT user. */
static const char *check_request(struct vsd_mqtt_commands *m, cJSON *req, const char *user)
{
    const char *cmd = cJSON_GetObjectItemCaseSensitive(req, "cmd")->valuestring;
    const cJSON *area = cJSON_GetObjectItemCaseSensitive(req, "area");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(req, "by");

    if (!allowed(cmd))
        return "unknown command (allowed: ack, session_start, session_end, limits_set, "
               "limits_reset, limits_show, alerts, status, session_list, ping, trend)";
    if (area && (!cJSON_IsString(area) || strcmp(area->valuestring, m->area) != 0))
        return "the command is for another area";
    if (by && (!cJSON_IsString(by) || strcmp(by->valuestring, user) != 0))
        return "\"by\" must be your MQTT user name (or left out)";
    if (!by)
        cJSON_AddStringToObject(req, "by", user);
    return NULL;
}

/* The request's "request_id" as text (a string as is, a number printed) in BUF; false: none. */
static bool request_id(const cJSON *req, char *buf, size_t size)
{
    const cJSON *id = req ? cJSON_GetObjectItemCaseSensitive(req, "request_id") : NULL;

    if (cJSON_IsString(id))
        snprintf(buf, size, "s:%s", id->valuestring);
    else if (cJSON_IsNumber(id))
        snprintf(buf, size, "n:%.17g", id->valuedouble);
    else
        return false;
    return true;
}

/* Why MSG is not run, in WHY, or NULL when it may be; *REQ is the parsed request (or NULL). */
static const char *check_message(struct vsd_mqtt_commands *m, const struct message *msg,
                                 cJSON **req, char *why, size_t size)
{
    if (msg->retained)
        return "retained command messages are not run (a retained command would run again after "
               "every reconnect): publish commands without the retain flag, and clear this one "
               "with an empty retained message";
    if (!msg->payload) {
        snprintf(why, size, "request too large: %zu bytes, at most %d", msg->len,
                 VSD_REQUEST_MAX);
        return why;
    }
    if (!(*req = vsd_command_parse(msg->payload, msg->len, why, size)))
        return why;
    return check_request(m, *req, msg->user);
}

/* Run MSG (or refuse it) and return the answer as text, with the request's id echoed. */
static char *answer(struct vsd_mqtt_commands *m, const struct message *msg, cJSON *req,
                    const char *bad)
{
    char via[96], *text;
    cJSON *reply;
    const cJSON *id = req ? cJSON_GetObjectItemCaseSensitive(req, "request_id") : NULL;

    if (bad) {
        reply = refuse(msg->user, bad);
    } else {
        snprintf(via, sizeof(via), "mqtt user=%s", msg->user);
        reply = vsd_command_run(m->link.queue, m->link.store, req, via,
                                vsd_access_roles_mqtt(m->link.access, msg->user));
    }
    if (reply && (cJSON_IsString(id) || cJSON_IsNumber(id)))
        cJSON_AddItemToObject(reply, "request_id", cJSON_Duplicate(id, false));
    text = reply ? cJSON_PrintUnformatted(reply) : NULL;
    cJSON_Delete(reply);
    return text;
}

static void handle(struct vsd_mqtt_commands *m, struct message *msg)
{
    cJSON *req = NULL;
    char why[256], id[VSD_REQUEST_ID_MAX + 3];
    const char *bad = check_message(m, msg, &req, why, sizeof(why)), *first;
    bool has_id = !bad && request_id(req, id, sizeof(id));
    int64_t now = vsd_clock_mono_ms(&vsd_clock_system);
    char *text;

    if (has_id && (first = vsd_replay_find(m->replay, msg->user, id, now))) {
        vsd_log(LOG_INFO, "MQTT command from '%s': request id seen before, first answer sent again",
                msg->user);
        send_text(m, msg->user, first);
    } else if ((text = answer(m, msg, req, bad))) {
        send_text(m, msg->user, text);
        if (has_id)
            vsd_replay_put(m->replay, msg->user, id, text, now);
        free(text);
    }
    cJSON_Delete(req);
}

static void *worker(void *arg)
{
    struct vsd_mqtt_commands *m = arg;

    pthread_mutex_lock(&m->lock);
    for (;;) {
        struct message msg;

        while (!m->stop && m->n == 0)
            pthread_cond_wait(&m->cond, &m->lock);
        if (m->stop)
            break;
        msg = m->pending[m->head];
        m->head = (m->head + 1) % PENDING_MAX;
        m->n--;
        pthread_mutex_unlock(&m->lock);
        handle(m, &msg);
        free(msg.payload);
        pthread_mutex_lock(&m->lock);
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* On the MQTT thread: copy and queue, never block. */
static void on_message(void *ctx, const char *topic, const void *payload, size_t len,
                       bool retained)
{
    struct vsd_mqtt_commands *m = ctx;
    const char *user = topic + strlen(m->prefix);
    struct message msg = {.len = len, .retained = retained};

    if (strncmp(topic, m->prefix, strlen(m->prefix)) != 0 || !user_ok(user)) {
        vsd_log(LOG_WARNING, "MQTT: message on '%.100s' ignored: not a command topic", topic);
        return;
    }
    snprintf(msg.user, sizeof(msg.user), "%s", user);
    if (len <= VSD_REQUEST_MAX && (msg.payload = malloc(len + 1))) {
        if (len) /* an empty message has no payload pointer */
            memcpy(msg.payload, payload, len);
        msg.payload[len] = '\0';
    }
    pthread_mutex_lock(&m->lock);
    if (m->n < PENDING_MAX && !m->stop) {
        m->pending[(m->head + m->n++) % PENDING_MAX] = msg;
        msg.payload = NULL;
        pthread_cond_signal(&m->cond);
    }
    pthread_mutex_unlock(&m->lock);
    if (msg.payload) {
        vsd_log(LOG_WARNING, "MQTT command from '%s' dropped: %d already waiting", msg.user,
                PENDING_MAX);
        free(msg.payload);
    }
}

int vsd_mqtt_commands_start(struct vsd_publish *pub, const struct vsd_command_link *link,
                            const char *area, struct vsd_mqtt_commands **ret)
{
    struct vsd_mqtt_commands *m = calloc(1, sizeof(*m));
    char pattern[TOPIC_MAX + 8];
    int r;

    if (!m)
        return -ENOMEM;
    if (!(m->replay = vsd_replay_new(REPLAY_MAX, REPLAY_WINDOW_MS))) {
        free(m);
        return -ENOMEM;
    }
    m->pub = pub;
    m->link = *link;
    snprintf(m->area, sizeof(m->area), "%s", area);
    snprintf(m->prefix, sizeof(m->prefix), "vitals/%s/command/", area);
    snprintf(pattern, sizeof(pattern), "vitals/%s/command/+", m->area);
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->cond, NULL);
    r = vsd_publish_subscribe(pub, pattern, on_message, m);
    if (r == 0)
        r = -pthread_create(&m->thread, NULL, worker, m);
    m->running = r == 0;
    if (r < 0) {
        vsd_mqtt_commands_stop(m, NULL, NULL);
        return r;
    }
    *ret = m;
    return 0;
}

void vsd_mqtt_commands_stop(struct vsd_mqtt_commands *m, void (*pump)(void *ctx), void *ctx)
{
    if (!m)
        return;
    vsd_publish_unsubscribe(m->pub); /* the MQTT thread must be done with M before it is freed */
    pthread_mutex_lock(&m->lock);
    m->stop = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    while (m->running && pthread_tryjoin_np(m->thread, NULL) == EBUSY)
        pump(ctx); /* a command in flight waits for the core: keep answering */
    for (size_t i = 0; i < m->n; i++)
        free(m->pending[(m->head + i) % PENDING_MAX].payload);
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    vsd_replay_free(m->replay);
    free(m);
}
