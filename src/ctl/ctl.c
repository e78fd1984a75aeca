/* SPDX-License-Identifier: MIT */
/* What every vitalsctl command shares: the configuration, the daemon's socket, the database. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ctl.h"
#include "export.h"

/* The configuration tells where the socket, database and broker are. */
int vsd_ctl_need_config(struct ctl *c)
{
    struct vsd_diag diag = {0};
    int rc;

    if (c->cfg)
        return 0;
    rc = vsd_config_load_client(c->config_path, &c->cfg, &diag);
    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    if (rc < 0 && diag.n == 0)
        fprintf(stderr, "vitalsctl: %s: %s (give -c CONFIG)\n", c->config_path, strerror(-rc));
    vsd_diag_free(&diag);
    return rc < 0 ? VSD_CONFIG_EXIT : 0;
}

int vsd_ctl_call_quiet(struct ctl *c, cJSON *req, cJSON **reply, char *err, size_t errlen)
{
    const char *path = c->socket_path;
    const cJSON *ok, *e;

    *reply = NULL;
    if (!path) {
        if (vsd_ctl_need_config(c) != 0) {
            snprintf(err, errlen, "no configuration");
            return -EINVAL;
        }
        path = c->cfg->control_socket;
    }
    if (vsd_client_call(path, req, reply, err, (unsigned)errlen) < 0)
        return -ECONNREFUSED;
    ok = cJSON_GetObjectItemCaseSensitive(*reply, "ok");
    if (!cJSON_IsTrue(ok)) {
        e = cJSON_GetObjectItemCaseSensitive(*reply, "error");
        snprintf(err, errlen, "%s", cJSON_IsString(e) ? e->valuestring : "(no reason given)");
        return -EPERM;
    }
    return 0;
}

/* Open the database read-only without a word when it cannot be: NULL then. */
sqlite3 *vsd_ctl_open_db_quiet(struct ctl *c)
{
    sqlite3 *db = NULL;
    char err[512];

    if (!c->db_path && !c->cfg && access(c->config_path, R_OK) != 0)
        return NULL;
    if (!c->db_path && vsd_ctl_need_config(c) != 0)
        return NULL;
    if (vsd_export_open(c->db_path ? c->db_path : c->cfg->database, &db, err, sizeof(err)) < 0)
        return NULL;
    return db;
}

int vsd_ctl_call(struct ctl *c, cJSON *req, cJSON **reply)
{
    char err[512];
    const char *path = c->socket_path;
    int rc;

    if (!path) {
        if ((rc = vsd_ctl_need_config(c)) != 0)
            return rc;
        path = c->cfg->control_socket;
    }
    if (vsd_client_call(path, req, reply, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(*reply, "ok");
    if (!cJSON_IsTrue(ok)) {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(*reply, "error");
        fprintf(stderr, "vitalsctl: refused: %s\n",
                cJSON_IsString(e) ? e->valuestring : "(no reason given)");
        return EXIT_REFUSED;
    }
    return 0;
}

/* UTC time from "2026-11-22T09:30:00Z", "2026-11-22T09:30:00", "2026-11-22 09:30". */
int vsd_ctl_parse_time(const char *s, int64_t *ret)
{
    static const char *const formats[] = {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S",
                                          "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"};
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        struct tm tm = {0};
        const char *end = strptime(s, formats[i], &tm);
        if (end && *end == '\0') {
            *ret = (int64_t)timegm(&tm) * 1000;
            return 0;
        }
    }
    return -EINVAL;
}

/* Open the database read-only: --db, else the configuration's. */
int vsd_ctl_open_db(struct ctl *c, sqlite3 **db)
{
    char err[512] = "";
    int rc;

    if (!c->db_path) {
        if ((rc = vsd_ctl_need_config(c)) != 0)
            return rc;
        c->db_path = c->cfg->database;
    }
    if (vsd_export_open(c->db_path, db, err, sizeof(err)) < 0) {
        fprintf(stderr, "vitalsctl: %s\n", err);
        return EXIT_UNAVAILABLE;
    }
    return 0;
}

