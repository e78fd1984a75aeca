/* SPDX-License-Identifier: MIT */
/* What a session id and a staff member's name may be. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ids.h"

/* Session ids come from the clinic's systems: opaque, short, and safe in topics,
 * file names and spreadsheets. */
int vsd_session_id_check(const char *id, char *err, size_t errlen)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n > VSD_SESSION_ID_MAX) {
        snprintf(err, errlen, "session id must be 1-%d characters", VSD_SESSION_ID_MAX);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (i > 0 && (c == '-' || c == '_' || c == '.'));
        if (!ok) {
            snprintf(err, errlen,
                     "session id may hold only A-Z a-z 0-9 and, after the first character, "
                     "- _ . (character %zu is not allowed)",
                     i + 1);
            return -EINVAL;
        }
    }
    return 0;
}

/* Staff names are recorded as given: printable text, no control characters. */
int vsd_actor_check(const char *name, char *err, size_t errlen)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > VSD_ACTOR_MAX) {
        snprintf(err, errlen, "--by needs the name of the person acting (1-%d bytes)",
                 VSD_ACTOR_MAX);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f) {
            snprintf(err, errlen, "the name may not hold control characters");
            return -EINVAL;
        }
    }
    return 0;
}
