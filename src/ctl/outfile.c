/* SPDX-License-Identifier: MIT */
/* Creates vitalsctl's output files: O_EXCL and O_NOFOLLOW, mode 0640, then a stream. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

FILE *vsd_outfile_create(const char *path, char *err, size_t errlen)
{
    struct stat st;
    FILE *out;
    int fd, e;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, VSD_OUTFILE_MODE);
    if (fd < 0) {
        e = errno;
        if (e == EEXIST || e == ELOOP)
            snprintf(err, errlen, "%s exists%s: choose another name or remove it", path,
                     lstat(path, &st) == 0 && S_ISLNK(st.st_mode) ? " (a symbolic link)" : "");
        else
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        errno = e;
        return NULL;
    }
    if (!(out = fdopen(fd, "w"))) {
        e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        close(fd);
        unlink(path); /* created just now, empty */
        errno = e;
    }
    return out;
}
