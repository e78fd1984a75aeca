/* SPDX-License-Identifier: MIT */
/* Modbus register-map profiles: reading a technician's INI file and checking it, line by line. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include <vitalsd/option.h>
#include <vitalsd/vitals.h>

#include "profile.h"
#include "profile_loader.h"

/* The file format (docs/modbus.md has the technician's version):
 *   [profile]     name, description                       (optional section)
 *   [vital.NAME]  table, address, type, order, scale, offset, sentinel, status
 *                 (etco2 also: unit = mmHg|percent, ambient_mmhg, ambient_address,
 *                 ambient_scale)
 *   [status]      table, address, sensor_off_bit, searching_bit, artifact_bit, low_perfusion_bit
 *   [nibp_stamp]  kind, table, address, type, order
 *   [identity]    table, serial_address, serial_registers, model_address, model_registers
 *                 (profile_identity.c)
 * Addresses are 0-based protocol addresses (decimal or 0x hex). */

/* Record an error; only the first one reaches the caller's buffer. */
void vsd_mbp_fail(struct loader *ld, int line, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (ld->r < 0)
        return;
    ld->r = -EINVAL;
    if (!ld->err || ld->errlen == 0)
        return;
    n = snprintf(ld->err, ld->errlen, "%s:%d: ", ld->path, line);
    if (n < 0 || (size_t)n >= ld->errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(ld->err + n, ld->errlen - (size_t)n, fmt, ap);
    va_end(ap);
}

/* A header line P ("[name]"): a new section, unless it repeats one. */
static void header(struct loader *ld, const char *p)
{
    const char *end = strchr(p, ']');
    size_t len;

    ld->cur = NULL;
    ld->broken = true;
    if (!end)
        return; /* inih reports the syntax error */
    p++;
    p += strspn(p, " \t");
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    len = (size_t)(end - p);
    if (len == 0 || len >= sizeof(ld->secs[0].name)) {
        vsd_mbp_fail(ld, ld->line, "[%.*s]: bad section name", (int)len, p);
        return;
    }
    for (size_t i = 0; i < ld->n_secs; i++) {
        if (strlen(ld->secs[i].name) == len && strncmp(ld->secs[i].name, p, len) == 0) {
            vsd_mbp_fail(ld, ld->line, "[%s]: duplicate section (first at line %d)",
                         ld->secs[i].name, ld->secs[i].line);
            return;
        }
    }
    if (ld->n_secs == MAX_SECTIONS) {
        vsd_mbp_fail(ld, ld->line, "too many sections (at most %d)", MAX_SECTIONS);
        return;
    }
    ld->cur = &ld->secs[ld->n_secs++];
    memcpy(ld->cur->name, p, len);
    ld->cur->name[len] = '\0';
    ld->cur->line = ld->line;
    ld->broken = false;
}

/* inih's reader: one line per call, counted, headers noted before inih sees the keys. */
static char *reader(char *str, int num, void *stream)
{
    struct loader *ld = stream;
    char *p;

    if (!fgets(ld->buf, sizeof(ld->buf), ld->f))
        return NULL;
    ld->line++;
    p = ld->buf;
    if (!strchr(p, '\n') && !feof(ld->f)) {
        int c;

        vsd_mbp_fail(ld, ld->line, "line too long (at most %d characters)", LINE_MAX_LEN);
        while ((c = getc(ld->f)) != EOF && c != '\n')
            ;
        p[0] = '\0';
    }
    p[strcspn(p, "\r\n")] = '\0';
    if (ld->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p += strspn(p, " \t");
    if (*p == '[')
        header(ld, p);
    if (strlen(p) + 2 > (size_t)num)
        p = ""; /* cannot happen with inih's default 200+ byte lines after the check above */
    snprintf(str, (size_t)num, "%s\n", p);
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct loader *ld = user;
    struct entry *e;

    (void)section; /* the reader tracks sections with their lines */
    if (!name || !value)
        return 1;
    if (ld->broken)
        return 1;
    if (!ld->cur) {
        vsd_mbp_fail(ld, ld->line, "%s: outside any section", name);
        return 1;
    }
    if (ld->cur->n == MAX_ENTRIES) {
        vsd_mbp_fail(ld, ld->line, "[%s] %s: too many keys in one section", ld->cur->name, name);
        return 1;
    }
    e = &ld->cur->e[ld->cur->n];
    if (strlen(name) >= sizeof(e->key) || strlen(value) >= sizeof(e->value)) {
        vsd_mbp_fail(ld, ld->line, "[%s] %s: key or value too long", ld->cur->name, name);
        return 1;
    }
    strcpy(e->key, name);
    strcpy(e->value, value);
    e->line = ld->line;
    ld->cur->n++;
    return 1;
}

/* Every key of S must be in ALLOWED (NULL-terminated) and appear once. */
void vsd_mbp_check_keys(struct loader *ld, const struct section *s, const char *const *allowed)
{
    for (size_t i = 0; i < s->n; i++) {
        size_t k = 0;

        while (allowed[k] && strcmp(allowed[k], s->e[i].key) != 0)
            k++;
        if (!allowed[k]) {
            vsd_mbp_fail(ld, s->e[i].line, "[%s] %s: unknown key", s->name, s->e[i].key);
            continue;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(s->e[j].key, s->e[i].key) == 0)
                vsd_mbp_fail(ld, s->e[i].line, "[%s] %s: duplicate key (first at line %d)", s->name,
                             s->e[i].key, s->e[j].line);
    }
}

const struct entry *vsd_mbp_get(const struct section *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->e[i].key, key) == 0)
            return &s->e[i];
    return NULL;
}

