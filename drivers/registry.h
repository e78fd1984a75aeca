/* SPDX-License-Identifier: MIT */
/* The compiled-in table of device drivers. */
#ifndef VSD_REGISTRY_H
#define VSD_REGISTRY_H

#include <stddef.h>

#include <vitalsd/driver.h>

/* The driver called NAME, NULL when there is none. */
const struct vsd_driver *vsd_registry_find(const char *name);
/* The I-th driver (for listing), NULL past the end. */
const struct vsd_driver *vsd_registry_at(size_t i);

#endif
