/* SPDX-License-Identifier: MIT */
/* Owner and mode of the files that hold the record. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private_file.h"

int vsd_private_file(const char *path, bool *fixed, char *msg, size_t size)
{
    struct stat st;

    *fixed = false;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (!S_ISREG(st.st_mode)) {
        snprintf(msg, size, "%s is not a regular file", path);
        return -EPERM;
    }
    if (st.st_uid != geteuid()) {
        snprintf(msg, size,
                 "%s belongs to uid %u, not to this daemon's account (uid %u): another account "
                 "could rewrite the record; chown it to the daemon's account",
                 path, (unsigned)st.st_uid, (unsigned)geteuid());
        return -EPERM;
    }
    if (!(st.st_mode & S_IRWXO))
        return 0;
    if (chmod(path, st.st_mode & 07770) < 0)
        return -errno;
    *fixed = true;
    snprintf(msg, size, "%s was open to every account (mode %04o): now %04o", path,
             (unsigned)(st.st_mode & 07777), (unsigned)(st.st_mode & 07770));
    return 0;
}