/* A register address (and whether it is given at all) from S's "address". */
static int get_address(struct loader *ld, const struct section *s, unsigned regs, uint16_t *ret)
{
    const struct entry *e = vsd_mbp_get(s, "address");
    unsigned long long v;

    if (!e) {
        vsd_mbp_fail(ld, s->line, "[%s] address: missing required key", s->name);
        return -EINVAL;
    }
    if (vsd_mb_parse_uint(e->value, 65535, &v) < 0) {
        vsd_mbp_fail(ld, e->line, "[%s] address: must be a register number 0..65535, got '%s'",
                     s->name, e->value);
        return -EINVAL;
    }
    if (v + regs - 1 > 65535) {
        vsd_mbp_fail(ld, e->line, "[%s] address: %llu + %u registers runs past 65535", s->name, v,
                     regs);
        return -EINVAL;
    }
    *ret = (uint16_t)v;
    return 0;
}

int vsd_mbp_get_table(struct loader *ld, const struct section *s, enum vsd_mb_table *ret)
{
    const struct entry *e = vsd_mbp_get(s, "table");

    *ret = VSD_MB_HOLDING;
    if (!e || strcasecmp(e->value, "holding") == 0)
        return 0;
    if (strcasecmp(e->value, "input") == 0) {
        *ret = VSD_MB_INPUT;
        return 0;
    }
    vsd_mbp_fail(ld, e->line, "[%s] table: must be holding or input, got '%s'", s->name, e->value);
    return -EINVAL;
}

static int get_type(struct loader *ld, const struct section *s, enum vsd_mb_type *ret)
{
    const struct entry *e = vsd_mbp_get(s, "type");

    *ret = VSD_MB_U16;
    if (!e)
        return 0;
    for (int t = VSD_MB_U16; t <= VSD_MB_U8_LOW; t++) {
        if (strcasecmp(e->value, vsd_mb_type_name(t)) == 0) {
            *ret = t;
            return 0;
        }
    }
    vsd_mbp_fail(ld, e->line,
                 "[%s] type: must be u16, i16, u32, i32, f32, u8-high or u8-low, got '%s'", s->name,
                 e->value);
    return -EINVAL;
}

/* The order, checked against TYPE: 16-bit values have no word order, bytes have no byte order. */
static int get_order(struct loader *ld, const struct section *s, enum vsd_mb_type type,
                     enum vsd_mb_order *ret)
{
    const struct entry *e = vsd_mbp_get(s, "order");
    unsigned regs = vsd_mb_type_regs(type);
    bool byte = type == VSD_MB_U8_HIGH || type == VSD_MB_U8_LOW;

