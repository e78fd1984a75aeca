/* SPDX-License-Identifier: MIT */
/* The compiled-in driver table: adding a driver is one line here and its folder. */
#include <string.h>

#include "registry.h"

extern const struct vsd_driver vsd_driver_sim;

static const struct vsd_driver *const drivers[] = {
    &vsd_driver_sim,
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
