/* SPDX-License-Identifier: MIT */
/* Staff commands over MQTT: vitals/<area>/command/<user> in, vitals/<area>/reply/<user> out. */
#ifndef VSD_MQTT_COMMAND_H
#define VSD_MQTT_COMMAND_H

#include "command.h"
#include "publish.h"
#include "queue.h"
#include "store.h"

/* The broker's ACL must let each dashboard user write only its own command topic
 * (pattern write vitals/+/command/%u) and read only its own reply topic: the daemon takes
 * the user from the topic and records it as the actor (docs/alarms.md). Every request is
 * checked (vsd_command_parse), run by the same command handler as the control socket and
 * answered; a rejected one is answered with the reason and logged. */
struct vsd_mqtt_commands;

/* Subscribe (before vsd_publish_start) and start the worker thread. 0 or negative errno. */
int vsd_mqtt_commands_start(struct vsd_publish *pub, const struct vsd_command_link *link,
                            const char *area, struct vsd_mqtt_commands **ret);
/* Stop the worker (before the queue and store go), calling PUMP(CTX) until it ended: see
 * vsd_control_stop(). Accepts NULL. */
void vsd_mqtt_commands_stop(struct vsd_mqtt_commands *m, void (*pump)(void *ctx), void *ctx);

#endif
