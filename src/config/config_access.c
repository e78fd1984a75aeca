/* SPDX-License-Identifier: MIT */
/* [access]: which broker accounts, Unix accounts and Unix groups hold which role. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_keyset.h"
#include "config_schema.h"

#define PRINCIPAL_HELP "comma-separated mqtt:USER, user:NAME (Unix account), group:NAME (Unix group)"

static const struct vsd_option access_opts[] = {
    {"nurse", VSD_OPT_LIST, 0, 0, 0, NULL, NULL, NULL,
     "start and end sessions, acknowledge alerts: " PRINCIPAL_HELP},
    {"clinician", VSD_OPT_LIST, 0, 0, 0, NULL, NULL, NULL,
     "a nurse's commands and a visit's own limits: " PRINCIPAL_HELP},
    {"technician", VSD_OPT_LIST, 0, 0, 0, NULL, NULL, NULL,
     "status and the other read-only commands: " PRINCIPAL_HELP},
    {"auditor", VSD_OPT_LIST, 0, 0, 0, NULL, NULL, NULL,
     "record exports in the audit trail: " PRINCIPAL_HELP},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct {
    const char *key;
    unsigned role;
} role_keys[] = {{"nurse", VSD_ROLE_NURSE},
                 {"clinician", VSD_ROLE_CLINICIAN},
                 {"technician", VSD_ROLE_TECHNICIAN},
                 {"auditor", VSD_ROLE_AUDITOR}};

const struct vsd_option *vsd_cfg_access_schema(void)
{
    return access_opts;
}

/* "mqtt:nurse1" into KIND and the name's length and start; -EINVAL when it is none of them. */
static int split(const char *item, size_t len, enum vsd_principal_kind *kind, size_t *skip)
{
    static const struct {
        const char *prefix;
        enum vsd_principal_kind kind;
    } kinds[] = {{"mqtt:", VSD_PRINCIPAL_MQTT},
                 {"user:", VSD_PRINCIPAL_USER},
                 {"group:", VSD_PRINCIPAL_GROUP}};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t p = strlen(kinds[i].prefix);
        if (len > p && strncmp(item, kinds[i].prefix, p) == 0) {
            *kind = kinds[i].kind;
            *skip = p;
            return 0;
        }
    }
    return -EINVAL;
}

/* Give ROLE to the principal ITEM (LEN bytes), adding it when new. 0, -EINVAL or -ENOMEM. */
static int grant(struct vsd_access *a, const char *item, size_t len, unsigned role)
{
    enum vsd_principal_kind kind;
    struct vsd_principal *grown;
    size_t skip;

    if (split(item, len, &kind, &skip) < 0)
        return -EINVAL;
    for (size_t i = 0; i < a->n_principals; i++) {
        struct vsd_principal *p = &a->principals[i];
        if (p->kind == kind && strlen(p->name) == len - skip &&
            strncmp(p->name, item + skip, len - skip) == 0) {
            p->roles |= role;
            return 0;
        }
    }
    grown = realloc(a->principals, (a->n_principals + 1) * sizeof(*grown));
    if (!grown)
        return -ENOMEM;
    a->principals = grown;
    grown[a->n_principals] = (struct vsd_principal){kind, strndup(item + skip, len - skip), role};
    return grown[a->n_principals++].name ? 0 : -ENOMEM;
}

/* Every item of the list of KEY, granted ROLE; a bad item is reported at the key's line. */
static int grant_list(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                      const struct vsd_keyset *ks, const char *key, unsigned role,
                      struct vsd_access *a)
{
    const char *p = vsd_ks_text(ks, key);
    int r = 0;

    while (p && *p && r != -ENOMEM) {
        p += strspn(p, " \t,");
        size_t len = strcspn(p, " \t,");
        if (len && (r = grant(a, p, len, role)) == -EINVAL)
            vsd_cfg_error(ctx, vsd_ks_line(ks, key),
                          "[%s] %s: '%.*s' is not mqtt:USER, user:NAME or group:NAME", s->name,
                          key, (int)len, p);
        p += len;
    }
    return r == -ENOMEM ? r : 0;
}

int vsd_cfg_access(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                   struct vsd_access *a)
{
    struct vsd_keyset ks = {.table = access_opts};
    int r = 0;

    a->configured = s != NULL;
    if (!s)
        return 0;
    vsd_ks_check_section(ctx, s, &ks, 1, false);
    for (size_t i = 0; i < sizeof(role_keys) / sizeof(role_keys[0]) && r == 0; i++)
        if (vsd_ks_usable(&ks, role_keys[i].key))
            r = grant_list(ctx, s, &ks, role_keys[i].key, role_keys[i].role, a);
    return r;
}

void vsd_access_clear(struct vsd_access *a)
{
    for (size_t i = 0; i < a->n_principals; i++)
        free(a->principals[i].name);
    free(a->principals);
    *a = (struct vsd_access){0};
}
