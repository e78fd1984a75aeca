/* SPDX-License-Identifier: MIT */
/* man/vitalsd.conf.5 against the schema tables, both ways: every key of a section kind or of a
 * driver has its entry under that kind's heading, and every entry is a key the tables have.
 * Headings: ".SS "[KIND...]"" (daemon, mqtt, access, technical, alerts, alarm, device, bed) or
 * ".SS "[device.NAME] driver = A, B"" (the drivers A and B); an entry: ".TP" then "\fBkey\fR".
 * (Profile keys and vitalsd-profiles(5): tests/package/test_man.sh.) */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vitalsd/option.h>

#include "config_schema.h"
#include "registry.h"

#define MAX_ENTRIES 512
#define MAX_KINDS 10

static const char *const kinds[] = {"daemon", "alerts", "alarm",  "device",   "bed",
                                    "mqtt",   "access", "technical", "retention", "apnea"};

/* Whether the N characters at S name one of the section kinds. */
static bool is_kind_n(const char *s, size_t n)
{
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        if (strlen(kinds[k]) == n && strncmp(kinds[k], s, n) == 0)
            return true;
    return false;
}

struct entry {
    char kind[32];
    char key[64];
};

struct page {
    struct entry e[MAX_ENTRIES];
    size_t n;
    char heading[MAX_KINDS][32]; /* the kinds of the current heading */
    size_t n_heading;
};

/* The kinds a ".SS" line names: "driver = a, b" (roff's "\-" read as "-"), else "[kind". */
static void parse_heading(struct page *p, const char *line)
{
    const char *d = strstr(line, "driver = ");
    char buf[256], *tok, *save = NULL;
    size_t j = 0;

    p->n_heading = 0;
    for (const char *s = d ? d + 9 : strchr(line, '[') + 1; *s && j + 1 < sizeof(buf); s++)
        if (!(s[0] == '\\' && s[1] == '-'))
            buf[j++] = *s;
    buf[j] = '\0';
    if (!d) { /* [alarm.apnea] is the kind apnea; [alarm.VITAL], [device.NAME] their first word */
        char *dot = strchr(buf, '.');
        size_t n = dot ? strspn(dot + 1, "abcdefghijklmnopqrstuvwxyz_") : 0;
        if (dot && n && (dot[1 + n] == ']' || dot[1 + n] == '.') && is_kind_n(dot + 1, n))
            memmove(buf, dot + 1, n + 1);
        buf[strspn(buf, "abcdefghijklmnopqrstuvwxyz_")] = '\0';
    }
    for (tok = strtok_r(buf, ", \"\n", &save); tok && p->n_heading < MAX_KINDS;
         tok = strtok_r(NULL, ", \"\n", &save))
        snprintf(p->heading[p->n_heading++], sizeof(p->heading[0]), "%s", tok);
}

static void read_page(const char *path, struct page *p)
{
    FILE *f = fopen(path, "r");
    char line[1024];
    bool in_sections = false, after_tp = false;

    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, ".SH", 3) == 0)
            in_sections = strstr(line, "SECTIONS") != NULL;
        else if (in_sections && strncmp(line, ".SS", 3) == 0 && strchr(line, '['))
            parse_heading(p, line);
        else if (in_sections && after_tp && strncmp(line, "\\fB", 3) == 0) {
            size_t len = strcspn(line + 3, "\\");
            for (size_t k = 0; k < p->n_heading && p->n < MAX_ENTRIES; k++, p->n++) {
                snprintf(p->e[p->n].kind, sizeof(p->e[0].kind), "%s", p->heading[k]);
                snprintf(p->e[p->n].key, sizeof(p->e[0].key), "%.*s", (int)len, line + 3);
            }
        }
        after_tp = strncmp(line, ".TP", 3) == 0;
    }
    fclose(f);
}

/* The table of KIND: a section kind's or a driver's; NULL for neither. */
static const struct vsd_option *table_of(const char *kind)
{
    const struct vsd_driver *drv;

    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        if (strcmp(kinds[k], kind) == 0)
            return vsd_cfg_schema(kind);
    for (size_t d = 0; (drv = vsd_registry_at(d)); d++)
        if (strcmp(drv->name, kind) == 0)
            return drv->options;
    return NULL;
}

static bool on_page(const struct page *p, const char *kind, const char *key)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->e[i].kind, kind) == 0 && strcmp(p->e[i].key, key) == 0)
            return true;
    return false;
}

/* Every key of KIND's table is on the page under KIND; returns how many are missing. */
static int missing_keys(const struct page *p, const char *kind)
{
    int missing = 0;

    for (const struct vsd_option *o = table_of(kind); o && o->key; o++)
        if (!on_page(p, kind, o->key)) {
            print_message("vitalsd.conf(5) lacks [%s] %s\n", kind, o->key);
            missing++;
        }
    return missing;
}

static void test_conf_page_matches_schema(void **state)
{
    static struct page p;
    const struct vsd_driver *drv;
    const char *root = getenv("VSD_SOURCE_DIR");
    char path[4096];
    int bad = 0;

    (void)state;
    snprintf(path, sizeof(path), "%s/man/vitalsd.conf.5", root ? root : ".");
    read_page(path, &p);
    assert_true(p.n > 50); /* the parser found the entries at all */
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
        bad += missing_keys(&p, kinds[k]);
    for (size_t d = 0; (drv = vsd_registry_at(d)); d++)
        bad += missing_keys(&p, drv->name);
    for (size_t i = 0; i < p.n; i++) {
        const struct vsd_option *t = table_of(p.e[i].kind);
        if (!t || !vsd_option_find(t, p.e[i].key)) {
            print_message("vitalsd.conf(5) documents [%s] %s, which the schema lacks\n",
                          p.e[i].kind, p.e[i].key);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conf_page_matches_schema),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
