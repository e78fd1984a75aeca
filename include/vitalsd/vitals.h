/* SPDX-License-Identifier: MIT */
/* The one table of vital signs: names, codes, units and plausible ranges. */
#ifndef VITALSD_VITALS_H
#define VITALSD_VITALS_H

#include <vitalsd/reading.h>

struct vsd_vital_info {
    enum vsd_vital vital;
    const char *name;     /* configuration and export name: "spo2" */
    const char *label;    /* for people: "SpO2" */
    const char *loinc;    /* LOINC code for FHIR */
    unsigned mdc_code;    /* IEEE 11073-10101 MDC code */
    const char *ucum;     /* UCUM unit: "%", "/min", "mm[Hg]" */
    const char *unit;     /* unit for people: "%", "bpm", "mmHg", "/min" */
    unsigned mdc_unit;    /* MDC unit code */
    double plausible_min; /* values outside [min, max] are flagged implausible */
    double plausible_max;
};

/* Info for VITAL; NULL when out of range. */
const struct vsd_vital_info *vsd_vital_info(enum vsd_vital vital);
/* Look up by configuration name; returns the vital or -EINVAL. */
int vsd_vital_from_name(const char *name);
/* The stable name of one quality flag BIT ("sensor_off"), NULL for a bit without one. */
const char *vsd_quality_name(unsigned bit);
/* Quality flags as a stable, '|'-separated text ("sensor_off|invalid"), "" for none. */
void vsd_quality_text(unsigned flags, char *buf, unsigned size);

#endif
