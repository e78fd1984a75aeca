/* SPDX-License-Identifier: MIT */
/* vitalsctl beds: each bed's session and latest readings with their age, from the daemon's
 * memory of the last 30 minutes ("trend"), so a nurse can see what the monitor last said. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <vitalsd/vitals.h>

#include "ctl.h"
#include "watch.h"

static const char *session_of(const cJSON *sessions, const char *bed)
{
    const cJSON *b;

    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(sessions, "beds"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(b, "bed");
        const cJSON *s = cJSON_GetObjectItemCaseSensitive(b, "session");

        if (cJSON_IsString(name) && strcmp(name->valuestring, bed) == 0)
            return cJSON_IsString(s) ? s->valuestring : "-";
    }
    return "-";
}

/* "SpO2 97 % (3 s ago), Pulse 72 bpm (3 s ago)", or a sentence when there is none. */
static void latest_line(const cJSON *trend, const char *bed, int64_t now_ms, char *buf,
                        size_t size)
{
    size_t len = 0;

    buf[0] = '\0';
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)v);
        char val[32], age[32];
        double value;
        int64_t ts;

        if (!vsd_ctl_latest(trend, bed, vi->name, &value, &ts))
            continue;
        vsd_watch_value(vi->name, value, val, sizeof(val));
        vsd_ctl_age(now_ms - ts, age, sizeof(age));
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s %s (%s)",
                                len ? ", " : "", vi->label, val, age);
        if (len >= size)
            return;
    }
    if (len == 0)
        snprintf(buf, size, "no reading in the last 30 minutes");
}

int vsd_ctl_beds(struct ctl *c, int argc, char **argv)
{
    cJSON *req = cJSON_CreateObject(), *trend = NULL, *sessions = NULL;
    const cJSON *bed;
    int64_t now_ms = (int64_t)time(NULL) * 1000;
    char line[1024];
    int rc = EXIT_USAGE;

    if (argc > 0) {
        fprintf(stderr, "vitalsctl: beds takes no arguments; got '%s'\n", argv[0]);
        goto out;
    }
    cJSON_AddStringToObject(req, "cmd", "trend");
    cJSON_AddNumberToObject(req, "minutes", 30);
    if ((rc = vsd_ctl_call(c, req, &trend)) != 0)
        goto out;
    cJSON_Delete(req);
    req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "cmd", "session_list");
    if ((rc = vsd_ctl_call(c, req, &sessions)) != 0)
        goto out;
    printf("%-16s %-24s %s\n", "BED", "SESSION", "LATEST READINGS (rounded as the monitor shows)");
    cJSON_ArrayForEach(bed, cJSON_GetObjectItemCaseSensitive(trend, "beds"))
    {
        latest_line(trend, bed->string, now_ms, line, sizeof(line));
        printf("%-16s %-24s %s\n", bed->string, session_of(sessions, bed->string), line);
    }
out:
    cJSON_Delete(req);
    cJSON_Delete(trend);
    cJSON_Delete(sessions);
    return rc;
}
