/* SPDX-License-Identifier: MIT */
/* Readings as FHIR R4 NDJSON: one vital-signs Observation per reading, blood pressure as a panel.
 */
#ifndef VSD_FHIR_H
#define VSD_FHIR_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "export.h"

/* Identifier systems of the export (documented in docs/auditors.md). */
#define VSD_FHIR_SESSION_SYSTEM "urn:vitalsd:session"
#define VSD_FHIR_SUBJECT_SYSTEM "urn:vitalsd:session-subject"
#define VSD_FHIR_BED_SUBJECT_SYSTEM "urn:vitalsd:bed-subject"
#define VSD_FHIR_DEVICE_SYSTEM "urn:vitalsd:device"
#define VSD_FHIR_QUALITY_SYSTEM "urn:vitalsd:quality"
#define VSD_FHIR_MDC_SYSTEM "urn:iso:std:iso:11073:10101"

/* Write the readings matching F (may be NULL) to OUT as FHIR R4 NDJSON, one
 * Observation per line, in one read transaction (the caller's, if open),
 * ordered by time, streamed in constant memory. Each Observation follows the
 * vital-signs profile (and heartrate, oxygensat, resprate or bp where one
 * applies): category vital-signs, the LOINC code then the IEEE 11073 MDC code,
 * UCUM units, effectiveDateTime, no patient identity. The subject is an
 * identifier-only Patient reference standing for "the patient of visit S"
 * (system VSD_FHIR_SUBJECT_SYSTEM, value the session id; for readings outside
 * any session, VSD_FHIR_BED_SUBJECT_SYSTEM and the bed); the encounter is an
 * identifier-only reference with the session id. nibp_sys, nibp_dia and
 * nibp_mean rows of one device at one time become one 85354-9 panel with a
 * component each (a missing systolic or diastolic is a component with
 * dataAbsentReason "unknown"). A reading without a value has a
 * dataAbsentReason from its flags; quality flags are interpretations in
 * VSD_FHIR_QUALITY_SYSTEM. Sets *RESOURCES and *READINGS (may be NULL).
 * Returns 0 or negative errno with ERR set. */
int vsd_export_fhir(sqlite3 *db, const struct vsd_export_filter *f, FILE *out, uint64_t *resources,
                    uint64_t *readings, char *err, size_t errlen);

#endif
