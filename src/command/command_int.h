/* SPDX-License-Identifier: MIT */
/* Private to the command handler's files: replies, arguments, and the alarm commands. */
#ifndef VSD_COMMAND_INT_H
#define VSD_COMMAND_INT_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "command.h"
#include "core.h"

cJSON *vsd_cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
cJSON *vsd_cmd_ok(void);
/* The string argument KEY of the request, NULL when absent or not a string. */
const char *vsd_cmd_str(const struct vsd_command *cmd, const char *key);
/* TEXT as typed, for an error message, when it is short plain text (the name of a bed, an id);
 * else a placeholder. Refusals reach the audit: a refused request's text must not. */
const char *vsd_cmd_echo(const char *text);

/* command_reload.c: the configuration read again (SIGHUP does the same). */
cJSON *vsd_cmd_reload(struct vsd_core *core, struct vsd_command *cmd);

/* command_alarm.c */
cJSON *vsd_cmd_ack(struct vsd_core *core, struct vsd_command *cmd);
/* limits_set (RESET false) or limits_reset: a session's own limits for one vital. */
cJSON *vsd_cmd_limits_set(struct vsd_core *core, struct vsd_command *cmd, bool reset);
cJSON *vsd_cmd_limits_show(struct vsd_core *core, struct vsd_command *cmd);
cJSON *vsd_cmd_alerts(struct vsd_core *core, struct vsd_command *cmd);
/* Append the active alerts of BED (NULL: every bed and the daemon) to ARR. */
void vsd_cmd_active_alerts(struct vsd_core *core, const char *bed, cJSON *arr);
/* Before a session ends at BED: list its own limits, which end with it, in REPLY's audit. */
void vsd_cmd_limits_dropped(struct vsd_core *core, size_t bed, cJSON *reply);

/* command_device.c: a technician confirms the device on a link flagged wrong_device. */
cJSON *vsd_cmd_device_confirm(struct vsd_core *core, struct vsd_command *cmd);
/* The identity fields of DEVICE for status replies. */
void vsd_cmd_device_identity(struct vsd_core *core, size_t device, cJSON *o);

/* command_retention.c: queue the deletion of the readings an archive holds. */
cJSON *vsd_cmd_retention(struct vsd_core *core, struct vsd_command *cmd);

#endif
