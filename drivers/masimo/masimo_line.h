/* SPDX-License-Identifier: MIT */
/* Masimo "ASCII 1" serial output: a pure line splitter and TAG=value line decoder. */
#ifndef VSD_MASIMO_LINE_H
#define VSD_MASIMO_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSD_MASIMO_LINE_MAX 255  /* longer lines are garbage (a real one is ~150 chars) */
#define VSD_MASIMO_MAX_RECORDS 8 /* decoded lines kept until taken; older ones dropped */
#define VSD_MASIMO_SN_MAX 32     /* SN= is 10 characters (Rad-8, Radical-7); longer is malformed */

/* EXC (exception) bits: docs/devices/masimo.md, 'EXC bits' (Masimo Rad-8 Operator's Manual). */
#define VSD_MASIMO_EXC_NO_SENSOR 0x000001u
#define VSD_MASIMO_EXC_DEFECTIVE_SENSOR 0x000002u
#define VSD_MASIMO_EXC_LOW_PERFUSION 0x000004u
#define VSD_MASIMO_EXC_PULSE_SEARCH 0x000008u
#define VSD_MASIMO_EXC_INTERFERENCE 0x000010u
#define VSD_MASIMO_EXC_SENSOR_OFF 0x000020u
#define VSD_MASIMO_EXC_AMBIENT_LIGHT 0x000040u
#define VSD_MASIMO_EXC_UNRECOGNISED_SENSOR 0x000080u
#define VSD_MASIMO_EXC_INCOMPATIBLE_SENSOR 0x000100u
#define VSD_MASIMO_EXC_LOW_SIQ 0x000400u
#define VSD_MASIMO_EXC_NO_CABLE 0x001000u
#define VSD_MASIMO_EXC_SENSOR_CALIBRATING 0x020000u

/* One numeric field: absent from the line, dashes (no value), or a number. */
struct vsd_masimo_field {
    bool present;
    double value; /* NAN when the device printed dashes */
};

/* One decoded line. */
struct vsd_masimo_record {
    struct vsd_masimo_field spo2, bpm, pi, spco, spmet, pvi;
    bool has_alarm, has_exc;
    uint32_t alarm, exc;
    char sn[VSD_MASIMO_SN_MAX + 1]; /* the device's serial number (SN=), "" when not sent */
};

/* Decode one line (without CR LF) of LEN bytes. Returns 0, or -EBADMSG when it is not a data
 * line: no timestamp, a byte that is not printable ASCII, a malformed or repeated value of a
 * known tag, or no SpO2/pulse field at all. Unknown tokens are ignored. */
int vsd_masimo_parse_line(const char *line, size_t len, struct vsd_masimo_record *out);

/* The quality flags (enum vsd_quality) of an EXC mask. */
uint32_t vsd_masimo_exc_flags(uint32_t exc);

/* Stream state: the line being received and the records decoded. */
struct vsd_masimo {
    char line[VSD_MASIMO_LINE_MAX + 1];
    size_t len;
    bool overflow; /* the current line is too long: skip to its end */
    struct vsd_masimo_record done[VSD_MASIMO_MAX_RECORDS];
    unsigned n_done;
    unsigned bad_lines, good_lines; /* not yet taken */
};

void vsd_masimo_init(struct vsd_masimo *m);
/* Split N more bytes into lines and decode each complete one. Never fails. */
void vsd_masimo_feed(struct vsd_masimo *m, const uint8_t *buf, size_t n);
/* Move up to MAX decoded records (oldest first) into OUT; returns how many. */
unsigned vsd_masimo_take(struct vsd_masimo *m, struct vsd_masimo_record *out, unsigned max);
/* Lines counted since the last call (bad, good), then reset. */
void vsd_masimo_take_counts(struct vsd_masimo *m, unsigned *bad, unsigned *good);

#endif
