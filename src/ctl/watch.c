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


#define ENDED_MAX 64

static const char *str(const cJSON *o, const char *key);
static void clock_time(const char *iso, char *buf, size_t size);

struct watch {
    char area[64];
    struct vsd_alert_order order;
    int refused; /* the broker's CONNACK code when it refused us; 0: not refused */
    bool subscribed, lost;
    char ended_id[ENDED_MAX][33]; /* when each latched alert's condition ended, from its event */
    char ended_at[ENDED_MAX][16];
    size_t ended_next;
};

/* The "latched" event's time, remembered so a later escalation can say it. */
static void remember_ended(struct watch *w, const char *payload)
{
    cJSON *o = cJSON_Parse(payload);
    const char *ev = o ? str(o, "event") : NULL, *id = o ? str(o, "alert_id") : NULL;

    if (ev && id && strcmp(ev, "latched") == 0) {
        snprintf(w->ended_id[w->ended_next], sizeof(w->ended_id[0]), "%.32s", id);
        clock_time(str(o, "time"), w->ended_at[w->ended_next], sizeof(w->ended_at[0]));
        w->ended_next = (w->ended_next + 1) % ENDED_MAX;
    }
    cJSON_Delete(o);
}

static const char *ended_of(const struct watch *w, const char *payload)
{
    cJSON *o = cJSON_Parse(payload);
    const char *id = o ? str(o, "alert_id") : NULL, *at = NULL;

    for (size_t i = 0; id && i < ENDED_MAX; i++)
        if (strcmp(w->ended_id[i], id) == 0)
            at = w->ended_at[i];
    cJSON_Delete(o);
    return at;
}

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

void vsd_watch_clock(const char *iso, char *buf, size_t size)
{
    clock_time(iso, buf, size);
}

/* "84 %", "72 bpm": whole numbers, as a monitor shows them (never an average's decimals). */
void vsd_watch_value(const char *vital, double value, char *buf, size_t size)
{
    int v = vital ? vsd_vital_from_name(vital) : -1;
    const struct vsd_vital_info *vi = v >= 0 ? vsd_vital_info((enum vsd_vital)v) : NULL;
    double r = round(value);

    if (isnan(value))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.0f%s%s", r == 0 ? 0.0 : r, vi ? " " : "", vi ? vi->unit : "");
}

void vsd_alert_value(const cJSON *o, double value, char *buf, size_t size)
{
    const char *code = str(o, "code");

    if (code && strcmp(code, "apnea") == 0 && !isnan(value))
        snprintf(buf, size, "%.0f s", round(value)); /* seconds without a breath */
    else
        vsd_watch_value(str(o, "vital"), value, buf, size);
}

/* What a technical alert means, in words; the code's own words stay in it. */
static void technical_what(const char *code, const struct vsd_vital_info *vi, char *buf,
                           size_t size)
{
    bool oximeter = vi && (vi->vital == VSD_VITAL_SPO2 || vi->vital == VSD_VITAL_PR);

    if (strcmp(code, "sensor_off") == 0 && oximeter)
        snprintf(buf, size, "sensor off: SpO2 probe off, no SpO2 or pulse");
    else if (strcmp(code, "sensor_off") == 0 && vi && vi->vital >= VSD_VITAL_NIBP_SYS &&
             vi->vital <= VSD_VITAL_NIBP_MEAN)
        snprintf(buf, size, "sensor off: NIBP cuff off, no blood pressure");
    else if (strcmp(code, "sensor_off") == 0)
        snprintf(buf, size, "sensor off: no %s", vi ? vi->label : "reading");
    else if (strcmp(code, "comms_loss") == 0)
        snprintf(buf, size, "comms loss: the monitor stopped answering");
    else if (strcmp(code, "comms_degraded") == 0)
        snprintf(buf, size, "comms degraded: the monitor answers badly");
    else if (strcmp(code, "wrong_device") == 0)
        snprintf(buf, size, "wrong device: another monitor is on this chair's port");
    else if (strcmp(code, "invalid") == 0)
        snprintf(buf, size, "invalid: no usable %s value", vi ? vi->label : "");
    else if (strcmp(code, "nibp_overdue") == 0)
        snprintf(buf, size, "NIBP overdue: no blood pressure taken on time");
    else if (strcmp(code, "storage_failing") == 0)
        snprintf(buf, size, "storage failing: readings are not being saved");
    else if (strcmp(code, "queue_overflow") == 0)
        snprintf(buf, size, "readings lost: queue full");
    else if (strcmp(code, "alert_path_down") == 0)
        snprintf(buf, size, "alert path down: the dashboard is not getting alerts");
    else
        snprintf(buf, size, "%s%s%s%s", code, vi ? " (" : "", vi ? vi->label : "", vi ? ")" : "");
}

