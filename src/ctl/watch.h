/* SPDX-License-Identifier: MIT */
/* vitalsctl watch: alert events from MQTT, one line each, for a person to read at a glance. */
#ifndef VSD_CTL_WATCH_H
#define VSD_CTL_WATCH_H

#include <stddef.h>

#include "config.h"

/* Format one alert-event payload as a line (no newline). Returns 0, or -EINVAL
 * when PAYLOAD is not an alert event. */
int vsd_watch_format(const char *payload, char *buf, size_t size);

/* Subscribe to AREA's alert events and daemon state and print each (repeats of
 * the same event, re-sent by the outbox, once) to stdout. Stops after SECONDS
 * (0 = until SIGINT/SIGTERM). Returns 0, or negative errno with ERR set. */
int vsd_watch_run(const struct vsd_mqtt_config *mqtt, const char *area, int seconds, char *err,
                  size_t errlen);

#endif
