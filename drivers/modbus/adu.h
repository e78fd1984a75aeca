/* SPDX-License-Identifier: MIT */
/* Modbus read requests and their answers as bytes: built and checked without libmodbus, so the
 * blocking link (link.c) and the non-blocking Modbus/TCP side (tcpnb.c) check the same way. */
#ifndef VSD_MODBUS_ADU_H
#define VSD_MODBUS_ADU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

#define VSD_MB_MBAP_LEN 6     /* transaction id, protocol id, length: the MBAP before the unit */
#define VSD_MB_TCP_REQ_LEN 12 /* MBAP + unit + function + start + count */

/* The function code reading RQ's table (3 holding, 4 input). */
uint8_t vsd_mb_read_fc(const struct vsd_mb_request *rq);

/* The read PDU of RQ for UNIT (unit, function, start, count) into OUT (6 bytes). */
void vsd_mb_read_pdu(uint8_t *out, int unit, const struct vsd_mb_request *rq);

/* The whole Modbus/TCP request of RQ with transaction id TID into OUT (VSD_MB_TCP_REQ_LEN). */
void vsd_mb_tcp_request(uint8_t *out, uint16_t tid, int unit, const struct vsd_mb_request *rq);

/* A transaction id of our own (libmodbus 3.1.6 neither shows the one it uses nor checks a raw
 * reply's), from the clock, so consecutive requests differ. */
uint16_t vsd_mb_next_tid(void);

/* How many bytes the Modbus/TCP answer starting in RSP (LEN of them) has in all: 0 while its MBAP
 * header is incomplete; -1 when the header cannot start an answer of ours (protocol id not 0, a
 * length below 3 or above 253: Modbus Messaging on TCP/IP Implementation Guide v1.0b, 3.1.3). */
int vsd_mb_tcp_frame_len(const uint8_t *rsp, size_t len);

/* Is RSP (LEN bytes, the unit id at OFF - 1, the function at OFF: 7 for TCP, 1 for RTU) the
 * answer of UNIT to RQ: for TCP, transaction id TID and a sound MBAP header (protocol id 0, a
 * length that counts exactly the bytes after it); then unit, function, byte count? Returns 0, or
 * the libmodbus errno it is not: MODBUS_ENOBASE + the exception code, EMBBADSLAVE, EMBBADDATA. */
int vsd_mb_answer_check(const uint8_t *rsp, int len, int off, int unit,
                        const struct vsd_mb_request *rq, bool tcp, uint16_t tid);

/* The COUNT registers of RQ from a checked answer RSP (function at OFF) into REGS. */
void vsd_mb_answer_regs(const uint8_t *rsp, int off, const struct vsd_mb_request *rq,
                        uint16_t *regs);

#endif
