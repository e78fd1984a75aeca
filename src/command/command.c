/* SPDX-License-Identifier: MIT */
/* The one command handler: session start/end/list, status, audit; validated, audited, answered. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/log.h>
#include <vitalsd/vitals.h>

#include "access.h"
#include "command.h"
#include "command_int.h"
#include "core.h"

void vsd_command_init(struct vsd_command *cmd, cJSON *request, const char *via)
{
    memset(cmd, 0, sizeof(*cmd));
    cmd->request = request;
    snprintf(cmd->via, sizeof(cmd->via), "%s", via);
    pthread_mutex_init(&cmd->lock, NULL);
    pthread_cond_init(&cmd->cond, NULL);
}

void vsd_command_destroy(struct vsd_command *cmd)
{
    cJSON_Delete(cmd->reply);
    cmd->reply = NULL;
    pthread_mutex_destroy(&cmd->lock);
    pthread_cond_destroy(&cmd->cond);
}

void vsd_command_wait(struct vsd_command *cmd)
{
    pthread_mutex_lock(&cmd->lock);
    while (!cmd->done)
        pthread_cond_wait(&cmd->cond, &cmd->lock);
    pthread_mutex_unlock(&cmd->lock);
}

static void complete(struct vsd_command *cmd)
{
    pthread_mutex_lock(&cmd->lock);
    cmd->done = true;
    pthread_cond_signal(&cmd->cond);
    pthread_mutex_unlock(&cmd->lock);
}

cJSON *vsd_cmd_error(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    cJSON *r = cJSON_CreateObject();

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cJSON_AddBoolToObject(r, "ok", false);
    cJSON_AddStringToObject(r, "error", msg);
    return r;
}

cJSON *vsd_cmd_ok(void)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddBoolToObject(r, "ok", true);
    return r;
}

const char *vsd_cmd_str(const struct vsd_command *cmd, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cmd->request, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *vsd_cmd_echo(const char *text)
{
    size_t n = text ? strlen(text) : 0;

    if (n == 0 || n > 64 ||
        strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n)
        return "(not shown: not a plain name)";
    return text;
}

/* The shape of refused text, never the text: "refused: session id of 8 characters with upper
 * and lower case letters and a space". A patient's name typed as an id says no more. */
static void text_shape(const char *what, const char *text, char *buf, size_t size)
{
    size_t n = strlen(text), upper = 0, lower = 0, digit = 0, space = 0, ctrl = 0, high = 0;
    size_t other = 0, k = 0, used;
    const char *parts[7];

    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c >= 'A' && *c <= 'Z')
            upper++;
        else if (*c >= 'a' && *c <= 'z')
            lower++;
        else if (*c >= '0' && *c <= '9')
            digit++;
        else if (*c == ' ')
            space++;
        else if (*c < 0x20 || *c == 0x7f)
            ctrl++;
        else if (*c >= 0x80)
            high++;
        else
            other++;
    }
    if (upper || lower)
        parts[k++] = upper && lower ? "upper and lower case letters"
                     : upper        ? "upper case letters"
                                    : "lower case letters";
    if (digit)
        parts[k++] = "digits";
    if (space)
        parts[k++] = space == 1 ? "a space" : "spaces";
    if (other)
        parts[k++] = "punctuation";
    if (ctrl)
        parts[k++] = "control characters";
    if (high)
        parts[k++] = "non-ASCII bytes";
    if (n > 999)
        used = (size_t)snprintf(buf, size, "refused: %s of more than 999 characters", what);
    else
        used = (size_t)snprintf(buf, size, "refused: %s of %zu character%s", what, n,
                                n == 1 ? "" : "s");
    for (size_t i = 0; i < k && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                 i == 0 ? " with " : i + 1 == k ? " and " : ", ", parts[i]);
}

/* What the request named, as far as it is safe to keep for good in the hash-chained audit: a
 * configured bed, a well-formed session id, a checked staff name typed beside the verified actor.
 * Other text (a patient's name typed as a session id, control characters, 64 KiB of noise) is
 * never written: only its shape (length and kinds of characters), and that it was refused. */
static void audit_request_text(struct vsd_core *core, struct vsd_command *cmd, cJSON *detail)
{
    const char *bed = vsd_cmd_str(cmd, "bed"), *session = vsd_cmd_str(cmd, "session");
    const char *note = vsd_cmd_str(cmd, "by_note");
    char err[256], shape[160];

    if (bed) {
        if (vsd_config_bed_index(core->cfg, bed) < 0)
            text_shape("bed name", bed, shape, sizeof(shape));
        cJSON_AddStringToObject(detail, "bed",
                                vsd_config_bed_index(core->cfg, bed) >= 0 ? bed : shape);
    }
    if (session) {
        bool ok = vsd_session_id_check(session, err, sizeof(err)) == 0;
        if (!ok)
            text_shape("session id", session, shape, sizeof(shape));
        cJSON_AddStringToObject(detail, "session", ok ? session : shape);
    }
    if (note) {
        bool ok = vsd_actor_check(note, err, sizeof(err)) == 0;
        if (!ok)
            text_shape("name", note, shape, sizeof(shape));
        cJSON_AddStringToObject(detail, "by_note", ok ? note : shape);
    }
}

