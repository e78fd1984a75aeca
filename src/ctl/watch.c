/* SPDX-License-Identifier: MIT */
/* vitalsctl watch: subscribe to alert events and print them as plain lines. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <mosquitto.h>

#include <vitalsd/vitals.h>

#include "tty_safe.h"
#include "watch.h"


struct watch {
    char area[64];
    struct vsd_alert_order order;
    int refused; /* the broker's CONNACK code when it refused us; 0: not refused */
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const char *str(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* "03:47:35" in local time from an ISO 8601 UTC stamp; the stamp itself on failure. */
static void clock_time(const char *iso, char *buf, size_t size)
{
    struct tm tm = {0};
    const char *end = iso ? strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    time_t t;

    if (!end) {
        snprintf(buf, size, "%s", iso ? iso : "?");
        return;
    }
    t = timegm(&tm);
    localtime_r(&t, &tm);
    strftime(buf, size, "%H:%M:%S", &tm);
}

static void describe(const cJSON *o, char *buf, size_t size)
{
    const char *code = str(o, "code"), *vital = str(o, "vital"), *kind = str(o, "kind");
    int v = vital ? vsd_vital_from_name(vital) : -1;
    const struct vsd_vital_info *vi = v >= 0 ? vsd_vital_info((enum vsd_vital)v) : NULL;
    double value = num(o, "value"), limit = num(o, "limit");
    bool low = code && strcmp(code, "low") == 0;

    if (kind && strcmp(kind, "technical") == 0) {
        snprintf(buf, size, "technical: %s%s%s%s, device %s", code ? code : "?",
                 vi ? " (" : "", vi ? vi->label : "", vi ? ")" : "",
                 str(o, "device") ? str(o, "device") : "-");
        for (char *p = buf; *p; p++)
            if (*p == '_')
                *p = ' ';
    } else if (vi && isnan(value)) { /* cleared by an acknowledgement: no value to show */
        snprintf(buf, size, "%s %s (limit %s %g)", vi->label, code ? code : "?", low ? "<" : ">",
                 limit);
    } else if (vi) {
        snprintf(buf, size, "%s %s: %g %s (limit %s %g)", vi->label, code ? code : "?", value,
                 vi->unit, low ? "<" : ">", limit);
    } else {
        snprintf(buf, size, "%s", code ? code : "?");
    }
}

/* Raised and escalated in capitals: they ask for someone to act. */
static const char *event_label(const char *event)
{
    static const char *const labels[][2] = {{"raised", "RAISED"},   {"escalated", "ESCALATED"},
                                            {"acknowledged", "ack'd"}, {"latched", "latched"},
                                            {"cleared", "cleared"}};

    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (strcmp(event, labels[i][0]) == 0)
            return labels[i][1];
    return event;
}

int vsd_watch_format(const char *payload, char *buf, size_t size)
{
    cJSON *o = cJSON_Parse(payload);
    const char *event, *prio, *bed, *session;
    char when[32], what[256], upper[16], raw[512];
    size_t i;

    if (!o || !(event = str(o, "event")) || !(prio = str(o, "priority"))) {
        cJSON_Delete(o);
        return -EINVAL;
    }
    bed = str(o, "bed") ? str(o, "bed") : "(daemon)";
    session = str(o, "session");
    clock_time(str(o, "time"), when, sizeof(when));
    describe(o, what, sizeof(what));
    for (i = 0; prio[i] && i + 1 < sizeof(upper); i++)
        upper[i] = (char)(prio[i] - (prio[i] >= 'a' && prio[i] <= 'z' ? 32 : 0));
    upper[i] = '\0';
    snprintf(raw, sizeof(raw), "%s  %-7s  %-6s  bed %-10s session %-12s %s%s%s", when,
             event_label(event), upper, bed, session ? session : "(none)", what,
             str(o, "acknowledged_by") && strcmp(event, "acknowledged") == 0 ? " by " : "",
             str(o, "acknowledged_by") && strcmp(event, "acknowledged") == 0
                 ? str(o, "acknowledged_by")
                 : "");
    cJSON_Delete(o);
    vsd_tty_escape_str(raw, buf, size); /* the payload's text is not trusted */
    return 0;
}

bool vsd_alert_order_stale(struct vsd_alert_order *ord, const char *payload)
{
    cJSON *o = cJSON_Parse(payload);
    const char *id = o ? str(o, "alert_id") : NULL;
    double seq = o ? num(o, "seq") : NAN;
    bool stale = false;
    size_t i;

    if (!id || isnan(seq)) {
        cJSON_Delete(o);
        return false;
    }
    for (i = 0; i < VSD_ORDER_MAX && strcmp(ord->id[i], id) != 0; i++)
        ;
    if (i < VSD_ORDER_MAX) {
        stale = (int64_t)seq <= ord->seq[i];
        if (!stale)
            ord->seq[i] = (int64_t)seq;
    } else {
        snprintf(ord->id[ord->next], sizeof(ord->id[0]), "%.32s", id);
        ord->seq[ord->next] = (int64_t)seq;
        ord->next = (ord->next + 1) % VSD_ORDER_MAX;
    }
    cJSON_Delete(o);
    return stale;
}

static void on_message(struct mosquitto *m, void *ctx, const struct mosquitto_message *msg)
{
    struct watch *w = ctx;
    char line[512], payload[8192];
    (void)m;

    if (msg->payloadlen <= 0 || (size_t)msg->payloadlen >= sizeof(payload))
        return;
    memcpy(payload, msg->payload, (size_t)msg->payloadlen);
    payload[msg->payloadlen] = '\0';
    if (strstr(msg->topic, "/daemon/state")) {
        vsd_tty_escape_str(payload, line, sizeof(line));
        printf("vitalsd is %s\n", line);
    } else if (!vsd_alert_order_stale(&w->order, payload) &&
               vsd_watch_format(payload, line, sizeof(line)) == 0) {
        printf("%s\n", line);
    }
    fflush(stdout);
}

static void on_connect(struct mosquitto *m, void *ctx, int rc)
{
    struct watch *w = ctx;
    char topic[128];

    if (rc != 0) { /* refused (not authorised, bad credentials): say so and stop, never retry */
        w->refused = rc;
        return;
    }
    snprintf(topic, sizeof(topic), "vitals/%s/bed/+/alert", w->area);
    mosquitto_subscribe(m, NULL, topic, 1);
    snprintf(topic, sizeof(topic), "vitals/%s/daemon/state", w->area);
    mosquitto_subscribe(m, NULL, topic, 1);
    snprintf(topic, sizeof(topic), "vitals/%s/daemon/alert", w->area);
    mosquitto_subscribe(m, NULL, topic, 1);
    snprintf(topic, sizeof(topic), "vitals/%s/escalation", w->area);
    mosquitto_subscribe(m, NULL, topic, 1);
}

static int connect_client(struct mosquitto *m, const struct vsd_mqtt_config *mqtt,
                          const struct vsd_watch_login *login, char *err, size_t errlen)
{
    int rc = MOSQ_ERR_SUCCESS;

    if (login->user)
        rc = mosquitto_username_pw_set(m, login->user, login->password);
    if (rc == MOSQ_ERR_SUCCESS && mqtt->tls_ca_file) /* the broker's CA: public, no client key */
        rc = mosquitto_tls_set(m, mqtt->tls_ca_file, NULL, NULL, NULL, NULL);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_connect(m, mqtt->host, mqtt->port, mqtt->keepalive_s);
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "MQTT %s:%d: %s", mqtt->host, mqtt->port, mosquitto_strerror(rc));
        return -ECONNREFUSED;
    }
    return 0;
}

