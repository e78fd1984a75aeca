/* SPDX-License-Identifier: MIT */
/* vitalsctl notify-failed: tell the dashboard that systemd gave up restarting vitalsd. */
#ifndef VSD_CTL_NOTIFY_H
#define VSD_CTL_NOTIFY_H

#include <stddef.h>

#include "config.h"
#include "ctl.h"

/* Publish STATE ("failed") retained at QoS 1 on vitals/<area>/daemon/state with the daemon's
 * own broker account, TLS and client id + "-failed" from CFG (loaded with the daemon's
 * credentials), and wait for the broker's acknowledgement (MQTT 5: a refusal by the ACL is an
 * error). The daemon's "online" at its next start replaces it. Returns 0, or negative errno
 * with ERR set. */
int vsd_notify_state(const struct vsd_config *cfg, const char *state, char *err, size_t errlen);

/* vitalsctl notify-failed (no arguments): C's configuration loaded as the daemon loads it (its
 * password_file: run as the daemon's account), then "failed" as above. Returns the exit status:
 * 0, EXIT_USAGE, VSD_CONFIG_EXIT or EXIT_UNAVAILABLE. */
int vsd_ctl_notify_failed(struct ctl *c, int argc, char **argv);

#endif
