/* SPDX-License-Identifier: MIT */
/* Alarm limits as text and JSON: shared by the configuration, the command handler and vitalsctl. */
#ifndef VSD_ALARM_LIMITS_H
#define VSD_ALARM_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "alarm.h"

/* "below 88 high" / "above 130 medium" (priority optional: medium). 0 or -EINVAL + ERR. */
int vsd_band_parse(const char *text, struct vsd_band *b, char *err, size_t errlen);
/* "20 high" or "20 high within 15m": a change of more than 20 between two readings. */
int vsd_rate_parse(const char *text, struct vsd_rate *r, char *err, size_t errlen);
/* Checks across one vital's settings: bands not contradicting each other, hysteresis smaller
 * than the room between a low and a high band. 0, -EINVAL (bands) or -ERANGE (hysteresis)
 * with the reason in ERR. */
int vsd_limit_check(const struct vsd_limit *lim, char *err, size_t errlen);

/* The first limit a value meets going down (the highest low band) and going up (the lowest
 * high band). Return false when the vital has no such band. */
bool vsd_limit_low(const struct vsd_limit *lim, double *ret);
bool vsd_limit_high(const struct vsd_limit *lim, double *ret);

/* {"bands":[{"below":88,"priority":"high"}...],"delay_ms":..,"hysteresis":..,
 *  "rise":{"delta":..,"priority":..,"within_ms":..},"fall":{...}}; NULL on ENOMEM. */
cJSON *vsd_limit_json(const struct vsd_limit *lim);
/* Apply the members present in JSON onto LIM (a band list replaces all bands). Every member
 * is checked; unknown members are errors. 0 or -EINVAL + ERR. */
int vsd_limit_from_json(const cJSON *json, struct vsd_limit *lim, char *err, size_t errlen);

#endif
