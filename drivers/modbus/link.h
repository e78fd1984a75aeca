/* SPDX-License-Identifier: MIT */
/* The Modbus link shared by the drivers and `vitalsctl probe`: libmodbus set up, read, closed. */
#ifndef VSD_MODBUS_LINK_H
#define VSD_MODBUS_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <modbus/modbus.h>

#include "profile.h"

/* Where a relative "profile = NAME" is looked for: $VITALSD_PROFILE_DIR when set, else this. */
#define VSD_MB_PROFILE_DIR "/etc/vitalsd/profiles"

/* How to reach one unit. Strings are borrowed. */
struct vsd_mb_link_params {
    bool rtu;
    const char *host; /* TCP: IP address or host name */
    int tcp_port;
    const char *path; /* RTU: serial port path, e.g. /dev/serial/by-id/... */
    int baud;
    char parity; /* 'N', 'E' or 'O' */
    int data_bits, stop_bits;
    int unit_id;
    int64_t response_ms; /* wait for the first byte of a reply */
    int64_t byte_ms;     /* wait between bytes of one reply */
};

/* The profile path VALUE resolves to (see VSD_MB_PROFILE_DIR) into OUT. Returns 0 or
 * -ENAMETOOLONG. */
int vsd_mb_profile_path(const char *value, char *out, size_t size);

/* A new libmodbus context for LP, with timeouts and unit id set, connected (a TCP connect waits at
 * most the response timeout). Returns 0 and *RET (close with vsd_mb_link_close), or negative
 * errno: -ECONNREFUSED, -ETIMEDOUT, -ENOENT (no such port), -EINVAL (bad settings), ... */
int vsd_mb_link_open(const struct vsd_mb_link_params *lp, modbus_t **ret);

/* One read request (any stale input is flushed first, so a late reply is never taken as this
 * one's answer). Writes RQ->count registers to REGS. Returns 0, -ETIMEDOUT, -EPROTO (exception
 * response), -EBADMSG (bad CRC, wrong unit, wrong length, garbage) or a broken-link error
 * (-ECONNRESET, -EPIPE, -EIO). *MB_ERRNO (may be NULL) gets libmodbus's own errno. */
int vsd_mb_link_read(modbus_t *ctx, const struct vsd_mb_request *rq, uint16_t *regs, int *mb_errno);

/* Close and free CTX (NULL is fine). An RTU port's line settings are left as they are, since
 * other units on the same port may still use it. */
void vsd_mb_link_close(modbus_t *ctx);

/* Our error code for libmodbus errno E. */
int vsd_mb_errno(int e);

/* The Modbus exception name for libmodbus errno E ("illegal data address"), NULL when E is not an
 * exception; *CODE gets the exception code. */
const char *vsd_mb_exception_name(int e, int *code);

#endif
