/* SPDX-License-Identifier: MIT */
/* The transport side of a command: hand it to the core, wait, answer once it is on disk. */
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "queue.h"
#include "store.h"

static cJSON *error_reply(const char *msg)
{
    cJSON *r = cJSON_CreateObject();

    cJSON_AddBoolToObject(r, "ok", false);
    cJSON_AddStringToObject(r, "error", msg);
    return r;
}

cJSON *vsd_command_run(struct vsd_queue *queue, struct vsd_store *store, cJSON *request,
                       const char *via, unsigned roles)
{
    struct vsd_command cmd;
    struct vsd_event ev = {.type = VSD_EV_COMMAND};
    cJSON *reply;

    vsd_command_init(&cmd, request, via);
    cmd.roles = roles;
    ev.u.command = &cmd;
    if (vsd_queue_push_wait(queue, &ev) < 0) {
        vsd_command_destroy(&cmd);
        return error_reply("vitalsd is shutting down");
    }
    vsd_command_wait(&cmd);
    if (cmd.needs_sync) {
        int rc = vsd_store_sync(store);
        if (rc < 0) {
            char msg[256];

            cJSON_Delete(cmd.reply);
            snprintf(msg, sizeof(msg),
                     "accepted but not yet on disk (%s): vitalsd keeps retrying; "
                     "check the storage alert",
                     strerror(-rc));
            cmd.reply = error_reply(msg);
        }
    }
    reply = cmd.reply;
    cmd.reply = NULL;
    vsd_command_destroy(&cmd);
    return reply;
}
