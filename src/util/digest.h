/* SPDX-License-Identifier: MIT */
/* SHA-256 of files and buffers (OpenSSL libcrypto), as lowercase hex. */
#ifndef VSD_DIGEST_H
#define VSD_DIGEST_H

#include <stddef.h>

#define VSD_SHA256_HEX 65 /* 64 hex digits and the NUL */

/* Hash the file at PATH into HEX. Returns 0 or negative errno. */
int vsd_sha256_file(const char *path, char hex[VSD_SHA256_HEX]);
/* Hash LEN bytes at DATA into HEX. Returns 0 or -EIO. */
int vsd_sha256_buf(const void *data, size_t len, char hex[VSD_SHA256_HEX]);

#endif
