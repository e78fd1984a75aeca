/* SPDX-License-Identifier: MIT */
/* The Modbus link: libmodbus contexts for TCP and RTU, bounded reads, errors in our convention. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adu.h"
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

/* Send the read request of RQ: the whole TCP ADU written by us (with TID), or the RTU PDU
 * with libmodbus adding address and CRC. Returns 0 or -1 with errno set. */
static int send_read(modbus_t *ctx, const struct vsd_mb_request *rq, bool tcp, uint16_t tid)
{
    uint8_t pdu[6], adu[VSD_MB_TCP_REQ_LEN];

    if (!tcp) {
        vsd_mb_read_pdu(pdu, modbus_get_slave(ctx), rq);
        return modbus_send_raw_request(ctx, pdu, sizeof(pdu)) < 0 ? -1 : 0;
    }
    vsd_mb_tcp_request(adu, tid, modbus_get_slave(ctx), rq);
    if (send(modbus_get_socket(ctx), adu, sizeof(adu), MSG_NOSIGNAL) != (ssize_t)sizeof(adu))
        return -1;
    return 0;
}

/* Is RSP (LEN bytes) the answer to RQ (adu.c's checks)? Sets errno to what it is not. */
static bool answer_matches(modbus_t *ctx, const struct vsd_mb_request *rq, const uint8_t *rsp,
                           int len, bool tcp, uint16_t tid)
{
    int e = vsd_mb_answer_check(rsp, len, modbus_get_header_length(ctx), modbus_get_slave(ctx),
                                rq, tcp, tid);

    errno = e;
    return e == 0;
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
    uint16_t tid = vsd_mb_next_tid();
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
    vsd_mb_answer_regs(rsp, off, rq, regs);
    if (mb_errno)
        *mb_errno = 0;
    return 0;
}
