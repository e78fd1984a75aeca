/* SPDX-License-Identifier: MIT */
/* IntelliVue data export messages (see intellivue_pdu.h). Every read is bounds-checked: a
 * length that points past its container makes the message bad, never a read past it. */
#include <math.h>
#include <string.h>

#include "intellivue_pdu.h"
#include "intellivue_rd.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* A data message: the remote operation and its invoke header. */
static int classify_data(struct rd *r, struct vsd_ivue_msg *m)
{
    uint16_t type, len;
    struct rd ro;

    skip(r, 4); /* E1 00 00 02: session and presentation header */
    type = u16(r);
    len = u16(r);
    ro = sub(r, len);
    if (ro.bad)
        return -1;
    if (type == VSD_IVUE_RORLS) {
        u16(&ro); /* linked state, count */
        m->kind = VSD_IVUE_LINKED;
    } else if (type == VSD_IVUE_ROIV || type == VSD_IVUE_RORS || type == VSD_IVUE_ROER) {
        m->kind = type == VSD_IVUE_ROIV   ? VSD_IVUE_INVOKE
                  : type == VSD_IVUE_RORS ? VSD_IVUE_RESULT
                                          : VSD_IVUE_ERROR;
    } else {
        return 0;
    }
    m->invoke_id = u16(&ro);
    m->command = u16(&ro);
    len = u16(&ro);
    ro = sub(&ro, len);
    if (ro.bad) {
        m->kind = VSD_IVUE_OTHER;
        return -1;
    }
    m->arg = ro.p;
    m->arg_len = ro.n;
    return 0;
}

int vsd_ivue_classify(const uint8_t *p, size_t n, struct vsd_ivue_msg *m)
{
    struct rd r = {.p = p, .n = n};

    memset(m, 0, sizeof(*m));
    if (n == 0)
        return -1;
    switch (p[0]) {
    case VSD_IVUE_SPDU_AC:
        m->kind = VSD_IVUE_ACCEPT;
        return 0;
    case VSD_IVUE_SPDU_RF:
        m->kind = VSD_IVUE_REFUSE;
        return 0;
    case VSD_IVUE_SPDU_AB:
        m->kind = VSD_IVUE_ABORT;
        return 0;
    case VSD_IVUE_SPDU_FN:
    case VSD_IVUE_SPDU_DN:
        m->kind = VSD_IVUE_RELEASE;
        return 0;
    case VSD_IVUE_SPDU_DATA:
        return n >= 8 && p[1] == 0 ? classify_data(&r, m) : -1;
    default:
        return 0;
    }
}

/* The association request: session CN with its parameters, the presentation and ACSE
 * parts, then the MDSE user information (protocol version, nomenclature, functional units,
 * system type, startup mode, option list, poll profile support: minimum poll period
 * 0x9C4 x 1/8 ms wait, maximum 2500-byte messages; the extended-poll option). The template
 * as both public implementations send it (docs/devices/intellivue.md, 'Protocol facts'). */
