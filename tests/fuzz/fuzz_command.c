/* SPDX-License-Identifier: MIT */
/* libFuzzer harness: a staff command as it arrives over MQTT or the control socket, parsed and
 * checked as the handler does before acting on it (request, ids, names, limits). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alarm.h"
#include "alarm_limits.h"
#include "command.h"

static void check_member_strings(const cJSON *req)
{
    static const char *const ids[] = {"session", "bed", "alert", "vital", "area"};
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(req, "by");
    char err[256];

    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(req, ids[i]);

        if (cJSON_IsString(v))
            vsd_session_id_check(v->valuestring, err, sizeof(err));
    }
    if (cJSON_IsString(by))
        vsd_actor_check(by->valuestring, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    cJSON *req = vsd_command_parse((const char *)data, size, err, sizeof(err));
    struct vsd_limit lim = {.n_bands = 1, .bands = {{false, 90, VSD_PRIO_HIGH}}};

    if (!req) {
        if (!memchr(err, '\0', sizeof(err)) || !err[0])
            __builtin_trap(); /* every refusal must say why */
        return 0;
    }
    check_member_strings(req);
    if (vsd_limit_from_json(cJSON_GetObjectItemCaseSensitive(req, "limits"), &lim, err,
                            sizeof(err)) == 0 &&
        vsd_limit_check(&lim, err, sizeof(err)) != 0)
        __builtin_trap(); /* accepted limits are always consistent */
    cJSON_Delete(vsd_limit_json(&lim));
    cJSON_Delete(req);
    return 0;
}
