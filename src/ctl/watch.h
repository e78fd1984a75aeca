/* SPDX-License-Identifier: MIT */
/* vitalsctl watch: alert events from MQTT, one line each, for a person to read at a glance. */
#ifndef VSD_CTL_WATCH_H
#define VSD_CTL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"

/* Format one alert-event payload as a line (no newline), its control bytes and escape sequences
 * shown as \xNN (vsd_tty_escape_str). Returns 0, or -EINVAL when PAYLOAD is not an alert event. */
int vsd_watch_format(const char *payload, char *buf, size_t size);
/* The same, ENDED (or NULL) being when the alert's condition ended ("10:43:05"), for an
 * escalation of a latched alert. Each line has the alert's short id (its first 8 hex digits,
 * which `vitalsctl ack` accepts) and says what is true now: a latched or escalated alert says
 * "condition ended ..., still needs acknowledgement", never the value it was raised at. */
int vsd_watch_format_ended(const char *payload, const char *ended, char *buf, size_t size);

/* Words shared by watch, alerts and status. An alert object as in the daemon's "alerts"
 * reply or an event payload. */
/* "SpO2 below 88", "HR rising fast", "sensor off: SpO2 probe off, no SpO2 or pulse (device m1)" */
void vsd_alert_what(const cJSON *alert, char *buf, size_t size);
/* "ended 10:43:05, needs acknowledgement", "still below, acknowledged by nurse1 at 10:44:00",
 * "still below, not acknowledged". ENDED: when the condition ended (NULL: unknown). */
void vsd_alert_now(const cJSON *alert, const char *ended, char *buf, size_t size);
/* "84 %", "72 bpm": rounded to a whole number as a monitor shows it; "-" for NAN. */
void vsd_watch_value(const char *vital, double value, char *buf, size_t size);
/* An alert's VALUE in its own unit: vsd_watch_value() of its vital; "25 s" for an apnea. */
void vsd_alert_value(const cJSON *alert, double value, char *buf, size_t size);
/* "10:43:05", local time, from an ISO 8601 UTC stamp. */
void vsd_watch_clock(const char *iso, char *buf, size_t size);
/* "HIGH" from "high". */
void vsd_watch_upper(const char *s, char *buf, size_t size);

/* The consumer's ordering rule (docs/reliability.md T23): per alert, only an event with a higher seq
 * than every one already applied counts; a repeat (the outbox re-sends) or an older event that
 * arrives late (an old "cleared" after a newer "raised") is stale. Remembers the last
 * VSD_ORDER_MAX alerts; zero it before use. */
#define VSD_ORDER_MAX 512
struct vsd_alert_order {
    char id[VSD_ORDER_MAX][33];
    int64_t seq[VSD_ORDER_MAX];
    size_t next;
};
bool vsd_alert_order_stale(struct vsd_alert_order *ord, const char *payload);

/* Who watch logs in to the broker as: the person's own account (NULL user: none), never the
 * daemon's; vitalsctl loads the configuration without the daemon's credentials. */
struct vsd_watch_login {
    const char *user;
    const char *password;
};
/* Subscribe to AREA's alert events and daemon state and print each (repeats of
 * the same event, re-sent by the outbox, once) to stdout, logged in as LOGIN. BEFORE(CTX), if
 * not NULL, runs once connected and before the first event is printed (the alerts active
 * already). Stops after SECONDS (0 = until SIGINT/SIGTERM). Returns 0, or negative errno with
 * ERR set (-ECONNREFUSED: the broker cannot be reached). */
int vsd_watch_run(const struct vsd_mqtt_config *mqtt, const struct vsd_watch_login *login,
                  const char *area, int seconds, void (*before)(void *), void *ctx, char *err,
                  size_t errlen);

#endif
