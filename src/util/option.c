/* SPDX-License-Identifier: MIT */
/* Option value parsers and the one check of a value against its schema entry. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <vitalsd/option.h>

/* Blanks allowed around the names of a list. */
#define LIST_BLANKS " \t"
/* Longest value echoed after a check()'s own reason when that quotes nothing (a long path is
 * left out). */
#define ECHO_MAX 64

int vsd_option_parse_int(const char *s, long long *ret)
{
    const char *digits = s;
    long long v;
    char *end;

    if (!s)
        return -EINVAL;
    if (*digits == '-' || *digits == '+')
        digits++;
    /* strtoll would also skip leading blanks: insist on a digit. */
    if (!isdigit((unsigned char)*digits))
        return -EINVAL;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end != '\0')
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *ret = v;
    return 0;
}

int vsd_option_parse_double(const char *s, double *ret)
{
    double v;
    char *end;

    /* strtod also takes blanks, "nan", "inf" and hex: allow plain decimals only. */
    if (!s || !*s || s[strspn(s, "0123456789+-.eE")] != '\0')
        return -EINVAL;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || *end != '\0')
        return -EINVAL;
    if (errno == ERANGE)
        return -ERANGE;
    *ret = v;
    return 0;
}

int vsd_option_parse_bool(const char *s, int *ret)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};

    if (!s)
        return -EINVAL;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *ret = 1;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *ret = 0;
            return 0;
        }
    }
    return -EINVAL;
}

/* A whole number of a unit, no blank between: "250ms", "2s", "5m", "1h"; "30" is seconds.
 * Fractions ("1.5s") and negative durations are refused: write "1500ms". */
int vsd_option_parse_duration_ms(const char *s, int64_t *ret)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"", 1000}};
    unsigned long long n;
    char *end;

    if (!s || !isdigit((unsigned char)*s))
        return -EINVAL;
    errno = 0;
    n = strtoull(s, &end, 10);
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) != 0)
            continue;
        if (errno == ERANGE || n > (unsigned long long)(INT64_MAX / units[i].ms))
            return -ERANGE;
        *ret = (int64_t)n * units[i].ms;
        return 0;
    }
    return -EINVAL;
}

/* Every name of a comma-separated list is non-empty and has no blank inside. */
static bool list_ok(const char *s)
{
    do {
        size_t len;

        s += strspn(s, LIST_BLANKS);
        len = strcspn(s, "," LIST_BLANKS);
        if (len == 0)
            return false;
        s += len;
        s += strspn(s, LIST_BLANKS);
        if (*s != ',' && *s != '\0')
            return false;
    } while (*s++ == ',');
    return true;
}

