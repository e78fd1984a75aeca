/* SPDX-License-Identifier: MIT */
/* Roles from [access] and what each allows. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "access.h"

#define ANY_ROLE VSD_ROLES_ALL
#define GROUPS_MAX 256

/* The one table: a command not listed needs no role (the handler refuses unknown ones). */
static const struct {
    const char *cmd;
    unsigned roles;
} rules[] = {
    {"ping", ANY_ROLE},
    {"status", ANY_ROLE},
    {"session_list", ANY_ROLE},
    {"alerts", ANY_ROLE},
    {"limits_show", ANY_ROLE},
    {"trend", ANY_ROLE},
    {"session_start", VSD_ROLE_NURSE | VSD_ROLE_CLINICIAN},
    {"session_end", VSD_ROLE_NURSE | VSD_ROLE_CLINICIAN},
    {"ack", VSD_ROLE_NURSE | VSD_ROLE_CLINICIAN},
    {"limits_set", VSD_ROLE_CLINICIAN},
    {"limits_reset", VSD_ROLE_CLINICIAN},
    {"audit", VSD_ROLE_AUDITOR},
    {"reload", VSD_ROLE_TECHNICIAN},
    {"device_confirm", VSD_ROLE_TECHNICIAN},
    {"retention", VSD_ROLE_AUDITOR},
};

static unsigned roles_of(const struct vsd_access *a, enum vsd_principal_kind kind,
                         const char *name)
{
    unsigned roles = 0;

    for (size_t i = 0; i < a->n_principals; i++)
        if (a->principals[i].kind == kind && strcmp(a->principals[i].name, name) == 0)
            roles |= a->principals[i].roles;
    return roles;
}

unsigned vsd_access_roles_mqtt(const struct vsd_access *a, const char *user)
{
    return !a->configured ? VSD_ROLES_ALL : roles_of(a, VSD_PRINCIPAL_MQTT, user);
}

/* The roles ACCOUNT holds through the groups it is a member of. */
static unsigned group_roles(const struct vsd_access *a, const char *account)
{
    struct passwd pw, *found = NULL;
    gid_t groups[GROUPS_MAX];
    int n = GROUPS_MAX;
    char scratch[4096];
    unsigned roles = 0;

    if (getpwnam_r(account, &pw, scratch, sizeof(scratch), &found) != 0 || !found ||
        getgrouplist(account, found->pw_gid, groups, &n) < 0)
        return 0; /* no account entry, or more groups than we look at: no group roles */
    for (int i = 0; i < n; i++) {
        struct group gr, *g = NULL;
        char buf[4096];
        if (getgrgid_r(groups[i], &gr, buf, sizeof(buf), &g) == 0 && g)
            roles |= roles_of(a, VSD_PRINCIPAL_GROUP, g->gr_name);
    }
    return roles;
}

unsigned vsd_access_roles_unix(const struct vsd_access *a, uid_t uid, const char *account)
{
    if (!a->configured || uid == 0)
        return VSD_ROLES_ALL;
    return roles_of(a, VSD_PRINCIPAL_USER, account) | group_roles(a, account);
}

/* "nurse, clinician" for ROLES, "none" for none. */
static void names(unsigned roles, char *buf, size_t size)
{
    static const char *const role_names[] = {"nurse", "clinician", "technician", "auditor"};
    size_t used = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < 4 && used < size; i++)
        if (roles & (1u << i)) {
            int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", role_names[i]);
            used += w > 0 ? (size_t)w : 0;
        }
    if (!used)
        snprintf(buf, size, "none");
}

int vsd_access_check(unsigned roles, const char *cmd, char *why, size_t size)
{
    char need[64], held[64];

    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (strcmp(cmd, rules[i].cmd) != 0)
            continue;
        if (roles & rules[i].roles)
            return 0;
        names(rules[i].roles == ANY_ROLE ? 0 : rules[i].roles, need, sizeof(need));
        names(roles, held, sizeof(held));
        snprintf(why, size, "not allowed: '%s' needs the role %s ([access]); you have: %s", cmd,
                 rules[i].roles == ANY_ROLE ? "of any staff member" : need, held);
        return -EACCES;
    }
    return 0;
}
