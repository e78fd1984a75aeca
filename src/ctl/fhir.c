/* SPDX-License-Identifier: MIT */
/* FHIR R4 NDJSON export: vital-signs Observations built with cJSON, one line per resource. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <vitalsd/vitals.h>

#include "clock.h"
#include "fhir.h"
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

/* One reading as read from the query. */
struct row {
    int64_t id, ts;
    char session[128], bed[128], device[128];
    int vital; /* enum vsd_vital, or negative for a vital this build does not know */
    bool has_value;
    double value;
    unsigned flags;
};

/* The blood-pressure rows of one device at one time: [0] sys, [1] dia, [2] mean. */
struct panel {
    int n;
    struct row part[3];
    bool has[3];
};

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

static void add_coding(cJSON *codings, const char *system, const char *code, const char *display)
{
    cJSON *c = cJSON_CreateObject();

    cJSON_AddStringToObject(c, "system", system);
    cJSON_AddStringToObject(c, "code", code);
    if (display)
        cJSON_AddStringToObject(c, "display", display);
    cJSON_AddItemToArray(codings, c);
}

/* A CodeableConcept: LOINC, then MDC when known, then text. */
static cJSON *concept(const char *loinc, unsigned mdc, const char *text)
{
    cJSON *cc = cJSON_CreateObject(), *codings = cJSON_AddArrayToObject(cc, "coding");
    char num[16];

    add_coding(codings, LOINC, loinc, NULL);
    if (mdc) {
        snprintf(num, sizeof(num), "%u", mdc);
        add_coding(codings, VSD_FHIR_MDC_SYSTEM, num, NULL);
    }
    cJSON_AddStringToObject(cc, "text", text);
    return cc;
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

/* valueQuantity, or dataAbsentReason when there is no value; flags as interpretations. */
static void add_value(cJSON *o, const struct row *r, const struct vsd_vital_info *vi)
{
    static const char *const names[] = {"invalid",       "sensor_off", "artifact", "implausible",
                                        "low_perfusion", "searching",  "apnea"};
    cJSON *q, *interp;

    if (r && r->has_value) {
        q = cJSON_AddObjectToObject(o, "valueQuantity");
        cJSON_AddNumberToObject(q, "value", r->value);
        cJSON_AddStringToObject(q, "unit", vi->unit);
        cJSON_AddStringToObject(q, "system", UCUM);
        cJSON_AddStringToObject(q, "code", vi->ucum);
    } else {
        q = cJSON_AddObjectToObject(o, "dataAbsentReason");
        add_coding(cJSON_AddArrayToObject(q, "coding"), ABSENT, absent_code(r ? r->flags : 0),
                   NULL);
        if (!r)
            cJSON_AddStringToObject(q, "text", "not in this export");
    }
    if (!r || !r->flags)
        return;
    interp = cJSON_AddArrayToObject(o, "interpretation");
    for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(r->flags & (1u << i)))
            continue;
        cJSON *cc = cJSON_CreateObject();
        add_coding(cJSON_AddArrayToObject(cc, "coding"), VSD_FHIR_QUALITY_SYSTEM, names[i], NULL);
        cJSON_AddStringToObject(cc, "text", names[i]);
        cJSON_AddItemToArray(interp, cc);
    }
}

static cJSON *identifier_ref(const char *type, const char *system, const char *value,
                             const char *display)
{
    cJSON *ref = cJSON_CreateObject(), *id;

    cJSON_AddStringToObject(ref, "type", type);
    id = cJSON_AddObjectToObject(ref, "identifier");
    cJSON_AddStringToObject(id, "system", system);
    cJSON_AddStringToObject(id, "value", value);
    if (display)
        cJSON_AddStringToObject(ref, "display", display);
    return ref;
}

/* The parts every Observation shares: profile, status, category, subject, encounter, time,
 * device. */
static cJSON *observation(const struct row *r, const char *profile)
{
    cJSON *o = cJSON_CreateObject(), *meta, *cat, *dev;
    char id[32], iso[40], text[320];

    cJSON_AddStringToObject(o, "resourceType", "Observation");
    snprintf(id, sizeof(id), "vsd-%lld", (long long)r->id);
    cJSON_AddStringToObject(o, "id", id);
    if (profile) {
        meta = cJSON_AddObjectToObject(o, "meta");
        cJSON_AddItemToObject(meta, "profile", cJSON_CreateArray());
        cJSON_AddItemToArray(cJSON_GetObjectItem(meta, "profile"),
                             cJSON_CreateString(PROFILE_BASE "vitalsigns"));
        cJSON_AddItemToArray(cJSON_GetObjectItem(meta, "profile"), cJSON_CreateString(profile));
    }
    cJSON_AddStringToObject(o, "status", "final");
    cat = cJSON_CreateObject();
    add_coding(cJSON_AddArrayToObject(cat, "coding"),
               "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs",
               "Vital Signs");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "category"), cat);
    cJSON_AddItemToObject(o, "code", cJSON_CreateNull()); /* filled by the caller, kept in order */
    if (*r->session) {
        snprintf(text, sizeof(text), "the patient of visit %s (not identified)", r->session);
        cJSON_AddItemToObject(o, "subject",
                              identifier_ref("Patient", VSD_FHIR_SUBJECT_SYSTEM, r->session, text));
        cJSON_AddItemToObject(
            o, "encounter", identifier_ref("Encounter", VSD_FHIR_SESSION_SYSTEM, r->session, NULL));
    } else {
        snprintf(text, sizeof(text), "the patient at bed %s, no visit open (not identified)",
                 r->bed);
        cJSON_AddItemToObject(o, "subject",
                              identifier_ref("Patient", VSD_FHIR_BED_SUBJECT_SYSTEM, r->bed, text));
    }
    vsd_clock_iso8601(r->ts, iso, sizeof(iso));
    cJSON_AddStringToObject(o, "effectiveDateTime", iso);
    snprintf(text, sizeof(text), "monitor %s at bed %s", r->device, *r->bed ? r->bed : "-");
    dev = identifier_ref("Device", VSD_FHIR_DEVICE_SYSTEM, r->device, text);
    cJSON_AddItemToObject(o, "device", dev);
    return o;
}

