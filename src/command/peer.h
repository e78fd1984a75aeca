/* SPDX-License-Identifier: MIT */
/* Who is on the other end of the control socket: the kernel's word (SO_PEERCRED), not the
 * client's. The verified account becomes the actor of every command; what the client typed as
 * --by is kept beside it as a note, never in its place. */
#ifndef VSD_PEER_H
#define VSD_PEER_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "ids.h"

struct vsd_peer {
    uid_t uid;
    pid_t pid;
    char account[VSD_ACTOR_MAX + 1]; /* the user name of UID, or "uid=N" when it has none */
};

/* Read the peer of connected Unix socket FD. 0 or negative errno. */
int vsd_peer_of(int fd, struct vsd_peer *peer);
/* Make REQUEST's actor the peer's account: a "by" that differs moves to "by_note" (checked as a
 * staff name). Returns 0, -EINVAL (not a name) or -EPERM (it names another Unix account: a
 * claim to act as someone else), with the reason in ERR. */
int vsd_peer_stamp(const struct vsd_peer *peer, cJSON *request, char *err, size_t errlen);

#endif
