/* SPDX-License-Identifier: MIT */
/* A set of strings, sorted: membership in O(log n), insertion in O(n). For sets that grow by a
 * few members a day (the session ids ever used), read whole at start. */
#ifndef VSD_STRSET_H
#define VSD_STRSET_H

#include <stdbool.h>
#include <stddef.h>

struct vsd_strset {
    char **items; /* sorted by strcmp */
    size_t n, cap;
};

bool vsd_strset_has(const struct vsd_strset *s, const char *item);
/* Add a copy of ITEM (already there: nothing to do). 0 or -ENOMEM. */
int vsd_strset_add(struct vsd_strset *s, const char *item);
void vsd_strset_clear(struct vsd_strset *s);

#endif