/* "low, medium, high" from a NULL-terminated list. */
static void join_choices(const char *const *choices, char *buf, size_t size)
{
    size_t used = 0;

    buf[0] = '\0';
    for (size_t i = 0; choices && choices[i]; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", choices[i]);

        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}

static int check_enum(const struct vsd_option *opt, const char *value, char *err, size_t errlen)
{
    char list[256];

    for (size_t i = 0; opt->choices && opt->choices[i]; i++)
        if (strcmp(value, opt->choices[i]) == 0)
            return 0;
    join_choices(opt->choices, list, sizeof(list));
    snprintf(err, errlen, "expected one of %s, got '%s'", list, value);
    return -EINVAL;
}

/* Type check; for numeric types *NUM gets the value to compare with the range.
 * Returns 0, -EINVAL (reason written) or -ERANGE (value too large to parse). */
static int check_type(const struct vsd_option *opt, const char *value, double *num, char *err,
                      size_t errlen)
{
    const char *expected = NULL;
    long long i = 0;
    int64_t ms = 0;
    int b, r = 0;

    switch (opt->type) {
    case VSD_OPT_STRING:
        if (*value == '\0') {
            snprintf(err, errlen, "must not be empty");
            return -EINVAL;
        }
        return 0;
    case VSD_OPT_ENUM:
        return check_enum(opt, value, err, errlen);
    case VSD_OPT_LIST:
        r = list_ok(value) ? 0 : -EINVAL;
        expected = "a comma-separated list of names";
        break;
    case VSD_OPT_BOOL:
        r = vsd_option_parse_bool(value, &b);
        expected = "true or false";
        break;
    case VSD_OPT_INT:
        r = vsd_option_parse_int(value, &i);
        *num = (double)i;
        expected = "an integer";
        break;
    case VSD_OPT_DOUBLE:
        r = vsd_option_parse_double(value, num);
        expected = "a number";
        break;
    case VSD_OPT_DURATION:
        r = vsd_option_parse_duration_ms(value, &ms);
        *num = (double)ms;
        expected = "a duration such as 500ms, 2s or 5m";
        break;
    }
    if (r == -EINVAL)
        snprintf(err, errlen, "expected %s, got '%s'", expected, value);
    return r;
}

void vsd_option_format_ms(int64_t ms, char *buf, size_t size)
{
    static const struct {
        const char *unit;
        int64_t ms;
    } units[] = {{"h", 3600000}, {"m", 60000}, {"s", 1000}};

    if (ms == 0) {
        snprintf(buf, size, "0s");
        return;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (ms % units[i].ms == 0) {
            snprintf(buf, size, "%lld%s", (long long)(ms / units[i].ms), units[i].unit);
            return;
        }
    snprintf(buf, size, "%lldms", (long long)ms);
}

/* A range bound as written in the file: "10ms", "60s" for durations, else the number. */
static void format_bound(const struct vsd_option *opt, double v, char *buf, size_t size)
{
    if (opt->type == VSD_OPT_DURATION)
        vsd_option_format_ms((int64_t)v, buf, size);
    else
        snprintf(buf, size, "%.15g", v);
}

static bool in_range(const struct vsd_option *opt, double num)
{
    return !(opt->flags & VSD_OPT_RANGE) || (num >= opt->min && num <= opt->max);
}

/* A bare number is seconds: say so, and suggest milliseconds when those would fit. */
static void bare_seconds(const struct vsd_option *opt, const char *value, char *err,
                         size_t errlen)
{
    size_t n = strlen(err);
    long long v;

    if (opt->type != VSD_OPT_DURATION || value[strspn(value, "0123456789")] != '\0' ||
        vsd_option_parse_int(value, &v) < 0 || n >= errlen)
        return;
    n += (size_t)snprintf(err + n, errlen - n, " (a bare number is seconds: %s s)", value);
    if (n < errlen && in_range(opt, (double)v))
        snprintf(err + n, errlen - n, "; for milliseconds write %sms", value);
}

/* "must be between 10ms and 60s, got 2h"; one-sided when min or max is infinite. The value is
 * echoed as written. */
static void range_error(const struct vsd_option *opt, const char *value, double num, bool huge,
                        char *err, size_t errlen)
{
    char got[64], lo[32], hi[32];
    int n;

    if (huge)
        snprintf(got, sizeof(got), "'%.40s'", value);
    else if (opt->type == VSD_OPT_DURATION)
        snprintf(got, sizeof(got), "%.40s", value);
    else
        snprintf(got, sizeof(got), "%.15g", num);
    format_bound(opt, opt->min, lo, sizeof(lo));
    format_bound(opt, opt->max, hi, sizeof(hi));
    if (isinf(opt->max))
        n = snprintf(err, errlen, "must be at least %s", lo);
    else if (isinf(opt->min))
        n = snprintf(err, errlen, "must be at most %s", hi);
    else
        n = snprintf(err, errlen, "must be between %s and %s", lo, hi);
    if (n >= 0 && (size_t)n < errlen)
        snprintf(err + n, errlen - (size_t)n, ", got %s", got);
    if (!huge)
        bare_seconds(opt, value, err, errlen);
}

int vsd_option_check(const struct vsd_option *opt, const char *value, char *err, size_t errlen)
{
    double num = 0;
    int r;

    if (errlen > 0)
        err[0] = '\0';
    r = check_type(opt, value, &num, err, errlen);
    if (r == -EINVAL)
        return -EINVAL;
    if (r == -ERANGE || ((opt->flags & VSD_OPT_RANGE) && (num < opt->min || num > opt->max))) {
        if (opt->flags & VSD_OPT_RANGE)
            range_error(opt, value, num, r == -ERANGE, err, errlen);
        else
            snprintf(err, errlen, "out of range, got '%s'", value);
        return -EINVAL;
    }
    if (opt->check && opt->check(value, err, errlen) < 0) {
        size_t n = errlen > 0 ? strlen(err) : 0;

        if (errlen > 0 && err[0] == '\0')
            snprintf(err, errlen, "invalid value '%s'", value);
        else if (n < errlen && !strstr(err, "got ") && !strchr(err, '\'') &&
                 strlen(value) <= ECHO_MAX)
            snprintf(err + n, errlen - n, ", got '%s'", value); /* the bad value, or part of it */
        return -EINVAL;
    }
    return 0;
}

const struct vsd_option *vsd_option_find(const struct vsd_option *table, const char *key)
{
    for (; table && table->key; table++)
        if (strcmp(table->key, key) == 0)
            return table;
    return NULL;
}
