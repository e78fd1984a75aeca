/* SPDX-License-Identifier: MIT */
/* Configuration: INI parsed with inih, checked against the schema table, typed. */
#ifndef VSD_CONFIG_H
#define VSD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vitalsd/driver.h>

#include "alarm.h"

#define VSD_CONFIG_EXIT 78 /* EX_CONFIG: what vitalsd --check-config exits with on errors */

struct vsd_kv {
    char *key;
    char *value;
    int line;
};

struct vsd_device_config {
    char *name;                       /* from [device.NAME] */
    const struct vsd_driver *driver;  /* from the registry */
    int64_t poll_ms;                  /* poll period */
    int64_t timeout_ms;               /* response timeout */
    struct vsd_kv *options;           /* driver-specific keys, in file order */
    size_t n_options;
    size_t bed;                       /* index into beds[] */
    const char *bed_name;             /* beds[bed].name, for messages */
    int line;                         /* line of the section header */
    /* The device expected on the link, as its protocol reports it ("": not checked). */
    char serial[VSD_IDENTITY_MAX + 1];
    char model[VSD_IDENTITY_MAX + 1];
};

struct vsd_bed_config {
    char *name;                       /* from [bed.NAME] */
    size_t *devices;                  /* indexes into devices[] */
    size_t n_devices;
    struct vsd_alarm_config alarm;    /* the area's limits (per-bed overrides later) */
    int line;
};

struct vsd_mqtt_config {
    char *host;
    int port;
    char *client_id;
    char *username;                   /* NULL = none */
    char *password;                   /* NULL = none; read from password_file if given */
    char *tls_ca_file;                /* NULL = plain TCP */
    char *tls_cert_file;
    char *tls_key_file;
    int keepalive_s;
    int64_t reconnect_min_ms;
    int64_t reconnect_max_ms;
};

/* A deep copy of SRC into DST (0 or -ENOMEM, DST then empty), and its release (the password
 * wiped first). */
int vsd_mqtt_config_copy(struct vsd_mqtt_config *dst, const struct vsd_mqtt_config *src);
void vsd_mqtt_config_clear(struct vsd_mqtt_config *c);

/* Roles ([access]): what a person may do through the daemon (src/command/access.c). */
enum vsd_role {
    VSD_ROLE_NURSE = 1u << 0,      /* sessions, acknowledgements */
    VSD_ROLE_CLINICIAN = 1u << 1,  /* a nurse's commands and a visit's own limits */
    VSD_ROLE_TECHNICIAN = 1u << 2, /* the read-only commands */
    VSD_ROLE_AUDITOR = 1u << 3,    /* records exports in the audit trail */
};
#define VSD_ROLES_ALL (VSD_ROLE_NURSE | VSD_ROLE_CLINICIAN | VSD_ROLE_TECHNICIAN | VSD_ROLE_AUDITOR)

enum vsd_principal_kind { VSD_PRINCIPAL_MQTT, VSD_PRINCIPAL_USER, VSD_PRINCIPAL_GROUP };

/* One "mqtt:NAME", "user:NAME" or "group:NAME" of [access], with every role it was given. */
struct vsd_principal {
    enum vsd_principal_kind kind;
    char *name;
    unsigned roles;
};

struct vsd_access {
    bool configured; /* no [access] section: every caller has every role (and a warning) */
    struct vsd_principal *principals;
    size_t n_principals;
};

enum vsd_sync { VSD_SYNC_NORMAL = 1, VSD_SYNC_FULL = 2 };

/* [retention]: readings older than READINGS_DAYS (0: never) may be archived, then deleted. */
struct vsd_retention_config {
    int readings_days;
    char *archive_dir; /* where vitalsctl archive writes */
};

struct vsd_config {
    char *path;                       /* the file it was loaded from */
    char *area;                       /* topic root vitals/<area>/ */
    char *database;
    char *control_socket;
    enum vsd_sync synchronous;
    int64_t commit_ms;                /* longest a reading waits before commit */
    int log_level;                    /* syslog priority */
    size_t queue_depth;               /* reading queue capacity (poll results) */
    struct vsd_mqtt_config mqtt;
    bool mqtt_password_inline;        /* [mqtt] password written in this file (warned at start) */
    struct vsd_access access;
    struct vsd_retention_config retention;
    struct vsd_alarm_config alarm;    /* area defaults */
    struct vsd_device_config *devices;
    size_t n_devices;
    struct vsd_bed_config *beds;
    size_t n_beds;
};

/* Diagnostics: every error found, each "FILE:LINE: [section] key: what is wrong"; for a file
 * without errors, its warnings instead, each "FILE:LINE: warning: [section] key: ...". */
struct vsd_diag {
    char **lines;
    size_t n;
    size_t n_warnings; /* how many of the lines are warnings (then all of them) */
};
void vsd_diag_free(struct vsd_diag *d); /* frees the lines; D itself is the caller's */

/* Load and check PATH. On success returns 0 and sets *ret (free with
 * vsd_config_free). On any error returns -EINVAL (or -errno when the file
 * cannot be read), appends every problem to DIAG and leaves *ret untouched. A file that loads
 * may still leave warnings in DIAG (diag->n_warnings). */
int vsd_config_load(const char *path, struct vsd_config **ret, struct vsd_diag *diag);
/* As vsd_config_load, for a client of the daemon (vitalsctl): the daemon's own broker
 * credentials ([mqtt] username, password, password_file, tls_cert_file, tls_key_file) are left
 * out unread, so a staff member never needs, nor gets, the daemon's secrets. */
int vsd_config_load_client(const char *path, struct vsd_config **ret, struct vsd_diag *diag);
void vsd_config_free(struct vsd_config *cfg);

/* Find by name; index or -ENOENT. */
int vsd_config_bed_index(const struct vsd_config *cfg, const char *name);
int vsd_config_device_index(const struct vsd_config *cfg, const char *name);

/* Reload (src/main.c, config_reload.c). Is device I of A the same device as device J of B,
 * unchanged: name, driver, poll, timeout, every driver option in order, and its bed's name? */
bool vsd_config_device_same(const struct vsd_config *a, size_t i, const struct vsd_config *b,
                            size_t j);
/* The settings a running daemon keeps until it restarts ([daemon] area, database,
 * control_socket, synchronous, commit_interval, queue_depth; every [mqtt] key; [access]): each
 * that differs between RUNNING and NEXT appends "FILE:LINE: [section] key: changed, but ..." to
 * DIAG (never a value: passwords are secrets). Returns how many. */
size_t vsd_config_restart_needed(const struct vsd_config *running, const struct vsd_config *next,
                                 struct vsd_diag *diag);

#endif
