/* SPDX-License-Identifier: MIT */
/* Private to config.c and config_schema.c: sections as written, problems, section checks. */
#ifndef VSD_CONFIG_SCHEMA_H
#define VSD_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include <vitalsd/option.h>

#include "config.h"

/* One "key = value" line as written. */
struct vsd_cfg_entry {
    char *key;
    char *value;
    int line;
};

/* One section as written; a repeated header adds its keys to the first one. */
struct vsd_cfg_section {
    char *name; /* between the brackets, blanks trimmed: "device.m1" */
    int line;   /* line of the first header */
    struct vsd_cfg_entry *entries;
    size_t n_entries, cap;
};

/* One problem, kept until all are sorted by line. */
struct vsd_cfg_error {
    int line;
    size_t seq; /* order found: ties on a line keep it */
    char *text; /* complete: "FILE:LINE: [section] key: what is wrong" */
    bool warning; /* "FILE:LINE: warning: ...": reported, but the file still loads */
};

/* Problems found while loading PATH. */
struct vsd_cfg_ctx {
    const char *path;
    struct vsd_cfg_error *errors;
    size_t n_errors, cap; /* n_errors counts the warnings too */
    size_t n_warnings;
    bool oom; /* an allocation failed: the load fails with -ENOMEM */
    bool client; /* loaded for vitalsctl: the daemon's credentials were left out */
};

/* Record "PATH:LINE: " followed by the formatted text. */
void vsd_cfg_error(struct vsd_cfg_ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record "PATH:LINE: warning: " followed by the formatted text: something that may well be
 * wrong but does not stop the daemon (a serial port not plugged in at check time). Shown only
 * when the file has no error. */
void vsd_cfg_warning(struct vsd_cfg_ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Section checks. Each fills its part of CFG from S, records every problem in
 * CTX and returns 0, or -ENOMEM. S may be NULL where the section is optional:
 * defaults apply. Strings put into CFG are freed by vsd_config_free(). */
int vsd_cfg_daemon(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                   struct vsd_config *cfg);
/* [retention] (S may be NULL: readings are kept for ever). */
int vsd_cfg_retention(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                      struct vsd_config *cfg);
/* After vsd_cfg_daemon(): the default client id names the area. */
int vsd_cfg_mqtt(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, struct vsd_config *cfg);
/* Sets the technical alert settings of ALARM and every vital's limit to "none". */
int vsd_cfg_technical(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                      struct vsd_alarm_config *alarm);
/* [alerts]: latching and escalation. */
int vsd_cfg_alerts(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                   struct vsd_alarm_config *alarm);
/* [alarm.VITAL] (or [alarm.VITAL.BED] into that bed's copy): VITAL is the part after the dot. */
int vsd_cfg_alarm(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *vital,
                  struct vsd_alarm_config *alarm);
/* [access] (S may be NULL: no section, every caller has every role) into A. */
int vsd_cfg_access(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                   struct vsd_access *a);
void vsd_access_clear(struct vsd_access *a);
const struct vsd_option *vsd_cfg_access_schema(void);
/* [device.NAME] into DC (zeroed by the caller); DC->bed is left SIZE_MAX. */
int vsd_cfg_device(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *name,
                   struct vsd_device_config *dc);
/* [bed.NAME] into CFG->beds[BED] (zeroed by the caller); claims its devices,
 * so CFG->devices must be complete. */
int vsd_cfg_bed(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *name,
                struct vsd_config *cfg, size_t bed);

/* The key table of a section kind: "daemon", "mqtt", "access", "technical", "alerts", "alarm",
 * "device" (the keys common to every driver) or "bed"; NULL for any other. */
const struct vsd_option *vsd_cfg_schema(const char *kind);
/* The alarm kinds' tables ("technical", "alerts", "alarm"), NULL for any other. */
const struct vsd_option *vsd_cfg_alarm_schema(const char *kind);

#endif
