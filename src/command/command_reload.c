/* SPDX-License-Identifier: MIT */
/* The "reload" command: the configuration file read again, all or nothing (main.c applies it
 * and writes the audit row, the same for SIGHUP). */
#include <stdio.h>

#include "command.h"
#include "command_int.h"
#include "core.h"

cJSON *vsd_cmd_reload(struct vsd_core *core, struct vsd_command *cmd)
{
    const char *actor = vsd_cmd_str(cmd, "by");
    struct vsd_diag errs = {0};
    char summary[512] = "";
    cJSON *reply, *lines;
    int rc;

    if (!core->reload)
        return vsd_cmd_error("reload is not offered by this daemon");
    rc = core->reload(core->reload_ctx, actor && *actor ? actor : "(none)", cmd->via, &errs,
                      summary, sizeof(summary));
    reply = rc == 0 ? vsd_cmd_ok() : vsd_cmd_error("%s", summary);
    if (rc == 0)
        cJSON_AddStringToObject(reply, "summary", summary);
    lines = cJSON_AddArrayToObject(reply, "errors");
    for (size_t i = 0; i < errs.n; i++)
        cJSON_AddItemToArray(lines, cJSON_CreateString(errs.lines[i]));
    vsd_diag_free(&errs);
    cmd->needs_sync = true; /* the audit row: answered once it is committed */
    return reply;
}
