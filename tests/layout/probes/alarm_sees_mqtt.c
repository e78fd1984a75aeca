/* SPDX-License-Identifier: MIT */
/* Must NOT compile: the pure alarm engine reaching for MQTT. */
#include "publish.h"
