/* SPDX-License-Identifier: MIT */
/* The Modbus link: libmodbus contexts for TCP and RTU, bounded reads, errors in our convention. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "link.h"

#define RTU_GUARD_MS 20 /* how long to listen for bytes right behind an RTU reply */

int vsd_mb_profile_path(const char *value, char *out, size_t size)
{
    const char *dir = getenv("VITALSD_PROFILE_DIR");
    int n;

    if (!dir || !*dir)
        dir = VSD_MB_PROFILE_DIR;
    if (value[0] == '/')
        n = snprintf(out, size, "%s", value);
    else
        n = snprintf(out, size, "%s/%s", dir, value);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void set_timeout(modbus_t *ctx, int64_t ms, bool byte)
{
    uint32_t s = (uint32_t)(ms / 1000), us = (uint32_t)(ms % 1000) * 1000;

    if (byte)
        modbus_set_byte_timeout(ctx, s, us);
    else
        modbus_set_response_timeout(ctx, s, us);
}

static modbus_t *new_context(const struct vsd_mb_link_params *lp)
{
    char service[16];

    if (lp->rtu)
        return modbus_new_rtu(lp->path, lp->baud, lp->parity, lp->data_bits, lp->stop_bits);
    snprintf(service, sizeof(service), "%d", lp->tcp_port);
    return modbus_new_tcp_pi(lp->host, service);
}

int vsd_mb_link_open(const struct vsd_mb_link_params *lp, modbus_t **ret)
{
    modbus_t *ctx = new_context(lp);
    int r;

    if (!ctx)
        return errno == ENOMEM ? -ENOMEM : -EINVAL;
    r = modbus_set_slave(ctx, lp->unit_id);
    if (r < 0) {
        r = -EINVAL;
        goto fail;
    }
    set_timeout(ctx, lp->response_ms, false);
    set_timeout(ctx, lp->byte_ms, true);
    modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE); /* never block for seconds */
    if (modbus_connect(ctx) < 0) {
        r = errno > 0 && errno < MODBUS_ENOBASE ? -errno : -EIO;
        goto fail;
    }
    *ret = ctx;
    return 0;
fail:
    modbus_free(ctx);
    return r;
}

void vsd_mb_link_close(modbus_t *ctx)
{
    int fd;

    if (!ctx)
        return;
    fd = modbus_get_socket(ctx);
    /* libmodbus's RTU close restores the line settings it found, which would break the other
     * units of a shared port still open: close the descriptor ourselves. For TCP the same. */
    if (fd >= 0) {
        modbus_set_socket(ctx, -1);
        close(fd);
    }
    modbus_free(ctx);
}

int vsd_mb_errno(int e)
{
    if (e == ETIMEDOUT)
        return -ETIMEDOUT;
    if (e > MODBUS_ENOBASE && e <= EMBXGTAR)
        return -EPROTO;
    if (e > EMBXGTAR && e <= EMBBADSLAVE)
        return -EBADMSG;
    if (e == ECONNRESET || e == EPIPE || e == ENOTCONN || e == EBADF || e == ENODEV)
        return -e;
    return -EIO;
}

const char *vsd_mb_exception_name(int e, int *code)
{
    static const char *const names[] = {
        NULL,
        "illegal function",
        "illegal data address",
        "illegal data value",
        "slave or server failure",
        "acknowledge",
        "slave or server busy",
        "negative acknowledge",
        "memory parity error",
        NULL,
        "gateway path unavailable",
        "gateway target device failed to respond",
    };
    int c = e - MODBUS_ENOBASE;

    if (c < 1 || c >= (int)(sizeof(names) / sizeof(names[0])) || !names[c])
        return NULL;
    *code = c;
    return names[c];
}

/* A transaction id of our own for each TCP request: libmodbus 3.1.6 neither shows the one it
 * uses nor checks a raw reply's. Derived from the clock, so consecutive requests differ. */
static uint16_t next_tid(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint16_t)(((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u) ^
                      ((uint64_t)ts.tv_sec >> 3));
}

/* Send the read request of RQ: the whole TCP ADU written by us (with TID), or the RTU PDU
 * with libmodbus adding address and CRC. Returns 0 or -1 with errno set. */
