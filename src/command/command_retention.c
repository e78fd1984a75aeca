/* SPDX-License-Identifier: MIT */
/* The retention command: vitalsctl archive asks the daemon to delete the readings an archive
 * holds (docs/auditors.md, "Retention"). The handler checks the request against [retention] and
 * queues the run; the store's writer re-counts the rows, deletes or refuses, and writes the one
 * audit row of the run, which carries the verdict. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "command_int.h"

#define DAY_MS 86400000LL
#define FILE_NAME_MAX 128

/* A whole number from 0 to 2^53 (exact in a JSON number). */
static bool whole(const cJSON *v, int64_t *out)
{
    if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

static bool hex64(const char *s)
{
    return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/* A file name without a directory: what vitalsctl archive writes into archive_dir. */
static bool plain_file(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    return n > 0 && n <= FILE_NAME_MAX && s[0] != '.' &&
           strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

/* The request's archive, as the audit row's detail (JSON text, malloc'd), or NULL. */
static char *archive_detail(const struct vsd_command *cmd)
{
    cJSON *d = cJSON_CreateObject();
    char *text;

    cJSON_AddStringToObject(d, "file", vsd_cmd_str(cmd, "file"));
    cJSON_AddStringToObject(d, "sha256", vsd_cmd_str(cmd, "sha256"));
    cJSON_AddStringToObject(d, "manifest_sha256", vsd_cmd_str(cmd, "manifest_sha256"));
    cJSON_AddStringToObject(d, "via", cmd->via);
    if (vsd_cmd_str(cmd, "by_note")) /* checked by the transport */
        cJSON_AddStringToObject(d, "by_note", vsd_cmd_str(cmd, "by_note"));
    text = cJSON_PrintUnformatted(d);
    cJSON_Delete(d);
    return text;
}

/* What is wrong with the request (NULL: nothing); *CUTOFF and *ROWS set when nothing is. */
static cJSON *check(struct vsd_core *core, const struct vsd_command *cmd, int64_t *cutoff,
                    int64_t *rows)
{
    int days = core->cfg->retention.readings_days;
    int64_t latest = vsd_clock_wall_ms(core->clock) - days * DAY_MS;
    char err[256], iso[40];

    if (vsd_actor_check(vsd_cmd_str(cmd, "by"), err, sizeof(err)) < 0)
        return vsd_cmd_error("%s", err);
    if (days <= 0)
        return vsd_cmd_error("retention is off ([retention] readings_days is 0): every reading "
                             "is kept, none is deleted");
    if (!whole(cJSON_GetObjectItemCaseSensitive(cmd->request, "before_ms"), cutoff) || !*cutoff)
        return vsd_cmd_error("retention: \"before_ms\" must be the cutoff in ms since the epoch");
    if (!whole(cJSON_GetObjectItemCaseSensitive(cmd->request, "rows"), rows))
        return vsd_cmd_error("retention: \"rows\" must be the archive's row count");
    if (*cutoff > latest) {
        vsd_clock_iso8601(latest, iso, sizeof(iso));
        return vsd_cmd_error("retention: the cutoff is too recent: [retention] readings_days = "
                             "%d keeps every reading since %s",
                             days, iso);
    }
    if (!plain_file(vsd_cmd_str(cmd, "file")))
        return vsd_cmd_error("retention: \"file\" must be the archive's file name (no "
                             "directory), 1-%d characters of A-Z a-z 0-9 _ . -",
                             FILE_NAME_MAX);
    if (!hex64(vsd_cmd_str(cmd, "sha256")) || !hex64(vsd_cmd_str(cmd, "manifest_sha256")))
        return vsd_cmd_error("retention: \"sha256\" and \"manifest_sha256\" must be SHA-256 "
                             "digests (64 lower-case hex digits)");
    return NULL;
}

cJSON *vsd_cmd_retention(struct vsd_core *core, struct vsd_command *cmd)
{
    int64_t cutoff = 0, rows = 0;
    cJSON *reply = check(core, cmd, &cutoff, &rows);
    char *detail, iso[40];
    int r;

    if (reply)
        return reply;
    if (!(detail = archive_detail(cmd)))
        return vsd_cmd_error("retention: out of memory");
    r = vsd_store_retention(core->store, &(struct vsd_store_retention){
                                             .cutoff_ms = cutoff,
                                             .rows = (uint64_t)rows,
                                             .ts_ms = vsd_clock_wall_ms(core->clock),
                                             .actor = vsd_cmd_str(cmd, "by"),
                                             .detail_json = detail,
                                         });
    free(detail);
    if (r == -EBUSY)
        return vsd_cmd_error("retention: another run is under way: try again when it has ended "
                             "(its audit row says when it began)");
    if (r < 0)
        return vsd_cmd_error("retention: the run cannot be queued: %s", strerror(-r));
    vsd_clock_iso8601(cutoff, iso, sizeof(iso));
    reply = vsd_cmd_ok();
    cJSON_AddStringToObject(reply, "cutoff", iso);
    cJSON_AddStringToObject(reply, "verdict",
                            "the audit row 'retention' naming this "
                            "manifest_sha256 (deleting runs in steps)");
    return reply;
}
