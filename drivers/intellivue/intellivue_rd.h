/* SPDX-License-Identifier: MIT */
/* A bounded big-endian reader for the IntelliVue message parsers (internal to the driver). */
#ifndef VSD_INTELLIVUE_RD_H
#define VSD_INTELLIVUE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A bounded big-endian reader. Reading past the end sets BAD and returns zeros. */
struct rd {
    const uint8_t *p;
    size_t n, at;
    bool bad;
};

static inline uint16_t u16(struct rd *r)
{
    if (r->bad || r->at > r->n || r->n - r->at < 2) {
        r->bad = true;
        return 0;
    }
    r->at += 2;
    return (uint16_t)(r->p[r->at - 2] << 8 | r->p[r->at - 1]);
}

static inline uint32_t u32(struct rd *r)
{
    uint32_t hi = u16(r);

    return hi << 16 | u16(r);
}

/* The next LEN bytes as a reader of their own. */
static inline struct rd sub(struct rd *r, size_t len)
{
    struct rd s = {.p = r->p + r->at, .n = len, .bad = r->bad};

    if (r->bad || r->at > r->n || r->n - r->at < len) {
        r->bad = s.bad = true;
        s.n = 0;
        return s;
    }
    r->at += len;
    return s;
}

/* Skip LEN bytes. */
static inline void skip(struct rd *r, size_t len)
{
    (void)sub(r, len);
}

static inline void bytes(struct rd *r, uint8_t *out, size_t len)
{
    struct rd s = sub(r, len);

    if (!s.bad)
        memcpy(out, s.p, len);
}

#endif
