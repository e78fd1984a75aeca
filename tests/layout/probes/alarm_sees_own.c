/* SPDX-License-Identifier: MIT */
/* Must compile (the control): the alarm engine's own headers and the vitals table. */
#include <vitalsd/vitals.h>

#include "alarm_int.h"
#include "alarm_limits.h"
