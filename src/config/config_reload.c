/* SPDX-License-Identifier: MIT */
/* What a reload may change: the same device unchanged, and the settings that need a restart. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static bool str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool vsd_config_device_same(const struct vsd_config *a, size_t i, const struct vsd_config *b,
                            size_t j)
{
    const struct vsd_device_config *x = &a->devices[i], *y = &b->devices[j];

    if (strcmp(x->name, y->name) != 0 || x->driver != y->driver || x->poll_ms != y->poll_ms ||
        x->timeout_ms != y->timeout_ms || x->n_options != y->n_options ||
        strcmp(x->serial, y->serial) != 0 || strcmp(x->model, y->model) != 0 ||
        strcmp(a->beds[x->bed].name, b->beds[y->bed].name) != 0)
        return false;
    for (size_t k = 0; k < x->n_options; k++)
        if (strcmp(x->options[k].key, y->options[k].key) != 0 ||
            strcmp(x->options[k].value, y->options[k].value) != 0)
            return false;
    return true;
}

static bool access_same(const struct vsd_access *a, const struct vsd_access *b)
{
    if (a->configured != b->configured || a->n_principals != b->n_principals)
        return false;
    for (size_t i = 0; i < a->n_principals; i++)
        if (a->principals[i].kind != b->principals[i].kind ||
            a->principals[i].roles != b->principals[i].roles ||
            strcmp(a->principals[i].name, b->principals[i].name) != 0)
            return false;
    return true;
}

/* The line of KEY in [SECTION] of PATH (the section's line when the key is not written there or
 * KEY is NULL; 0 when neither is found: a default changed by a removed section). */
static int key_line(const char *path, const char *section, const char *key)
{
    FILE *f = fopen(path, "r");
    char buf[4096], want[64];
    int line = 0, found = 0, in = 0;

    if (!f)
        return 0;
    snprintf(want, sizeof(want), "[%s]", section);
    while (fgets(buf, sizeof(buf), f)) {
        char *p = buf;
        size_t n = key ? strlen(key) : 0;

        line++;
        while (isspace((unsigned char)*p))
            p++;
        if (*p == '[') {
            in = strncmp(p, want, strlen(want)) == 0;
            if (in && !found)
                found = line;
            continue;
        }
        if (in && key && strncmp(p, key, n) == 0 && (isspace((unsigned char)p[n]) || p[n] == '=')) {
            found = line;
            break;
        }
    }
    fclose(f);
    return found;
}

static void diag_add(struct vsd_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void diag_add(struct vsd_diag *d, const char *fmt, ...)
{
    char text[1024];
    char **lines = realloc(d->lines, (d->n + 1) * sizeof(*lines));
    va_list ap;

    if (!lines)
        return;
    d->lines = lines;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if ((d->lines[d->n] = strdup(text)))
        d->n++;
}

/* One setting that changed although it needs a restart. */
static void restart_key(const struct vsd_config *next, const char *section, const char *key,
                        struct vsd_diag *diag)
{
    diag_add(diag,
             "%s:%d: [%s] %s: changed, but vitalsd applies it only when it starts: restart "
             "vitalsd (systemctl restart vitalsd), or put back the running value to reload",
             next->path, key_line(next->path, section, key), section, key);
}

#define DIFF(sec, key, differs)                                                                    \
    do {                                                                                           \
        if (differs) {                                                                             \
            restart_key(next, sec, key, diag);                                                     \
            n++;                                                                                   \
        }                                                                                          \
    } while (0)

static size_t mqtt_differs(const struct vsd_mqtt_config *a, const struct vsd_mqtt_config *b,
                           const struct vsd_config *next, struct vsd_diag *diag)
{
    size_t n = 0;

    DIFF("mqtt", "host", !str_same(a->host, b->host));
    DIFF("mqtt", "port", a->port != b->port);
    DIFF("mqtt", "client_id", !str_same(a->client_id, b->client_id));
    DIFF("mqtt", "username", !str_same(a->username, b->username));
    /* never the value: the password is named only by its key */
    DIFF("mqtt", next->mqtt_password_inline ? "password" : "password_file",
         !str_same(a->password, b->password));
    DIFF("mqtt", "tls_ca_file", !str_same(a->tls_ca_file, b->tls_ca_file));
    DIFF("mqtt", "tls_cert_file", !str_same(a->tls_cert_file, b->tls_cert_file));
    DIFF("mqtt", "tls_key_file", !str_same(a->tls_key_file, b->tls_key_file));
    DIFF("mqtt", "keepalive", a->keepalive_s != b->keepalive_s);
    DIFF("mqtt", "reconnect_min", a->reconnect_min_ms != b->reconnect_min_ms);
    DIFF("mqtt", "reconnect_max", a->reconnect_max_ms != b->reconnect_max_ms);
    return n;
}

size_t vsd_config_restart_needed(const struct vsd_config *running, const struct vsd_config *next,
                                 struct vsd_diag *diag)
{
    size_t n = 0;

    DIFF("daemon", "area", !str_same(running->area, next->area));
    DIFF("daemon", "database", !str_same(running->database, next->database));
    DIFF("daemon", "control_socket", !str_same(running->control_socket, next->control_socket));
    DIFF("daemon", "synchronous", running->synchronous != next->synchronous);
    DIFF("daemon", "commit_interval", running->commit_ms != next->commit_ms);
    DIFF("daemon", "queue_depth", running->queue_depth != next->queue_depth);
    n += mqtt_differs(&running->mqtt, &next->mqtt, next, diag);
    if (!access_same(&running->access, &next->access)) {
        diag_add(diag,
                 "%s:%d: [access]: changed, but the command transports hold the roles "
                 "they started with: restart vitalsd (systemctl restart vitalsd)",
                 next->path, key_line(next->path, "access", NULL));
        n++;
    }
    return n;
}
