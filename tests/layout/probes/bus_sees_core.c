/* SPDX-License-Identifier: MIT */
/* Must NOT compile: a bus thread reaching past the queue into the core. */
#include "core.h"
