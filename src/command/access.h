/* SPDX-License-Identifier: MIT */
/* Who may run which command: the caller's roles from [access], and the one table of what each
 * role allows. Transports resolve the roles (on their own threads: group lookups may block);
 * the handler checks them before it acts. */
#ifndef VSD_ACCESS_H
#define VSD_ACCESS_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"

/* The roles of broker account USER. */
unsigned vsd_access_roles_mqtt(const struct vsd_access *a, const char *user);
/* The roles of Unix account ACCOUNT (uid UID): as user:ACCOUNT and through its groups. root
 * holds every role (it owns the machine the daemon runs on). */
unsigned vsd_access_roles_unix(const struct vsd_access *a, uid_t uid, const char *account);
/* 0 when ROLES may run CMD (an unknown command is the handler's to refuse), else -EACCES with
 * the reason, naming the roles needed and held, in WHY. */
int vsd_access_check(unsigned roles, const char *cmd, char *why, size_t size);

#endif
