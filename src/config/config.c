/* SPDX-License-Identifier: MIT */
/* Configuration loading: INI read with inih line by line, every problem reported with its line. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config.h"
#include "config_keyset.h"
#include "config_schema.h"

#define LINE_BUF 4096         /* read buffer; inih's own line limit is smaller */
#define NO_SECTION SIZE_MAX   /* keys so far are outside any section */
#define BROKEN (SIZE_MAX - 1) /* under a header that could not be read: keys are ignored */
#define UTF8_BOM "\xEF\xBB\xBF"

/* State of one load: the reader counts lines and tracks sections itself, so
 * the inih handler, called right after the reader returned a line, knows both. */
struct loader {
    struct vsd_cfg_ctx ctx;
    FILE *f;
    char buf[LINE_BUF];
    int line;       /* lines handed to inih so far */
    int read_errno; /* reading failed: the load fails with it */
    struct vsd_cfg_section *secs;
    size_t n_secs, cap_secs;
    size_t cur;      /* index of the section keys go to, NO_SECTION or BROKEN */
    bool expect_key; /* the current line is neither blank, comment nor header */
    bool got_key;    /* inih passed the current line to the handler */
};

static void add_problem(struct vsd_cfg_ctx *ctx, bool warning, int line, const char *fmt,
                        va_list ap)
{
    struct vsd_cfg_error *e;
    char text[1024];
    int n;

    if (ctx->n_errors == ctx->cap) {
        size_t cap = ctx->cap ? 2 * ctx->cap : 16;
        void *p = realloc(ctx->errors, cap * sizeof(*ctx->errors));

        if (!p) {
            ctx->oom = true;
            return;
        }
        ctx->errors = p;
        ctx->cap = cap;
    }
    n = snprintf(text, sizeof(text), "%s:%d: %s", ctx->path, line, warning ? "warning: " : "");
    if (n < 0 || (size_t)n >= sizeof(text))
        n = (int)sizeof(text) - 1; /* an absurdly long path: the message is cut */
    vsnprintf(text + n, sizeof(text) - (size_t)n, fmt, ap);
    e = &ctx->errors[ctx->n_errors];
    e->line = line;
    e->seq = ctx->n_errors;
    e->warning = warning;
    e->text = strdup(text);
    if (!e->text) {
        ctx->oom = true;
        return;
    }
    ctx->n_errors++;
    ctx->n_warnings += warning;
}

void vsd_cfg_error(struct vsd_cfg_ctx *ctx, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_problem(ctx, false, line, fmt, ap);
    va_end(ap);
}

void vsd_cfg_warning(struct vsd_cfg_ctx *ctx, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    add_problem(ctx, true, line, fmt, ap);
    va_end(ap);
}

/* One "syntax error" per line, however often it is noticed. */
static void syntax_error(struct loader *ld, int line)
{
    for (size_t i = 0; i < ld->ctx.n_errors; i++) {
        const char *t = ld->ctx.errors[i].text;
        size_t len = strlen(t);

        if (ld->ctx.errors[i].line == line && len >= 12 &&
            strcmp(t + len - 12, "syntax error") == 0)
            return;
    }
    vsd_cfg_error(&ld->ctx, line, "syntax error");
}

static int add_entry(struct vsd_cfg_section *s, const char *key, const char *value, int line)
{
    struct vsd_cfg_entry *e;

    if (s->n_entries == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        void *p = realloc(s->entries, cap * sizeof(*s->entries));

        if (!p)
            return -ENOMEM;
        s->entries = p;
        s->cap = cap;
    }
    e = &s->entries[s->n_entries];
    e->key = strdup(key);
    e->value = strdup(value);
    e->line = line;
    if (!e->key || !e->value) {
        free(e->key);
        free(e->value);
        return -ENOMEM;
    }
    s->n_entries++;
    return 0;
}

