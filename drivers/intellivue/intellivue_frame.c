/* SPDX-License-Identifier: MIT */
/* The MIB/RS232 frame of the IntelliVue data export (see intellivue_frame.h). */
#include <string.h>

#include "intellivue_frame.h"

uint16_t vsd_ivue_fcs(const uint8_t *p, size_t n)
{
    uint16_t crc = 0xFFFF;

    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0x8408) : (uint16_t)(crc >> 1);
    }
    return (uint16_t)~crc;
}

static bool special(uint8_t b)
{
    return b == VSD_IVUE_BOF || b == VSD_IVUE_EOF || b == VSD_IVUE_ESC;
}

/* Append B to OUT escaped; false when CAP is reached. */
static bool put(uint8_t *out, size_t cap, size_t *at, uint8_t b)
{
    if (*at + (special(b) ? 2 : 1) > cap)
        return false;
    if (special(b)) {
        out[(*at)++] = VSD_IVUE_ESC;
        b ^= 0x20;
    }
    out[(*at)++] = b;
    return true;
}

size_t vsd_ivue_frame_encode(const uint8_t *payload, size_t n, uint8_t *out, size_t cap)
{
    uint8_t body[VSD_IVUE_HEADER + VSD_IVUE_MAX_PAYLOAD + 2];
    size_t at = 0, len;
    uint16_t fcs;

    if (n > VSD_IVUE_MAX_PAYLOAD || cap < 2)
        return 0;
    body[0] = VSD_IVUE_PROTOCOL_ID;
    body[1] = VSD_IVUE_MSG_TYPE;
    body[2] = (uint8_t)(n >> 8);
    body[3] = (uint8_t)n;
    if (n)
        memcpy(body + VSD_IVUE_HEADER, payload, n);
    len = VSD_IVUE_HEADER + n;
    fcs = vsd_ivue_fcs(body, len);
    body[len++] = (uint8_t)fcs; /* low byte first */
    body[len++] = (uint8_t)(fcs >> 8);
    out[at++] = VSD_IVUE_BOF;
    for (size_t i = 0; i < len; i++)
        if (!put(out, cap - 1, &at, body[i]))
            return 0;
    out[at++] = VSD_IVUE_EOF;
    return at;
}

int vsd_ivue_frame_check(const uint8_t *body, size_t n, const uint8_t **payload, size_t *len)
{
    size_t plen;
    uint16_t fcs;

    if (n < VSD_IVUE_HEADER + 2)
        return -1;
    plen = (size_t)body[2] << 8 | body[3];
    if (body[0] != VSD_IVUE_PROTOCOL_ID || body[1] != VSD_IVUE_MSG_TYPE ||
        plen != n - VSD_IVUE_HEADER - 2)
        return -1;
    fcs = (uint16_t)(body[n - 2] | body[n - 1] << 8);
    if (fcs != vsd_ivue_fcs(body, n - 2))
        return -1;
    *payload = body + VSD_IVUE_HEADER;
    *len = plen;
    return 0;
}

/* The frame ended at EOF: check it, start over. */
static int end_frame(struct vsd_ivue_rx *rx)
{
    bool over = rx->overflow;

    rx->in_frame = false;
    rx->esc = false;
    rx->overflow = false;
    if (over || vsd_ivue_frame_check(rx->buf, rx->len, &rx->payload, &rx->payload_len) < 0)
        return -1;
    return 1;
}

int vsd_ivue_rx_byte(struct vsd_ivue_rx *rx, uint8_t b)
{
    bool was = rx->in_frame && (rx->len > 0 || rx->esc || rx->overflow);

    if (b == VSD_IVUE_BOF) { /* a new frame; one cut short before it is bad */
        rx->in_frame = true;
        rx->esc = rx->overflow = false;
        rx->len = 0;
        return was ? -1 : 0;
    }
    if (!rx->in_frame) {
        rx->skipped++;
        return 0;
    }
    if (b == VSD_IVUE_EOF) {
        if (rx->esc) { /* 7D C1: the sender aborted the frame */
            rx->in_frame = rx->esc = rx->overflow = false;
            return -1;
        }
        return end_frame(rx);
    }
    if (b == VSD_IVUE_ESC && !rx->esc) {
        rx->esc = true;
        return 0;
    }
    if (rx->esc) {
        b ^= 0x20;
        rx->esc = false;
    }
    if (rx->len < sizeof(rx->buf))
        rx->buf[rx->len++] = b;
    else
        rx->overflow = true;
    return 0;
}
