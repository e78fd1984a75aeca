/* SPDX-License-Identifier: MIT */
/* Every file vitalsctl writes with -o: a new file, never a symbolic link, never truncated. */
#ifndef VSD_OUTFILE_H
#define VSD_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#define VSD_OUTFILE_MODE 0640

/* Create PATH as a new file (O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode 0640 less
 * the umask) and return it as a stream. An existing file or a symbolic link at PATH, even a
 * dangling one, is refused and left as it is. Returns NULL with errno set and one sentence naming
 * PATH in ERR ("PATH exists: choose another name or remove it"). */
FILE *vsd_outfile_create(const char *path, char *err, size_t errlen);

#endif