    *ret = VSD_MB_ABCD;
    if (!e)
        return 0;
    for (int o = VSD_MB_ABCD; o <= VSD_MB_DCBA; o++)
        if (strcasecmp(e->value, vsd_mb_order_name(o)) == 0)
            *ret = o;
    if (*ret == VSD_MB_ABCD && strcasecmp(e->value, "ABCD") != 0) {
        vsd_mbp_fail(ld, e->line, "[%s] order: must be ABCD, CDAB, BADC or DCBA, got '%s'", s->name,
                     e->value);
        return -EINVAL;
    }
    if (regs == 1 && (*ret == VSD_MB_CDAB || *ret == VSD_MB_DCBA)) {
        vsd_mbp_fail(ld, e->line,
                     "[%s] order: %s is a word order, impossible for the 16-bit type %s", s->name,
                     e->value, vsd_mb_type_name(type));
        return -EINVAL;
    }
    if (byte && *ret != VSD_MB_ABCD) {
        vsd_mbp_fail(ld, e->line, "[%s] order: %s cannot apply to one byte (use u8-high or u8-low)",
                     s->name, e->value);
        return -EINVAL;
    }
    return 0;
}

static int get_double(struct loader *ld, const struct section *s, const char *key, double def,
                      double *ret)
{
    const struct entry *e = vsd_mbp_get(s, key);

    *ret = def;
    if (!e)
        return 0;
    if (vsd_option_parse_double(e->value, ret) < 0 || !isfinite(*ret)) {
        vsd_mbp_fail(ld, e->line, "[%s] %s: must be a number, got '%s'", s->name, key, e->value);
        return -EINVAL;
    }
    return 0;
}

static int get_bool(struct loader *ld, const struct section *s, const char *key, bool def,
                    bool *ret)
{
    const struct entry *e = vsd_mbp_get(s, key);
    int b;

    *ret = def;
    if (!e)
        return 0;
    if (vsd_option_parse_bool(e->value, &b) < 0) {
        vsd_mbp_fail(ld, e->line, "[%s] %s: must be yes or no, got '%s'", s->name, key, e->value);
        return -EINVAL;
    }
    *ret = b != 0;
    return 0;
}

/* "sentinel = 0xFFFF, 0" into F. */
static int get_sentinels(struct loader *ld, const struct section *s, struct vsd_mb_field *f)
{
    const struct entry *e = vsd_mbp_get(s, "sentinel");
    char copy[sizeof(e->value)], *save = NULL;
    double lo, hi;

    if (!e)
        return 0;
    vsd_mb_type_range(f->type, &lo, &hi);
    strcpy(copy, e->value);
    for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        double v;

        if (f->n_sentinels == VSD_MB_MAX_SENTINELS) {
            vsd_mbp_fail(ld, e->line, "[%s] sentinel: at most %d values", s->name,
                         VSD_MB_MAX_SENTINELS);
            return -EINVAL;
        }
        if (vsd_mb_parse_sentinel(tok, f->type, &v) < 0 || v < lo || v > hi || isnan(v)) {
            vsd_mbp_fail(ld, e->line, "[%s] sentinel: '%s' is not a raw %s value", s->name, tok,
                         vsd_mb_type_name(f->type));
            return -EINVAL;
        }
        f->sentinels[f->n_sentinels++] = v;
    }
    return 0;
}

/* unit = percent (etco2): the ambient pressure, fixed (ambient_mmhg) or read from a u16
 * register (ambient_address, ambient_scale). */
