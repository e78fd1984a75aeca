/* SPDX-License-Identifier: MIT */
/* FHIR R4 NDJSON export: vital-signs Observations, one line per resource, written as JSON text
 * straight into one output buffer (no tree per row: building one was 80 % of the export's time). */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/vitals.h>

#include "fhir.h"
#include "obuf.h"
#include "store_schema.h"

#define PROFILE_BASE "http://hl7.org/fhir/StructureDefinition/"
#define LOINC "http://loinc.org"
#define UCUM "http://unitsofmeasure.org"
#define ABSENT "http://terminology.hl7.org/CodeSystem/data-absent-reason"
#define BP_PANEL "85354-9"

/* nibp rows sort last within one device and time, so that a panel's rows are adjacent. */
static const char fhir_query[] =
    "SELECT id, ts_ms, session_id, bed, device, vital, value, flags FROM readings "
    "WHERE (?1 IS NULL OR session_id = ?1) AND (?2 IS NULL OR bed = ?2) "
    "AND (?3 = 0 OR ts_ms >= ?3) AND (?4 = 0 OR ts_ms < ?4) AND (?5 IS NULL OR vital = ?5) "
    "ORDER BY ts_ms, device, vital GLOB 'nibp_*', id";

/* One reading: the current row of the query (its texts valid until the next step), or a panel's
 * copy of one. Texts are "" for NULL. */
struct row {
    int64_t id, ts;
    const char *session, *bed, *device;
    int vital; /* enum vsd_vital, or negative for a vital this build does not know */
    bool has_value;
    double value;
    unsigned flags;
};

/* A row kept for a panel, with its own copy of the texts. */
struct kept {
    struct row r;
    char *text;
    size_t cap;
};

/* The blood-pressure rows of one device at one time: [0] sys, [1] dia, [2] mean. */
struct panel {
    int n;
    bool has[3];
    struct kept part[3];
};

/* One export's output: resources are written as JSON text straight into the buffer. */
struct fhir_out {
    struct vsd_obuf b;
    struct vsd_obuf_time time;
    struct panel p;
    uint64_t resources;
    char buf[VSD_OBUF_SIZE];
};

#define LIT(b, s) VSD_OBUF_LIT(b, s)

static const char *profile_of(int vital)
{
    switch (vital) {
    case VSD_VITAL_HR:
    case VSD_VITAL_PR:
        return PROFILE_BASE "heartrate";
    case VSD_VITAL_SPO2:
        return PROFILE_BASE "oxygensat";
    case VSD_VITAL_RR:
        return PROFILE_BASE "resprate";
    case VSD_VITAL_ETCO2: /* not one of the profile's vital signs: claims no profile */
        return NULL;
    default:
        return PROFILE_BASE "bp";
    }
}

static int bp_slot(int vital)
{
    return vital == VSD_VITAL_NIBP_SYS    ? 0
           : vital == VSD_VITAL_NIBP_DIA  ? 1
           : vital == VSD_VITAL_NIBP_MEAN ? 2
                                          : -1;
}

/* "S", escaped. */
static void put_string(struct vsd_obuf *b, const char *s)
{
    vsd_obuf_putc(b, '"');
    vsd_obuf_json_text(b, s);
    vsd_obuf_putc(b, '"');
}

/* A CodeableConcept: LOINC, then MDC when known, then text. */
static void put_concept(struct vsd_obuf *b, const char *loinc, unsigned mdc, const char *text)
{
    LIT(b, "{\"coding\":[{\"system\":\"" LOINC "\",\"code\":");
    put_string(b, loinc);
    if (mdc) {
        LIT(b, "},{\"system\":\"" VSD_FHIR_MDC_SYSTEM "\",\"code\":\"");
        vsd_obuf_int(b, mdc);
        vsd_obuf_putc(b, '"');
    }
    LIT(b, "}],\"text\":");
    put_string(b, text);
    vsd_obuf_putc(b, '}');
}

