/* SPDX-License-Identifier: MIT */
/* Logging to stderr with sd-daemon "<N>" priority prefixes, read by journald. */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <vitalsd/log.h>

static atomic_int log_level = LOG_INFO;

void vsd_log_set_level(int prio)
{
    atomic_store(&log_level, prio);
}

int vsd_log_level_parse(const char *name)
{
    static const struct {
        const char *name;
        int prio;
    } levels[] = {{"debug", LOG_DEBUG},   {"info", LOG_INFO}, {"notice", LOG_NOTICE},
                  {"warning", LOG_WARNING}, {"err", LOG_ERR},   {"error", LOG_ERR}};
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(name, levels[i].name) == 0)
            return levels[i].prio;
    return -EINVAL;
}

/* Copy TEXT into OUT (SIZE bytes), control characters written as \xNN: text that came from
 * outside (a topic, a device's bytes, a typed name) cannot start a forged line of its own. */
static void escape_controls(const char *text, char *out, size_t size)
{
    size_t o = 0;

    for (const unsigned char *c = (const unsigned char *)text; *c && o + 5 < size; c++) {
        if (*c < 0x20 || *c == 0x7f)
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", *c);
        else
            out[o++] = (char)*c;
    }
    out[o] = '\0';
}

void vsd_log(int prio, const char *fmt, ...)
{
    char text[1024], line[1024];
    va_list ap;
    int n;

    if (prio > atomic_load(&log_level))
        return;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    n = snprintf(line, sizeof(line), "<%d>", prio & 7);
    escape_controls(text, line + n, sizeof(line) - (size_t)n);
    /* One fputs per line: stdio's lock keeps lines from different threads whole. */
    flockfile(stderr);
    fputs(line, stderr);
    fputc('\n', stderr);
    funlockfile(stderr);
}