static int load_percent(struct loader *ld, const struct section *s, struct vsd_mb_field *f)
{
    const struct entry *unit = vsd_mbp_get(s, "unit"), *fixed = vsd_mbp_get(s, "ambient_mmhg"),
                       *addr = vsd_mbp_get(s, "ambient_address");
    const char *const extra[] = {"ambient_mmhg", "ambient_address", "ambient_scale"};
    unsigned long long a;

    if (!unit || strcasecmp(unit->value, "mmHg") == 0) {
        for (size_t i = 0; i < 3; i++)
            if (vsd_mbp_get(s, extra[i])) {
                vsd_mbp_fail(ld, vsd_mbp_get(s, extra[i])->line,
                             "[%s] %s: only with unit = percent", s->name, extra[i]);
                return -EINVAL;
            }
        return 0;
    }
    if (strcasecmp(unit->value, "percent") != 0 || f->vital != VSD_VITAL_ETCO2) {
        vsd_mbp_fail(ld, unit->line, "[%s] unit: %s", s->name,
                     f->vital == VSD_VITAL_ETCO2
                         ? "expected mmHg or percent"
                         : "only [vital.etco2] takes a unit (percent of the "
                           "ambient pressure)");
        return -EINVAL;
    }
    f->percent = true;
    f->ambient_line = unit->line;
    if (!fixed == !addr) {
        vsd_mbp_fail(ld, unit->line,
                     "[%s] unit: percent needs ambient_mmhg (a fixed pressure) or "
                     "ambient_address (a register), one of them",
                     s->name);
        return -EINVAL;
    }
    if (fixed) {
        if (get_double(ld, s, "ambient_mmhg", 0, &f->ambient_mmhg) < 0)
            return -EINVAL;
        if (f->ambient_mmhg < VSD_MB_AMBIENT_MIN || f->ambient_mmhg > VSD_MB_AMBIENT_MAX) {
            vsd_mbp_fail(ld, fixed->line, "[%s] ambient_mmhg: must be between %g and %g, got %s",
                         s->name, VSD_MB_AMBIENT_MIN, VSD_MB_AMBIENT_MAX, fixed->value);
            return -EINVAL;
        }
        return 0;
    }
    if (vsd_mb_parse_uint(addr->value, 65535, &a) < 0) {
        vsd_mbp_fail(ld, addr->line,
                     "[%s] ambient_address: expected a register address 0-65535, "
                     "got '%s'",
                     s->name, addr->value);
        return -EINVAL;
    }
    f->ambient_reg = true;
    f->ambient_address = (uint16_t)a;
    f->ambient_line = addr->line;
    if (get_double(ld, s, "ambient_scale", 1.0, &f->ambient_scale) < 0)
        return -EINVAL;
    if (!(f->ambient_scale > 0)) {
        vsd_mbp_fail(ld, vsd_mbp_get(s, "ambient_scale")->line,
                     "[%s] ambient_scale: must be above 0", s->name);
        return -EINVAL;
    }
    return 0;
}

/* [vital.NAME] into a new field of P. */
static int load_field(struct loader *ld, const struct section *s, const char *name,
                      struct vsd_mb_profile *p, bool has_status)
{
    static const char *const keys[] = {
        "table",           "address",       "type",   "order", "scale",
        "offset",          "sentinel",      "status", "unit",  "ambient_mmhg",
        "ambient_address", "ambient_scale", NULL};
    struct vsd_mb_field f = {.line = s->line};
    int vital = vsd_vital_from_name(name);
    int r;

    vsd_mbp_check_keys(ld, s, keys);
    if (vital < 0) {
        vsd_mbp_fail(ld, s->line,
                     "[%s]: unknown vital '%s' (hr, pr, spo2, rr, nibp_sys, nibp_dia, "
                     "nibp_mean, etco2)",
                     s->name, name);
        return -EINVAL;
    }
    f.vital = vital;
    r = vsd_mbp_get_table(ld, s, &f.table);
    r = r < 0 ? r : get_type(ld, s, &f.type);
    r = r < 0 ? r : get_order(ld, s, f.type, &f.order);
    r = r < 0 ? r : get_address(ld, s, vsd_mb_type_regs(f.type), &f.address);
    r = r < 0 ? r : get_double(ld, s, "scale", 1.0, &f.scale);
    r = r < 0 ? r : get_double(ld, s, "offset", 0.0, &f.offset);
    r = r < 0 ? r : get_sentinels(ld, s, &f);
    r = r < 0 ? r : get_bool(ld, s, "status", has_status, &f.status_applies);
    r = r < 0 ? r : load_percent(ld, s, &f);
    if (r < 0)
        return r;
    if (f.scale == 0) {
        vsd_mbp_fail(ld, vsd_mbp_get(s, "scale")->line, "[%s] scale: must not be 0", s->name);
        return -EINVAL;
    }
    if (f.status_applies && !has_status) {
        vsd_mbp_fail(ld, vsd_mbp_get(s, "status")->line,
                     "[%s] status: the profile has no [status] section", s->name);
        return -EINVAL;
    }
    p->fields[p->n_fields++] = f;
    return 0;
}

