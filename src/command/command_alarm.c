/* SPDX-License-Identifier: MIT */
/* The alarm commands: acknowledge, per-session limits, and the active alerts. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/log.h>
#include <vitalsd/vitals.h>

#include "alarm_limits.h"
#include "clock.h"
#include "command_int.h"
#include "payload.h"

static const char *device_name(const struct vsd_core *core, size_t device)
{
    return device < core->cfg->n_devices ? core->cfg->devices[device].name : NULL;
}

static cJSON *alert_json(const struct vsd_core *core, const struct vsd_alert *a)
{
    cJSON *o = cJSON_CreateObject();

    if (!o)
        return NULL;
    if (a->bed < core->cfg->n_beds) {
        const char *session = core->beds[a->bed].session_id;

        cJSON_AddStringToObject(o, "bed", core->cfg->beds[a->bed].name);
        if (*session)
            cJSON_AddStringToObject(o, "session", session);
    } else {
        cJSON_AddNullToObject(o, "bed");
    }
    vsd_payload_alert_fields(o, a, device_name(core, a->device));
    cJSON_AddNumberToObject(o, "value", a->value);
    return o;
}

static void add_bed_alerts(struct vsd_core *core, size_t bed, cJSON *arr)
{
    const struct vsd_alert *a[64];
    size_t n = vsd_alarm_active(core->alarm, bed, a, 64);

    for (size_t i = 0; i < n && i < 64; i++)
        cJSON_AddItemToArray(arr, alert_json(core, a[i]));
}

void vsd_cmd_active_alerts(struct vsd_core *core, const char *bed, cJSON *arr)
{
    for (size_t b = 0; b < core->cfg->n_beds; b++)
        if (!bed || strcmp(bed, core->cfg->beds[b].name) == 0)
            add_bed_alerts(core, b, arr);
    if (!bed)
        add_bed_alerts(core, VSD_ALARM_DAEMON, arr);
}

cJSON *vsd_cmd_alerts(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *bed = vsd_cmd_str(cmd, "bed");
    cJSON *reply;

    if (bed && vsd_config_bed_index(core->cfg, bed) < 0)
        return vsd_cmd_error("no bed '%s' is configured", vsd_cmd_echo(bed));
    reply = vsd_cmd_ok();
    vsd_cmd_active_alerts(core, bed, cJSON_AddArrayToObject(reply, "alerts"));
    return reply;
}

/* Alert ids are 32 lowercase hex digits; a person may give the first few (at least 4). */
#define ACK_PREFIX_MIN 4

static bool alert_id_ok(const char *id)
{
    size_t n = id ? strlen(id) : 0;

    return n >= ACK_PREFIX_MIN && n <= 32 && strspn(id, "0123456789abcdef") == n;
}

/* The active alert whose id starts with PREFIX; NULL with *REPLY set when none or several. */
static const struct vsd_alert *find_by_prefix(struct vsd_core *core, const char *prefix,
                                              cJSON **reply)
{
    const struct vsd_alert *a[64], *found[8];
    size_t n_found = 0, len = strlen(prefix);
    char list[8 * 34 + 16] = "";

    if (len == 32 && (found[0] = vsd_alarm_find(core->alarm, prefix)) != NULL)
        return found[0];
    for (size_t b = 0; b <= core->cfg->n_beds; b++) {
        size_t n = vsd_alarm_active(core->alarm, b < core->cfg->n_beds ? b : VSD_ALARM_DAEMON,
                                    a, 64);

        for (size_t i = 0; i < n && i < 64; i++)
            if (strncmp(a[i]->id, prefix, len) == 0 && n_found++ < 8)
                found[n_found - 1] = a[i];
    }
    if (n_found == 1)
        return found[0];
    if (n_found == 0) {
        *reply = vsd_cmd_error("no active alert '%s' (already cleared, or never raised)",
                               vsd_cmd_echo(prefix));
        return NULL;
    }
    for (size_t i = 0; i < n_found && i < 8; i++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "",
                 found[i]->id);
    *reply = vsd_cmd_error("alert id '%s' is ambiguous: %zu active alerts start with it (%s%s); "
                           "give more digits", prefix, n_found, list, n_found > 8 ? ", ..." : "");
    return NULL;
}

