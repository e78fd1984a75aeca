/* SPDX-License-Identifier: MIT */
/* Nellcor N-595 / NPB-290 / NPB-295 / N-395 real-time data port: a pure line decoder. */
#ifndef VSD_NELLCOR_LINE_H
#define VSD_NELLCOR_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/lines.h>

#define VSD_NELLCOR_LINE_MAX 127  /* longer lines are garbage (a heading is ~75 characters) */
#define VSD_NELLCOR_MAX_RECORDS 8 /* decoded lines kept until taken; older ones dropped */
#define VSD_NELLCOR_MODEL_MAX 47  /* "N-595 VERSION 1.5.0.0" and the like */

/* The 2-letter status codes of a data line (docs/devices/nellcor.md, 'Status codes'). */
enum vsd_nellcor_status {
    VSD_NELLCOR_AO = 1u << 0,  /* alarm off */
    VSD_NELLCOR_AS = 1u << 1,  /* alarm silenced */
    VSD_NELLCOR_LB = 1u << 2,  /* low battery */
    VSD_NELLCOR_LM = 1u << 3,  /* loss of pulse with interference (motion) */
    VSD_NELLCOR_LP = 1u << 4,  /* loss of pulse */
    VSD_NELLCOR_MO = 1u << 5,  /* interference (motion) detected */
    VSD_NELLCOR_PH = 1u << 6,  /* pulse rate upper limit alarm */
    VSD_NELLCOR_PL = 1u << 7,  /* pulse rate lower limit alarm */
    VSD_NELLCOR_PS = 1u << 8,  /* pulse search */
    VSD_NELLCOR_SD = 1u << 9,  /* sensor disconnect */
    VSD_NELLCOR_SH = 1u << 10, /* saturation upper limit alarm */
    VSD_NELLCOR_SL = 1u << 11, /* saturation lower limit alarm */
    VSD_NELLCOR_SO = 1u << 12, /* sensor off */
};

/* One numeric column: a number, or dashes (no value). */
struct vsd_nellcor_field {
    double value; /* NAN for dashes */
    bool marked;  /* a '*' in the field (taken to mark an alarm; the value stands) */
};

/* One decoded data line. */
struct vsd_nellcor_record {
    struct vsd_nellcor_field spo2, bpm, pa;
    uint32_t status;  /* enum vsd_nellcor_status bits */
    unsigned unknown; /* 2-letter codes not in the table (ignored) */
};

enum vsd_nellcor_kind { VSD_NELLCOR_BAD = -1, VSD_NELLCOR_DATA = 0, VSD_NELLCOR_HEADING = 1 };

/* Decode one line (without CR LF) of LEN bytes: a data line into *OUT, or a heading line.
 * MODEL (may be NULL, at least VSD_NELLCOR_MODEL_MAX + 1 bytes) receives "<model> VERSION <v>"
 * of a first heading line, else "". */
enum vsd_nellcor_kind vsd_nellcor_parse_line(const char *line, size_t len,
                                             struct vsd_nellcor_record *out, char *model);

/* The model alone ("N-595") of a heading's MODEL text ("N-595 VERSION 1.5.0.0") into OUT of
 * SIZE bytes (cut to fit). */
void vsd_nellcor_model_name(const char *model, char *out, size_t size);

/* The quality flags (enum vsd_quality) of status code bits. */
uint32_t vsd_nellcor_status_flags(uint32_t status);

/* Stream state: the line being received, the records decoded, the heading's model. */
struct vsd_nellcor {
    struct vsd_lines lines;
    struct vsd_nellcor_record done[VSD_NELLCOR_MAX_RECORDS];
    unsigned n_done;
    unsigned bad_lines, good_lines;        /* not yet taken (headings count as neither) */
    char model[VSD_NELLCOR_MODEL_MAX + 1]; /* of the last heading, "" before one */
    bool model_changed;                    /* since vsd_nellcor_take_model() */
};

void vsd_nellcor_init(struct vsd_nellcor *p);
/* Split N more bytes into lines and decode each complete one. Never fails. */
void vsd_nellcor_feed(struct vsd_nellcor *p, const uint8_t *buf, size_t n);
/* Move up to MAX decoded records (oldest first) into OUT; returns how many. */
unsigned vsd_nellcor_take(struct vsd_nellcor *p, struct vsd_nellcor_record *out, unsigned max);
/* Lines counted since the last call (bad, good), then reset. */
void vsd_nellcor_take_counts(struct vsd_nellcor *p, unsigned *bad, unsigned *good);
/* The heading's model when it changed since the last call, else NULL. */
const char *vsd_nellcor_take_model(struct vsd_nellcor *p);

#endif