/* A status bit number KEY (0..15), -1 when not written. */
static int get_bit(struct loader *ld, const struct section *s, const char *key, int *ret)
{
    const struct entry *e = vsd_mbp_get(s, key);
    unsigned long long v;

    *ret = -1;
    if (!e)
        return 0;
    if (vsd_mb_parse_uint(e->value, 15, &v) < 0) {
        vsd_mbp_fail(ld, e->line, "[%s] %s: must be a bit number 0..15, got '%s'", s->name, key,
                     e->value);
        return -EINVAL;
    }
    *ret = (int)v;
    return 0;
}

static int load_status(struct loader *ld, const struct section *s, struct vsd_mb_status *st)
{
    static const char *const keys[] = {
        "table", "address", "sensor_off_bit", "searching_bit", "artifact_bit", "low_perfusion_bit",
        NULL};
    int *bits[] = {&st->sensor_off_bit, &st->searching_bit, &st->artifact_bit,
                   &st->low_perfusion_bit};
    int r;

    vsd_mbp_check_keys(ld, s, keys);
    st->line = s->line;
    r = vsd_mbp_get_table(ld, s, &st->table);
    r = r < 0 ? r : get_address(ld, s, 1, &st->address);
    for (size_t i = 0; i < 4 && r >= 0; i++)
        r = get_bit(ld, s, keys[2 + i], bits[i]);
    if (r < 0)
        return r;
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < i; j++) {
            if (*bits[i] >= 0 && *bits[i] == *bits[j]) {
                vsd_mbp_fail(ld, vsd_mbp_get(s, keys[2 + i])->line, "[%s] %s: bit %d is already %s",
                             s->name, keys[2 + i], *bits[i], keys[2 + j]);
                return -EINVAL;
            }
        }
    }
    if (st->sensor_off_bit < 0 && st->searching_bit < 0 && st->artifact_bit < 0 &&
        st->low_perfusion_bit < 0) {
        vsd_mbp_fail(ld, s->line,
                     "[%s]: names no bit (sensor_off_bit, searching_bit, artifact_bit, "
                     "low_perfusion_bit)",
                     s->name);
        return -EINVAL;
    }
    st->present = true;
    return 0;
}

static int load_stamp(struct loader *ld, const struct section *s, struct vsd_mb_stamp *st)
{
    static const char *const keys[] = {"kind", "table", "address", "type", "order", NULL};
    const struct entry *kind = vsd_mbp_get(s, "kind");
    int r;

    vsd_mbp_check_keys(ld, s, keys);
    st->line = s->line;
    if (!kind) {
        vsd_mbp_fail(ld, s->line, "[%s] kind: missing required key", s->name);
        return -EINVAL;
    }
    if (strcasecmp(kind->value, "counter") == 0) {
        st->kind = VSD_MB_STAMP_COUNTER;
    } else if (strcasecmp(kind->value, "time") == 0) {
        st->kind = VSD_MB_STAMP_TIME;
    } else {
        vsd_mbp_fail(ld, kind->line, "[%s] kind: must be counter or time, got '%s'", s->name,
                     kind->value);
        return -EINVAL;
    }
    r = vsd_mbp_get_table(ld, s, &st->table);
    r = r < 0 ? r : get_type(ld, s, &st->type);
    if (r >= 0 && st->type != VSD_MB_U16 && st->type != VSD_MB_U32) {
        vsd_mbp_fail(ld, vsd_mbp_get(s, "type")->line, "[%s] type: a stamp is u16 or u32, got '%s'",
                     s->name, vsd_mbp_get(s, "type")->value);
        return -EINVAL;
    }
    r = r < 0 ? r : get_order(ld, s, st->type, &st->order);
    r = r < 0 ? r : get_address(ld, s, vsd_mb_type_regs(st->type), &st->address);
    return r;
}