cJSON *vsd_cmd_ack(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *id = vsd_cmd_str(cmd, "alert"), *by = vsd_cmd_str(cmd, "by");
    const struct vsd_alert *a;
    cJSON *reply = NULL, *audit;
    char err[256], full[33];
    int r;

    if (vsd_actor_check(by, err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if (!alert_id_ok(id))
        return vsd_cmd_error("alert must be an alert id (32 hex digits, or its first %d or "
                             "more), as `vitalsctl alerts` shows it", ACK_PREFIX_MIN);
    if (!(a = find_by_prefix(core, id, &reply)))
        return reply;
    snprintf(full, sizeof(full), "%s", a->id); /* the alert may be gone after the ack */
    id = full;
    if (a->acked) {
        char iso[32];

        vsd_clock_iso8601(a->acked_wall_ms, iso, sizeof(iso));
        return vsd_cmd_error("alert '%s' was already acknowledged by %s at %.10s %.8s UTC", id,
                             a->acked_by, iso, iso + 11);
    }
    reply = vsd_cmd_ok();
    audit = cJSON_AddObjectToObject(reply, "_audit");
    cJSON_AddStringToObject(audit, "alert", id);
    cJSON_AddStringToObject(audit, "code", vsd_alert_code_name(a->code));
    cJSON_AddStringToObject(audit, "priority", vsd_priority_name(a->priority));
    if (a->bed < core->cfg->n_beds)
        cJSON_AddStringToObject(audit, "alert_bed", core->cfg->beds[a->bed].name);
    r = vsd_core_ack(core, id, by);
    if (r < 0) { /* cannot happen after the checks above; never claim success */
        cJSON_Delete(reply);
        return vsd_cmd_error("alert '%s' not acknowledged: %s", id, strerror(-r));
    }
    cJSON_AddStringToObject(reply, "alert", id);
    cJSON_AddStringToObject(reply, "by", by); /* the verified account it is recorded under */
    return reply;
}

/* The bed where SESSION is open; -ENOENT with *REPLY set otherwise. */
static int session_bed(struct vsd_core *core, const char *session, cJSON **reply)
{
    char err[256];

    if (vsd_session_id_check(session, err, sizeof(err)) < 0) {
        *reply = vsd_cmd_error("%s", err);
        return -EINVAL;
    }
    for (size_t b = 0; b < core->cfg->n_beds; b++)
        if (strcmp(core->beds[b].session_id, session) == 0)
            return (int)b;
    *reply = vsd_cmd_error("session '%s' is not open at any bed", session);
    return -ENOENT;
}

static int vital_arg(struct vsd_command *cmd, cJSON **reply)
{
    const char *name = vsd_cmd_str(cmd, "vital");
    int v = name ? vsd_vital_from_name(name) : -EINVAL;

    if (v < 0)
        *reply = vsd_cmd_error("vital must be one of hr, pr, spo2, nibp_sys, nibp_dia, "
                               "nibp_mean, rr%s%s",
                               name ? ", got " : "", name ? name : "");
    return v;
}

/* The new limits for VITAL at BED: the configured ones (reset), or the current ones with the
 * request's "limits" applied. */
static int new_limit(struct vsd_core *core, struct vsd_command *cmd, size_t bed, int v,
                     bool reset, struct vsd_limit *lim, cJSON **reply)
{
    const cJSON *json = cJSON_GetObjectItemCaseSensitive(cmd->request, "limits");
    char err[256];

    if (reset) {
        *lim = core->cfg->beds[bed].alarm.limits[v];
        return 0;
    }
    *lim = *vsd_alarm_limit(core->alarm, bed, (enum vsd_vital)v);
    if (vsd_limit_from_json(json, lim, err, sizeof(err)) < 0) {
        *reply = vsd_cmd_error("limits: %s", err);
        return -EINVAL;
    }
    return 0;
}

/* Within what the clinic lets staff set for one visit ([alerts] session_*, [alarm.VITAL]
 * session_lowest/highest)? NULL, or the refusal. */
static cJSON *outside_bounds(const struct vsd_alarm_config *c, int v, const struct vsd_limit *lim)
{
    const char *name = vsd_vital_info((enum vsd_vital)v)->name;

    if (lim->n_bands == 0 && !lim->rise.set && !lim->fall.set && !c->session_may_disable &&
        (c->limits[v].n_bands > 0 || c->limits[v].rise.set || c->limits[v].fall.set))
        return vsd_cmd_error("%s alarms may not be switched off for a visit here ([alerts] "
                             "session_may_disable = no)", name);
    if (lim->delay_ms > c->session_longest_delay_ms)
        return vsd_cmd_error("a delay of %lld s is longer than this clinic allows for a visit "
                             "(%lld s, [alerts] session_longest_delay)",
                             (long long)(lim->delay_ms / 1000),
                             (long long)(c->session_longest_delay_ms / 1000));
    for (size_t i = 0; i < lim->n_bands; i++) {
        const struct vsd_band *b = &lim->bands[i];
        if (!b->high && b->limit < c->session_lowest[v])
            return vsd_cmd_error("a %s low limit of %g is under the lowest this clinic allows for "
                                 "a visit (%g, [alarm.%s] session_lowest)",
                                 name, b->limit, c->session_lowest[v], name);
        if (b->high && b->limit > c->session_highest[v])
            return vsd_cmd_error("a %s high limit of %g is over the highest this clinic allows "
                                 "for a visit (%g, [alarm.%s] session_highest)",
                                 name, b->limit, c->session_highest[v], name);
    }
    return NULL;
}

cJSON *vsd_cmd_limits_set(struct vsd_core *core, struct vsd_command *cmd, bool reset)
{
    const char *by = vsd_cmd_str(cmd, "by"), *session = vsd_cmd_str(cmd, "session");
    cJSON *reply = NULL, *audit;
    struct vsd_limit lim;
    char err[256];
    int b, v;

    if (vsd_actor_check(by, err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if ((b = session_bed(core, session, &reply)) < 0 || (v = vital_arg(cmd, &reply)) < 0)
        return reply;
    if (v == VSD_VITAL_PR && core->cfg->beds[b].alarm.heart_rate_one)
        return vsd_cmd_error("a bed's heart rate is one alarm here ([alerts] heart_rate = one): "
                             "set the limits of hr, which also watches the oximeter's pulse rate");
    if (new_limit(core, cmd, (size_t)b, v, reset, &lim, &reply) < 0)
        return reply;
    if (!reset && (reply = outside_bounds(&core->cfg->beds[b].alarm, v, &lim)))
        return reply;
    reply = vsd_cmd_ok();
    audit = cJSON_AddObjectToObject(reply, "_audit");
    cJSON_AddStringToObject(audit, "vital", vsd_vital_info((enum vsd_vital)v)->name);
    cJSON_AddItemToObject(audit, "previous",
                          vsd_limit_json(vsd_alarm_limit(core->alarm, (size_t)b, v)));
    cJSON_AddItemToObject(audit, "new", vsd_limit_json(&lim));
    vsd_alarm_set_limit(core->alarm, (size_t)b, (enum vsd_vital)v, &lim);
    core->beds[b].limits_overridden[v] = !reset;
    cJSON_AddItemToObject(reply, "limits", vsd_limit_json(&lim));
    vsd_log(LOG_NOTICE, "bed '%s' session %s: %s limits %s by %s", core->cfg->beds[b].name,
            session, vsd_vital_info((enum vsd_vital)v)->name, reset ? "reset" : "set", by);
    return reply;
}

cJSON *vsd_cmd_limits_show(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *session = vsd_cmd_str(cmd, "session");
    cJSON *reply = NULL, *arr;
    int b = session_bed(core, session, &reply);

    if (b < 0)
        return reply;
    reply = vsd_cmd_ok();
    cJSON_AddStringToObject(reply, "bed", core->cfg->beds[b].name);
    arr = cJSON_AddArrayToObject(reply, "vitals");
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        cJSON *o = vsd_limit_json(vsd_alarm_limit(core->alarm, (size_t)b, (enum vsd_vital)v));

        if (!o)
            continue;
        cJSON_AddStringToObject(o, "vital", vsd_vital_info((enum vsd_vital)v)->name);
        cJSON_AddStringToObject(o, "source",
                                core->beds[b].limits_overridden[v] ? "session" : "configuration");
        cJSON_AddItemToArray(arr, o);
    }
    return reply;
}

void vsd_cmd_limits_dropped(struct vsd_core *core, size_t bed, cJSON *reply)
{
    cJSON *audit = NULL, *arr = NULL;

    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        if (!core->beds[bed].limits_overridden[v])
            continue;
        if (!arr) {
            audit = cJSON_AddObjectToObject(reply, "_audit");
            arr = cJSON_AddArrayToObject(audit, "limits_dropped");
        }
        cJSON_AddItemToArray(arr, cJSON_CreateString(vsd_vital_info((enum vsd_vital)v)->name));
    }
}
