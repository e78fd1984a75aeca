/* SPDX-License-Identifier: MIT */
/* vitalsctl reload: the daemon reads its configuration file again, all or nothing. The reply
 * names every error as FILE:LINE; the exit status says whether it was applied. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "ctl.h"

#define DEFAULT_SOCKET "/run/vitalsd/control.sock" /* [daemon] control_socket's default */

static char *trim(char *s)
{
    char *end;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* The file being fixed may not load: its [daemon] control_socket, read line by line, is where
 * the daemon listens (it started with the last good value of it, which a reload cannot change). */
static void socket_from_file(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    char buf[4096];
    bool daemon = false;

    snprintf(out, size, "%s", DEFAULT_SOCKET);
    while (f && fgets(buf, sizeof(buf), f)) {
        char *line = trim(buf), *eq;

        if (*line == '[') {
            daemon = strncmp(line, "[daemon]", 8) == 0;
            continue;
        }
        if (!daemon || !(eq = strchr(line, '=')))
            continue;
        *eq = '\0';
        if (strcmp(trim(line), "control_socket") == 0)
            snprintf(out, size, "%s", trim(eq + 1));
    }
    if (f)
        fclose(f);
}

static int call(struct ctl *c, cJSON **reply)
{
    cJSON *req = cJSON_CreateObject();
    struct vsd_diag diag = {0};
    char sock[4096];
    int rc;

    cJSON_AddStringToObject(req, "cmd", "reload");
    if (!c->socket_path && !c->cfg && vsd_config_load_client(c->config_path, &c->cfg, &diag) < 0) {
        socket_from_file(c->config_path, sock, sizeof(sock));
        c->socket_path = sock; /* the daemon itself will name the errors */
    }
    vsd_diag_free(&diag);
    rc = vsd_ctl_call(c, req, reply);
    if (c->socket_path == sock)
        c->socket_path = NULL;
    cJSON_Delete(req);
    return rc;
}

int vsd_ctl_reload(struct ctl *c, int argc, char **argv)
{
    cJSON *reply = NULL;
    const cJSON *line;
    int rc;

    (void)argv;
    if (argc != 0) {
        fprintf(stderr, "usage: vitalsctl reload\n");
        return EXIT_USAGE;
    }
    rc = call(c, &reply);
    cJSON_ArrayForEach(line,
                       cJSON_GetObjectItemCaseSensitive(reply, "errors")) if (cJSON_IsString(line))
        fprintf(stderr, "%s\n", line->valuestring);
    line = cJSON_GetObjectItemCaseSensitive(reply, "summary");
    if (rc == 0 && cJSON_IsString(line))
        printf("%s\n", line->valuestring);
    cJSON_Delete(reply);
    return rc;
}
