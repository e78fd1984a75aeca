/* SPDX-License-Identifier: MIT */
/* Philips IntelliVue MIB/RS232 serial frame: BOF, a 4-byte header, the payload (the same bytes as
 * a LAN datagram), the FCS, EOF, with byte transparency. Pure code: no I/O. */
#ifndef VSD_INTELLIVUE_FRAME_H
#define VSD_INTELLIVUE_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Facts: docs/devices/intellivue.md, 'Protocol facts' (Philips IntelliVue Data Export Interface
 * Programming Guide, MIB/RS232 transport; the PPP FCS of RFC 1662 appendix C). */
#define VSD_IVUE_BOF 0xC0
#define VSD_IVUE_EOF 0xC1
#define VSD_IVUE_ESC 0x7D
#define VSD_IVUE_PROTOCOL_ID 0x11
#define VSD_IVUE_MSG_TYPE 0x01
#define VSD_IVUE_HEADER 4
#define VSD_IVUE_MAX_PAYLOAD 4096 /* the association offers 2500-byte messages; room to spare */
/* An encoded frame: every byte between BOF and EOF may double when escaped. */
#define VSD_IVUE_MAX_FRAME (2 + 2 * (VSD_IVUE_HEADER + VSD_IVUE_MAX_PAYLOAD + 2))

/* CRC-16/X-25 (the PPP FCS): reflected 0x8408, initial 0xFFFF, result complemented. The value
 * sent, low byte first. "123456789" gives 0x906E. */
uint16_t vsd_ivue_fcs(const uint8_t *p, size_t n);

/* Frame PAYLOAD (N bytes) into OUT (CAP bytes): header, FCS over header and payload, then
 * transparency over header, payload and FCS. Returns the frame's length, 0 when it does not fit
 * or N is above VSD_IVUE_MAX_PAYLOAD. */
size_t vsd_ivue_frame_encode(const uint8_t *payload, size_t n, uint8_t *out, size_t cap);

/* The receiver: feed bytes one by one. Bytes outside a frame are skipped. */
struct vsd_ivue_rx {
    uint8_t buf[VSD_IVUE_HEADER + VSD_IVUE_MAX_PAYLOAD + 2]; /* unescaped header..FCS */
    size_t len;
    bool in_frame, esc, overflow;
    const uint8_t *payload; /* after a complete frame: its payload, in buf */
    size_t payload_len;
    unsigned skipped; /* bytes seen outside any frame (noise) since the last reset */
};

/* Returns 1 when a good frame ended (payload and payload_len set, valid until the next byte),
 * -1 when a frame ended bad (FCS, header, length, abort, overflow, a BOF inside a frame), 0
 * otherwise. */
int vsd_ivue_rx_byte(struct vsd_ivue_rx *rx, uint8_t b);

/* Check one unescaped frame body (header, payload, FCS: N bytes). Returns 0 and sets *PAYLOAD,
 * *LEN, or -1. */
int vsd_ivue_frame_check(const uint8_t *body, size_t n, const uint8_t **payload, size_t *len);

#endif
