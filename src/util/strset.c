/* SPDX-License-Identifier: MIT */
/* A sorted array of strings, searched by bisection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strset.h"

/* The index of ITEM in S, or where it would go; *FOUND says which. */
static size_t find(const struct vsd_strset *s, const char *item, bool *found)
{
    size_t lo = 0, hi = s->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->items[mid], item);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

bool vsd_strset_has(const struct vsd_strset *s, const char *item)
{
    bool found;

    find(s, item, &found);
    return found;
}

int vsd_strset_add(struct vsd_strset *s, const char *item)
{
    bool found;
    size_t at = find(s, item, &found);
    char *copy;

    if (found)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **grown = realloc(s->items, cap * sizeof(*grown));
        if (!grown)
            return -ENOMEM;
        s->items = grown;
        s->cap = cap;
    }
    if (!(copy = strdup(item)))
        return -ENOMEM;
    memmove(&s->items[at + 1], &s->items[at], (s->n - at) * sizeof(*s->items));
    s->items[at] = copy;
    s->n++;
    return 0;
}

void vsd_strset_clear(struct vsd_strset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    *s = (struct vsd_strset){0};
}
