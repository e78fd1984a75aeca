/* SPDX-License-Identifier: MIT */
/* Text taken from the data, written into Markdown as plain text. */
#ifndef VSD_MD_ESCAPE_H
#define VSD_MD_ESCAPE_H

#include <stdio.h>

/* Write S (NULL: nothing) to OUT as Markdown inline text that renders as written and can start
 * nothing: \ ` * _ [ ] ( ) ! # < > | & ~ get a backslash (no link, image, HTML, entity, emphasis,
 * code or table cell can be injected), CR and LF become a space (no new block), and other control
 * bytes are shown as \xNN. */
void vsd_md_put(FILE *out, const char *s);

#endif
