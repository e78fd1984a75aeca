/* SPDX-License-Identifier: MIT */
/* vitalsctl watch: alert events from MQTT, one line each, for a person to read at a glance. */
#ifndef VSD_CTL_WATCH_H
#define VSD_CTL_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

/* Format one alert-event payload as a line (no newline), its control bytes and escape sequences
 * shown as \xNN (vsd_tty_escape_str). Returns 0, or -EINVAL when PAYLOAD is not an alert event. */
int vsd_watch_format(const char *payload, char *buf, size_t size);

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
 * the same event, re-sent by the outbox, once) to stdout, logged in as LOGIN. Stops after
 * SECONDS (0 = until SIGINT/SIGTERM). Returns 0, or negative errno with ERR set. */
int vsd_watch_run(const struct vsd_mqtt_config *mqtt, const struct vsd_watch_login *login,
                  const char *area, int seconds, char *err, size_t errlen);

#endif