/* Every state-changing command is audited, accepted or refused, with its actor. A handler
 * adds what only it knows (previous values...) to the reply's "_audit" object, which moves
 * into the audit row and never reaches the client. */
static void audit(struct vsd_core *core, struct vsd_command *cmd, const char *action,
                  const char *actor, cJSON *reply)
{
    cJSON *detail = cJSON_DetachItemFromObjectCaseSensitive(reply, "_audit");
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(reply, "error");
    char *text;

    if (!cJSON_IsObject(detail)) {
        cJSON_Delete(detail);
        detail = cJSON_CreateObject();
    }
    audit_request_text(core, cmd, detail);
    cJSON_AddStringToObject(detail, "via", cmd->via);
    cJSON_AddStringToObject(detail, "result", cJSON_IsString(err) ? "refused" : "done");
    if (cJSON_IsString(err))
        cJSON_AddStringToObject(detail, "reason", err->valuestring);
    text = cJSON_PrintUnformatted(detail);
    vsd_store_audit(core->store, vsd_clock_wall_ms(core->clock),
                    actor && *actor ? actor : "(none)", action, text);
    cmd->needs_sync = true;
    free(text);
    cJSON_Delete(detail);
}

static int find_bed(struct vsd_core *core, const char *bed, cJSON **reply)
{
    int b = bed ? vsd_config_bed_index(core->cfg, bed) : -ENOENT;

    if (b < 0)
        *reply = bed ? vsd_cmd_error("no bed '%s' is configured", vsd_cmd_echo(bed))
                     : vsd_cmd_error("--bed is required");
    return b;
}