/* A new section called NAME (LEN bytes), or back to the first one of that name. */
static void enter_section(struct loader *ld, const char *name, size_t len)
{
    struct vsd_cfg_section *s;

    for (size_t i = 0; i < ld->n_secs; i++) {
        if (strlen(ld->secs[i].name) == len && strncmp(ld->secs[i].name, name, len) == 0) {
            vsd_cfg_error(&ld->ctx, ld->line, "[%s]: duplicate section (first at line %d)",
                          ld->secs[i].name, ld->secs[i].line);
            ld->cur = i;
            return;
        }
    }
    ld->cur = BROKEN;
    if (ld->n_secs == ld->cap_secs) {
        size_t cap = ld->cap_secs ? 2 * ld->cap_secs : 8;
        void *p = realloc(ld->secs, cap * sizeof(*ld->secs));

        if (!p) {
            ld->ctx.oom = true;
            return;
        }
        ld->secs = p;
        ld->cap_secs = cap;
    }
    s = &ld->secs[ld->n_secs];
    *s = (struct vsd_cfg_section){.name = strndup(name, len), .line = ld->line};
    if (!s->name) {
        ld->ctx.oom = true;
        return;
    }
    ld->cur = ld->n_secs++;
}

/* A line starting with '[' (P): read the header as inih does, up to ']' unless an
 * inline comment (" ;") comes first; text after ']' is ignored. */
static void section_line(struct loader *ld, const char *p)
{
    const char *end = p + 1;

    while (*end && *end != ']' && !(*end == ';' && (end[-1] == ' ' || end[-1] == '\t')))
        end++;
    if (*end != ']') {
        syntax_error(ld, ld->line);
        ld->cur = BROKEN;
        return;
    }
    p++;
    p += strspn(p, " \t");
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    enter_section(ld, p, (size_t)(end - p));
}

/* The previous line looked like "key = value" but inih did not take it. */
static void finish_line(struct loader *ld)
{
    if (ld->expect_key && !ld->got_key)
        syntax_error(ld, ld->line);
    ld->expect_key = false;
    ld->got_key = false;
}

/* Skip the rest of a line too long for the buffer. */
static void skip_rest(FILE *f)
{
    int c;

    while ((c = getc(f)) != EOF && c != '\n')
        ;
}

/* inih's reader: one line per call, leading blanks removed (so inih never sees a
 * continuation line), sections noted before inih calls the handler for keys. */
static char *reader(char *str, int num, void *stream)
{
    struct loader *ld = stream;
    size_t max = num > 3 ? (size_t)num - 3 : 0; /* inih needs room for "\r\n\0" */
    const char *p = ld->buf;
    bool too_long;

    finish_line(ld);
    if (!fgets(ld->buf, sizeof(ld->buf), ld->f)) {
        if (ferror(ld->f))
            ld->read_errno = errno ? errno : EIO;
        return NULL;
    }
    ld->line++;
    too_long = !strchr(ld->buf, '\n') && !feof(ld->f);
    if (too_long)
        skip_rest(ld->f);
    ld->buf[strcspn(ld->buf, "\r\n")] = '\0';
    if (ld->line == 1 && strncmp(p, UTF8_BOM, 3) == 0)
        p += 3;
    too_long = too_long || strlen(p) > max;
    p += strspn(p, " \t");
    if (too_long) {
        vsd_cfg_error(&ld->ctx, ld->line, "line too long (at most %zu characters)", max);
        if (*p == '[')
            ld->cur = BROKEN;
        p = "";
    } else if (*p == '[') {
        section_line(ld, p);
    } else {
        ld->expect_key = *p && !strchr(";#", *p);
    }
    snprintf(str, (size_t)num, "%s\n", p);
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;

    (void)section; /* the reader tracks sections itself, with their lines */
    if (!name)
        return 1; /* a new section, already seen by the reader */
    ld->got_key = true;
    if (!*name || !value)
        syntax_error(ld, ld->line);
    else if (ld->cur == NO_SECTION)
        vsd_cfg_error(&ld->ctx, ld->line, "%s: outside any section", name);
    else if (ld->cur != BROKEN && add_entry(&ld->secs[ld->cur], name, value, ld->line) < 0)
        ld->ctx.oom = true;
    return 1;
}

static int parse_file(struct loader *ld)
{
    int r = ini_parse_stream(reader, ld, handler, ld);

    finish_line(ld);
    if (ld->read_errno)
        return -ld->read_errno;
    if (r == -2)
        return -ENOMEM;
    if (r > 0)
        syntax_error(ld, r);
    return ld->ctx.oom ? -ENOMEM : 0;
}

