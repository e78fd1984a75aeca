/* SPDX-License-Identifier: MIT */
/* Must NOT compile: the core calling up into the command handler (commands flow down to it). */
#include "command.h"
