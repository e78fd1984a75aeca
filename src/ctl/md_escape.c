/* SPDX-License-Identifier: MIT */
/* Markdown inline text from untrusted data: backslash before every special character. */
#include <string.h>

#include "md_escape.h"

/* CommonMark treats any backslash-escaped ASCII punctuation as literal text. */
static const char md_specials[] = "\\`*_[]()!#<>|&~";

void vsd_md_put(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '\n' || c == '\r')
            putc(' ', out);
        else if (c < 0x20 || c == 0x7f)
            fprintf(out, "\\x%02x", c);
        else if (strchr(md_specials, c))
            fprintf(out, "\\%c", c);
        else
            putc(c, out);
    }
}