static cJSON *session_start(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *bed = vsd_cmd_str(cmd, "bed"), *session = vsd_cmd_str(cmd, "session");
    const char *by = vsd_cmd_str(cmd, "by");
    cJSON *reply = NULL;
    char err[256];
    int b;

    if (vsd_actor_check(by, err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if ((b = find_bed(core, bed, &reply)) < 0)
        return reply;
    if (vsd_session_id_check(session, err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if (*core->beds[b].session_id)
        return vsd_cmd_error("bed '%s' already has session '%s' open: end it first", bed,
                           core->beds[b].session_id);
    for (size_t i = 0; i < core->cfg->n_beds; i++)
        if (strcmp(core->beds[i].session_id, session) == 0)
            return vsd_cmd_error("session '%s' is already open at bed '%s'", session,
                               core->cfg->beds[i].name);
    if (vsd_core_session_was_used(core, session)) /* one id, one visit: the record stays clear */
        return vsd_cmd_error("session '%s' was used for an earlier visit: a session id is never "
                             "used twice; give this visit a new one",
                             session);
    int64_t now = vsd_clock_wall_ms(core->clock);
    vsd_store_session_start(core->store, session, bed, now, by);
    vsd_core_open_session(core, (size_t)b, session, now);
    vsd_log(LOG_NOTICE, "bed '%s': session '%s' started by %s", bed, session, by);
    return vsd_cmd_ok();
}

static cJSON *session_end(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *bed = vsd_cmd_str(cmd, "bed"), *session = vsd_cmd_str(cmd, "session");
    const char *by = vsd_cmd_str(cmd, "by");
    cJSON *reply = NULL;
    char err[256], ended[VSD_SESSION_ID_MAX + 1];
    int b;

    if (vsd_actor_check(by, err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if ((b = find_bed(core, bed, &reply)) < 0)
        return reply;
    if (!*core->beds[b].session_id)
        return vsd_cmd_error("bed '%s' has no open session", bed);
    if (!session) /* never end a visit by its bed alone: the chair may have a new patient */
        return vsd_cmd_error("name the session you end: bed '%s' has session '%s' open "
                             "(--session %s)",
                             bed, core->beds[b].session_id, core->beds[b].session_id);
    if (strcmp(session, core->beds[b].session_id) != 0)
        return vsd_cmd_error("bed '%s' has session '%s' open, not '%s'", bed,
                           core->beds[b].session_id, vsd_cmd_echo(session));
    snprintf(ended, sizeof(ended), "%s", core->beds[b].session_id);
    reply = vsd_cmd_ok();
    vsd_cmd_limits_dropped(core, (size_t)b, reply);
    vsd_store_session_end(core->store, bed, vsd_clock_wall_ms(core->clock), by);
    vsd_core_close_session(core, (size_t)b);
    vsd_log(LOG_NOTICE, "bed '%s': session '%s' ended by %s", bed, ended, by);
    cJSON_AddStringToObject(reply, "session", ended);
    return reply;
}

/* vitalsctl records an export (with its manifest's hash) in the audit chain:
 * {"cmd": "audit", "action": "export", "by": NAME, "detail": {...}}. Only
 * actions that the daemon cannot see for itself are accepted. */
static cJSON *audit_record(struct vsd_core *core, struct vsd_command *cmd)
{
    const cJSON *detail = cJSON_GetObjectItemCaseSensitive(cmd->request, "detail");
    const char *action = vsd_cmd_str(cmd, "action"), *by = vsd_cmd_str(cmd, "by");
    cJSON *copy;
    char err[256], *text;

    if (vsd_actor_check(by, err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if (!action || strcmp(action, "export") != 0)
        return vsd_cmd_error("audit: only the action \"export\" can be recorded");
    if (!cJSON_IsObject(detail))
        return vsd_cmd_error("audit: \"detail\" must be a JSON object");
    copy = cJSON_Duplicate(detail, 1);
    if (!copy)
        return vsd_cmd_error("audit: out of memory");
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "via");
    cJSON_DeleteItemFromObjectCaseSensitive(copy, "by_note");
    cJSON_AddStringToObject(copy, "via", cmd->via);
    if (vsd_cmd_str(cmd, "by_note")) /* checked by the transport */
        cJSON_AddStringToObject(copy, "by_note", vsd_cmd_str(cmd, "by_note"));
    text = cJSON_PrintUnformatted(copy);
    cJSON_Delete(copy);
    if (!text)
        return vsd_cmd_error("audit: out of memory");
    vsd_store_audit(core->store, vsd_clock_wall_ms(core->clock), by, action, text);
    cmd->needs_sync = true;
    free(text);
    return vsd_cmd_ok();
}

static cJSON *session_list(struct vsd_core *core)
{
    cJSON *reply = vsd_cmd_ok();
    cJSON *beds = cJSON_AddArrayToObject(reply, "beds");

    for (size_t b = 0; b < core->cfg->n_beds; b++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "bed", core->cfg->beds[b].name);
        if (*core->beds[b].session_id) {
            char iso[32];
            vsd_clock_iso8601(core->beds[b].session_started_ms, iso, sizeof(iso));
            cJSON_AddStringToObject(o, "session", core->beds[b].session_id);
            cJSON_AddStringToObject(o, "since", iso);
        } else {
            cJSON_AddNullToObject(o, "session");
        }
        cJSON_AddItemToArray(beds, o);
    }
    return reply;
}

static const char *health_name(enum vsd_health h)
{
    return h == VSD_HEALTH_UP ? "up" : h == VSD_HEALTH_DOWN ? "down" : "unknown";
}

static void status_devices(struct vsd_core *core, cJSON *reply)
{
    cJSON *devs = cJSON_AddArrayToObject(reply, "devices");

    for (size_t d = 0; d < core->cfg->n_devices; d++) {
        const struct vsd_device_state_core *ds = &core->devices[d];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "device", core->cfg->devices[d].name);
        cJSON_AddStringToObject(o, "driver", core->cfg->devices[d].driver->name);
        cJSON_AddStringToObject(o, "bed", core->cfg->beds[core->cfg->devices[d].bed].name);
        cJSON_AddStringToObject(o, "state", health_name(ds->health));
        cJSON_AddBoolToObject(o, "degraded", ds->degraded);
        if (ds->last_err)
            cJSON_AddStringToObject(o, "error", strerror(-ds->last_err));
        cJSON_AddNumberToObject(o, "polls_answered", (double)ds->polls_answered);
        vsd_cmd_device_identity(core, d, o);
        cJSON_AddItemToArray(devs, o);
    }
}


static cJSON *status(struct vsd_core *core)
{
    cJSON *reply = session_list(core);
    struct vsd_store_stats ss;
    cJSON *o;

    status_devices(core, reply);
    vsd_cmd_active_alerts(core, NULL, cJSON_AddArrayToObject(reply, "alerts"));
    vsd_store_stats(core->store, &ss);
    o = cJSON_AddObjectToObject(reply, "store");
    cJSON_AddNumberToObject(o, "readings_written", (double)ss.readings_written);
    cJSON_AddNumberToObject(o, "readings_dropped", (double)ss.readings_dropped);
    cJSON_AddNumberToObject(o, "commit_errors", (double)ss.commit_errors);
    cJSON_AddBoolToObject(o, "retention_running", ss.retention_running);
    cJSON_AddNumberToObject(o, "readings_deleted", (double)ss.readings_deleted);
    cJSON_AddNumberToObject(reply, "queue_dropped", (double)vsd_queue_dropped(core->queue));
    if (core->pub) {
        struct vsd_publish_stats ps;
        vsd_publish_stats(core->pub, &ps);
        o = cJSON_AddObjectToObject(reply, "alert_path");
        cJSON_AddStringToObject(o, "state", ps.connected ? "connected" : "down");
        if (core->path_down_since)
            cJSON_AddNumberToObject(o, "down_for_ms",
                                    (double)(vsd_clock_mono_ms(core->clock) - core->path_down_since));
        cJSON_AddNumberToObject(o, "outbox_pending", (double)ps.outbox_pending);
    }
    return reply;
}

/* {"cmd": "trend", "bed": B, "minutes": M}: the last M minutes (1-30, default 30) of bed B (or of
 * every bed), one point per 10 s, from memory: cheap enough for the core thread. */
static cJSON *trend(struct vsd_core *core, struct vsd_command *cmd)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(cmd->request, "minutes");
    const char *bed = vsd_cmd_str(cmd, "bed");
    int64_t now = vsd_clock_wall_ms(core->clock);
    int minutes = 30, b = -1;
    cJSON *reply = NULL, *beds;

    if (m && (!cJSON_IsNumber(m) || m->valuedouble < 1 || m->valuedouble > 30))
        return vsd_cmd_error("trend: \"minutes\" must be a number from 1 to 30");
    if (m)
        minutes = (int)m->valuedouble;
    if (bed && (b = find_bed(core, bed, &reply)) < 0)
        return reply;
    reply = vsd_cmd_ok();
    cJSON_AddNumberToObject(reply, "minutes", minutes);
    beds = cJSON_AddObjectToObject(reply, "beds");
    for (size_t i = 0; i < core->cfg->n_beds; i++)
        if (b < 0 || (size_t)b == i)
            cJSON_AddItemToObject(beds, core->cfg->beds[i].name,
                                  vsd_trend_json(core->trend, i, minutes, now));
    return reply;
}

void vsd_command_execute(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *name = vsd_cmd_str(cmd, "cmd");
    char why[256];
    cJSON *reply;

    if (!name)
        reply = vsd_cmd_error("request has no \"cmd\"");
    else if (vsd_access_check(cmd->roles, name, why, sizeof(why)) < 0) {
        reply = vsd_cmd_error("%s", why);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(reply, "_audit"), "cmd", name);
        audit(core, cmd, "access_refused", vsd_cmd_str(cmd, "by"), reply);
    }
    else if (strcmp(name, "ping") == 0)
        reply = vsd_cmd_ok();
    else if (strcmp(name, "session_start") == 0) {
        reply = session_start(core, cmd);
        audit(core, cmd, "session_start", vsd_cmd_str(cmd, "by"), reply);
    } else if (strcmp(name, "session_end") == 0) {
        reply = session_end(core, cmd);
        audit(core, cmd, "session_end", vsd_cmd_str(cmd, "by"), reply);
    } else if (strcmp(name, "audit") == 0)
        reply = audit_record(core, cmd);
    else if (strcmp(name, "session_list") == 0)
        reply = session_list(core);
    else if (strcmp(name, "status") == 0)
        reply = status(core);
    else if (strcmp(name, "ack") == 0) {
        reply = vsd_cmd_ack(core, cmd);
        audit(core, cmd, "alert_ack", vsd_cmd_str(cmd, "by"), reply);
    } else if (strcmp(name, "limits_set") == 0 || strcmp(name, "limits_reset") == 0) {
        reply = vsd_cmd_limits_set(core, cmd, strcmp(name, "limits_reset") == 0);
        audit(core, cmd, name, vsd_cmd_str(cmd, "by"), reply);
    } else if (strcmp(name, "limits_show") == 0)
        reply = vsd_cmd_limits_show(core, cmd);
    else if (strcmp(name, "alerts") == 0)
        reply = vsd_cmd_alerts(core, cmd);
    else if (strcmp(name, "trend") == 0)
        reply = trend(core, cmd);
    else if (strcmp(name, "reload") == 0)
        reply = vsd_cmd_reload(core, cmd);
    else if (strcmp(name, "device_confirm") == 0) {
        reply = vsd_cmd_device_confirm(core, cmd);
        audit(core, cmd, "device_confirm", vsd_cmd_str(cmd, "by"), reply);
    }
    else if (strcmp(name, "retention") == 0) {
        reply = vsd_cmd_retention(core, cmd); /* accepted: the store writes the run's audit row */
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(reply, "ok")))
            audit(core, cmd, "retention", vsd_cmd_str(cmd, "by"), reply);
    } else
        reply = vsd_cmd_error("unknown command '%.64s'", name);
    cmd->reply = reply;
    complete(cmd);
}
