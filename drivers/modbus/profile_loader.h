/* SPDX-License-Identifier: MIT */
/* Private to the profile loader's files (profile.c, profile_identity.c): the sections as read,
 * with their lines, and the helpers that report errors as "FILE:LINE: ...". */
#ifndef VSD_MODBUS_PROFILE_LOADER_H
#define VSD_MODBUS_PROFILE_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "profile.h"

#define MAX_SECTIONS 24
#define MAX_ENTRIES 16
#define LINE_MAX_LEN 1024

struct entry {
    char key[32];
    char value[256];
    int line;
};

struct section {
    char name[64];
    int line;
    struct entry e[MAX_ENTRIES];
    size_t n;
};

/* One load: the reader counts lines and notes sections, so errors carry their line. */
struct loader {
    const char *path;
    FILE *f;
    char buf[LINE_MAX_LEN + 2];
    int line;
    struct section *secs;
    size_t n_secs;
    struct section *cur; /* NULL before the first header or under a broken one */
    bool broken;         /* the current header could not be taken: skip its keys */
    char *err;
    size_t errlen;
    int r; /* the first error, 0 while none */
};

/* Record an error at LINE; only the first one reaches the caller's buffer. */
void vsd_mbp_fail(struct loader *ld, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Every key of S must be in ALLOWED (NULL-terminated). */
void vsd_mbp_check_keys(struct loader *ld, const struct section *s, const char *const *allowed);
/* KEY's entry in S, NULL when absent. */
const struct entry *vsd_mbp_get(const struct section *s, const char *key);
/* "table = holding|input" (holding when absent). */
int vsd_mbp_get_table(struct loader *ld, const struct section *s, enum vsd_mb_table *ret);

/* profile_identity.c: [identity] into ID. */
int vsd_mbp_load_identity(struct loader *ld, const struct section *s, struct vsd_mb_identity *id);

#endif
