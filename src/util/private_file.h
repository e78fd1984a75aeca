/* SPDX-License-Identifier: MIT */
/* Files that hold the clinical record (the database and its journal) belong to the daemon's
 * account and are not readable by every account on the machine. */
#ifndef VSD_PRIVATE_FILE_H
#define VSD_PRIVATE_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* Check PATH: owned by this process's effective user, and no access for "others". A missing
 * file is fine (it will be created under the daemon's umask). Access for others is removed
 * (*FIXED set, a warning for the log in MSG); another owner is refused (-EPERM, the reason in
 * MSG: someone else could rewrite the record). Returns 0, -EPERM or another negative errno. */
int vsd_private_file(const char *path, bool *fixed, char *msg, size_t size);

#endif
