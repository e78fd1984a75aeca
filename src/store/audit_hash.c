/* SPDX-License-Identifier: MIT */
/* SHA-256 of an audit row in its canonical, length-prefixed text form (OpenSSL EVP). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit_hash.h"

/* Feed "<len>:<bytes>\n" to the digest. */
static bool digest_field(EVP_MD_CTX *md, const char *text, size_t len)
{
    char prefix[32];
    int n = snprintf(prefix, sizeof(prefix), "%zu:", len);

    return EVP_DigestUpdate(md, prefix, (size_t)n) == 1 && EVP_DigestUpdate(md, text, len) == 1 &&
           EVP_DigestUpdate(md, "\n", 1) == 1;
}

static bool digest_int(EVP_MD_CTX *md, int64_t v)
{
    char text[32];
    int n = snprintf(text, sizeof(text), "%" PRId64, v);

    return digest_field(md, text, (size_t)n);
}

static bool digest_str(EVP_MD_CTX *md, const char *s)
{
    if (!s)
        return EVP_DigestUpdate(md, "-\n", 2) == 1;
    return digest_field(md, s, strlen(s));
}

int vsd_audit_row_hash(const char *prev_hash, int64_t id, int64_t ts_ms, const char *actor,
                       const char *action, const char *detail, char *out)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char sum[EVP_MAX_MD_SIZE];
    unsigned int sum_len = 0;
    EVP_MD_CTX *md = NULL;
    int r = -EIO;

    if (!prev_hash || !actor || !action || !out)
        return -EINVAL;
    md = EVP_MD_CTX_new();
    if (!md)
        return -ENOMEM;
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(md, prev_hash, strlen(prev_hash)) != 1 ||
        EVP_DigestUpdate(md, "\n", 1) != 1 || !digest_int(md, id) || !digest_int(md, ts_ms) ||
        !digest_str(md, actor) || !digest_str(md, action) || !digest_str(md, detail) ||
        EVP_DigestFinal_ex(md, sum, &sum_len) != 1 || sum_len * 2 != VSD_AUDIT_HASH_HEX)
        goto fail;
    for (unsigned int i = 0; i < sum_len; i++) {
        out[2 * i] = hex[sum[i] >> 4];
        out[2 * i + 1] = hex[sum[i] & 0xf];
    }
    out[VSD_AUDIT_HASH_HEX] = '\0';
    r = 0;
fail:
    EVP_MD_CTX_free(md);
    return r;
}
