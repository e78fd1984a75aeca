/* SPDX-License-Identifier: MIT */
/* Staff commands: one handler (on the core thread) for every transport (control socket, MQTT). */
#ifndef VSD_COMMAND_H
#define VSD_COMMAND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

struct vsd_core;

#include "ids.h"

#define VSD_REQUEST_MAX 65536

/* A command travelling from a transport thread to the core and back. */
struct vsd_command {
    cJSON *request;       /* {"cmd": "...", ...}; owned by the transport */
    char via[64];         /* transport and peer, recorded in the audit ("socket uid=0") */
    cJSON *reply;         /* set by the core: {"ok": true, ...} or {"ok": false, "error": "..."} */
    unsigned roles;       /* the caller's roles (enum vsd_role), resolved by the transport */
    bool needs_sync;      /* reply only once the store has committed what the command wrote */
    bool done;
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

void vsd_command_init(struct vsd_command *cmd, cJSON *request, const char *via);
void vsd_command_destroy(struct vsd_command *cmd); /* frees reply; not the request */
/* Transport side: wait until the core has answered. */
void vsd_command_wait(struct vsd_command *cmd);

struct vsd_queue;
struct vsd_store;
struct vsd_access;

/* Where a transport hands its commands: the queue to the core, the store whose commit a reply
 * waits for, and the [access] table the transport resolves its callers' roles with. */
struct vsd_command_link {
    struct vsd_queue *queue;
    struct vsd_store *store;
    const struct vsd_access *access;
};
/* Transport side, all in one: queue REQUEST from a caller holding ROLES for the core, wait for
 * its reply and, when the command changed state, for the store to commit it. Returns the reply
 * (the caller frees it). */
cJSON *vsd_command_run(struct vsd_queue *queue, struct vsd_store *store, cJSON *request,
                       const char *via, unsigned roles);

/* The JSON of one request as received by a transport: at most VSD_REQUEST_MAX bytes, valid
 * UTF-8 without NUL, a JSON object with a string "cmd". Returns the parsed object (cJSON_Delete)
 * or NULL with the reason in ERR. Pure: the libFuzzer harness tests it. */
cJSON *vsd_command_parse(const char *buf, size_t len, char *err, size_t errlen);

/* Core side: execute CMD against CORE, set cmd->reply, then signal the waiter. */
void vsd_command_execute(struct vsd_core *core, struct vsd_command *cmd);

#endif