enum kind {
    K_DAEMON,
    K_MQTT,
    K_ACCESS,
    K_TECHNICAL,
    K_ALERTS,
    K_RETENTION,
    K_ALARM,
    K_DEVICE,
    K_BED,
    K_UNKNOWN
};

/* Kind of section NAME; *REST is the part after "alarm.", "device." or "bed.". */
static enum kind classify(const char *name, const char **rest)
{
    static const struct {
        const char *prefix; /* whole name, or up to the dot for named kinds */
        bool named;
        enum kind kind;
    } kinds[] = {{"daemon", false, K_DAEMON},       {"mqtt", false, K_MQTT},
                 {"access", false, K_ACCESS},
                 {"technical", false, K_TECHNICAL}, {"alerts", false, K_ALERTS},
                 {"retention", false, K_RETENTION},
                 {"alarm.", true, K_ALARM},
                 {"device.", true, K_DEVICE},       {"bed.", true, K_BED}};

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t len = strlen(kinds[i].prefix);

        if (kinds[i].named ? strncmp(name, kinds[i].prefix, len) == 0
                           : strcmp(name, kinds[i].prefix) == 0) {
            *rest = name + len;
            return kinds[i].kind;
        }
    }
    return K_UNKNOWN;
}

static const struct vsd_cfg_section *find_kind(const struct loader *ld, enum kind kind)
{
    const char *rest;

    for (size_t i = 0; i < ld->n_secs; i++)
        if (classify(ld->secs[i].name, &rest) == kind)
            return &ld->secs[i];
    return NULL;
}

static size_t count_kind(const struct loader *ld, enum kind kind)
{
    const char *rest;
    size_t n = 0;

    for (size_t i = 0; i < ld->n_secs; i++)
        n += classify(ld->secs[i].name, &rest) == kind;
    return n;
}

/* "[alarms.spo2]: unknown section (did you mean [alarm.spo2]?)": the nearest section name,
 * the part after the dot kept; a named kind written without its name gets its pattern. */
static void unknown_section(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s)
{
    static const char *const whole[] = {"daemon",    "mqtt",   "access",
                                        "technical", "alerts", "retention"};
    static const char *const named[][2] = {
        {"alarm", "VITAL"}, {"device", "NAME"}, {"bed", "NAME"}};
    const char *dot = strchr(s->name, '.');
    char head[64], hint[160] = "";
    struct vsd_cfg_nearest near;

    snprintf(head, sizeof(head), "%.*s", dot ? (int)(dot - s->name) : 63, s->name);
    vsd_cfg_nearest_init(&near, head);
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
        if (strcmp(head, named[i][0]) == 0 && !dot) /* [device]: the name is missing */
            snprintf(hint, sizeof(hint), " (did you mean [%s.%s]?)", head, named[i][1]);
        else
            vsd_cfg_nearest_try(&near, named[i][0]);
    if (near.best && !hint[0]) {
        for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
            if (near.best == named[i][0])
                snprintf(hint, sizeof(hint), " (did you mean [%s.%.100s]?)", near.best,
                         dot ? dot + 1 : named[i][1]);
    }
    if (!dot && !hint[0]) {
        vsd_cfg_nearest_init(&near, head);
        for (size_t i = 0; i < sizeof(whole) / sizeof(whole[0]); i++)
            vsd_cfg_nearest_try(&near, whole[i]);
        if (near.best)
            snprintf(hint, sizeof(hint), " (did you mean [%s]?)", near.best);
    }
    vsd_cfg_error(ctx, s->line, "[%s]: unknown section%s", s->name, hint);
}

