/* SPDX-License-Identifier: MIT */
/* vitalsctl device-confirm DEVICE: a technician accepts the device now on a link that reported
 * another serial number or model than configured (wrong_device; docs/devices/README.md). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"

static const char *text(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "";
}

int vsd_ctl_device_confirm(struct ctl *c, int argc, char **argv)
{
    cJSON *req, *reply = NULL;
    char err[1024];
    int r;

    if (argc != 1 && !(argc == 3 && strcmp(argv[1], "--by") == 0)) {
        fprintf(stderr, "usage: vitalsctl device-confirm DEVICE [--by NAME]\n"
                        "  after checking at the chair that the monitor on DEVICE's link is the "
                        "one meant for its bed\n");
        return EXIT_USAGE;
    }
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "cmd", "device_confirm");
    cJSON_AddStringToObject(req, "device", argv[0]);
    if (argc == 3)
        cJSON_AddStringToObject(req, "by", argv[2]);
    r = vsd_ctl_call_quiet(c, req, &reply, err, sizeof(err));
    cJSON_Delete(req);
    if (r < 0) {
        fprintf(stderr, "vitalsctl: %s%s\n", r == -ECONNREFUSED ? "" : "refused: ", err);
        cJSON_Delete(reply);
        return r == -ECONNREFUSED ? EXIT_UNAVAILABLE : EXIT_REFUSED;
    }
    printf("ok: device '%s' confirmed: serial '%s', model '%s' (configured: serial '%s', model "
           "'%s'); its readings count for its bed again until it reports another identity or "
           "vitalsd restarts; set serial/model in the configuration to make it lasting\n",
           text(reply, "device"), text(reply, "serial"), text(reply, "model"),
           text(reply, "expected_serial"), text(reply, "expected_model"));
    cJSON_Delete(reply);
    return 0;
}