static int send_read(modbus_t *ctx, const struct vsd_mb_request *rq, bool tcp, uint16_t tid)
{
    uint8_t fc = rq->table == VSD_MB_INPUT ? 4 : 3;
    uint8_t pdu[6] = {(uint8_t)modbus_get_slave(ctx), fc,        (uint8_t)(rq->start >> 8),
                      (uint8_t)rq->start,              (uint8_t)(rq->count >> 8), (uint8_t)rq->count};
    uint8_t adu[12] = {(uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, 0, 6};

    if (!tcp)
        return modbus_send_raw_request(ctx, pdu, sizeof(pdu)) < 0 ? -1 : 0;
    memcpy(adu + 6, pdu, sizeof(pdu));
    if (send(modbus_get_socket(ctx), adu, sizeof(adu), MSG_NOSIGNAL) != (ssize_t)sizeof(adu))
        return -1;
    return 0;
}

/* Does the MBAP header of a TCP reply (LEN bytes) hold: protocol id 0 and a length field that
 * counts exactly the bytes after it (Modbus Messaging on TCP/IP Implementation Guide v1.0b,
 * 3.1.3)? libmodbus 3.1.6 reads by the function's byte count and lets both pass. */
static bool mbap_sound(const uint8_t *rsp, int len)
{
    return rsp[2] == 0 && rsp[3] == 0 && (rsp[4] << 8 | rsp[5]) == len - 6;
}

/* Is RSP (LEN bytes) the answer to RQ: same TID and a sound header (TCP), unit, function, byte
 * count? Sets errno to the exception or EMBBADSLAVE / EMBBADDATA when not. */
static bool answer_matches(modbus_t *ctx, const struct vsd_mb_request *rq, const uint8_t *rsp,
                           int len, bool tcp, uint16_t tid)
{
    int off = modbus_get_header_length(ctx); /* 7 (TCP) or 1 (RTU): the function code's place */
    uint8_t fc = rq->table == VSD_MB_INPUT ? 4 : 3;

    if (len < off + 2 || (tcp && (rsp[0] != (uint8_t)(tid >> 8) || rsp[1] != (uint8_t)tid ||
                                  !mbap_sound(rsp, len)))) {
        errno = EMBBADDATA;
        return false;
    }
    if (rsp[off - 1] != (uint8_t)modbus_get_slave(ctx)) {
        errno = EMBBADSLAVE;
        return false;
    }
    if (rsp[off] == (fc | 0x80)) {
        errno = MODBUS_ENOBASE + rsp[off + 1];
        return false;
    }
    if (rsp[off] != fc || rsp[off + 1] != 2 * rq->count || len < off + 2 + 2 * rq->count) {
        errno = EMBBADDATA;
        return false;
    }
    return true;
}

/* RTU has no transaction id: a reply followed at once by more bytes may be a late answer to the
 * previous request, with this request's answer right behind it. */
static bool more_bytes_follow(modbus_t *ctx)
{
    struct pollfd pfd = {.fd = modbus_get_socket(ctx), .events = POLLIN};

    return poll(&pfd, 1, RTU_GUARD_MS) > 0;
}

int vsd_mb_link_read(modbus_t *ctx, const struct vsd_mb_request *rq, uint16_t *regs, int *mb_errno)
{
    uint8_t rsp[MODBUS_MAX_ADU_LENGTH];
    bool tcp = modbus_get_header_length(ctx) > 1;
    uint16_t tid = next_tid();
    int len, off = modbus_get_header_length(ctx);

    modbus_flush(ctx);
    errno = 0;
    if (send_read(ctx, rq, tcp, tid) < 0 || (len = modbus_receive_confirmation(ctx, rsp)) < 0 ||
        !answer_matches(ctx, rq, rsp, len, tcp, tid) || (!tcp && more_bytes_follow(ctx))) {
        int e = errno ? errno : EMBBADDATA; /* none: bytes right behind the reply */
        if (mb_errno)
            *mb_errno = e;
        if (e != ETIMEDOUT)
            modbus_flush(ctx); /* what is left of a wrong answer must not become the next */
        return vsd_mb_errno(e);
    }
    for (int i = 0; i < rq->count; i++)
        regs[i] = (uint16_t)(rsp[off + 2 + 2 * i] << 8 | rsp[off + 3 + 2 * i]);
    if (mb_errno)
        *mb_errno = 0;
    return 0;
}
