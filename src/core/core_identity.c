/* SPDX-License-Identifier: MIT */
/* Device identity: is the device on a link the one configured there? (docs/devices/README.md)
 *
 * After a USB re-plug or a port renumbering, chair 3's monitor can appear on chair 4's port. Where
 * a protocol carries the device's serial number or model, the configuration may name the expected
 * one ([device.NAME] serial =, model =). A device reporting another one is "wrong": a high-priority
 * technical alert (wrong_device), a monitoring gap on the bed's vitals, an audit row; its readings
 * are stored flagged (VSD_Q_WRONG_DEVICE) for no session and reach neither the alarm engine, the
 * trend nor the live topic. It ends when the expected device reports again, or when a technician
 * confirms the device on the link (vitalsctl device-confirm), which holds for this identity until
 * the daemon restarts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <vitalsd/log.h>

#include "core.h"

/* EXPECTED is configured, SEEN was reported, and they differ. */
static bool differs(const char *expected, const char *seen)
{
    return *expected && *seen && strcmp(expected, seen) != 0;
}

static bool mismatch(const struct vsd_device_config *dc, const struct vsd_device_state_core *ds)
{
    return differs(dc->serial, ds->serial) || differs(dc->model, ds->model);
}

static bool confirmed_now(const struct vsd_device_state_core *ds)
{
    return ds->confirmed && strcmp(ds->confirmed_serial, ds->serial) == 0 &&
           strcmp(ds->confirmed_model, ds->model) == 0;
}

const char *vsd_core_identity_state(const struct vsd_core *core, size_t device)
{
    const struct vsd_device_config *dc = &core->cfg->devices[device];
    const struct vsd_device_state_core *ds = &core->devices[device];

    if (!*dc->serial && !*dc->model)
        return "not_checked";
    if (ds->wrong)
        return "wrong";
    if (mismatch(dc, ds))
        return "confirmed";
    if ((*dc->serial && !*ds->serial) || (*dc->model && !*ds->model))
        return "not_read";
    return "expected";
}

/* One audit row per change of the verdict, with both identities (no person's data in them). */
static void audit(struct vsd_core *core, size_t device, const char *actor, const char *verdict)
{
    const struct vsd_device_config *dc = &core->cfg->devices[device];
    const struct vsd_device_state_core *ds = &core->devices[device];
    cJSON *o = cJSON_CreateObject();
    char *detail;

    cJSON_AddStringToObject(o, "device", dc->name);
    cJSON_AddStringToObject(o, "bed", core->cfg->beds[dc->bed].name);
    cJSON_AddStringToObject(o, "verdict", verdict);
    cJSON_AddStringToObject(o, "expected_serial", dc->serial);
    cJSON_AddStringToObject(o, "expected_model", dc->model);
    cJSON_AddStringToObject(o, "serial", ds->serial);
    cJSON_AddStringToObject(o, "model", ds->model);
    detail = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    vsd_store_audit(core->store, vsd_clock_wall_ms(core->clock), actor, "device_identity", detail);
    cJSON_free(detail);
}

static void set_wrong(struct vsd_core *core, size_t device, bool wrong, struct vsd_alarm_now now)
{
    const struct vsd_device_config *dc = &core->cfg->devices[device];
    struct vsd_device_state_core *ds = &core->devices[device];

    ds->wrong = wrong;
    if (wrong) {
        vsd_log(LOG_ERR,
                "device '%s' (bed '%s'): the device on the link reports serial '%s' model '%s', "
                "configured serial '%s' model '%s': its readings are kept for no session and "
                "raise no alarm until the expected device reports or a technician confirms "
                "this one (vitalsctl device-confirm %s)",
                dc->name, core->cfg->beds[dc->bed].name, ds->serial, ds->model, dc->serial,
                dc->model, dc->name);
        vsd_core_gap_device_down(core, dc->bed, ds->vitals_seen, "wrong_device", now.wall_ms);
    }
    vsd_alarm_wrong_device(core->alarm, now, dc->bed, device, wrong, vsd_core_alarm_out(core));
}

void vsd_core_identity(struct vsd_core *core, const struct vsd_device_identity *id)
{
    const struct vsd_device_config *dc = &core->cfg->devices[id->device];
    struct vsd_device_state_core *ds = &core->devices[id->device];
    struct vsd_alarm_now now = {id->mono_ms, id->wall_ms};
    bool wrong;

    /* A part the device did not report this time keeps the last one read. */
    if (*id->serial)
        memcpy(ds->serial, id->serial, sizeof(ds->serial));
    if (*id->model)
        memcpy(ds->model, id->model, sizeof(ds->model));
    wrong = mismatch(dc, ds) && !confirmed_now(ds);
    if (wrong != ds->wrong) {
        set_wrong(core, id->device, wrong, now);
        if (!wrong)
            vsd_log(LOG_NOTICE, "device '%s': the expected device reports again", dc->name);
        audit(core, id->device, "vitalsd", wrong ? "wrong" : "expected");
    }
    vsd_core_publish_device(core, id->device);
}

int vsd_core_confirm_device(struct vsd_core *core, size_t device, const char *by)
{
    struct vsd_device_state_core *ds = &core->devices[device];
    struct vsd_alarm_now now = {vsd_clock_mono_ms(core->clock), vsd_clock_wall_ms(core->clock)};

    if (!ds->wrong)
        return -EALREADY;
    ds->confirmed = true;
    memcpy(ds->confirmed_serial, ds->serial, sizeof(ds->serial));
    memcpy(ds->confirmed_model, ds->model, sizeof(ds->model));
    set_wrong(core, device, false, now);
    vsd_log(LOG_NOTICE, "device '%s': serial '%s' model '%s' confirmed by %s",
            core->cfg->devices[device].name, ds->serial, ds->model, by);
    vsd_core_publish_device(core, device);
    return 0;
}
