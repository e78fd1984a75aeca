/* SPDX-License-Identifier: MIT */
/* Checking a request as it arrives, before anything acts on it: size, UTF-8, JSON, "cmd". */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "command.h"

/* Length of the valid UTF-8 sequence at S (at most N bytes), 0 when invalid: overlong forms,
 * surrogates and code points past U+10FFFF are invalid, as is NUL. */
static size_t utf8_char(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t len;

    if (s[0] == 0)
        return 0;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0)
        len = 2, cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

/* Offset of the first invalid byte, or LEN when all of BUF is valid UTF-8. */
static size_t utf8_valid_prefix(const char *buf, size_t len)
{
    const unsigned char *s = (const unsigned char *)buf;
    size_t i = 0;

    while (i < len) {
        size_t n = utf8_char(s + i, len - i);

        if (n == 0)
            return i;
        i += n;
    }
    return len;
}

cJSON *vsd_command_parse(const char *buf, size_t len, char *err, size_t errlen)
{
    const char *end = NULL;
    const cJSON *name;
    cJSON *req;
    size_t bad;

    if (len > VSD_REQUEST_MAX) {
        snprintf(err, errlen, "request too large: %zu bytes, at most %d", len, VSD_REQUEST_MAX);
        return NULL;
    }
    if ((bad = utf8_valid_prefix(buf, len)) < len) {
        snprintf(err, errlen, "request is not valid UTF-8 text (byte %zu)", bad + 1);
        return NULL;
    }
    req = cJSON_ParseWithLengthOpts(buf, len, &end, false);
    while (req && end && end < buf + len && strchr(" \t\r\n", *end))
        end++;
    if (!req || !cJSON_IsObject(req) || end != buf + len) {
        snprintf(err, errlen, "request is not a JSON object");
        cJSON_Delete(req);
        return NULL;
    }
    name = cJSON_GetObjectItemCaseSensitive(req, "cmd");
    if (!cJSON_IsString(name) || !*name->valuestring) {
        snprintf(err, errlen, "request has no \"cmd\" string");
        cJSON_Delete(req);
        return NULL;
    }
    return req;
}