void vsd_alert_what(const cJSON *o, char *buf, size_t size)
{
    const char *code = str(o, "code"), *vital = str(o, "vital"), *kind = str(o, "kind");
    int v = vital ? vsd_vital_from_name(vital) : -1;
    const struct vsd_vital_info *vi = v >= 0 ? vsd_vital_info((enum vsd_vital)v) : NULL;
    double limit = num(o, "limit");

    if (!code)
        code = "?";
    if (kind && strcmp(kind, "technical") == 0) {
        char t[160];

        technical_what(code, vi, t, sizeof(t));
        if (str(o, "device"))
            snprintf(buf, size, "%s (device %s)", t, str(o, "device"));
        else
            snprintf(buf, size, "%s", t);
    } else if (vi && (strcmp(code, "low") == 0 || strcmp(code, "high") == 0) && !isnan(limit)) {
        snprintf(buf, size, "%s %s %g", vi->label, code[0] == 'l' ? "below" : "above", limit);
    } else if (strcmp(code, "apnea") == 0) { /* value and limit in seconds */
        snprintf(buf, size, "apnea: no breath detected%s", isnan(limit) ? " (monitor)" : "");
    } else if (vi && (strcmp(code, "rise") == 0 || strcmp(code, "fall") == 0)) {
        snprintf(buf, size, "%s %s fast", vi->label, code[0] == 'r' ? "rising" : "falling");
    } else {
        snprintf(buf, size, "%s %s", vi ? vi->label : "", code);
    }
}

/* "still below", "still above", "continues". */
static const char *still(const cJSON *o)
{
    const char *code = str(o, "code");

    if (code && strcmp(code, "low") == 0)
        return "still below";
    if (code && strcmp(code, "high") == 0)
        return "still above";
    return "continues";
}

void vsd_alert_now(const cJSON *o, const char *ended, char *buf, size_t size)
{
    bool condition = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "condition"));
    bool acked = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "acknowledged"));
    const char *by = str(o, "acknowledged_by");
    char at[32] = "";

    if (acked && str(o, "acknowledged_at")) {
        snprintf(at, sizeof(at), " at ");
        clock_time(str(o, "acknowledged_at"), at + 4, sizeof(at) - 4);
    }
    if (!condition && !acked)
        snprintf(buf, size, "ended%s%s, needs acknowledgement", ended ? " " : "",
                 ended ? ended : "");
    else if (!condition)
        snprintf(buf, size, "ended, acknowledged by %s%s", by ? by : "?", at);
    else if (acked)
        snprintf(buf, size, "%s, acknowledged by %s%s", still(o), by ? by : "?", at);
    else
        snprintf(buf, size, "%s, not acknowledged", still(o));
}

