/* SPDX-License-Identifier: MIT */
/* Must NOT compile: a driver that reaches for the core. */
#include "core.h"
