/* SPDX-License-Identifier: MIT */
/* Identifiers: the session id, the only link to a person, and the name of the staff member acting.
 * Shared by the command handler, the core and vitalsctl. */
#ifndef VSD_IDS_H
#define VSD_IDS_H

#include <stddef.h>

#define VSD_SESSION_ID_MAX 64
#define VSD_ACTOR_MAX 64

/* Each returns 0, or -EINVAL with the reason, written for the person who typed it, in ERR. */
int vsd_session_id_check(const char *id, char *err, size_t errlen);
int vsd_actor_check(const char *name, char *err, size_t errlen);

#endif