int vsd_watch_run(const struct vsd_mqtt_config *mqtt, const struct vsd_watch_login *login,
                  const char *area, int seconds, char *err, size_t errlen)
{
    struct watch w = {0};
    struct mosquitto *m;
    time_t until = seconds > 0 ? time(NULL) + seconds : 0;
    int rc;

    snprintf(w.area, sizeof(w.area), "%s", area);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    mosquitto_lib_init();
    m = mosquitto_new(NULL, true, &w);
    if (!m) {
        snprintf(err, errlen, "out of memory");
        return -ENOMEM;
    }
    mosquitto_connect_callback_set(m, on_connect);
    mosquitto_message_callback_set(m, on_message);
    rc = connect_client(m, mqtt, login, err, errlen);
    while (rc == 0 && !w.refused && !stop_requested && (!until || time(NULL) < until)) {
        int lrc = mosquitto_loop(m, 200, 1);
        if (lrc != MOSQ_ERR_SUCCESS) {
            sleep(1);
            mosquitto_reconnect(m);
        }
    }
    if (rc == 0 && w.refused) {
        snprintf(err, errlen, "MQTT %s:%d refused the login%s%s: %s (log in with your own "
                 "broker account: --user NAME and VITALSCTL_MQTT_PASSWORD)",
                 mqtt->host, mqtt->port, login->user ? " of " : "", login->user ? login->user : "",
                 mosquitto_connack_string(w.refused));
        rc = -EACCES;
    }
    mosquitto_disconnect(m);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return rc;
}
