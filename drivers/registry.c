/* SPDX-License-Identifier: MIT */
/* The compiled-in driver table: adding a driver is one line here and its folder. */
#include <string.h>

#include "registry.h"

extern const struct vsd_driver vsd_driver_sim;
extern const struct vsd_driver vsd_driver_nonin;
extern const struct vsd_driver vsd_driver_masimo;
extern const struct vsd_driver vsd_driver_ge_s5;
extern const struct vsd_driver vsd_driver_modbus_tcp;
extern const struct vsd_driver vsd_driver_modbus_rtu;
extern const struct vsd_driver vsd_driver_contec; /* Contec CMS50D+ / CMS50E */
extern const struct vsd_driver vsd_driver_accutorr;
extern const struct vsd_driver vsd_driver_nellcor;
extern const struct vsd_driver vsd_driver_intellivue; /* Philips IntelliVue MIB/RS232 */

static const struct vsd_driver *const drivers[] = {
    &vsd_driver_sim,
    &vsd_driver_nonin,
    &vsd_driver_masimo,
    &vsd_driver_ge_s5,
    &vsd_driver_modbus_tcp,
    &vsd_driver_modbus_rtu,
    &vsd_driver_contec,
    &vsd_driver_accutorr,
    &vsd_driver_nellcor,
    &vsd_driver_intellivue,
};

const struct vsd_driver *vsd_registry_find(const char *name)
{
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++)
        if (strcmp(drivers[i]->name, name) == 0)
            return drivers[i];
    return NULL;
}

const struct vsd_driver *vsd_registry_at(size_t i)
{
    return i < sizeof(drivers) / sizeof(drivers[0]) ? drivers[i] : NULL;
}
