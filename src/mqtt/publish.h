/* SPDX-License-Identifier: MIT */
/* MQTT publishing with libmosquitto: live readings, retained state, the outbox. */
#ifndef VSD_PUBLISH_H
#define VSD_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct vsd_publish;

/* The broker acknowledged (PUBACK) outbox row ID. Called on the MQTT thread. */
typedef void (*vsd_publish_delivered_fn)(void *ctx, int64_t id);

/* Create a client for MQTT (copied). The last will is "offline" (QoS 1,
 * retained) on vitals/<AREA>/daemon/state. Returns 0 or negative errno
 * (bad TLS files are reported here, with ERR set). */
int vsd_publish_new(const struct vsd_mqtt_config *mqtt, const char *area,
                    vsd_publish_delivered_fn on_delivered, void *ctx, struct vsd_publish **ret,
                    char *err, size_t errlen);
/* Connect in the background (the first attempt may fail: it keeps retrying with
 * back-off between reconnect_min_ms and reconnect_max_ms) and start the network
 * thread. On every (re)connect it publishes "online" on the daemon state topic,
 * re-sends every retained message it holds, then every pending outbox row in id
 * order. */
int vsd_publish_start(struct vsd_publish *p);
/* Publish "offline" (retained), wait up to DRAIN_MS for pending outbox rows to
 * be acknowledged, disconnect and stop the thread. Accepts NULL. */
void vsd_publish_stop(struct vsd_publish *p, int drain_ms);
void vsd_publish_free(struct vsd_publish *p); /* accepts NULL */

/* QoS 0, not retained; dropped when not connected. TOPIC is full ("vitals/..."). */
int vsd_publish_live(struct vsd_publish *p, const char *topic, const char *payload);
/* QoS 0 or 1, not retained, not kept: dropped (and counted as live) when not connected. */
int vsd_publish_send(struct vsd_publish *p, const char *topic, const char *payload, int qos);

/* A message on the subscription: called on the MQTT thread; must not block. RETAINED: the
 * broker kept it (sent on subscribing, again after every reconnect), not a fresh publish. */
typedef void (*vsd_publish_message_fn)(void *ctx, const char *topic, const void *payload,
                                       size_t len, bool retained);
/* Subscribe to PATTERN (QoS 1) on every connect; FN gets each message. Once, before
 * vsd_publish_start(). Returns 0 or negative errno. */
int vsd_publish_subscribe(struct vsd_publish *p, const char *pattern, vsd_publish_message_fn fn,
                          void *ctx);
/* Stop handing messages to the subscriber: when this returns, FN runs nowhere and will not be
 * called again, so its context may be freed (the subscription itself stays until disconnect;
 * later messages are dropped). Safe on any thread but the MQTT thread itself. */
void vsd_publish_unsubscribe(struct vsd_publish *p);
/* QoS 1, retained; remembered (last payload per topic) and re-sent on reconnect. */
int vsd_publish_retained(struct vsd_publish *p, const char *topic, const char *payload);
/* An alert event, from memory: QoS 1, kept (copied) and sent again on every reconnect until the
 * broker acknowledges it. Events go out in SEQ order. It is sent as soon as its outbox row is
 * committed (vsd_publish_outbox), so that nothing the ward received is missing from the record
 * after a crash; or after HOLD_MS without a commit, so that a slow or failing database cannot
 * silence an alert: VSD_PUBLISH_HOLD_MS while commits succeed, 0 (at once) once one has failed.
 * Returns 0, -EEXIST (SEQ is pending) or another negative errno. */
#define VSD_PUBLISH_HOLD_MS 1000
int vsd_publish_event(struct vsd_publish *p, int64_t seq, const char *topic, const char *payload,
                      int hold_ms);
/* The event SEQ's outbox row ID was committed (or found unacknowledged at start). Sent already
 * and acknowledged: on_delivered(ID) at once; sent, not yet acknowledged: on_delivered(ID) with
 * the PUBACK; never sent (a restart): kept and sent as vsd_publish_event() does. Returns 0,
 * -EEXIST (the row is known already) or another negative errno. */
int vsd_publish_outbox(struct vsd_publish *p, int64_t id, int64_t seq, const char *topic,
                       const char *payload);

struct vsd_publish_stats {
    bool connected;
    size_t outbox_pending;
    uint64_t live_dropped; /* live readings not sent: not connected */
    uint64_t reconnects;
    bool ever_connected;
};
void vsd_publish_stats(struct vsd_publish *p, struct vsd_publish_stats *out);

#endif