static const char *absent_code(unsigned flags)
{
    if (flags & VSD_Q_SENSOR_OFF)
        return "not-performed";
    if (flags & VSD_Q_SEARCHING)
        return "temp-unknown";
    if (flags & VSD_Q_INVALID)
        return "error";
    return "unknown";
}

/* Quality flags as interpretations (an empty list for flags this build does not name). */
static void put_interpretation(struct vsd_obuf *b, unsigned flags)
{
    bool first = true;

    LIT(b, ",\"interpretation\":[");
    for (unsigned i = 0; i < 32; i++) {
        const char *name = vsd_quality_name(1u << i);

        if (!(flags & (1u << i)) || !name)
            continue;
        if (!first)
            vsd_obuf_putc(b, ',');
        first = false;
        LIT(b, "{\"coding\":[{\"system\":\"" VSD_FHIR_QUALITY_SYSTEM "\",\"code\":\"");
        vsd_obuf_puts(b, name);
        LIT(b, "\"}],\"text\":\"");
        vsd_obuf_puts(b, name);
        LIT(b, "\"}");
    }
    vsd_obuf_putc(b, ']');
}

/* valueQuantity, or dataAbsentReason when there is no value; flags as interpretations.
 * -ENOMEM when the value cannot be printed, else 0. */
static int put_value(struct vsd_obuf *b, const struct row *r, const struct vsd_vital_info *vi)
{
    int e = 0;

    if (r && r->has_value) {
        LIT(b, ",\"valueQuantity\":{\"value\":");
        e = vsd_obuf_json_number(b, r->value);
        LIT(b, ",\"unit\":");
        put_string(b, vi->unit);
        LIT(b, ",\"system\":\"" UCUM "\",\"code\":");
        put_string(b, vi->ucum);
        vsd_obuf_putc(b, '}');
    } else {
        LIT(b, ",\"dataAbsentReason\":{\"coding\":[{\"system\":\"" ABSENT "\",\"code\":\"");
        vsd_obuf_puts(b, absent_code(r ? r->flags : 0));
        LIT(b, "\"}]");
        if (!r)
            LIT(b, ",\"text\":\"not in this export\"");
        vsd_obuf_putc(b, '}');
    }
    if (r && r->flags)
        put_interpretation(b, r->flags);
    return e;
}

/* What every Observation starts with, up to its code: id, profile, status, category. */
static void put_head(struct vsd_obuf *b, const struct row *r, const char *profile)
{
    LIT(b, "{\"resourceType\":\"Observation\",\"id\":\"vsd-");
    vsd_obuf_int(b, r->id);
    vsd_obuf_putc(b, '"');
    if (profile) {
        LIT(b, ",\"meta\":{\"profile\":[\"" PROFILE_BASE "vitalsigns\",\"");
        vsd_obuf_puts(b, profile);
        LIT(b, "\"]}");
    }
    LIT(b, ",\"status\":\"final\",\"category\":[{\"coding\":[{\"system\":"
           "\"http://terminology.hl7.org/CodeSystem/observation-category\","
           "\"code\":\"vital-signs\",\"display\":\"Vital Signs\"}]}],\"code\":");
}

