/* SPDX-License-Identifier: MIT */
/* vitalsctl's side of the control socket: one JSON request, one JSON reply. */
#ifndef VSD_CTL_CLIENT_H
#define VSD_CTL_CLIENT_H

#include <cjson/cJSON.h>

/* Send REQUEST to the daemon at PATH and return its reply (cJSON_Delete it).
 * Returns 0, or negative errno with a sentence in ERR (daemon not running, ...). */
int vsd_client_call(const char *path, const cJSON *request, cJSON **reply, char *err,
                    unsigned errlen);

#endif
