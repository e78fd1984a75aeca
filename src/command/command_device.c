/* SPDX-License-Identifier: MIT */
/* Device identity for staff: the identity fields of status, and device_confirm (a technician
 * accepts the device now on a link that reported another serial or model than configured). */
#include <errno.h>

#include "command.h"
#include "command_int.h"
#include "core.h"

void vsd_cmd_device_identity(struct vsd_core *core, size_t device, cJSON *o)
{
    const struct vsd_device_config *dc = &core->cfg->devices[device];
    const struct vsd_device_state_core *ds = &core->devices[device];

    cJSON_AddStringToObject(o, "identity", vsd_core_identity_state(core, device));
    if (*ds->serial)
        cJSON_AddStringToObject(o, "serial", ds->serial);
    if (*ds->model)
        cJSON_AddStringToObject(o, "model", ds->model);
    if (*dc->serial)
        cJSON_AddStringToObject(o, "expected_serial", dc->serial);
    if (*dc->model)
        cJSON_AddStringToObject(o, "expected_model", dc->model);
}

cJSON *vsd_cmd_device_confirm(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *name = vsd_cmd_str(cmd, "device"), *by = vsd_cmd_str(cmd, "by");
    int d = name ? vsd_config_device_index(core->cfg, name) : -ENOENT;
    cJSON *reply;

    if (d < 0)
        return name ? vsd_cmd_error("no device '%s' is configured", vsd_cmd_echo(name))
                    : vsd_cmd_error("the device's name is required");
    if (vsd_core_confirm_device(core, (size_t)d, by ? by : "(none)") < 0)
        return vsd_cmd_error("device '%s' is not flagged wrong_device (identity: %s): there is "
                             "nothing to confirm",
                             name, vsd_core_identity_state(core, (size_t)d));
    reply = vsd_cmd_ok();
    cJSON_AddStringToObject(reply, "device", name);
    vsd_cmd_device_identity(core, (size_t)d, reply);
    vsd_cmd_device_identity(core, (size_t)d, cJSON_AddObjectToObject(reply, "_audit"));
    return reply;
}
