/* SPDX-License-Identifier: MIT */
/* Logging for the core and drivers: syslog priorities, journald-style prefixes. */
#ifndef VITALSD_LOG_H
#define VITALSD_LOG_H

#include <syslog.h>

/* Log one line at syslog priority PRIO (LOG_ERR, LOG_WARNING, LOG_INFO...).
 * Lines below the configured level are dropped. Thread-safe. */
void vsd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set the most verbose priority that is still written (default LOG_INFO). */
void vsd_log_set_level(int prio);

/* Parse "debug", "info", "notice", "warning", "err"; returns the priority or -EINVAL. */
int vsd_log_level_parse(const char *name);

#endif
