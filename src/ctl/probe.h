/* SPDX-License-Identifier: MIT */
/* `vitalsctl probe`: read one Modbus device once and show its registers decoded every way. */
#ifndef VSD_CTL_PROBE_H
#define VSD_CTL_PROBE_H

#include <stddef.h>
#include <stdio.h>

#define VSD_PROBE_ANSWERED 0
#define VSD_PROBE_NO_ANSWER 1
#define VSD_PROBE_USAGE 78

/* Run "probe ARGS" (ARGV[0] is the first argument after "probe"): either DEVICE, a device of the
 * configuration at CONFIG_PATH (any driver), or --driver modbus-tcp|modbus-rtu and its settings. Prints to
 * OUT, errors to stderr. Returns VSD_PROBE_ANSWERED, VSD_PROBE_NO_ANSWER or VSD_PROBE_USAGE. */
int vsd_probe_run(const char *config_path, int argc, char **argv, FILE *out);

/* probe_driver.c: probe configured device number INDEX (CFG) through its driver, for drivers
 * other than Modbus: a few exchanges in words and the identity it reported. Returns
 * VSD_PROBE_ANSWERED (readings came) or VSD_PROBE_NO_ANSWER. */
struct vsd_device_config;
int vsd_probe_driver(FILE *out, const struct vsd_device_config *cfg, size_t index);

/* The usage lines of probe, for vitalsctl's help. */
void vsd_probe_usage(FILE *out);

#endif
