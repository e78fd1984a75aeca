/* SPDX-License-Identifier: MIT */
/* SHA-256 through OpenSSL's EVP interface: configuration hashes, export manifests. */
#include <errno.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "digest.h"

static void to_hex(const unsigned char *md, unsigned len, char hex[VSD_SHA256_HEX])
{
    for (unsigned i = 0; i < len && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

int vsd_sha256_buf(const void *data, size_t len, char hex[VSD_SHA256_HEX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;

    if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
        return -EIO;
    to_hex(md, mdlen, hex);
    return 0;
}

int vsd_sha256_file(const char *path, char hex[VSD_SHA256_HEX])
{
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    EVP_MD_CTX *ctx = NULL;
    FILE *f = fopen(path, "rb");
    size_t n;
    int rc = -EIO;

    if (!f)
        return -errno;
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL))
        goto fail;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (!EVP_DigestUpdate(ctx, buf, n))
            goto fail;
    if (ferror(f) || !EVP_DigestFinal_ex(ctx, md, &mdlen))
        goto fail;
    to_hex(md, mdlen, hex);
    rc = 0;
fail:
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return rc;
}
