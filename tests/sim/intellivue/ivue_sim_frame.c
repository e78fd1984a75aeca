/* SPDX-License-Identifier: MIT */
/* The MIB/RS232 frame as the monitor sends and receives it: PPP-style FCS (RFC 1662
 * appendix C, table-driven here) and byte transparency over everything between BOF and EOF. */
#include <string.h>

#include "ivue_sim.h"

static uint16_t table[256];

static void make_table(void)
{
    for (unsigned i = 0; i < 256; i++) {
        uint16_t v = (uint16_t)i;

        for (int k = 0; k < 8; k++)
            v = (v & 1) ? (uint16_t)((v >> 1) ^ 0x8408) : (uint16_t)(v >> 1);
        table[i] = v;
    }
}

static uint16_t crc(const uint8_t *p, size_t n)
{
    uint16_t fcs = 0xFFFF;

    if (table[1] == 0)
        make_table();
    while (n--)
        fcs = (uint16_t)((fcs >> 8) ^ table[(fcs ^ *p++) & 0xff]);
    return fcs; /* not yet complemented: the "good FCS" residue check is on this */
}

static size_t put_escaped(uint8_t *out, size_t at, uint8_t b)
{
    if (b == 0xC0 || b == 0xC1 || b == 0x7D) {
        out[at++] = 0x7D;
        b ^= 0x20;
    }
    out[at++] = b;
    return at;
}

size_t sim_frame(const uint8_t *msg, size_t n, bool bad_fcs, uint8_t *out, size_t cap)
{
    uint8_t body[SIM_MAX_MSG + 6];
    uint16_t fcs;
    size_t at = 0;

    if (n > SIM_MAX_MSG || cap < 2 * (n + 6) + 2)
        return 0;
    body[0] = 0x11;
    body[1] = 0x01;
    body[2] = (uint8_t)(n >> 8);
    body[3] = (uint8_t)(n & 0xff);
    memcpy(body + 4, msg, n);
    fcs = (uint16_t)(crc(body, n + 4) ^ 0xFFFF);
    if (bad_fcs)
        fcs ^= 0x0101;
    body[n + 4] = (uint8_t)(fcs & 0xff);
    body[n + 5] = (uint8_t)(fcs >> 8);
    out[at++] = 0xC0;
    for (size_t i = 0; i < n + 6; i++)
        at = put_escaped(out, at, body[i]);
    out[at++] = 0xC1;
    return at;
}

/* A whole frame body: header 11 01, length, message, FCS. Over the data and its FCS the CRC
 * leaves the constant residue 0xF0B8 (RFC 1662). */
static int check(const struct sim_rx *rx)
{
    size_t len;

    if (rx->lost || rx->n < 6 || rx->body[0] != 0x11 || rx->body[1] != 0x01)
        return -1;
    len = (size_t)(rx->body[2] << 8 | rx->body[3]);
    if (len + 6 != rx->n || crc(rx->body, rx->n) != 0xF0B8)
        return -1;
    return len > 0 ? (int)len : -1;
}

int sim_rx_byte(struct sim_rx *rx, uint8_t b)
{
    if (b == 0xC0) {
        int cut = rx->open && rx->n > 0 ? -1 : 0;

        rx->open = true;
        rx->n = 0;
        rx->esc = rx->lost = false;
        return cut;
    }
    if (!rx->open)
        return 0;
    if (b == 0xC1) {
        rx->open = false;
        return rx->esc ? -1 : check(rx);
    }
    if (b == 0x7D) {
        rx->esc = true;
        return 0;
    }
    if (rx->esc)
        b ^= 0x20, rx->esc = false;
    if (rx->n < sizeof(rx->body))
        rx->body[rx->n++] = b;
    else
        rx->lost = true;
    return 0;
}