static const uint8_t assoc_request[] = {
    0x0D, 0xEC, 0x05, 0x08, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x80, 0x00, 0x14, 0x02, 0x00, 0x02,
    0xC1, 0xDC, 0x31, 0x80, 0xA0, 0x80, 0x80, 0x01, 0x01, 0x00, 0x00, 0xA2, 0x80, 0xA0, 0x03, 0x00,
    0x00, 0x01, 0xA4, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0x06, 0x04, 0x52, 0x01, 0x00, 0x01, 0x30,
    0x80, 0x06, 0x02, 0x51, 0x01, 0x00, 0x00, 0x00, 0x00, 0x30, 0x80, 0x02, 0x01, 0x02, 0x06, 0x0C,
    0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01, 0x01, 0x30, 0x80, 0x06, 0x0C,
    0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x61, 0x80, 0x30, 0x80, 0x02, 0x01, 0x01, 0xA0, 0x80, 0x60, 0x80, 0xA1, 0x80, 0x06,
    0x0C, 0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0xBE,
    0x80, 0x28, 0x80, 0x06, 0x0C, 0x2A, 0x86, 0x48, 0xCE, 0x14, 0x02, 0x01, 0x00, 0x00, 0x00, 0x01,
    0x01, 0x02, 0x01, 0x02, 0x81, 0x48, 0x80, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x2C, 0x00, 0x01, 0x00, 0x28, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0xC4, 0x00, 0x00,
    0x09, 0xC4, 0x00, 0x00, 0x03, 0xE8, 0xFF, 0xFF, 0xFF, 0xFF, 0x60, 0x00, 0x00, 0x00, 0x00, 0x01,
    0x00, 0x0C, 0xF0, 0x01, 0x00, 0x08, 0x8C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

/* The release request: session FN, presentation and an ACSE release request. */
static const uint8_t release_request[] = {0x09, 0x18, 0xC1, 0x16, 0x61, 0x80, 0x30, 0x80, 0x02,
                                          0x01, 0x01, 0xA0, 0x80, 0x62, 0x80, 0x80, 0x01, 0x00,
                                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

static size_t copy_out(const uint8_t *src, size_t n, uint8_t *out, size_t cap)
{
    if (n > cap)
        return 0;
    memcpy(out, src, n);
    return n;
}

size_t vsd_ivue_build_assoc(uint8_t *out, size_t cap)
{
    return copy_out(assoc_request, sizeof(assoc_request), out, cap);
}

size_t vsd_ivue_build_release(uint8_t *out, size_t cap)
{
    return copy_out(release_request, sizeof(release_request), out, cap);
}

/* The data header and a remote operation of TYPE whose invoke header carries INVOKE, CMD and
 * an argument of ARG_LEN bytes. Returns the offset of the argument. */
static size_t data_header(uint8_t *out, uint16_t type, uint16_t invoke, uint16_t cmd,
                          size_t arg_len)
{
    out[0] = VSD_IVUE_SPDU_DATA;
    out[1] = 0;
    put16(out + 2, 2); /* presentation context */
    put16(out + 4, type);
    put16(out + 6, (uint16_t)(arg_len + 6));
    put16(out + 8, invoke);
    put16(out + 10, cmd);
    put16(out + 12, (uint16_t)arg_len);
    return 14;
}

bool vsd_ivue_is_mds_create(const struct vsd_ivue_msg *m)
{
    return m->kind == VSD_IVUE_INVOKE && m->command == VSD_IVUE_CMD_CONFIRMED_EVENT_REPORT &&
           m->arg_len >= 14 && (m->arg[10] << 8 | m->arg[11]) == VSD_IVUE_NOM_NOTI_MDS_CREAT;
}

size_t vsd_ivue_build_event_result(const struct vsd_ivue_msg *m, uint8_t *out, size_t cap)
{
    size_t at;

    if (cap < 28 || m->arg_len < 12)
        return 0;
    at = data_header(out, VSD_IVUE_RORS, m->invoke_id, VSD_IVUE_CMD_CONFIRMED_EVENT_REPORT, 14);
    memcpy(out + at, m->arg, 6);           /* the managed object, as reported */
    memset(out + at + 6, 0, 4);            /* current time (relative): 0 */
    memcpy(out + at + 10, m->arg + 10, 2); /* event type */
    put16(out + at + 12, 0);               /* no event reply info */
    return at + 14;
}

size_t vsd_ivue_build_poll(uint16_t invoke_id, uint16_t poll_no, bool ext, uint8_t *out, size_t cap)
{
    size_t reply = ext ? 12 : 8, at;

    if (cap < 14 + 14 + reply)
        return 0;
    at = data_header(out, VSD_IVUE_ROIV, invoke_id, VSD_IVUE_CMD_CONFIRMED_ACTION, 14 + reply);
    put16(out + at, VSD_IVUE_NOM_MOC_VMS_MDS); /* managed object: the MDS, context 0, handle 0 */
    memset(out + at + 2, 0, 8);                /* ... and scope 0 */
    put16(out + at + 10, ext ? VSD_IVUE_ACT_POLL_EXT : VSD_IVUE_ACT_POLL);
    put16(out + at + 12, (uint16_t)reply);
    at += 14;
    put16(out + at, poll_no);
    put16(out + at + 2, 1);                    /* object type: partition 1 (objects), */
    put16(out + at + 4, VSD_IVUE_MOC_NUMERIC); /* numerics */
    put16(out + at + 6, 0);                    /* attribute group: all */
    if (ext)
        memset(out + at + 8, 0, 4); /* attribute list: count 0, length 0 */
    return at + reply;
}

double vsd_ivue_float(uint32_t f)
{
    int32_t mant = (int32_t)(f << 8) >> 8; /* sign-extend 24 bits */
    int exp = (int8_t)(f >> 24);

    if ((f & 0xFFFFFFu) == VSD_IVUE_FLOAT_NAN || (f & 0xFFFFFFu) == VSD_IVUE_FLOAT_NRES ||
        (f & 0xFFFFFFu) == VSD_IVUE_FLOAT_PINF || (f & 0xFFFFFFu) == VSD_IVUE_FLOAT_NINF)
        return NAN;
    return exp < 0 ? (double)mant / pow(10.0, -exp) : (double)mant * pow(10.0, exp);
}
