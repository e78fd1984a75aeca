/* SPDX-License-Identifier: MIT */
/* The control socket: vitalsctl's transport to the command handler. */
#ifndef VSD_CONTROL_H
#define VSD_CONTROL_H

#include "command.h"
#include "queue.h"
#include "store.h"

struct vsd_control;

/* Listen on the Unix socket PATH (mode 0660) and serve one JSON request per
 * connection on a thread of its own: each request goes through QUEUE to the
 * core's command handler; replies to state-changing commands are sent only once
 * STORE has committed them. A stale socket file is replaced; one that another
 * process still answers on is refused (-EADDRINUSE). ERR gets the reason. */
int vsd_control_start(const char *path, const struct vsd_command_link *link,
                      struct vsd_control **ret, char *err, size_t errlen);
/* Stop serving, remove the socket file. Accepts NULL. */
/* Stop the server. A command in flight waits for the core, so until the thread ended PUMP(CTX)
 * is called over and over: it must run queued commands (briefly waiting for one). */
void vsd_control_stop(struct vsd_control *c, void (*pump)(void *ctx), void *ctx);

#endif