/* What the event says is true now. ENDED: when the condition ended, if known. */
static void describe(const cJSON *o, const char *event, const char *when, const char *ended,
                     char *buf, size_t size)
{
    bool condition = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "condition"));
    bool technical = str(o, "kind") && strcmp(str(o, "kind"), "technical") == 0;
    const char *vital = technical ? NULL : str(o, "vital");
    double value = num(o, "value");
    int step = (int)num(o, "escalation");
    char what[224], val[32];

    vsd_alert_what(o, what, sizeof(what));
    vsd_alert_value(o, value, val, sizeof(val));
    if (strcmp(event, "raised") == 0 && vital && !isnan(value)) {
        snprintf(buf, size, "%s: %s", what, val);
    } else if (strcmp(event, "latched") == 0) {
        snprintf(buf, size, "%s: condition ended %s, still needs acknowledgement", what, when);
    } else if (strcmp(event, "escalated") == 0 && !condition) {
        snprintf(buf, size, "%s: condition ended%s%s, still needs acknowledgement "
                 "(escalation step %d)", what, ended ? " " : "", ended ? ended : "", step);
    } else if (strcmp(event, "escalated") == 0) {
        snprintf(buf, size, "%s: %s, not acknowledged (escalation step %d)", what, still(o),
                 step);
    } else if (strcmp(event, "acknowledged") == 0) {
        snprintf(buf, size, "%s: acknowledged by %s, %s", what,
                 str(o, "acknowledged_by") ? str(o, "acknowledged_by") : "?",
                 condition ? still(o) : "condition had ended");
    } else if (strcmp(event, "cleared") == 0 && vital && !isnan(value)) {
        snprintf(buf, size, "%s: over, %s %s", what,
                 strcmp(str(o, "code") ? str(o, "code") : "", "apnea") == 0 ? "breathing after"
                                                                            : "now",
                 val);
    } else if (strcmp(event, "cleared") == 0) {
        snprintf(buf, size, "%s: over", what);
    } else {
        snprintf(buf, size, "%s", what);
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

void vsd_watch_upper(const char *s, char *buf, size_t size)
{
    size_t i;

    for (i = 0; s && s[i] && i + 1 < size; i++)
        buf[i] = (char)(s[i] - (s[i] >= 'a' && s[i] <= 'z' ? 32 : 0));
    if (size)
        buf[i] = '\0';
}

int vsd_watch_format_ended(const char *payload, const char *ended, char *buf, size_t size)
{
    cJSON *o = cJSON_Parse(payload);
    const char *event, *prio, *bed, *session, *id;
    char when[32], what[320], upper[16], raw[512];

    if (!o || !(event = str(o, "event")) || !(prio = str(o, "priority"))) {
        cJSON_Delete(o);
        return -EINVAL;
    }
    bed = str(o, "bed") ? str(o, "bed") : "(daemon)";
    session = str(o, "session");
    id = str(o, "alert_id");
    clock_time(str(o, "time"), when, sizeof(when));
    describe(o, event, when, ended, what, sizeof(what));
    vsd_watch_upper(prio, upper, sizeof(upper));
    snprintf(raw, sizeof(raw), "%s  %-9s  %-6s  %-8.8s  bed %-10s session %-12s %s", when,
             event_label(event), upper, id ? id : "-", bed, session ? session : "(none)", what);
    cJSON_Delete(o);
    vsd_tty_escape_str(raw, buf, size); /* the payload's text is not trusted */
    return 0;
}

int vsd_watch_format(const char *payload, char *buf, size_t size)
{
    return vsd_watch_format_ended(payload, NULL, buf, size);
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
    } else if (!vsd_alert_order_stale(&w->order, payload)) {
        remember_ended(w, payload);
        if (vsd_watch_format_ended(payload, ended_of(w, payload), line, sizeof(line)) == 0)
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
    if (w->lost)
        printf("-- broker back: events follow again (any missed: vitalsctl alerts)\n");
    w->lost = false;
    w->subscribed = true;
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
                  const char *area, int seconds, void (*before)(void *), void *ctx, char *err,
                  size_t errlen)
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
        if (before && w.subscribed) { /* events are queued from here: now those active before */
            before(ctx);
            before = NULL;
        }
        int lrc = mosquitto_loop(m, 200, 1);
        if (lrc != MOSQ_ERR_SUCCESS) {
            if (!w.lost) /* the cause too: a TLS failure shows here, after the connect */
                printf("-- lost the broker at %s:%d (%s%s): no events until it is back; "
                       "`vitalsctl alerts` and `vitalsctl status` still work\n",
                       mqtt->host, mqtt->port, mosquitto_strerror(lrc),
                       lrc == MOSQ_ERR_TLS ? " Check [mqtt] cafile and the broker's certificate"
                                           : "");
            fflush(stdout);
            w.lost = true;
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
