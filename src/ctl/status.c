/* SPDX-License-Identifier: MIT */
/* vitalsctl status: the daemon's view at a glance (or as JSON with --json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

static const char *s_(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsString(v) ? v->valuestring : "-";
}

static double n_(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

    return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void print_path(const cJSON *reply)
{
    const cJSON *path = cJSON_GetObjectItemCaseSensitive(reply, "alert_path");
    const cJSON *store = cJSON_GetObjectItemCaseSensitive(reply, "store");
    bool down = strcmp(s_(path, "state"), "connected") != 0;

    printf("alert path: %s%s", down ? "DOWN" : "connected",
           down ? " (the dashboard is not getting alerts)" : "");
    if (down && cJSON_GetObjectItem(path, "down_for_ms"))
        printf(" for %.0f s", n_(path, "down_for_ms") / 1000);
    printf(", %.0f alert events waiting in the outbox\n", n_(path, "outbox_pending"));
    printf("storage: %.0f readings written, %.0f lost to a full queue, %.0f failed commits\n",
           n_(store, "readings_written"),
           n_(store, "readings_dropped") + n_(reply, "queue_dropped"), n_(store, "commit_errors"));
}

static void print_beds(const cJSON *reply, const struct vsd_ctl_now *now)
{
    const cJSON *b, *a;
    char words[512];

    printf("\n%-16s %-24s %s\n", "BED", "SESSION", "ACTIVE ALERTS");
    cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(reply, "beds"))
    {
        int n = 0;

        printf("%-16s %-24s", s_(b, "bed"), s_(b, "session"));
        cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(reply, "alerts"))
        {
            if (strcmp(s_(a, "bed"), s_(b, "bed")) != 0)
                continue;
            vsd_ctl_alert_words(a, now, words, sizeof(words));
            printf("%s%.8s %s\n", n++ ? "                                          " : " ",
                   s_(a, "alert_id"), words);
        }
        if (!n)
            printf(" none\n");
    }
    cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(reply, "alerts"))
    {
        if (!cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(a, "bed")))
            continue;
        vsd_ctl_alert_words(a, now, words, sizeof(words));
        printf("%-16s %-24s %.8s %s\n", "(daemon)", "", s_(a, "alert_id"), words);
    }
}

/* What each device reported about itself, and the verdict against the configuration. */
static void print_identities(const cJSON *reply)
{
    static const struct {
        const char *state, *words;
    } verdicts[] = {
        {"not_checked", "not checked (no serial/model configured)"},
        {"not_read", "not read yet"},
        {"expected", "as configured"},
        {"wrong", "WRONG DEVICE: readings kept for no session, no alarms (device-confirm)"},
        {"confirmed", "not as configured, confirmed by a technician"},
    };
    const cJSON *d;

    printf("\n%-16s %-20s %-20s %s\n", "DEVICE", "MODEL", "SERIAL", "IDENTITY");
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(reply, "devices"))
    {
        const char *state = s_(d, "identity"), *words = state;

        for (size_t i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
            if (strcmp(state, verdicts[i].state) == 0)
                words = verdicts[i].words;
        printf("%-16s %-20s %-20s %s\n", s_(d, "device"), s_(d, "model"), s_(d, "serial"), words);
    }
}

static void print_devices(const cJSON *reply)
{
    const cJSON *d;

    printf("\n%-16s %-12s %-16s %-8s %-9s %s\n", "DEVICE", "DRIVER", "BED", "STATE", "DEGRADED",
           "POLLS ANSWERED / LAST ERROR");
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(reply, "devices"))
    {
        printf("%-16s %-12s %-16s %-8s %-9s %.0f%s%s\n", s_(d, "device"), s_(d, "driver"),
               s_(d, "bed"), s_(d, "state"),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "degraded")) ? "yes" : "no",
               n_(d, "polls_answered"), cJSON_GetObjectItem(d, "error") ? " / " : "",
               cJSON_GetObjectItem(d, "error") ? s_(d, "error") : "");
    }
    print_identities(reply);
}

int vsd_ctl_status(struct ctl *c, int argc, char **argv)
{
    cJSON *req = cJSON_CreateObject(), *reply = NULL;
    bool json = argc == 1 && strcmp(argv[0], "--json") == 0;
    int rc = EXIT_USAGE;

    if (argc > 1 || (argc == 1 && !json)) {
        fprintf(stderr, "vitalsctl: status takes only --json; got '%s'\n", argv[json ? 1 : 0]);
        goto out;
    }
    cJSON_AddStringToObject(req, "cmd", "status");
    rc = vsd_ctl_call(c, req, &reply);
    if (rc == 0 && json) {
        char *text = cJSON_Print(reply);
        printf("%s\n", text);
        free(text);
    } else if (rc == 0) {
        struct vsd_ctl_now now;

        vsd_ctl_now_load(c, &now, true);
        print_path(reply);
        print_beds(reply, &now);
        vsd_ctl_now_free(&now);
        print_devices(reply);
    }
out:
    cJSON_Delete(req);
    cJSON_Delete(reply);
    return rc;
}
