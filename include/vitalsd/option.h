/* SPDX-License-Identifier: MIT */
/* Option schema entries and value parsers shared by the configuration checker and drivers. */
#ifndef VITALSD_OPTION_H
#define VITALSD_OPTION_H

#include <stddef.h>
#include <stdint.h>

enum vsd_opt_type {
    VSD_OPT_STRING,   /* any non-empty text */
    VSD_OPT_INT,      /* decimal integer, range [min, max] */
    VSD_OPT_DOUBLE,   /* decimal number, range [min, max] */
    VSD_OPT_BOOL,     /* true/false, yes/no, on/off, 1/0 */
    VSD_OPT_ENUM,     /* one of choices[] */
    VSD_OPT_DURATION, /* "250ms", "2s", "5m", "1h" (bare number = seconds); range in ms */
    VSD_OPT_LIST,     /* comma-separated non-empty names */
};

enum vsd_opt_flags {
    VSD_OPT_REQUIRED = 1u << 0, /* the key must be present */
    VSD_OPT_MULTI = 1u << 1,    /* the key may appear several times */
    VSD_OPT_RANGE = 1u << 2,    /* min/max apply */
};

/* One key of a section. Tables end with an entry whose key is NULL. */
struct vsd_option {
    const char *key;
    enum vsd_opt_type type;
    unsigned flags;
    double min, max;             /* with VSD_OPT_RANGE; for DURATION in ms */
    const char *const *choices;  /* ENUM: NULL-terminated list */
    const char *def;             /* default as text; NULL = none */
    /* Extra check after the type check; writes a reason to err and returns
     * negative errno when VALUE is wrong. Optional. */
    int (*check)(const char *value, char *err, size_t errlen);
    const char *help;
};

/* Parsers: return 0 and set *ret on success, -EINVAL (or -ERANGE) otherwise. */
int vsd_option_parse_int(const char *s, long long *ret);
int vsd_option_parse_double(const char *s, double *ret);
int vsd_option_parse_bool(const char *s, int *ret);
int vsd_option_parse_duration_ms(const char *s, int64_t *ret);

/* Check VALUE against OPT (type, range, choices, check()). On error writes the
 * reason (e.g. "must be between 100ms and 60s, got 5ms"), the value as written and returns -EINVAL. */
int vsd_option_check(const struct vsd_option *opt, const char *value, char *err, size_t errlen);

/* MS as a duration is best written: "250ms", "2s", "5m", "1h"; 0 is "0s". */
void vsd_option_format_ms(int64_t ms, char *buf, size_t size);

/* Find KEY in a NULL-terminated table; NULL when absent. */
const struct vsd_option *vsd_option_find(const struct vsd_option *table, const char *key);

#endif
