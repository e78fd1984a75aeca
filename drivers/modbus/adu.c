/* SPDX-License-Identifier: MIT */
/* Modbus read requests and answers as bytes (see adu.h). */
#include <string.h>
#include <time.h>

#include <modbus/modbus.h>

#include "adu.h"

#define MBAP_MIN 3   /* unit, function and one byte: the shortest answer (an exception) */
/* unit + the longest PDU, 253 bytes (Modbus Application Protocol V1.1b3, 4.1) */
#define MBAP_MAX 253

uint8_t vsd_mb_read_fc(const struct vsd_mb_request *rq)
{
    return rq->table == VSD_MB_INPUT ? 4 : 3;
}

void vsd_mb_read_pdu(uint8_t *out, int unit, const struct vsd_mb_request *rq)
{
    out[0] = (uint8_t)unit;
    out[1] = vsd_mb_read_fc(rq);
    out[2] = (uint8_t)(rq->start >> 8);
    out[3] = (uint8_t)rq->start;
    out[4] = (uint8_t)(rq->count >> 8);
    out[5] = (uint8_t)rq->count;
}

void vsd_mb_tcp_request(uint8_t *out, uint16_t tid, int unit, const struct vsd_mb_request *rq)
{
    const uint8_t mbap[VSD_MB_MBAP_LEN] = {(uint8_t)(tid >> 8), (uint8_t)tid, 0, 0, 0, 6};

    memcpy(out, mbap, sizeof(mbap));
    vsd_mb_read_pdu(out + VSD_MB_MBAP_LEN, unit, rq);
}

uint16_t vsd_mb_next_tid(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint16_t)(((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u) ^
                      ((uint64_t)ts.tv_sec >> 3));
}

int vsd_mb_tcp_frame_len(const uint8_t *rsp, size_t len)
{
    int n;

    if (len < VSD_MB_MBAP_LEN)
        return 0;
    n = rsp[4] << 8 | rsp[5];
    if (rsp[2] != 0 || rsp[3] != 0 || n < MBAP_MIN || n > MBAP_MAX)
        return -1;
    return VSD_MB_MBAP_LEN + n;
}

/* Does the MBAP header of a TCP reply (LEN bytes) hold: protocol id 0 and a length field that
 * counts exactly the bytes after it (Modbus Messaging on TCP/IP Implementation Guide v1.0b,
 * 3.1.3)? libmodbus 3.1.6 reads by the function's byte count and lets both pass. */
static bool mbap_sound(const uint8_t *rsp, int len)
{
    return rsp[2] == 0 && rsp[3] == 0 && (rsp[4] << 8 | rsp[5]) == len - VSD_MB_MBAP_LEN;
}

int vsd_mb_answer_check(const uint8_t *rsp, int len, int off, int unit,
                        const struct vsd_mb_request *rq, bool tcp, uint16_t tid)
{
    uint8_t fc = vsd_mb_read_fc(rq);

    if (len < off + 2 || (tcp && (rsp[0] != (uint8_t)(tid >> 8) || rsp[1] != (uint8_t)tid ||
                                  !mbap_sound(rsp, len))))
        return EMBBADDATA;
    if (rsp[off - 1] != (uint8_t)unit)
        return EMBBADSLAVE;
    if (rsp[off] == (fc | 0x80))
        return MODBUS_ENOBASE + rsp[off + 1];
    if (rsp[off] != fc || rsp[off + 1] != 2 * rq->count || len < off + 2 + 2 * rq->count ||
        (tcp && len != off + 2 + 2 * rq->count)) /* TCP: nothing past the byte count */
        return EMBBADDATA;
    return 0;
}

void vsd_mb_answer_regs(const uint8_t *rsp, int off, const struct vsd_mb_request *rq,
                        uint16_t *regs)
{
    for (int i = 0; i < rq->count; i++)
        regs[i] = (uint16_t)(rsp[off + 2 + 2 * i] << 8 | rsp[off + 3 + 2 * i]);
}
