/* SPDX-License-Identifier: MIT */
/* Publishes the audit chain head (retained MQTT, journal) on every change and every 5 minutes. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vitalsd/log.h>

#include "audit_head.h"
#include "payload.h"

static bool due(const struct vsd_audit_anchor *a, int64_t id, const char *hash, int64_t now)
{
    return !a->published || a->id != id || strcmp(a->hash, hash) != 0 ||
           now - a->mono_ms >= VSD_AUDIT_HEAD_EVERY_MS;
}

static void send_retained(struct vsd_publish *pub, const char *area, int64_t id, const char *hash,
                          int64_t wall_ms)
{
    char topic[256], payload[256], iso[40];

    if (!pub || vsd_topic_area(topic, sizeof(topic), area, "audit/head") < 0)
        return;
    vsd_clock_iso8601(wall_ms, iso, sizeof(iso));
    snprintf(payload, sizeof(payload), "{\"id\":%" PRId64 ",\"hash\":\"%s\",\"time\":\"%s\"}", id,
             hash, iso);
    if (vsd_publish_retained(pub, topic, payload) < 0)
        vsd_log(LOG_WARNING, "audit head %" PRId64 ": not published on %s", id, topic);
}

void vsd_audit_head_publish(struct vsd_audit_anchor *a, struct vsd_store *store,
                            struct vsd_publish *pub, const char *area,
                            const struct vsd_clock *clock)
{
    char hash[VSD_AUDIT_HASH_HEX + 1];
    int64_t id, now = vsd_clock_mono_ms(clock);

    if (!store)
        return;
    vsd_store_audit_head(store, &id, hash);
    if (!due(a, id, hash, now))
        return;
    /* The journal line first: it does not depend on the broker. */
    vsd_log(LOG_NOTICE, "audit head %" PRId64 " %s", id, hash);
    send_retained(pub, area, id, hash, vsd_clock_wall_ms(clock));
    a->published = true;
    a->id = id;
    memcpy(a->hash, hash, sizeof(hash));
    a->mono_ms = now;
}
