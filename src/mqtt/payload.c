/* SPDX-License-Identifier: MIT */
/* MQTT topics and JSON payloads built with cJSON; the one place their shape is defined. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <vitalsd/vitals.h>

#include "clock.h"
#include "payload.h"

int vsd_topic_bed(char *buf, size_t size, const char *area, const char *bed, const char *leaf)
{
    int n = snprintf(buf, size, "vitals/%s/bed/%s/%s", area, bed, leaf);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int vsd_topic_area(char *buf, size_t size, const char *area, const char *leaf)
{
    int n = snprintf(buf, size, "vitals/%s/%s", area, leaf);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int vsd_topic_device(char *buf, size_t size, const char *area, const char *device)
{
    int n = snprintf(buf, size, "vitals/%s/device/%s/status", area, device);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void add_time(cJSON *obj, const char *key, int64_t wall_ms)
{
    char iso[32];
    vsd_clock_iso8601(wall_ms, iso, sizeof(iso));
    cJSON_AddStringToObject(obj, key, iso);
}

static void add_number_or_null(cJSON *obj, const char *key, double v)
{
    if (isnan(v))
        cJSON_AddNullToObject(obj, key);
    else
        cJSON_AddNumberToObject(obj, key, v);
}

static void add_string_or_null(cJSON *obj, const char *key, const char *s)
{
    if (s && *s)
        cJSON_AddStringToObject(obj, key, s);
    else
        cJSON_AddNullToObject(obj, key);
}

static void add_quality(cJSON *obj, unsigned flags)
{
    char text[128];
    cJSON *arr = cJSON_AddArrayToObject(obj, "quality");
    char *save = NULL;

    vsd_quality_text(flags, text, sizeof(text));
    for (char *t = strtok_r(text, "|", &save); t; t = strtok_r(NULL, "|", &save))
        cJSON_AddItemToArray(arr, cJSON_CreateString(t));
}

static char *finish(cJSON *root)
{
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

char *vsd_payload_readings(const char *bed, const char *session, const char *device,
                           const struct vsd_poll_result *poll)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr;

    cJSON_AddStringToObject(root, "bed", bed);
    add_string_or_null(root, "session", session);
    cJSON_AddStringToObject(root, "device", device);
    add_time(root, "time", poll->wall_ms);
    arr = cJSON_AddArrayToObject(root, "readings");
    for (size_t i = 0; i < poll->n; i++) {
        const struct vsd_reading *r = &poll->readings[i];
        const struct vsd_vital_info *vi = vsd_vital_info(r->vital);
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "vital", vi->name);
        add_number_or_null(o, "value", r->value);
        cJSON_AddStringToObject(o, "unit", vi->ucum);
        add_quality(o, r->flags);
        if (r->measured_ms)
            add_time(o, "measured", r->measured_ms);
        cJSON_AddItemToArray(arr, o);
    }
    return finish(root);
}

void vsd_payload_alert_fields(cJSON *o, const struct vsd_alert *a, const char *device)
{
    const struct vsd_vital_info *vi = vsd_vital_info(a->vital);

    cJSON_AddStringToObject(o, "alert_id", a->id);
    cJSON_AddStringToObject(o, "kind",
                            vsd_alert_code_technical(a->code) ? "technical" : "physiological");
    cJSON_AddStringToObject(o, "code", vsd_alert_code_name(a->code));
    cJSON_AddStringToObject(o, "priority", vsd_priority_name(a->priority));
    add_string_or_null(o, "vital", vi ? vi->name : NULL);
    if (vi && a->measured != a->vital && vsd_vital_info(a->measured)) /* e.g. hr from the oximeter */
        cJSON_AddStringToObject(o, "source", vsd_vital_info(a->measured)->name);
    /* apnea: value and limit are seconds without a breath */
    add_string_or_null(o, "unit", a->code == VSD_ALERT_APNEA ? "s" : vi ? vi->ucum : NULL);
    add_string_or_null(o, "device", device);
    add_number_or_null(o, "limit", a->limit);
    add_time(o, "raised", a->raised_wall_ms);
    cJSON_AddBoolToObject(o, "condition", a->condition);
    cJSON_AddBoolToObject(o, "acknowledged", a->acked);
    if (a->acked) {
        cJSON_AddStringToObject(o, "acknowledged_by", a->acked_by);
        add_time(o, "acknowledged_at", a->acked_wall_ms);
    }
    cJSON_AddNumberToObject(o, "escalation", a->escalation);
}

/* What a nurse's dashboard shows for the alert after this event. */
static const char *state_after(const struct vsd_alarm_event *ev)
{
    if (ev->type == VSD_ALARM_CLEARED)
        return "cleared";
    if (!ev->alert->condition)
        return "latched";
    return ev->alert->acked ? "acknowledged" : "active";
}

char *vsd_payload_alert_event(const struct vsd_alert_event_info *info)
{
    const struct vsd_alarm_event *ev = info->ev;
    cJSON *root = cJSON_CreateObject();

    cJSON_AddNumberToObject(root, "seq", (double)info->seq);
    cJSON_AddStringToObject(root, "event", vsd_alarm_event_name(ev->type));
    cJSON_AddStringToObject(root, "state", state_after(ev));
    add_string_or_null(root, "bed", info->bed);
    add_string_or_null(root, "session", info->session);
    vsd_payload_alert_fields(root, ev->alert, info->device);
    add_number_or_null(root, "value", ev->value);
    add_time(root, "time", ev->wall_ms);
    return finish(root);
}

char *vsd_payload_active(const char *bed, const char *session, int64_t seq,
                         const struct vsd_alert *const *alerts, size_t n,
                         const char *const *device_names)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr;

    add_string_or_null(root, "bed", bed);
    add_string_or_null(root, "session", session);
    cJSON_AddNumberToObject(root, "seq", (double)seq);
    arr = cJSON_AddArrayToObject(root, "alerts");
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        vsd_payload_alert_fields(o, alerts[i], device_names[i]);
        add_number_or_null(o, "value", alerts[i]->value);
        cJSON_AddItemToArray(arr, o);
    }
    return finish(root);
}

char *vsd_payload_device(const struct vsd_device_status *st)
{
    cJSON *root = cJSON_CreateObject();

    cJSON_AddStringToObject(root, "device", st->device);
    cJSON_AddStringToObject(root, "bed", st->bed);
    cJSON_AddStringToObject(root, "state", st->state);
    if (st->err)
        cJSON_AddStringToObject(root, "error", strerror(-st->err));
    cJSON_AddNumberToObject(root, "poll_ms", (double)st->poll_ms);
    add_time(root, "time", st->wall_ms);
    if (st->model && *st->model)
        cJSON_AddStringToObject(root, "model", st->model);
    if (st->serial && *st->serial)
        cJSON_AddStringToObject(root, "serial", st->serial);
    if (st->identity)
        cJSON_AddStringToObject(root, "identity", st->identity);
    return finish(root);
}
