/* SPDX-License-Identifier: MIT */
/* Must NOT compile: the pure alarm engine reaching for the database. */
#include "store.h"