/* [daemon], [mqtt], [technical], [alarm.*] and unknown sections. */
static int check_globals(struct loader *ld, struct vsd_config *cfg)
{
    const struct vsd_cfg_section *daemon = find_kind(ld, K_DAEMON);
    const char *rest;
    int r = 0;

    if (daemon)
        r = vsd_cfg_daemon(&ld->ctx, daemon, cfg);
    else
        vsd_cfg_error(&ld->ctx, 1, "[daemon]: missing required section");
    if (r >= 0)
        r = vsd_cfg_mqtt(&ld->ctx, find_kind(ld, K_MQTT), cfg);
    if (r >= 0)
        r = vsd_cfg_access(&ld->ctx, find_kind(ld, K_ACCESS), &cfg->access);
    if (r >= 0)
        r = vsd_cfg_technical(&ld->ctx, find_kind(ld, K_TECHNICAL), &cfg->alarm);
    if (r >= 0)
        r = vsd_cfg_alerts(&ld->ctx, find_kind(ld, K_ALERTS), &cfg->alarm);
    if (r >= 0)
        r = vsd_cfg_retention(&ld->ctx, find_kind(ld, K_RETENTION), cfg);
    for (size_t i = 0; i < ld->n_secs && r >= 0; i++) {
        enum kind kind = classify(ld->secs[i].name, &rest);

        if (kind == K_ALARM && !strchr(rest, '.')) /* [alarm.VITAL.BED]: after the beds */
            r = vsd_cfg_alarm(&ld->ctx, &ld->secs[i], rest, &cfg->alarm);
        else if (kind == K_UNKNOWN)
            unknown_section(&ld->ctx, &ld->secs[i]);
    }
    return r;
}

/* [alarm.VITAL.BED]: a bed's own limits for one vital, replacing the area's. */
static int bed_limits(struct loader *ld, struct vsd_config *cfg)
{
    const char *rest;
    int r = 0;

    for (size_t i = 0; i < ld->n_secs && r >= 0; i++) {
        const struct vsd_cfg_section *s = &ld->secs[i];
        const char *dot;
        char vital[32];
        size_t b;

        if (classify(s->name, &rest) != K_ALARM || !(dot = strchr(rest, '.')))
            continue;
        snprintf(vital, sizeof(vital), "%.*s", (int)(dot - rest), rest);
        for (b = 0; b < cfg->n_beds && strcmp(cfg->beds[b].name, dot + 1) != 0; b++)
            ;
        if (b == cfg->n_beds)
            vsd_cfg_error(&ld->ctx, s->line, "[%s]: no bed '%s' is configured", s->name, dot + 1);
        else
            r = vsd_cfg_alarm(&ld->ctx, s, vital, &cfg->beds[b].alarm);
    }
    return r;
}

/* [device.*] then [bed.*]: beds refer to devices by name. */
static int check_beds(struct loader *ld, struct vsd_config *cfg)
{
    size_t nd = count_kind(ld, K_DEVICE), nb = count_kind(ld, K_BED);
    const char *rest;
    int r = 0;

    cfg->devices = calloc(nd ? nd : 1, sizeof(*cfg->devices));
    cfg->beds = calloc(nb ? nb : 1, sizeof(*cfg->beds));
    if (!cfg->devices || !cfg->beds)
        return -ENOMEM;
    for (size_t i = 0; i < ld->n_secs && r >= 0; i++)
        if (classify(ld->secs[i].name, &rest) == K_DEVICE)
            r = vsd_cfg_device(&ld->ctx, &ld->secs[i], rest, &cfg->devices[cfg->n_devices++]);
    for (size_t i = 0; i < ld->n_secs && r >= 0; i++)
        if (classify(ld->secs[i].name, &rest) == K_BED)
            r = vsd_cfg_bed(&ld->ctx, &ld->secs[i], rest, cfg, cfg->n_beds++);
    if (r < 0)
        return r;
    if (nb == 0) {
        vsd_cfg_error(&ld->ctx, 1, "[bed.*]: no bed configured: nothing to monitor");
        return 0;
    }
    for (size_t d = 0; d < cfg->n_devices; d++)
        if (cfg->devices[d].bed == SIZE_MAX)
            vsd_cfg_error(&ld->ctx, cfg->devices[d].line, "[device.%s]: not assigned to any bed",
                          cfg->devices[d].name);
    for (size_t b = 0; b < cfg->n_beds; b++)
        cfg->beds[b].alarm = cfg->alarm;
    return bed_limits(ld, cfg);
}

