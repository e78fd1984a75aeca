/* SPDX-License-Identifier: MIT */
/* The last 30 minutes of each bed's vitals, one point per 10 s, in memory: what the dashboard's
 * trend lines show right after it loads. Filled by the core as readings arrive and, at start,
 * from the database (so a restart does not empty them). Pure: no I/O, no clock of its own. */
#ifndef VSD_TREND_H
#define VSD_TREND_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <vitalsd/reading.h>

#define VSD_TREND_SLOT_MS 10000
#define VSD_TREND_SLOTS 180 /* 30 minutes */

struct vsd_trend;

struct vsd_trend *vsd_trend_new(size_t n_beds); /* NULL: ENOMEM */
void vsd_trend_free(struct vsd_trend *t);       /* accepts NULL */
/* Reload: BED of DST takes FROM_BED's points of SRC (every vital). */
void vsd_trend_copy_bed(struct vsd_trend *dst, size_t bed, const struct vsd_trend *src,
                        size_t from_bed);
/* A usable reading of VITAL at BED, taken at TS_MS: the last one of its 10-s slot is kept. */
void vsd_trend_add(struct vsd_trend *t, size_t bed, enum vsd_vital vital, int64_t ts_ms,
                   double value);
/* BED's points of the last MINUTES (1-30) before NOW_MS as {"hr": [[ts_ms, value], ...], ...},
 * oldest first; a vital without points is left out. NULL: ENOMEM. */
cJSON *vsd_trend_json(const struct vsd_trend *t, size_t bed, int minutes, int64_t now_ms);

#endif
