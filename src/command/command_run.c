/* SPDX-License-Identifier: MIT */
/* The transport side of a command: hand it to the core, wait, answer once it is on disk. */
#include <errno.h>
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

/* Once the core has answered CMD: wait for its writes to commit. A failed commit, or a staff
 * record of the caller's refused by the database (fail closed: never "ok" for an action that is
 * not fully recorded), replaces the reply with an error. MARK: the store before the command. */
static void await_commit(struct vsd_store *store, uint64_t mark, struct vsd_command *cmd)
{
    const char *by = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cmd->request, "by"));
    char why[320], msg[512];
    int rc = vsd_store_sync_since(store, mark, by && *by ? by : NULL, why, sizeof(why));

    if (rc == 0)
        return;
    if (rc == -ENOTRECOVERABLE)
        snprintf(msg, sizeof(msg),
                 "not recorded: %s; what the command changed may stand without its record: "
                 "tell the technician (vitalsd log, vitalsctl audit verify)",
                 why);
    else
        snprintf(msg, sizeof(msg),
                 "accepted but not yet on disk (%s): vitalsd keeps retrying; "
                 "check the storage alert",
                 strerror(-rc));
    cJSON_Delete(cmd->reply);
    cmd->reply = error_reply(msg);
}

cJSON *vsd_command_run(struct vsd_queue *queue, struct vsd_store *store, cJSON *request,
                       const char *via, unsigned roles)
{
    struct vsd_command cmd;
    struct vsd_event ev = {.type = VSD_EV_COMMAND};
    uint64_t mark = vsd_store_mark(store); /* the command's writes come after this */
    cJSON *reply;

    vsd_command_init(&cmd, request, via);
    cmd.roles = roles;
    ev.u.command = &cmd;
    if (vsd_queue_push_wait(queue, &ev) < 0) {
        vsd_command_destroy(&cmd);
        return error_reply("vitalsd is shutting down");
    }
    vsd_command_wait(&cmd);
    if (cmd.needs_sync)
        await_commit(store, mark, &cmd);
    reply = cmd.reply;
    cmd.reply = NULL;
    vsd_command_destroy(&cmd);
    return reply;
}
