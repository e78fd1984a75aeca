/* SPDX-License-Identifier: MIT */
/* Must compile (the control): a driver's own header and the whole driver API. */
#include <vitalsd/driver.h>
#include <vitalsd/log.h>
#include <vitalsd/option.h>
#include <vitalsd/reading.h>
#include <vitalsd/serial.h>
#include <vitalsd/vitals.h>

#include "nonin_frame.h"
