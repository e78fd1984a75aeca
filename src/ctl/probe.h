/* SPDX-License-Identifier: MIT */
/* `vitalsctl probe`: read one Modbus device once and show its registers decoded every way. */
#ifndef VSD_CTL_PROBE_H
#define VSD_CTL_PROBE_H

#include <stdio.h>

#define VSD_PROBE_ANSWERED 0
#define VSD_PROBE_NO_ANSWER 1
#define VSD_PROBE_USAGE 78

/* Run "probe ARGS" (ARGV[0] is the first argument after "probe"): either DEVICE, a device of the
 * configuration at CONFIG_PATH, or --driver modbus-tcp|modbus-rtu and its settings. Prints to
 * OUT, errors to stderr. Returns VSD_PROBE_ANSWERED, VSD_PROBE_NO_ANSWER or VSD_PROBE_USAGE. */
int vsd_probe_run(const char *config_path, int argc, char **argv, FILE *out);

/* The usage lines of probe, for vitalsctl's help. */
void vsd_probe_usage(FILE *out);

#endif
