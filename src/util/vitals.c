/* SPDX-License-Identifier: MIT */
/* The one table of vital signs: names, IEEE 11073 and LOINC codes, units, plausible ranges. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vitalsd/vitals.h>

/* Plausible ranges are physical limits of what a monitor can mean, not alarm
 * limits: a value outside them is stored flagged, never hidden. */
static const struct vsd_vital_info vitals[VSD_VITAL_COUNT] = {
    {VSD_VITAL_HR, "hr", "HR", "8867-4", 147842, "/min", "bpm", 264864, 15, 300},
    {VSD_VITAL_PR, "pr", "Pulse", "8867-4", 149530, "/min", "bpm", 264864, 15, 300},
    {VSD_VITAL_SPO2, "spo2", "SpO2", "2708-6", 150456, "%", "%", 262688, 40, 100},
    {VSD_VITAL_NIBP_SYS, "nibp_sys", "NIBP sys", "8480-6", 150021, "mm[Hg]", "mmHg", 266016, 40,
     300},
    {VSD_VITAL_NIBP_DIA, "nibp_dia", "NIBP dia", "8462-4", 150022, "mm[Hg]", "mmHg", 266016, 15,
     200},
    {VSD_VITAL_NIBP_MEAN, "nibp_mean", "NIBP mean", "8478-0", 150023, "mm[Hg]", "mmHg", 266016, 20,
     250},
    {VSD_VITAL_RR, "rr", "Resp", "9279-1", 151562, "/min", "/min", 264928, 0, 120},
    /* End-tidal CO2: LOINC 19891-1 "Carbon dioxide [Partial pressure] in Exhaled gas --at end
     * expiration" (https://loinc.org/19891-1); IEEE 11073-10101 151708 = partition 2 (SCADA)
     * x 65536 + term 20636, MDC_AWAY_CO2_ET (RefID MDC_CONC_AWAY_CO2_ET in the NIST RTMMS
     * nomenclature service); the two are paired with UCUM mm[Hg] in the Medizininformatik-
     * Initiative core data set's ICU module (profile "Endexpiratorischer
     * Kohlendioxidpartialdruck"). 0 is a value (no CO2 sampled: apnea, a disconnected line). */
    {VSD_VITAL_ETCO2, "etco2", "EtCO2", "19891-1", 151708, "mm[Hg]", "mmHg", 266016, 0, 150},
};

const struct vsd_vital_info *vsd_vital_info(enum vsd_vital vital)
{
    if ((unsigned)vital >= VSD_VITAL_COUNT)
        return NULL;
    return &vitals[vital];
}

int vsd_vital_from_name(const char *name)
{
    for (int i = 0; i < VSD_VITAL_COUNT; i++)
        if (strcmp(vitals[i].name, name) == 0)
            return i;
    return -EINVAL;
}

const char *vsd_quality_name(unsigned bit)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{VSD_Q_INVALID, "invalid"},
                 {VSD_Q_SENSOR_OFF, "sensor_off"},
                 {VSD_Q_ARTIFACT, "artifact"},
                 {VSD_Q_IMPLAUSIBLE, "implausible"},
                 {VSD_Q_LOW_PERFUSION, "low_perfusion"},
                 {VSD_Q_SEARCHING, "searching"},
                 {VSD_Q_APNEA, "apnea"},
                 {VSD_Q_WRONG_DEVICE, "wrong_device"}};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].bit == bit)
            return names[i].name;
    return NULL;
}

void vsd_quality_text(unsigned flags, char *buf, unsigned size)
{
    size_t used = 0;

    if (size == 0)
        return;
    buf[0] = '\0';
    for (unsigned i = 0; i < 32; i++) {
        const char *name = vsd_quality_name(1u << i);

        if (!(flags & (1u << i)) || !name)
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", name);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}
