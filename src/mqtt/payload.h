/* SPDX-License-Identifier: MIT */
/* MQTT topics and JSON payloads (cJSON): readings, alert events, active lists, device status. */
#ifndef VSD_PAYLOAD_H
#define VSD_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "alarm.h"
#include "queue.h"

/* Topics under vitals/<area>/. Return 0 or -ENAMETOOLONG. */
int vsd_topic_bed(char *buf, size_t size, const char *area, const char *bed, const char *leaf);
/* vitals/<area>/<leaf>, e.g. "daemon/alerts", "escalation", "command/reply". */
int vsd_topic_area(char *buf, size_t size, const char *area, const char *leaf);
int vsd_topic_device(char *buf, size_t size, const char *area, const char *device);

/* Every payload names the bed and session id only: never a person. The
 * returned strings are malloc'ed (free()); NULL on ENOMEM. */

/* One poll's readings for the live topic (QoS 0). */
char *vsd_payload_readings(const char *bed, const char *session, const char *device,
                           const struct vsd_poll_result *poll);

struct vsd_alert_event_info {
    const struct vsd_alarm_event *ev;
    int64_t seq;
    const char *bed;       /* NULL: a daemon-wide alert */
    const char *session;   /* NULL or "" = none */
    const char *device;    /* NULL = none */
};
char *vsd_payload_alert_event(const struct vsd_alert_event_info *info);

/* The fields of one alert (id, code, priority, vital, limit, state...) added to O. */
void vsd_payload_alert_fields(cJSON *o, const struct vsd_alert *a, const char *device);

/* The bed's active alerts (retained). SEQ = the last sequence number applied. */
char *vsd_payload_active(const char *bed, const char *session, int64_t seq,
                         const struct vsd_alert *const *alerts, size_t n,
                         const char *const *device_names);

/* A device's health (retained). */
struct vsd_device_status {
    const char *device, *bed;
    const char *state; /* "up", "down", "unknown" */
    int err;           /* negative errno of the failure, or 0 */
    int64_t poll_ms;   /* its poll period: a reading older than this is stale */
    int64_t wall_ms;   /* when the state last changed */
    /* Who the device says it is ("": not reported) and how that compares with the configuration
     * (vsd_core_identity_state(): "not_checked", "not_read", "expected", "wrong", "confirmed"). */
    const char *model, *serial, *identity;
};
char *vsd_payload_device(const struct vsd_device_status *st);

#endif