/* What follows the code: subject, encounter, time, device (identifier-only references). */
static void put_context(struct fhir_out *o, const struct row *r)
{
    struct vsd_obuf *b = &o->b;

    if (*r->session) {
        LIT(b, ",\"subject\":{\"type\":\"Patient\",\"identifier\":{\"system\":"
               "\"" VSD_FHIR_SUBJECT_SYSTEM "\",\"value\":\"");
        vsd_obuf_json_text(b, r->session);
        LIT(b, "\"},\"display\":\"the patient of visit ");
        vsd_obuf_json_text(b, r->session);
        LIT(b, " (not identified)\"},\"encounter\":{\"type\":\"Encounter\",\"identifier\":"
               "{\"system\":\"" VSD_FHIR_SESSION_SYSTEM "\",\"value\":\"");
        vsd_obuf_json_text(b, r->session);
        LIT(b, "\"}}");
    } else {
        LIT(b, ",\"subject\":{\"type\":\"Patient\",\"identifier\":{\"system\":"
               "\"" VSD_FHIR_BED_SUBJECT_SYSTEM "\",\"value\":\"");
        vsd_obuf_json_text(b, r->bed);
        LIT(b, "\"},\"display\":\"the patient at bed ");
        vsd_obuf_json_text(b, r->bed);
        LIT(b, ", no visit open (not identified)\"}");
    }
    LIT(b, ",\"effectiveDateTime\":\"");
    vsd_obuf_time(b, &o->time, r->ts);
    LIT(b, "\",\"device\":{\"type\":\"Device\",\"identifier\":{\"system\":\"" VSD_FHIR_DEVICE_SYSTEM
           "\",\"value\":\"");
    vsd_obuf_json_text(b, r->device);
    LIT(b, "\"},\"display\":\"monitor ");
    vsd_obuf_json_text(b, r->device);
    LIT(b, " at bed ");
    vsd_obuf_json_text(b, *r->bed ? r->bed : "-");
    LIT(b, "\"}");
}

/* One Observation for one reading of a known, non-BP vital. */
static int emit_single(struct fhir_out *o, const struct row *r)
{
    const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)r->vital);
    int e;

    put_head(&o->b, r, profile_of(r->vital));
    put_concept(&o->b, vi->loinc, vi->mdc_code, vi->label);
    put_context(o, r);
    e = put_value(&o->b, r, vi);
    LIT(&o->b, "}\n");
    o->resources++;
    return e;
}

/* One 85354-9 panel for the rows of P; systolic and diastolic are always present. */
static int emit_panel(struct fhir_out *o)
{
    static const enum vsd_vital slots[3] = {VSD_VITAL_NIBP_SYS, VSD_VITAL_NIBP_DIA,
                                            VSD_VITAL_NIBP_MEAN};
    struct panel *p = &o->p;
    struct vsd_obuf *b = &o->b;
    const struct row *first = NULL;
    int e = 0;

    for (int i = 0; i < 3 && !first; i++)
        if (p->has[i])
            first = &p->part[i].r;
    if (!first)
        return 0;
    put_head(b, first, PROFILE_BASE "bp");
    put_concept(b, BP_PANEL, 150020, "Blood pressure");
    put_context(o, first);
    LIT(b, ",\"component\":[");
    for (int i = 0; i < 3; i++) {
        const struct vsd_vital_info *vi = vsd_vital_info(slots[i]);
        if (!p->has[i] && i == 2)
            continue;
        if (i)
            vsd_obuf_putc(b, ',');
        LIT(b, "{\"code\":");
        put_concept(b, vi->loinc, vi->mdc_code, vi->label);
        e |= put_value(b, p->has[i] ? &p->part[i].r : NULL, vi);
        vsd_obuf_putc(b, '}');
    }
    LIT(b, "]}\n");
    p->n = 0;
    memset(p->has, 0, sizeof(p->has));
    o->resources++;
    return e;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);

    return s ? s : "";
}

static void read_row(sqlite3_stmt *st, struct row *r)
{
    const char *vital = (const char *)sqlite3_column_text(st, 5);

    r->id = sqlite3_column_int64(st, 0);
    r->ts = sqlite3_column_int64(st, 1);
    r->session = column_text(st, 2);
    r->bed = column_text(st, 3);
    r->device = column_text(st, 4);
    r->vital = vital ? vsd_vital_from_name(vital) : -EINVAL;
    r->has_value = sqlite3_column_type(st, 6) != SQLITE_NULL;
    r->value = sqlite3_column_double(st, 6);
    r->flags = (unsigned)sqlite3_column_int64(st, 7);
}

