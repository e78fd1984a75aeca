/* SPDX-License-Identifier: MIT */
/* What every vitalsctl command shares: the configuration, the daemon's socket, the database. */
#ifndef VSD_CTL_H
#define VSD_CTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "config.h"

#define DEFAULT_CONFIG "/etc/vitalsd/vitalsd.conf"
#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_UNAVAILABLE 69

struct ctl {
    const char *config_path;
    const char *socket_path;
    const char *db_path;
    struct vsd_config *cfg;
};

/* Load the configuration once (it tells where the socket, database and broker are). 0, or
 * the exit status after printing why. */
int vsd_ctl_need_config(struct ctl *c);
/* Send REQ to the daemon; 0 with *REPLY on success, else the exit status after printing
 * why (a refusal prints the daemon's reason). *REPLY is the caller's to free either way. */
int vsd_ctl_call(struct ctl *c, cJSON *req, cJSON **reply);
/* UTC time from "2026-11-22T09:30:00Z", "2026-11-22T09:30:00", "2026-11-22 09:30". */
int vsd_ctl_parse_time(const char *s, int64_t *ret);
/* Open the database read-only: --db, else the configuration's. 0 or the exit status. */
int vsd_ctl_open_db(struct ctl *c, sqlite3 **db);

/* alerts.c: vitalsctl alerts, ack, limits. ARGV[0] is the command's first argument. */
int vsd_ctl_alerts(struct ctl *c, int argc, char **argv);
int vsd_ctl_ack(struct ctl *c, int argc, char **argv);
int vsd_ctl_limits(struct ctl *c, int argc, char **argv);
void vsd_ctl_alarm_usage(FILE *out);
/* export_cmd.c: vitalsctl export; ARGV[0] is "export". */
int vsd_ctl_export(struct ctl *c, int argc, char **argv);
void vsd_ctl_export_usage(FILE *out);
/* status.c: vitalsctl status [--json]. */
int vsd_ctl_status(struct ctl *c, int argc, char **argv);

#endif