static int load_header(struct loader *ld, const struct section *s, struct vsd_mb_profile *p)
{
    static const char *const keys[] = {"name", "description", NULL};
    const struct entry *name = vsd_mbp_get(s, "name");

    vsd_mbp_check_keys(ld, s, keys);
    if (!name)
        return 0;
    if (!name->value[0] || strlen(name->value) >= sizeof(p->name)) {
        vsd_mbp_fail(ld, name->line, "[%s] name: must be 1 to %zu characters", s->name,
                     sizeof(p->name) - 1);
        return -EINVAL;
    }
    strcpy(p->name, name->value);
    return 0;
}

/* What occupies registers: a field, the status or the stamp; bytes = 3 (both), 2 (high), 1. */
struct span {
    char what[24]; /* the section name */
    enum vsd_mb_table table;
    unsigned start, regs, bytes;
    int line;
    const char *key; /* the key giving START; NULL: "address" */
};

static size_t spans_of(const struct vsd_mb_profile *p, struct span *out)
{
    size_t n = 0;

    for (size_t i = 0; i < p->n_fields; i++) {
        const struct vsd_mb_field *f = &p->fields[i];
        unsigned bytes = f->type == VSD_MB_U8_HIGH ? 2 : f->type == VSD_MB_U8_LOW ? 1 : 3;

        out[n] = (struct span){"",    f->table, f->address, vsd_mb_type_regs(f->type),
                               bytes, f->line,  NULL};
        snprintf(out[n++].what, sizeof(out[0].what), "vital.%s", vsd_vital_info(f->vital)->name);
        if (f->ambient_reg) {
            out[n] = (struct span){"", f->table, f->ambient_address, 1, 3, f->ambient_line, NULL};
            snprintf(out[n++].what, sizeof(out[0].what), "vital.%s ambient",
                     vsd_vital_info(f->vital)->name);
        }
    }
    if (p->status.present)
        out[n++] =
            (struct span){"status", p->status.table, p->status.address, 1, 3, p->status.line, NULL};
    if (p->identity.serial.regs)
        out[n++] = (struct span){"identity",
                                 p->identity.table,
                                 p->identity.serial.address,
                                 p->identity.serial.regs,
                                 3,
                                 p->identity.serial.line,
                                 "serial_address"};
    if (p->identity.model.regs)
        out[n++] = (struct span){"identity",
                                 p->identity.table,
                                 p->identity.model.address,
                                 p->identity.model.regs,
                                 3,
                                 p->identity.model.line,
                                 "model_address"};
    if (p->nibp_stamp.kind != VSD_MB_STAMP_NONE)
        out[n++] = (struct span){"nibp_stamp",
                                 p->nibp_stamp.table,
                                 p->nibp_stamp.address,
                                 vsd_mb_type_regs(p->nibp_stamp.type),
                                 3,
                                 p->nibp_stamp.line,
                                 NULL};
    return n;
}

static void check_overlaps(struct loader *ld, const struct vsd_mb_profile *p)
{
    struct span sp[2 * VSD_VITAL_COUNT + 4];
    size_t n = spans_of(p, sp);

    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            const struct span *a = &sp[j], *b = &sp[i];

            if (a->table != b->table || a->start + a->regs <= b->start ||
                b->start + b->regs <= a->start)
                continue;
            if (a->regs == 1 && b->regs == 1 && !(a->bytes & b->bytes))
                continue; /* the two bytes of one register */
            vsd_mbp_fail(ld, b->line, "[%s] %s: registers %u-%u overlap [%s] (line %d)", b->what,
                         b->key ? b->key : "address", b->start, b->start + b->regs - 1, a->what,
                         a->line);
        }
    }
}

