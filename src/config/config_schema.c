/* SPDX-License-Identifier: MIT */
/* The configuration schema: one key table per section kind, and the checks across keys. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <vitalsd/log.h>
#include <vitalsd/vitals.h>

#include "config_keyset.h"
#include "config_schema.h"
#include "registry.h"

#define NAME_MAX_LEN 32
#define NAME_CHARS_LOWER "abcdefghijklmnopqrstuvwxyz0123456789_-"
#define NAME_CHARS NAME_CHARS_LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define SECRET_MAX 1024 /* longest first line of a password_file */

static int check_area(const char *value, char *err, size_t errlen);
static int check_socket(const char *value, char *err, size_t errlen);
static int check_readable(const char *value, char *err, size_t errlen);
static int check_absolute(const char *value, char *err, size_t errlen);
static int check_identity(const char *value, char *err, size_t errlen);

static const char *const sync_choices[] = {"full", "normal", NULL};
static const char *const level_choices[] = {"debug", "info", "notice", "warning", "err", NULL};
/* In the order of enum vsd_priority, from VSD_PRIO_LOW. */

/* The tables. Fields: key, type, flags, min, max, choices, default, check, help. */
static const struct vsd_option daemon_opts[] = {
    {"area", VSD_OPT_STRING, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, check_area,
     "name of the observation area, used in MQTT topics vitals/<area>/"},
    {"database", VSD_OPT_STRING, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, NULL, "SQLite database file"},
    {"control_socket", VSD_OPT_STRING, 0, 0, 0, NULL, "/run/vitalsd/control.sock", check_socket,
     "Unix socket vitalsctl talks to"},
    {"synchronous", VSD_OPT_ENUM, 0, 0, 0, sync_choices, "full", NULL, "SQLite synchronous mode"},
    {"commit_interval", VSD_OPT_DURATION, VSD_OPT_RANGE, 10, 250, NULL, "250ms", NULL,
     "longest a reading waits before it is committed"},
    {"log_level", VSD_OPT_ENUM, 0, 0, 0, level_choices, "info", NULL,
     "most verbose priority logged"},
    {"queue_depth", VSD_OPT_INT, VSD_OPT_RANGE, 16, 1000000, NULL, "4096", NULL,
     "capacity of the reading queue"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct vsd_option mqtt_opts[] = {
    {"host", VSD_OPT_STRING, 0, 0, 0, NULL, "127.0.0.1", NULL, "broker host"},
    {"port", VSD_OPT_INT, VSD_OPT_RANGE, 1, 65535, NULL, "1883", NULL, "broker port"},
    {"client_id", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, NULL, "default vitalsd-<area>"},
    {"username", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, NULL, "broker user"},
    {"password", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, NULL, "broker password"},
    {"password_file", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_readable,
     "file whose first line is the broker password"},
    {"tls_ca_file", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_readable,
     "CA certificate(s): enables TLS"},
    {"tls_cert_file", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_readable, "client certificate"},
    {"tls_key_file", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_readable, "client private key"},
    {"keepalive", VSD_OPT_DURATION, VSD_OPT_RANGE, 5000, 300000, NULL, "10s", NULL,
     "MQTT keepalive, whole seconds"},
    {"reconnect_min", VSD_OPT_DURATION, VSD_OPT_RANGE, 100, 60000, NULL, "500ms", NULL,
     "first wait before reconnecting"},
    {"reconnect_max", VSD_OPT_DURATION, VSD_OPT_RANGE, 1000, 300000, NULL, "10s", NULL,
     "longest wait between reconnects"},
    {"allow_insecure", VSD_OPT_BOOL, 0, 0, 0, NULL, "no", NULL,
     "accept a broker on another host without a user name or without TLS"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

/* Keys every [device.NAME] has, whatever its driver; the driver's own table follows. */
static const struct vsd_option device_opts[] = {
    {"driver", VSD_OPT_STRING, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, NULL, "driver name"},
    {"poll", VSD_OPT_DURATION, VSD_OPT_RANGE, 100, 3600000, NULL, "1s", NULL, "poll period"},
    {"timeout", VSD_OPT_DURATION, VSD_OPT_RANGE, 10, 60000, NULL, "500ms", NULL,
     "response timeout, shorter than poll"},
    {"serial", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_identity,
     "serial number the device must report; another one raises wrong_device"},
    {"model", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_identity,
     "model the device must report; another one raises wrong_device"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

/* [retention]: how long readings are kept; archives before deletion (docs/auditors.md). */
static const struct vsd_option retention_opts[] = {
    {"readings_days", VSD_OPT_INT, VSD_OPT_RANGE, 0, 36500, NULL, "0", NULL,
     "days a reading is kept before it may be archived and deleted; 0 keeps every reading"},
    {"archive_dir", VSD_OPT_STRING, 0, 0, 0, NULL, "/var/lib/vitalsd/archive", check_absolute,
     "directory vitalsctl archive writes the archives and their manifests to"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct vsd_option bed_opts[] = {
    {"devices", VSD_OPT_LIST, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, NULL, "devices at this bed"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

const struct vsd_option *vsd_cfg_schema(const char *kind)
{
    static const struct {
        const char *kind;
        const struct vsd_option *table;
    } schemas[] = {{"daemon", daemon_opts},
                   {"mqtt", mqtt_opts},
                   {"device", device_opts},
                   {"bed", bed_opts},
                   {"retention", retention_opts}};

    for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++)
        if (strcmp(kind, schemas[i].kind) == 0)
            return schemas[i].table;
    if (strcmp(kind, "access") == 0)
        return vsd_cfg_access_schema();
    return vsd_cfg_alarm_schema(kind);
}

static bool good_name(const char *s, const char *chars)
{
    size_t len = strlen(s);

    return len >= 1 && len <= NAME_MAX_LEN && strspn(s, chars) == len;
}

static int check_area(const char *value, char *err, size_t errlen)
{
    if (good_name(value, NAME_CHARS_LOWER))
        return 0;
    snprintf(err, errlen, "must be 1-%d characters of a-z 0-9 _ -", NAME_MAX_LEN);
    return -EINVAL;
}

static int check_socket(const char *value, char *err, size_t errlen)
{
    size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

    if (strlen(value) <= max)
        return 0;
    snprintf(err, errlen, "a socket path has at most %zu characters, got %zu", max, strlen(value));
    return -EINVAL;
}

/* A serial number or model as a device reports it: printable, no spaces, not too long. */
static int check_identity(const char *value, char *err, size_t errlen)
{
    size_t n = strlen(value);

    if (n > VSD_IDENTITY_MAX) {
        snprintf(err, errlen, "at most %d characters, got %zu", VSD_IDENTITY_MAX, n);
        return -EINVAL;
    }
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)value[i])) {
            snprintf(err, errlen, "letters, digits and signs only (no spaces), got '%s'", value);
            return -EINVAL;
        }
    return 0;
}

static int check_absolute(const char *value, char *err, size_t errlen)
{
    if (value[0] == '/')
        return 0;
    snprintf(err, errlen, "must be an absolute path (starting with /), got '%s'", value);
    return -EINVAL;
}

/* A regular file this process can open for reading, now. */
static int check_readable(const char *value, char *err, size_t errlen)
{
    struct stat st;
    int fd, r = 0;

    fd = open(value, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        snprintf(err, errlen, "cannot read '%s': %s", value, strerror(errno));
        return -EINVAL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "'%s' is not a regular file", value);
        r = -EINVAL;
    }
    close(fd);
    return r;
}

int vsd_cfg_daemon(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, struct vsd_config *cfg)
{
    struct vsd_keyset ks = {.table = daemon_opts};
    int r;

    vsd_ks_check_section(ctx, s, &ks, 1, false);
    cfg->synchronous =
        strcmp(vsd_ks_text(&ks, "synchronous"), "normal") == 0 ? VSD_SYNC_NORMAL : VSD_SYNC_FULL;
    cfg->commit_ms = vsd_ks_ms(&ks, "commit_interval");
    cfg->log_level = vsd_log_level_parse(vsd_ks_text(&ks, "log_level"));
    cfg->queue_depth = (size_t)vsd_ks_int(&ks, "queue_depth");
    r = vsd_ks_dup(&ks, "area", &cfg->area);
    if (r >= 0)
        r = vsd_ks_dup(&ks, "database", &cfg->database);
    if (r >= 0)
        r = vsd_ks_dup(&ks, "control_socket", &cfg->control_socket);
    return r;
}

int vsd_cfg_retention(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                      struct vsd_config *cfg)
{
    struct vsd_keyset ks = {.table = retention_opts};

    vsd_ks_check_section(ctx, s, &ks, 1, false);
    cfg->retention.readings_days = (int)vsd_ks_int(&ks, "readings_days");
    return vsd_ks_dup(&ks, "archive_dir", &cfg->retention.archive_dir);
}

/* First line of FILE into *RET; problems are reported at LINE. */
static int read_secret(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, int line,
                       const char *file, char **ret)
{
    char buf[SECRET_MAX + 2];
    FILE *f = fopen(file, "re");
    size_t len;

    if (!f) {
        vsd_cfg_error(ctx, line, "[%s] password_file: cannot read '%s': %s", s->name, file,
                      strerror(errno));
        return 0;
    }
    if (!fgets(buf, sizeof(buf), f))
        buf[0] = '\0';
    fclose(f);
    len = strcspn(buf, "\r\n");
    if (len > SECRET_MAX)
        vsd_cfg_error(ctx, line, "[%s] password_file: first line of '%s' is longer than %d",
                      s->name, file, SECRET_MAX);
    else if (len == 0)
        vsd_cfg_error(ctx, line, "[%s] password_file: first line of '%s' is empty", s->name, file);
    else if (!(*ret = strndup(buf, len)))
        return -ENOMEM;
    explicit_bzero(buf, sizeof(buf));
    return 0;
}

static int mqtt_password(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                         const struct vsd_keyset *ks, struct vsd_mqtt_config *m)
{
    int line = vsd_ks_line(ks, "password_file");

    if (!line)
        return 0;
    if (vsd_ks_line(ks, "password")) {
        vsd_cfg_error(ctx, line, "[%s] password_file: give password or password_file, not both",
                      s->name);
        return 0;
    }
    if (!vsd_ks_usable(ks, "password_file"))
        return 0;
    return read_secret(ctx, s, line, vsd_ks_text(ks, "password_file"), &m->password);
}

/* A client certificate needs its key (and the reverse); both need a CA to check the broker. */
static void mqtt_tls(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                     const struct vsd_keyset *ks)
{
    int ca = vsd_ks_line(ks, "tls_ca_file");
    int cert = vsd_ks_line(ks, "tls_cert_file");
    int key = vsd_ks_line(ks, "tls_key_file");

    if (cert && !key)
        vsd_cfg_error(ctx, cert, "[%s] tls_cert_file: needs tls_key_file as well", s->name);
    if (key && !cert)
        vsd_cfg_error(ctx, key, "[%s] tls_key_file: needs tls_cert_file as well", s->name);
    if ((cert || key) && !ca)
        vsd_cfg_error(ctx, cert ? cert : key, "[%s] %s: needs tls_ca_file as well", s->name,
                      cert ? "tls_cert_file" : "tls_key_file");
}

static void mqtt_timing(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                        const struct vsd_keyset *ks)
{
    long long ka = vsd_ks_ms(ks, "keepalive");
    long long min = vsd_ks_ms(ks, "reconnect_min"), max = vsd_ks_ms(ks, "reconnect_max");

    if (vsd_ks_usable(ks, "keepalive") && ka % 1000 != 0)
        vsd_cfg_error(ctx, vsd_ks_line(ks, "keepalive"),
                      "[%s] keepalive: must be whole seconds, got %lld ms", s->name, ka);
    if (!vsd_ks_usable(ks, "reconnect_min") || !vsd_ks_usable(ks, "reconnect_max") || min <= max)
        return;
    if (vsd_ks_line(ks, "reconnect_max"))
        vsd_cfg_error(ctx, vsd_ks_line(ks, "reconnect_max"),
                      "[%s] reconnect_max: must not be shorter than reconnect_min (%lld ms), "
                      "got %lld ms",
                      s->name, min, max);
    else
        vsd_cfg_error(ctx, vsd_ks_line(ks, "reconnect_min"),
                      "[%s] reconnect_min: must not be longer than reconnect_max (%lld ms), "
                      "got %lld ms",
                      s->name, max, min);
}

/* Loopback by name or address: 127.0.0.0/8, ::1, localhost. No DNS lookup: a name that merely
 * resolves to loopback counts as remote, which errs on the safe side. */
static bool host_is_loopback(const char *host)
{
    return strcmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           strncmp(host, "127.", 4) == 0;
}

/* Alerts and readings leave the machine: a broker elsewhere needs an account and TLS, unless
 * the clinic writes allow_insecure = yes (an isolated test network, say). */
static void mqtt_exposure(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                          const struct vsd_keyset *ks, const struct vsd_mqtt_config *m)
{
    int allow = 0, line = vsd_ks_line(ks, "host");
    const char *missing = NULL;

    if (ctx->client || !m->host || host_is_loopback(m->host))
        return; /* the daemon's own link: vitalsctl never uses these credentials */
    if (vsd_ks_text(ks, "allow_insecure"))
        vsd_option_parse_bool(vsd_ks_text(ks, "allow_insecure"), &allow);
    if (allow)
        return;
    if (!m->username && !m->tls_ca_file)
        missing = "a username and tls_ca_file (it would be anonymous, over plain TCP)";
    else if (!m->username)
        missing = "a username (it would be anonymous)";
    else if (!m->tls_ca_file)
        missing = "tls_ca_file (it would be plain TCP: readings and passwords in clear)";
    if (missing)
        vsd_cfg_error(ctx, line ? line : s->line,
                      "[%s] host: broker '%s' is not on this machine and needs %s; "
                      "write allow_insecure = yes only for an isolated test network",
                      s->name, m->host, missing);
}

static int mqtt_client_id(const struct vsd_keyset *ks, const struct vsd_config *cfg, char **ret)
{
    const char *area = cfg->area ? cfg->area : "";
    size_t size;

    if (vsd_ks_text(ks, "client_id"))
        return vsd_ks_dup(ks, "client_id", ret);
    size = strlen("vitalsd-") + strlen(area) + 1;
    *ret = malloc(size);
    if (!*ret)
        return -ENOMEM;
    snprintf(*ret, size, "vitalsd-%s", area);
    return 0;
}

int vsd_cfg_mqtt(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, struct vsd_config *cfg)
{
    struct vsd_mqtt_config *m = &cfg->mqtt;
    struct vsd_keyset ks = {.table = mqtt_opts};
    const struct {
        const char *key;
        char **dst;
    } strings[] = {{"host", &m->host},
                   {"username", &m->username},
                   {"password", &m->password},
                   {"tls_ca_file", &m->tls_ca_file},
                   {"tls_cert_file", &m->tls_cert_file},
                   {"tls_key_file", &m->tls_key_file}};
    int r = 0;

    vsd_ks_check_section(ctx, s, &ks, 1, false);
    m->port = (int)vsd_ks_int(&ks, "port");
    m->keepalive_s = (int)(vsd_ks_ms(&ks, "keepalive") / 1000);
    m->reconnect_min_ms = vsd_ks_ms(&ks, "reconnect_min");
    m->reconnect_max_ms = vsd_ks_ms(&ks, "reconnect_max");
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]) && r >= 0; i++)
        r = vsd_ks_dup(&ks, strings[i].key, strings[i].dst);
    if (r >= 0)
        r = mqtt_client_id(&ks, cfg, &m->client_id);
    cfg->mqtt_password_inline = vsd_ks_text(&ks, "password") != NULL;
    if (r < 0 || !s)
        return r;
    mqtt_tls(ctx, s, &ks);
    mqtt_timing(ctx, s, &ks);
    mqtt_exposure(ctx, s, &ks, m);
    return mqtt_password(ctx, s, &ks, m);
}

static void check_name(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *name)
{
    if (!good_name(name, NAME_CHARS))
        vsd_cfg_error(ctx, s->line, "[%s]: name must be 1-%d characters of A-Z a-z 0-9 _ -",
                      s->name, NAME_MAX_LEN);
}

static const struct vsd_cfg_entry *first_entry(const struct vsd_cfg_section *s, const char *key)
{
    for (size_t i = 0; i < s->n_entries; i++)
        if (strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

static void unknown_driver(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                           const struct vsd_cfg_entry *e)
{
    const struct vsd_driver *d;
    char known[256] = "";
    size_t used = 0;

    for (size_t i = 0; (d = vsd_registry_at(i)) && used < sizeof(known); i++) {
        int n = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "", d->name);
        used += n > 0 ? (size_t)n : 0;
    }
    vsd_cfg_error(ctx, e->line, "[%s] driver: unknown driver '%s' (known: %s)", s->name, e->value,
                  known);
}

/* timeout < poll; reported at timeout when written there, else at poll. */
static void device_timing(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                          const struct vsd_keyset *ks, const struct vsd_device_config *dc)
{
    if (!vsd_ks_usable(ks, "poll") || !vsd_ks_usable(ks, "timeout") || dc->timeout_ms < dc->poll_ms)
        return;
    if (vsd_ks_line(ks, "timeout"))
        vsd_cfg_error(ctx, vsd_ks_line(ks, "timeout"),
                      "[%s] timeout: must be shorter than poll (%lld ms), got %lld ms", s->name,
                      (long long)dc->poll_ms, (long long)dc->timeout_ms);
    else
        vsd_cfg_error(ctx, vsd_ks_line(ks, "poll"),
                      "[%s] poll: must be longer than timeout (%lld ms), got %lld ms", s->name,
                      (long long)dc->timeout_ms, (long long)dc->poll_ms);
}

/* Every written key of the driver's table, in file order, into DC->options. */
static int copy_options(const struct vsd_cfg_section *s, const struct vsd_option *table,
                        struct vsd_device_config *dc)
{
    size_t n = 0;

    for (size_t i = 0; table && i < s->n_entries; i++)
        n += !vsd_option_find(device_opts, s->entries[i].key) &&
             vsd_option_find(table, s->entries[i].key);
    if (n == 0)
        return 0;
    dc->options = calloc(n, sizeof(*dc->options));
    if (!dc->options)
        return -ENOMEM;
    for (size_t i = 0; i < s->n_entries; i++) {
        const struct vsd_cfg_entry *e = &s->entries[i];
        struct vsd_kv *kv = &dc->options[dc->n_options];

        if (vsd_option_find(device_opts, e->key) || !vsd_option_find(table, e->key))
            continue;
        dc->n_options++;
        kv->line = e->line;
        kv->key = strdup(e->key);
        kv->value = strdup(e->value);
        if (!kv->key || !kv->value)
            return -ENOMEM;
    }
    return 0;
}

/* A serial port path that does not exist now: a warning, not an error (the adapter may be
 * plugged in later; vitalsd keeps trying to open it), but most often a typing mistake. */
static void serial_port_exists(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                               const struct vsd_keyset *ks)
{
    const struct vsd_option *opt = vsd_option_find(ks->table, "port");
    const char *path;
    struct stat st;

    if (ctx->client || !opt || opt->type != VSD_OPT_STRING || !vsd_ks_usable(ks, "port"))
        return;
    path = vsd_ks_text(ks, "port");
    if (strncmp(path, "tcp://", 6) == 0 || stat(path, &st) == 0 || errno != ENOENT)
        return;
    vsd_cfg_warning(ctx, vsd_ks_line(ks, "port"),
                    "[%s] port: '%s' does not exist (yet?): check the path, or plug the "
                    "adapter in; vitalsd keeps trying to open it",
                    s->name, path);
}

int vsd_cfg_device(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *name,
                   struct vsd_device_config *dc)
{
    const struct vsd_cfg_entry *drv = first_entry(s, "driver");
    struct vsd_keyset ks[2] = {{.table = device_opts}, {.table = NULL}};

    dc->line = s->line;
    dc->bed = SIZE_MAX;
    dc->name = strdup(name);
    if (!dc->name)
        return -ENOMEM;
    check_name(ctx, s, name);
    if (drv && drv->value[0]) {
        dc->driver = vsd_registry_find(drv->value);
        if (!dc->driver)
            unknown_driver(ctx, s, drv);
    }
    /* A driver's keys are known only once the driver is: until then, no "unknown key". */
    ks[1].table = dc->driver ? dc->driver->options : NULL;
    vsd_ks_check_section(ctx, s, ks, 2, !dc->driver);
    dc->poll_ms = vsd_ks_ms(&ks[0], "poll");
    dc->timeout_ms = vsd_ks_ms(&ks[0], "timeout");
    if (vsd_ks_usable(&ks[0], "serial"))
        snprintf(dc->serial, sizeof(dc->serial), "%s", vsd_ks_text(&ks[0], "serial"));
    if (vsd_ks_usable(&ks[0], "model"))
        snprintf(dc->model, sizeof(dc->model), "%s", vsd_ks_text(&ks[0], "model"));
    device_timing(ctx, s, &ks[0], dc);
    if (ks[1].table)
        serial_port_exists(ctx, s, &ks[1]);
    return copy_options(s, ks[1].table, dc);
}

/* Put device DEV_NAME at bed number B, unless it is unknown or taken. */
static void bed_claim(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, int line,
                      struct vsd_config *cfg, size_t b, const char *dev_name)
{
    struct vsd_bed_config *bed = &cfg->beds[b];
    int d = vsd_config_device_index(cfg, dev_name);
    struct vsd_device_config *dc;

    if (d < 0) {
        vsd_cfg_error(ctx, line, "[%s] devices: no device '%s' is configured", s->name, dev_name);
        return;
    }
    dc = &cfg->devices[d];
    if (dc->bed == b)
        vsd_cfg_error(ctx, line, "[%s] devices: device '%s' is listed twice", s->name, dev_name);
    else if (dc->bed != SIZE_MAX)
        vsd_cfg_error(ctx, line, "[%s] devices: device '%s' already belongs to bed '%s'", s->name,
                      dev_name, cfg->beds[dc->bed].name);
    else {
        bed->devices[bed->n_devices++] = (size_t)d;
        dc->bed = b;
        dc->bed_name = bed->name;
    }
}

int vsd_cfg_bed(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *name,
                struct vsd_config *cfg, size_t b)
{
    struct vsd_bed_config *bed = &cfg->beds[b];
    struct vsd_keyset ks = {.table = bed_opts};
    const char *list, *p;
    size_t max = 1;
    int line;

    bed->line = s->line;
    bed->name = strdup(name);
    if (!bed->name)
        return -ENOMEM;
    check_name(ctx, s, name);
    vsd_ks_check_section(ctx, s, &ks, 1, false);
    line = vsd_ks_line(&ks, "devices");
    if (!line || !vsd_ks_usable(&ks, "devices"))
        return 0;
    list = vsd_ks_text(&ks, "devices");
    for (p = list; *p; p++)
        max += *p == ',';
    bed->devices = calloc(max, sizeof(*bed->devices));
    if (!bed->devices)
        return -ENOMEM;
    for (p = list; *p; p += *p == ',') {
        size_t len;
        char *dev_name;

        p += strspn(p, " \t");
        len = strcspn(p, ", \t");
        dev_name = strndup(p, len);
        if (!dev_name)
            return -ENOMEM;
        bed_claim(ctx, s, line, cfg, b, dev_name);
        free(dev_name);
        p += len;
        p += strspn(p, " \t");
    }
    return 0;
}