static int compare_errors(const void *a, const void *b)
{
    const struct vsd_cfg_error *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Move the problems, sorted by line, to DIAG (NULL: drop them). Warnings go only with a file
 * that has no error: errors first, and every line a caller prints is then one to count. */
static int flush_errors(struct vsd_cfg_ctx *ctx, struct vsd_diag *diag)
{
    bool warnings = ctx->n_errors == ctx->n_warnings;
    char **lines;
    size_t n = ctx->n_errors;

    if (!diag || n == 0)
        return 0;
    qsort(ctx->errors, n, sizeof(*ctx->errors), compare_errors);
    lines = realloc(diag->lines, (diag->n + n) * sizeof(*lines));
    if (!lines)
        return -ENOMEM;
    diag->lines = lines;
    for (size_t i = 0; i < n; i++) {
        if (ctx->errors[i].warning && !warnings)
            continue; /* freed with the loader */
        diag->lines[diag->n++] = ctx->errors[i].text;
        diag->n_warnings += ctx->errors[i].warning;
        ctx->errors[i].text = NULL;
    }
    return 0;
}

/* "PATH: cannot read: ERROR" for a file that cannot be opened or read. */
static void file_error(struct vsd_cfg_ctx *ctx, int err)
{
    char text[512];
    struct vsd_cfg_error *e;
    void *p = realloc(ctx->errors, (ctx->n_errors + 1) * sizeof(*ctx->errors));

    if (!p)
        return;
    ctx->errors = p;
    ctx->cap = ctx->n_errors + 1;
    snprintf(text, sizeof(text), "%s: cannot read: %s", ctx->path, strerror(err));
    e = &ctx->errors[ctx->n_errors];
    *e = (struct vsd_cfg_error){.line = 0, .seq = ctx->n_errors, .text = strdup(text)};
    if (e->text)
        ctx->n_errors++;
}

static void loader_free(struct loader *ld)
{
    for (size_t i = 0; i < ld->n_secs; i++) {
        for (size_t j = 0; j < ld->secs[i].n_entries; j++) {
            free(ld->secs[i].entries[j].key);
            free(ld->secs[i].entries[j].value);
        }
        free(ld->secs[i].entries);
        free(ld->secs[i].name);
    }
    free(ld->secs);
    for (size_t i = 0; i < ld->ctx.n_errors; i++)
        free(ld->ctx.errors[i].text);
    free(ld->ctx.errors);
    if (ld->f)
        fclose(ld->f);
}

/* The daemon's own broker credentials: what a client of the daemon must never read. */
static void drop_credentials(struct loader *ld)
{
    static const char *const secret[] = {"username", "password", "password_file",
                                         "tls_cert_file", "tls_key_file"};
    const char *rest;

    for (size_t i = 0; i < ld->n_secs; i++) {
        struct vsd_cfg_section *s = &ld->secs[i];
        size_t kept = 0;

        if (classify(s->name, &rest) != K_MQTT)
            continue;
        for (size_t e = 0; e < s->n_entries; e++) {
            bool drop = false;
            for (size_t k = 0; k < sizeof(secret) / sizeof(secret[0]); k++)
                drop |= strcmp(s->entries[e].key, secret[k]) == 0;
            if (drop) {
                free(s->entries[e].key);
                free(s->entries[e].value);
            } else {
                s->entries[kept++] = s->entries[e];
            }
        }
        s->n_entries = kept;
    }
}

static int load(struct loader *ld, struct vsd_config *cfg)
{
    int r;

    r = parse_file(ld);
    if (r >= 0 && ld->ctx.client)
        drop_credentials(ld);
    if (r >= 0)
        r = check_globals(ld, cfg);
    if (r >= 0)
        r = check_beds(ld, cfg);
    if (r >= 0 && ld->ctx.oom)
        r = -ENOMEM;
    if (r >= 0 && ld->ctx.n_errors > ld->ctx.n_warnings)
        r = -EINVAL;
    return r;
}

static int load_file(const char *path, bool client, struct vsd_config **ret,
                     struct vsd_diag *diag)
{
    struct loader *ld = calloc(1, sizeof(*ld));
    struct vsd_config *cfg = NULL;
    int r;

    if (!ld)
        return -ENOMEM;
    ld->ctx.client = client;
    ld->ctx.path = path;
    ld->cur = NO_SECTION;
    ld->f = fopen(path, "re");
    if (!ld->f) {
        r = -errno;
        file_error(&ld->ctx, -r);
        goto fail;
    }
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg || !(cfg->path = strdup(path))) {
        r = -ENOMEM;
        goto fail;
    }
    r = load(ld, cfg);
    if (r < 0 && ld->read_errno)
        file_error(&ld->ctx, ld->read_errno);
    if (r < 0)
        goto fail;
    *ret = cfg;
    cfg = NULL;
fail:
    if (flush_errors(&ld->ctx, diag) < 0 && r >= 0)
        r = -ENOMEM;
    loader_free(ld);
    free(ld);
    vsd_config_free(cfg);
    return r;
}

