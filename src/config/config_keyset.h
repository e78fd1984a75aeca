/* SPDX-License-Identifier: MIT */
/* Private to the configuration: checking a section's keys against a table and reading them typed. */
#ifndef VSD_CONFIG_KEYSET_H
#define VSD_CONFIG_KEYSET_H

#include <stdbool.h>
#include <stdint.h>

#include "alarm.h"
#include "config_schema.h"

#define MAX_KEYS 64 /* per key table: ample for the core's and any driver's */

/* Which entry gives each key of one table. Zero it, then set table. */
struct vsd_keyset {
    const struct vsd_option *table;           /* NULL: no keys */
    const struct vsd_cfg_entry *at[MAX_KEYS]; /* first good occurrence; NULL: the default */
    int first[MAX_KEYS];                      /* line of the first occurrence; 0: not written */
    bool bad[MAX_KEYS];                       /* written with a wrong value */
};

/* "Did you mean": the name nearest to WORD among those tried, if it is close enough. */
struct vsd_cfg_nearest {
    const char *word;
    const char *best; /* NULL: nothing close */
    size_t dist;
};
void vsd_cfg_nearest_init(struct vsd_cfg_nearest *n, const char *word);
void vsd_cfg_nearest_try(struct vsd_cfg_nearest *n, const char *name);

/* Check every key of S (NULL: absent) against the NKS tables of KS; unknown keys
 * are errors unless LENIENT; then report required keys that are missing. */
void vsd_ks_check_section(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                          struct vsd_keyset *ks, size_t nks, bool lenient);
/* The value in force: as written (if good), else the default; NULL when neither. */
const char *vsd_ks_text(const struct vsd_keyset *ks, const char *key);
/* Line KEY was first written on; 0 when not written. */
int vsd_ks_line(const struct vsd_keyset *ks, const char *key);
/* Has a good value, written or default: safe to compare with others. */
bool vsd_ks_usable(const struct vsd_keyset *ks, const char *key);
/* The typed getters read values already checked; a bad one reads as its default. */
int64_t vsd_ks_ms(const struct vsd_keyset *ks, const char *key);
long long vsd_ks_int(const struct vsd_keyset *ks, const char *key);
bool vsd_ks_bool(const struct vsd_keyset *ks, const char *key);
double vsd_ks_num(const struct vsd_keyset *ks, const char *key);
enum vsd_priority vsd_ks_prio(const struct vsd_keyset *ks, const char *key);
/* *RET = a copy of the value in force, NULL when there is none. */
int vsd_ks_dup(const struct vsd_keyset *ks, const char *key, char **ret);

#endif