static int emit(FILE *out, cJSON *o, uint64_t *resources)
{
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;

    cJSON_Delete(o);
    if (!text)
        return -ENOMEM;
    fputs(text, out);
    putc('\n', out);
    free(text);
    ++*resources;
    return 0;
}

/* One Observation for one reading of a known, non-BP vital. */
static int emit_single(FILE *out, const struct row *r, uint64_t *resources)
{
    const struct vsd_vital_info *vi = vsd_vital_info((enum vsd_vital)r->vital);
    cJSON *o = observation(r, profile_of(r->vital));

    cJSON_ReplaceItemInObject(o, "code", concept(vi->loinc, vi->mdc_code, vi->label));
    add_value(o, r, vi);
    return emit(out, o, resources);
}

/* One 85354-9 panel for the rows of P; systolic and diastolic are always present. */
static int emit_panel(FILE *out, struct panel *p, uint64_t *resources)
{
    static const enum vsd_vital slots[3] = {VSD_VITAL_NIBP_SYS, VSD_VITAL_NIBP_DIA,
                                            VSD_VITAL_NIBP_MEAN};
    const struct row *first = NULL;
    cJSON *o, *comps;

    for (int i = 0; i < 3 && !first; i++)
        if (p->has[i])
            first = &p->part[i];
    if (!first)
        return 0;
    o = observation(first, PROFILE_BASE "bp");
    cJSON_ReplaceItemInObject(o, "code", concept(BP_PANEL, 150020, "Blood pressure"));
    comps = cJSON_AddArrayToObject(o, "component");
    for (int i = 0; i < 3; i++) {
        const struct vsd_vital_info *vi = vsd_vital_info(slots[i]);
        cJSON *c;
        if (!p->has[i] && i == 2)
            continue;
        c = cJSON_CreateObject();
        cJSON_AddItemToObject(c, "code", concept(vi->loinc, vi->mdc_code, vi->label));
        add_value(c, p->has[i] ? &p->part[i] : NULL, vi);
        cJSON_AddItemToArray(comps, c);
    }
    memset(p, 0, sizeof(*p));
    return emit(out, o, resources);
}

static void read_row(sqlite3_stmt *st, struct row *r)
{
    const char *vital = (const char *)sqlite3_column_text(st, 5);

    r->id = sqlite3_column_int64(st, 0);
    r->ts = sqlite3_column_int64(st, 1);
    snprintf(r->session, sizeof(r->session), "%s",
             sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
    snprintf(r->bed, sizeof(r->bed), "%s",
             sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "");
    snprintf(r->device, sizeof(r->device), "%s",
             sqlite3_column_text(st, 4) ? (const char *)sqlite3_column_text(st, 4) : "");
    r->vital = vital ? vsd_vital_from_name(vital) : -EINVAL;
    r->has_value = sqlite3_column_type(st, 6) != SQLITE_NULL;
    r->value = sqlite3_column_double(st, 6);
    r->flags = (unsigned)sqlite3_column_int64(st, 7);
}

/* True when R cannot join panel P (another device or time, or a slot taken). */
static bool panel_breaks(const struct panel *p, const struct row *r, int slot)
{
    const struct row *any = p->has[0] ? &p->part[0] : p->has[1] ? &p->part[1] : &p->part[2];

    if (p->n == 0)
        return false;
    return slot < 0 || p->has[slot] || any->ts != r->ts || strcmp(any->device, r->device) != 0 ||
           strcmp(any->session, r->session) != 0;
}

/* Every row of ST as resources; SQLITE_OK at the end, SQLITE_NOMEM if a resource cannot be
 * built. */
static int stream(sqlite3_stmt *st, const struct vsd_export_filter *f, FILE *out,
                  uint64_t *resources, uint64_t *readings)
{
    struct panel *p = calloc(1, sizeof(*p));
    struct row *r = calloc(1, sizeof(*r));
    int rc = SQLITE_NOMEM, slot, e = 0;

    while (p && r && e == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, r);
        if (r->vital < 0)
            continue; /* not a vital this build can code */
        ++*readings;
        slot = bp_slot(r->vital);
        if (panel_breaks(p, r, slot))
            e = emit_panel(out, p, resources);
        if (slot < 0) {
            if (e == 0)
                e = emit_single(out, r, resources);
        } else {
            p->part[slot] = *r;
            p->has[slot] = true;
            p->n++;
        }
        if (*readings % 4096 == 0 && f && f->progress)
            f->progress(f->progress_ctx, *readings);
        if (*readings % 4096 == 0 && ferror(out))
            break;
    }
    if (p && r && e == 0 && (rc == SQLITE_DONE || rc == SQLITE_ROW))
        e = emit_panel(out, p, resources);
    if (e < 0)
        rc = SQLITE_NOMEM;
    free(p);
    free(r);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

struct fhir_job {
    const struct vsd_export_filter *f;
    uint64_t resources, readings;
};

static int fhir_rows(sqlite3 *db, void *ctx, FILE *out)
{
    struct fhir_job *job = ctx;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, fhir_query, -1, &st, NULL);

    if (rc == SQLITE_OK) {
        vsd_export_bind_filter(st, job->f);
        rc = stream(st, job->f, out, &job->resources, &job->readings);
    }
    sqlite3_finalize(st);
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