/* R into slot SLOT of P, its texts copied (the statement's are gone at the next step). */
static int keep(struct panel *p, int slot, const struct row *r)
{
    struct kept *k = &p->part[slot];
    size_t ls = strlen(r->session) + 1, lb = strlen(r->bed) + 1, ld = strlen(r->device) + 1;
    char *t;

    if (ls + lb + ld > k->cap) {
        if (!(t = realloc(k->text, ls + lb + ld)))
            return -ENOMEM;
        k->text = t;
        k->cap = ls + lb + ld;
    }
    k->r = *r;
    k->r.session = memcpy(k->text, r->session, ls);
    k->r.bed = memcpy(k->text + ls, r->bed, lb);
    k->r.device = memcpy(k->text + ls + lb, r->device, ld);
    p->has[slot] = true;
    p->n++;
    return 0;
}

/* True when R cannot join panel P (another device or time, or a slot taken). */
static bool panel_breaks(const struct panel *p, const struct row *r, int slot)
{
    const struct row *any = &p->part[p->has[0] ? 0 : p->has[1] ? 1 : 2].r;

    if (p->n == 0)
        return false;
    return slot < 0 || p->has[slot] || any->ts != r->ts || strcmp(any->device, r->device) != 0 ||
           strcmp(any->session, r->session) != 0;
}

/* Every row of ST as resources; SQLITE_OK at the end, SQLITE_NOMEM if a resource cannot be
 * written. */
static int stream(sqlite3_stmt *st, const struct vsd_export_filter *f, struct fhir_out *o,
                  uint64_t *readings)
{
    struct row r;
    int rc = SQLITE_DONE, slot, e = 0;

    while (e == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &r);
        if (r.vital < 0)
            continue; /* not a vital this build can code */
        ++*readings;
        slot = bp_slot(r.vital);
        if (panel_breaks(&o->p, &r, slot))
            e = emit_panel(o);
        if (e == 0)
            e = slot < 0 ? emit_single(o, &r) : keep(&o->p, slot, &r);
        if (*readings % 4096 == 0 && f && f->progress)
            f->progress(f->progress_ctx, *readings);
        if (*readings % 4096 == 0 && ferror(o->b.out))
            break;
    }
    if (e == 0 && (rc == SQLITE_DONE || rc == SQLITE_ROW))
        e = emit_panel(o);
    vsd_obuf_flush(&o->b);
    if (e < 0)
        rc = SQLITE_NOMEM;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

struct fhir_job {
    const struct vsd_export_filter *f;
    uint64_t resources, readings;
};

static int fhir_rows(sqlite3 *db, void *ctx, FILE *out)
{
    struct fhir_job *job = ctx;
    struct fhir_out *o = calloc(1, sizeof(*o));
    sqlite3_stmt *st = NULL;
    int rc = o ? sqlite3_prepare_v2(db, fhir_query, -1, &st, NULL) : SQLITE_NOMEM;

    if (rc == SQLITE_OK) {
        vsd_obuf_init(&o->b, out, o->buf, sizeof(o->buf));
        o->time = (struct vsd_obuf_time)VSD_OBUF_TIME_INIT;
        vsd_export_bind_filter(st, job->f);
        rc = stream(st, job->f, o, &job->readings);
        job->resources = o->resources;
    }
    sqlite3_finalize(st);
    for (int i = 0; o && i < 3; i++)
        free(o->p.part[i].text);
    free(o);
    return rc;
}

int vsd_export_fhir(sqlite3 *db, const struct vsd_export_filter *f, FILE *out, uint64_t *resources,
                    uint64_t *readings, char *err, size_t errlen)
{
    struct fhir_job job = {f, 0, 0};
    int r = vsd_export_snapshot(db, "readings", fhir_rows, &job, out, err, errlen);

    if (r == 0 && resources)
        *resources = job.resources;
    if (r == 0 && readings)
        *readings = job.readings;
    return r;
}
