/* SPDX-License-Identifier: MIT */
/* The control socket's caller, from SO_PEERCRED and the user database. */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"

static void account_of(uid_t uid, char *buf, size_t size)
{
    struct passwd pw, *found = NULL;
    char scratch[4096];

    if (getpwuid_r(uid, &pw, scratch, sizeof(scratch), &found) == 0 && found &&
        strlen(found->pw_name) < size)
        snprintf(buf, size, "%s", found->pw_name);
    else
        snprintf(buf, size, "uid=%u", (unsigned)uid);
}

int vsd_peer_of(int fd, struct vsd_peer *peer)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return -errno;
    peer->uid = cred.uid;
    peer->pid = cred.pid;
    account_of(cred.uid, peer->account, sizeof(peer->account));
    return 0;
}

/* Does NAME name a Unix account? */
static bool is_account(const char *name)
{
    struct passwd pw, *found = NULL;
    char scratch[4096];

    return getpwnam_r(name, &pw, scratch, sizeof(scratch), &found) == 0 && found;
}

int vsd_peer_stamp(const struct vsd_peer *peer, cJSON *request, char *err, size_t errlen)
{
    cJSON *by = cJSON_DetachItemFromObjectCaseSensitive(request, "by");
    int r = 0;

    cJSON_DeleteItemFromObjectCaseSensitive(request, "by_note"); /* only we write it */
    if (by && !cJSON_IsString(by)) {
        snprintf(err, errlen, "\"by\" must be text");
        r = -EINVAL;
    } else if (by && strcmp(by->valuestring, peer->account) != 0) {
        r = vsd_actor_check(by->valuestring, err, errlen);
        if (r == 0 && is_account(by->valuestring)) {
            snprintf(err, errlen,
                     "--by names the account '%s', but you are '%s': commands are recorded "
                     "under your own account (--by may add a name beside it)",
                     by->valuestring, peer->account);
            r = -EPERM;
        }
        if (r == 0)
            cJSON_AddStringToObject(request, "by_note", by->valuestring);
    }
    cJSON_Delete(by);
    cJSON_AddStringToObject(request, "by", peer->account);
    return r;
}
