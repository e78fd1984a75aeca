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
/* The same without printing: 0; -ECONNREFUSED (daemon not reached) or -EPERM (refused) with
 * the reason in ERR. */
int vsd_ctl_call_quiet(struct ctl *c, cJSON *req, cJSON **reply, char *err, size_t errlen);
/* The database read-only, or NULL without a word (a nurse's account may not read it). */
sqlite3 *vsd_ctl_open_db_quiet(struct ctl *c);
/* UTC time from "2026-11-22T09:30:00Z", "2026-11-22T09:30:00", "2026-11-22 09:30". */
int vsd_ctl_parse_time(const char *s, int64_t *ret);
/* Open the database read-only: --db, else the configuration's. 0 or the exit status. */
int vsd_ctl_open_db(struct ctl *c, sqlite3 **db);

/* alerts.c: vitalsctl alerts, ack, limits. ARGV[0] is the command's first argument. */
int vsd_ctl_alerts(struct ctl *c, int argc, char **argv);
int vsd_ctl_ack(struct ctl *c, int argc, char **argv);
int vsd_ctl_limits(struct ctl *c, int argc, char **argv);
void vsd_ctl_alarm_usage(FILE *out);
/* What vitalsctl knows around the active alerts: each bed's latest readings (the daemon's
 * "trend" reply, NULL when not had) and the database (NULL when not readable), for words like
 * "SpO2 below 88 (high): ended 10:43:05, needs acknowledgement; now 97 % (3 s ago); escalation
 * step 1; raised 10:42:17 at 84 %". */
struct vsd_ctl_now {
    cJSON *trend;
    sqlite3 *db;
};
void vsd_ctl_now_load(struct ctl *c, struct vsd_ctl_now *now, bool want_db);
void vsd_ctl_now_free(struct vsd_ctl_now *now);
void vsd_ctl_alert_words(const cJSON *alert, const struct vsd_ctl_now *now, char *buf,
                         size_t size);
/* The newest reading of VITAL at BED in a "trend" reply: true with *VALUE and *TS_MS. */
bool vsd_ctl_latest(const cJSON *trend, const char *bed, const char *vital, double *value,
                    int64_t *ts_ms);
/* "3 s ago", "4 min ago" from milliseconds. */
void vsd_ctl_age(int64_t age_ms, char *buf, size_t size);
/* watch: the alerts active now, one line each in words (after "Active alerts now"); 0, or
 * the exit status after saying why they could not be had. */
int vsd_ctl_print_active(struct ctl *c);
/* beds.c: vitalsctl beds: each bed's session and latest readings with their age. */
int vsd_ctl_beds(struct ctl *c, int argc, char **argv);
/* reload.c: vitalsctl reload (the daemon re-reads its configuration file). */
int vsd_ctl_reload(struct ctl *c, int argc, char **argv);
/* device_confirm.c: vitalsctl device-confirm DEVICE [--by NAME]. */
int vsd_ctl_device_confirm(struct ctl *c, int argc, char **argv);
/* export_cmd.c: vitalsctl export; ARGV[0] is "export". */
int vsd_ctl_export(struct ctl *c, int argc, char **argv);
void vsd_ctl_export_usage(FILE *out);
/* archive.c: vitalsctl archive; ARGV[0] is "archive". */
int vsd_ctl_archive(struct ctl *c, int argc, char **argv);
void vsd_ctl_archive_usage(FILE *out);
/* status.c: vitalsctl status [--json]. */
int vsd_ctl_status(struct ctl *c, int argc, char **argv);

#endif