int vsd_config_load(const char *path, struct vsd_config **ret, struct vsd_diag *diag)
{
    return load_file(path, false, ret, diag);
}

int vsd_config_load_client(const char *path, struct vsd_config **ret, struct vsd_diag *diag)
{
    return load_file(path, true, ret, diag);
}

void vsd_config_free(struct vsd_config *cfg)
{
    struct vsd_mqtt_config *m;

    if (!cfg)
        return;
    m = &cfg->mqtt;
    for (size_t d = 0; d < cfg->n_devices; d++) {
        for (size_t i = 0; i < cfg->devices[d].n_options; i++) {
            free(cfg->devices[d].options[i].key);
            free(cfg->devices[d].options[i].value);
        }
        free(cfg->devices[d].options);
        free(cfg->devices[d].name);
    }
    free(cfg->devices);
    for (size_t b = 0; b < cfg->n_beds; b++) {
        free(cfg->beds[b].devices);
        free(cfg->beds[b].name);
    }
    free(cfg->beds);
    free(cfg->retention.archive_dir);
    vsd_mqtt_config_clear(m);
    vsd_access_clear(&cfg->access);
    free(cfg->path);
    free(cfg->area);
    free(cfg->database);
    free(cfg->control_socket);
    free(cfg);
}

void vsd_diag_free(struct vsd_diag *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++)
        free(d->lines[i]);
    free(d->lines);
    d->lines = NULL;
    d->n = 0;
    d->n_warnings = 0;
}

int vsd_config_bed_index(const struct vsd_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_beds; i++)
        if (strcmp(cfg->beds[i].name, name) == 0)
            return (int)i;
    return -ENOENT;
}

int vsd_config_device_index(const struct vsd_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_devices; i++)
        if (strcmp(cfg->devices[i].name, name) == 0)
            return (int)i;
    return -ENOENT;
}

#define N_CONFIG_STRINGS 7

/* The string fields of C, which a copy owns. */
static void config_strings(struct vsd_mqtt_config *c, char **out[N_CONFIG_STRINGS])
{
    char **all[N_CONFIG_STRINGS] = {&c->host,        &c->client_id,   &c->username,
                                    &c->password,    &c->tls_ca_file, &c->tls_cert_file,
                                    &c->tls_key_file};

    memcpy(out, all, sizeof(all));
}

void vsd_mqtt_config_clear(struct vsd_mqtt_config *c)
{
    char **s[N_CONFIG_STRINGS];

    if (c->password)
        explicit_bzero(c->password, strlen(c->password));
    config_strings(c, s);
    for (size_t i = 0; i < N_CONFIG_STRINGS; i++)
        free(*s[i]);
    memset(c, 0, sizeof(*c));
}

int vsd_mqtt_config_copy(struct vsd_mqtt_config *dst, const struct vsd_mqtt_config *src)
{
    char **s[N_CONFIG_STRINGS];

    *dst = *src;
    config_strings(dst, s);
    for (size_t i = 0; i < N_CONFIG_STRINGS; i++)
        if (*s[i] && !(*s[i] = strdup(*s[i]))) {
            while (++i < N_CONFIG_STRINGS)
                *s[i] = NULL; /* not copied yet: not ours to free */
            vsd_mqtt_config_clear(dst);
            return -ENOMEM;
        }
    return 0;
}
