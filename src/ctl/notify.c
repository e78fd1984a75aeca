/* SPDX-License-Identifier: MIT */
/* vitalsctl notify-failed: one retained state message with the daemon's broker account, for
 * vitalsd-failed.service (systemd/), which systemd starts when vitalsd ends in a crash loop. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mosquitto.h>
#include <mqtt_protocol.h>

#include "notify.h"

#define NOTIFY_TIMEOUT_MS 10000

struct notify {
    int connack; /* -1 until CONNACK */
    int puback;  /* -1 until PUBACK: the MQTT 5 reason code */
    int mid;
};

static void on_connect(struct mosquitto *m, void *ctx, int rc, int flags,
                       const mosquitto_property *props)
{
    (void)m, (void)flags, (void)props;
    ((struct notify *)ctx)->connack = rc;
}

static void on_publish(struct mosquitto *m, void *ctx, int mid, int reason,
                       const mosquitto_property *props)
{
    struct notify *n = ctx;
    (void)m, (void)props;
    if (mid == n->mid)
        n->puback = reason;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Run the network loop until *FIELD is set (>= 0) or the deadline passes. */
static int wait_field(struct mosquitto *m, const int *field, long long deadline)
{
    while (*field < 0 && now_ms() < deadline)
        if (mosquitto_loop(m, 100, 1) != MOSQ_ERR_SUCCESS)
            return -ECONNRESET;
    return *field < 0 ? -ETIMEDOUT : 0;
}

static int setup(struct mosquitto *m, const struct vsd_mqtt_config *c)
{
    int rc = mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);

    if (rc == MOSQ_ERR_SUCCESS && (c->username || c->password))
        rc = mosquitto_username_pw_set(m, c->username, c->password);
    if (rc == MOSQ_ERR_SUCCESS && c->tls_ca_file)
        rc = mosquitto_tls_set(m, c->tls_ca_file, NULL, c->tls_cert_file, c->tls_key_file, NULL);
    return rc;
}

static int send_state(struct mosquitto *m, struct notify *n, const struct vsd_config *cfg,
                      const char *state, char *err, size_t errlen)
{
    const struct vsd_mqtt_config *c = &cfg->mqtt;
    long long deadline = now_ms() + NOTIFY_TIMEOUT_MS;
    char topic[128];
    int rc;

    snprintf(topic, sizeof(topic), "vitals/%s/daemon/state", cfg->area);
    if ((rc = setup(m, c)) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "client setup: %s", mosquitto_strerror(rc));
        return -EINVAL;
    }
    if ((rc = mosquitto_connect(m, c->host, c->port, c->keepalive_s)) != MOSQ_ERR_SUCCESS) {
        snprintf(err, errlen, "cannot reach the broker %s:%d: %s", c->host, c->port,
                 mosquitto_strerror(rc));
        return -ECONNREFUSED;
    }
    if (wait_field(m, &n->connack, deadline) < 0 || n->connack != 0) {
        snprintf(err, errlen, "broker %s:%d refused the login: %s", c->host, c->port,
                 n->connack < 0 ? "no answer" : mosquitto_reason_string(n->connack));
        return -EACCES;
    }
    rc = mosquitto_publish_v5(m, &n->mid, topic, (int)strlen(state), state, 1, true, NULL);
    if (rc != MOSQ_ERR_SUCCESS || wait_field(m, &n->puback, deadline) < 0 || n->puback >= 128) {
        snprintf(err, errlen, "%s not acknowledged: %s", topic,
                 rc != MOSQ_ERR_SUCCESS ? mosquitto_strerror(rc)
                 : n->puback < 0        ? "no answer"
                                        : mosquitto_reason_string(n->puback));
        return -EIO;
    }
    mosquitto_disconnect(m);
    return 0;
}

int vsd_notify_state(const struct vsd_config *cfg, const char *state, char *err, size_t errlen)
{
    struct notify n = {.connack = -1, .puback = -1};
    char id[160];
    struct mosquitto *m;
    int rc;

    mosquitto_lib_init();
    snprintf(id, sizeof(id), "%s-failed", cfg->mqtt.client_id);
    if (!(m = mosquitto_new(id, true, &n))) {
        snprintf(err, errlen, "mosquitto_new: %s", strerror(errno));
        mosquitto_lib_cleanup();
        return -ENOMEM;
    }
    mosquitto_connect_v5_callback_set(m, on_connect);
    mosquitto_publish_v5_callback_set(m, on_publish);
    rc = send_state(m, &n, cfg, state, err, errlen);
    mosquitto_destroy(m);
    mosquitto_lib_cleanup();
    return rc;
}

int vsd_ctl_notify_failed(struct ctl *c, int argc, char **argv)
{
    struct vsd_diag diag = {0};
    struct vsd_config *cfg = NULL;
    char err[512] = "";
    int rc;

    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "vitalsctl: notify-failed takes no arguments\n");
        return EXIT_USAGE;
    }
    rc = vsd_config_load(c->config_path, &cfg, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    vsd_diag_free(&diag);
    if (rc < 0) {
        fprintf(stderr, "vitalsctl: %s: %s; the dashboard was not told that vitalsd failed\n",
                c->config_path, strerror(-rc));
        return VSD_CONFIG_EXIT;
    }
    rc = vsd_notify_state(cfg, "failed", err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "vitalsctl: notify-failed: %s\n", err);
    else
        printf("vitalsctl: vitals/%s/daemon/state is \"failed\" (retained)\n", cfg->area);
    vsd_config_free(cfg);
    return rc < 0 ? EXIT_UNAVAILABLE : 0;
}