/* The sections into P, in file order, then the checks across sections. */
static void load_sections(struct loader *ld, struct vsd_mb_profile *p)
{
    const struct section *status = NULL, *stamp = NULL;
    bool nibp = false;

    for (size_t i = 0; i < ld->n_secs; i++) {
        const struct section *s = &ld->secs[i];

        if (strcmp(s->name, "profile") == 0)
            load_header(ld, s, p);
        else if (strcmp(s->name, "status") == 0)
            load_status(ld, status = s, &p->status);
        else if (strcmp(s->name, "nibp_stamp") == 0)
            load_stamp(ld, stamp = s, &p->nibp_stamp);
        else if (strcmp(s->name, "identity") == 0)
            vsd_mbp_load_identity(ld, s, &p->identity);
        else if (strncmp(s->name, "vital.", 6) != 0)
            vsd_mbp_fail(ld, s->line,
                         "[%s]: unknown section (profile, vital.NAME, status, "
                         "nibp_stamp, identity)",
                         s->name);
    }
    for (size_t i = 0; i < ld->n_secs; i++)
        if (strncmp(ld->secs[i].name, "vital.", 6) == 0)
            load_field(ld, &ld->secs[i], ld->secs[i].name + 6, p, status != NULL);
    for (size_t i = 0; i < p->n_fields; i++)
        nibp |= p->fields[i].vital == VSD_VITAL_NIBP_SYS ||
                p->fields[i].vital == VSD_VITAL_NIBP_DIA ||
                p->fields[i].vital == VSD_VITAL_NIBP_MEAN;
    if (stamp && !nibp)
        vsd_mbp_fail(ld, stamp->line,
                     "[nibp_stamp]: the profile reads no nibp_sys, nibp_dia or "
                     "nibp_mean");
    if (p->n_fields == 0)
        vsd_mbp_fail(ld, ld->line > 0 ? ld->line : 1, "no [vital.NAME] section: nothing to read");
    if (ld->r == 0)
        check_overlaps(ld, p);
}

/* The file's name without directory and ".conf", as the default profile name. */
static void default_name(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(base);

    if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
        len -= 5;
    snprintf(out, size, "%.*s", (int)len, base);
}

int vsd_mb_profile_load(const char *path, struct vsd_mb_profile *p, char *err, size_t errlen)
{
    struct loader ld = {.path = path, .err = err, .errlen = errlen};
    int r;

    if (err && errlen)
        err[0] = '\0';
    memset(p, 0, sizeof(*p));
    if (strlen(path) >= sizeof(p->path)) {
        snprintf(err, errlen, "%s: path too long", path);
        return -ENAMETOOLONG;
    }
    ld.f = fopen(path, "r");
    if (!ld.f) {
        r = -errno;
        if (r == -ENOENT) /* say where a name is looked for: the fix is often there */
            snprintf(err, errlen,
                     "%s: cannot open: %s (a profile name is looked for in the profile "
                     "directory, /etc/vitalsd/profiles or else $VITALSD_PROFILE_DIR when set; "
                     "or write the file's absolute path)",
                     path, strerror(ENOENT));
        else
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return r;
    }
    ld.secs = calloc(MAX_SECTIONS, sizeof(*ld.secs));
    r = ld.secs ? ini_parse_stream(reader, &ld, handler, &ld) : -2;
    if (r == -2) {
        ld.r = -ENOMEM;
        snprintf(err, errlen, "%s: out of memory", path);
    } else if (r > 0) {
        vsd_mbp_fail(&ld, r, "syntax error (expected [section] or key = value)");
    } else if (ferror(ld.f)) {
        vsd_mbp_fail(&ld, ld.line, "read error");
    }
    strcpy(p->path, path);
    default_name(path, p->name, sizeof(p->name));
    if (ld.r == 0)
        load_sections(&ld, p);
    fclose(ld.f);
    free(ld.secs);
    if (ld.r < 0)
        memset(p, 0, sizeof(*p));
    return ld.r;
}
