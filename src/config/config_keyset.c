/* SPDX-License-Identifier: MIT */
/* Checking a configuration section's keys against a key table, and reading the values typed. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/option.h>

#include "config_keyset.h"

#define WORD_MAX 64 /* longer names are never typos worth a suggestion */

/* Edits (insert, delete, change, swap two neighbours; case ignored) from A to B. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t d[WORD_MAX + 1][WORD_MAX + 1];

    if (la > WORD_MAX || lb > WORD_MAX)
        return SIZE_MAX;
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + cost;

            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

void vsd_cfg_nearest_init(struct vsd_cfg_nearest *n, const char *word)
{
    *n = (struct vsd_cfg_nearest){.word = word, .dist = SIZE_MAX};
}

/* Close enough to be a typo: a third of the word's letters at most (one for short words). */
void vsd_cfg_nearest_try(struct vsd_cfg_nearest *n, const char *name)
{
    size_t len = strlen(n->word), max = len < 6 ? 1 : len / 3, d;

    if (!name || strcmp(name, n->word) == 0)
        return;
    if (max > 3)
        max = 3;
    d = distance(n->word, name);
    if (d <= max && d < n->dist) {
        n->dist = d;
        n->best = name;
    }
}

static void check_entry(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, struct vsd_keyset *ks,
                        size_t nks, bool lenient, const struct vsd_cfg_entry *e)
{
    char why[512];

    for (size_t k = 0; k < nks; k++) {
        const struct vsd_option *opt = vsd_option_find(ks[k].table, e->key);
        size_t i;

        if (!opt)
            continue;
        i = (size_t)(opt - ks[k].table);
        assert(i < MAX_KEYS);
        if (ks[k].first[i] && !(opt->flags & VSD_OPT_MULTI)) {
            vsd_cfg_error(ctx, e->line, "[%s] %s: duplicate key (first at line %d)", s->name,
                          e->key, ks[k].first[i]);
            return;
        }
        if (!ks[k].first[i])
            ks[k].first[i] = e->line;
        if (vsd_option_check(opt, e->value, why, sizeof(why)) < 0) {
            vsd_cfg_error(ctx, e->line, "[%s] %s: %s", s->name, e->key, why);
            ks[k].bad[i] = true;
        } else if (!ks[k].at[i]) {
            ks[k].at[i] = e;
        }
        return;
    }
    if (!lenient) {
        struct vsd_cfg_nearest near;

        vsd_cfg_nearest_init(&near, e->key);
        for (size_t k = 0; k < nks; k++)
            for (size_t i = 0; ks[k].table && ks[k].table[i].key; i++)
                vsd_cfg_nearest_try(&near, ks[k].table[i].key);
        if (near.best)
            vsd_cfg_error(ctx, e->line, "[%s] %s: unknown key (did you mean %s?)", s->name,
                          e->key, near.best);
        else
            vsd_cfg_error(ctx, e->line, "[%s] %s: unknown key", s->name, e->key);
    }
}

/* Check every key of S (NULL: absent) against the NKS tables of KS; unknown keys
 * are errors unless LENIENT; then report required keys that are missing. */
void vsd_ks_check_section(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                          struct vsd_keyset *ks, size_t nks, bool lenient)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_entries; i++)
        check_entry(ctx, s, ks, nks, lenient, &s->entries[i]);
    for (size_t k = 0; k < nks; k++)
        for (size_t i = 0; ks[k].table && ks[k].table[i].key; i++)
            if ((ks[k].table[i].flags & VSD_OPT_REQUIRED) && !ks[k].first[i])
                vsd_cfg_error(ctx, s->line, "[%s] %s: missing required key", s->name,
                              ks[k].table[i].key);
}

static size_t key_index(const struct vsd_keyset *ks, const char *key)
{
    const struct vsd_option *opt = vsd_option_find(ks->table, key);

    assert(opt); /* only ever asked for keys of its own table */
    return (size_t)(opt - ks->table);
}

/* The value in force: as written (if good), else the default; NULL when neither. */
const char *vsd_ks_text(const struct vsd_keyset *ks, const char *key)
{
    size_t i = key_index(ks, key);

    return ks->at[i] ? ks->at[i]->value : ks->table[i].def;
}

/* Line KEY was first written on; 0 when not written. */
int vsd_ks_line(const struct vsd_keyset *ks, const char *key)
{
    return ks->first[key_index(ks, key)];
}

/* Has a good value, written or default: safe to compare with others. */
bool vsd_ks_usable(const struct vsd_keyset *ks, const char *key)
{
    return !ks->bad[key_index(ks, key)] && vsd_ks_text(ks, key);
}

/* The typed getters read values already checked; a bad one reads as its default. */
int64_t vsd_ks_ms(const struct vsd_keyset *ks, const char *key)
{
    const char *text = vsd_ks_text(ks, key);
    int64_t v = 0;

    if (text)
        vsd_option_parse_duration_ms(text, &v);
    return v;
}

long long vsd_ks_int(const struct vsd_keyset *ks, const char *key)
{
    const char *text = vsd_ks_text(ks, key);
    long long v = 0;

    if (text)
        vsd_option_parse_int(text, &v);
    return v;
}

bool vsd_ks_bool(const struct vsd_keyset *ks, const char *key)
{
    const char *text = vsd_ks_text(ks, key);
    int v = 0;

    if (text)
        vsd_option_parse_bool(text, &v);
    return v != 0;
}

double vsd_ks_num(const struct vsd_keyset *ks, const char *key)
{
    const char *text = vsd_ks_text(ks, key);
    double v = 0;

    if (text)
        vsd_option_parse_double(text, &v);
    return v;
}

enum vsd_priority vsd_ks_prio(const struct vsd_keyset *ks, const char *key)
{
    const char *text = vsd_ks_text(ks, key);

    int p = vsd_priority_parse(text);

    return p < 0 ? VSD_PRIO_MEDIUM : (enum vsd_priority)p;
}

/* *RET = a copy of the value in force, NULL when there is none. */
int vsd_ks_dup(const struct vsd_keyset *ks, const char *key, char **ret)
{
    const char *text = vsd_ks_text(ks, key);

    *ret = text ? strdup(text) : NULL;
    return text && !*ret ? -ENOMEM : 0;
}

