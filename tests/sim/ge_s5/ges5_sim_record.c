/* SPDX-License-Identifier: MIT */
/* The simulated S/5 monitor's encoder: records from the specification's layout, framed. */
#include <string.h>

#include "ges5_sim.h"

/* Record layout, written out from docs/devices/ge-s5.md, 'Record layout' (GE's DRI
 * specification 8005313), not from the driver. */
enum {
    HDR = 40,
    SUBREC = 278,
    CLASS = HDR + 4, /* class data inside the record */
    G_ECG = CLASS + 0,
    G_NIBP = CLASS + 72,
    G_SPO2 = CLASS + 118,
    G_CO2 = CLASS + 132,
};

static void w16(uint8_t *rec, size_t at, int v)
{
    rec[at] = (uint8_t)((unsigned)v & 0xFF);
    rec[at + 1] = (uint8_t)(((unsigned)v >> 8) & 0xFF);
}

static void w32(uint8_t *rec, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        rec[at + i] = (uint8_t)(v >> (8 * i));
}

int s5_code_field(const char *name)
{
    static const char *const names[] = {"hr", "spo2", "pr", "rr", "sys", "dia", "mean"};

    for (int i = 0; i < 7; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* The value of coded field I, unless a code replaces it. */
static int val(const struct s5_patient *p, int i, int v)
{
    return p->code[i] ? p->code[i] : v;
}

/* Fill every int16 of the class data with "invalid", as a monitor marks absent data. */
static void all_invalid(uint8_t *rec)
{
    for (size_t at = CLASS; at + 1 < CLASS + 270; at += 2)
        w16(rec, at, SIM_FIELD_INVALID);
}

static void header_of_group(uint8_t *rec, size_t at, uint32_t status, int label)
{
    w32(rec, at, status);
    w16(rec, at + 4, label);
}

static void groups(const struct s5_patient *p, uint8_t *rec)
{
    int nibp_label = 1 << 3; /* AUTO */

    header_of_group(rec, G_ECG, p->leads_off ? 1u | 7u << 11 : 3u | 1u << 3, 0);
    w16(rec, G_ECG + 6, val(p, 0, p->leads_off ? SIM_FIELD_INVALID : p->hr));
    w16(rec, G_ECG + 14, p->imp_rr);
    nibp_label |= p->nibp_measuring ? 1 << 5 : 0;
    nibp_label |= p->nibp_old ? 1 << 8 : 0;
    header_of_group(rec, G_NIBP, 3, nibp_label);
    w16(rec, G_NIBP + 6, val(p, 4, p->nibp_none ? SIM_FIELD_INVALID : p->sys));
    w16(rec, G_NIBP + 8, val(p, 5, p->nibp_none ? SIM_FIELD_INVALID : p->dia));
    w16(rec, G_NIBP + 10, val(p, 6, p->nibp_none ? SIM_FIELD_INVALID : p->mean));
    header_of_group(rec, G_SPO2, p->probe_off ? 1 : 3, 0);
    w16(rec, G_SPO2 + 6, val(p, 1, p->probe_off ? SIM_FIELD_INVALID : p->spo2));
    w16(rec, G_SPO2 + 8, val(p, 2, p->probe_off ? SIM_FIELD_INVALID : p->pr));
    if (!p->no_co2) {
        /* status bit 2: apnea; label bits 0-2: RR source 1 = CO2 */
        header_of_group(rec, G_CO2, 3u | (p->apnea ? 1u << 2 : 0u), 1);
        w16(rec, G_CO2 + 6, p->et);
        w16(rec, G_CO2 + 8, 0); /* FiCO2: none inspired */
        w16(rec, G_CO2 + 10, val(p, 3, p->rr));
        w16(rec, G_CO2 + 12, p->amb);
    } else {
        header_of_group(rec, G_CO2, 0, 0);
    }
}

size_t s5_record(const struct s5_patient *p, uint32_t now, uint8_t *out)
{
    size_t len = HDR + SUBREC;

    memset(out, 0, len);
    w16(out, 0, (int)len);
    out[3] = 9; /* DRI level '05 */
    w32(out, 6, now);
    /* sr_desc[0] = {offset 0, DISPL}; sr_desc[1] ends the list */
    out[18] = 1;
    out[21] = 0xFF;
    w32(out, HDR, now);
    all_invalid(out);
    groups(p, out);
    w16(out, HDR + 276, 0); /* class: basic */
    return len;
}

/* Append B stuffed. */
static size_t put(uint8_t *out, size_t at, uint8_t b)
{
    if (b == 0x7E || b == 0x7D) {
        out[at++] = 0x7D;
        out[at++] = (uint8_t)(b ^ 0x20);
    } else {
        out[at++] = b;
    }
    return at;
}

size_t s5_frame(const uint8_t *rec, size_t n, uint8_t bad_delta, unsigned extra, uint8_t *out)
{
    unsigned sum = 0;
    size_t at = 0;

    out[at++] = 0x7E;
    for (size_t i = 0; i < n; i++) {
        sum += rec[i];
        at = put(out, at, rec[i]);
    }
    at = put(out, at, (uint8_t)((sum + bad_delta) & 0xFF));
    for (unsigned i = 0; i < extra; i++)
        out[at++] = (uint8_t)(0x30 + i % 10);
    out[at++] = 0x7E;
    return at;
}

size_t s5_rx_byte(struct s5_rx *rx, uint8_t b)
{
    size_t n = 0;
    unsigned sum = 0;

    if (b == 0x7E) {
        if (rx->open && !rx->bad && !rx->esc && rx->n >= 2) {
            for (size_t i = 0; i + 1 < rx->n; i++)
                sum += rx->buf[i];
            if ((sum & 0xFF) == rx->buf[rx->n - 1])
                n = rx->n - 1;
        }
        rx->open = true;
        rx->n = 0;
        rx->esc = rx->bad = false;
        return n;
    }
    if (!rx->open)
        return 0;
    if (b == 0x7D && !rx->esc) {
        rx->esc = true;
        return 0;
    }
    if (rx->esc)
        b |= 0x20, rx->esc = false;
    if (rx->n < sizeof(rx->buf))
        rx->buf[rx->n++] = b;
    else
        rx->bad = true;
    return 0;
}

int s5_parse_request(const uint8_t *rec, size_t n, struct s5_request *ret)
{
    size_t off;

    if (n < HDR + 9 || (size_t)(rec[0] | rec[1] << 8) != n || rec[14] != 0 || rec[15] != 0)
        return -1;
    if (rec[18] != 0) /* sr_desc[0] must be a physiological request */
        return -1;
    off = HDR + (size_t)(rec[16] | rec[17] << 8);
    if (off + 9 > n)
        return -1;
    ret->type = rec[off];
    ret->tx_ival = (int16_t)(rec[off + 1] | rec[off + 2] << 8);
    ret->classes = (uint32_t)rec[off + 3] | (uint32_t)rec[off + 4] << 8 |
                   (uint32_t)rec[off + 5] << 16 | (uint32_t)rec[off + 6] << 24;
    return 0;
}
