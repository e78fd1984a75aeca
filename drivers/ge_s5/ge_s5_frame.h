/* SPDX-License-Identifier: MIT */
/* GE/Datex-Ohmeda S/5 Computer Interface framing: 7E flags, 7D byte stuffing, 8-bit sum. */
#ifndef VSD_GE_S5_FRAME_H
#define VSD_GE_S5_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A frame on the wire is 7E, the stuffed record and its checksum, 7E (docs/devices/ge-s5.md,
 * 'Framing', from GE's S/5 Computer Interface Specification M1017617). The checksum is the 8-bit
 * sum of every record byte, taken before stuffing (the GE specification; VSCapture sums the
 * escape bytes too). Stuffing: 7E -> 7D 5E, 7D -> 7D 5D. */
#define VSD_GES5_FLAG 0x7E
#define VSD_GES5_ESC 0x7D
#define VSD_GES5_HEADER_LEN 40
#define VSD_GES5_DATA_MAX 1450
#define VSD_GES5_RECORD_MAX (VSD_GES5_HEADER_LEN + VSD_GES5_DATA_MAX)
/* Worst case wire size of one frame: two flags, every byte of record and checksum stuffed. */
#define VSD_GES5_FRAME_MAX (2 + 2 * (VSD_GES5_RECORD_MAX + 1))

/* The checksum of record REC (N bytes). */
uint8_t vsd_ges5_checksum(const uint8_t *rec, size_t n);

/* Frame record REC (N bytes, 1..VSD_GES5_RECORD_MAX) into OUT (CAP bytes). Returns the frame's
 * length, -EINVAL for a bad N, or -ENOSPC when CAP is too small. */
ssize_t vsd_ges5_frame_encode(const uint8_t *rec, size_t n, uint8_t *out, size_t cap);

/* What one byte fed to the deframer completed. */
enum vsd_ges5_frame_status {
    VSD_GES5_MORE = 0,   /* nothing complete yet */
    VSD_GES5_GOOD,       /* a record with a matching checksum and length is in rec[0..len) */
    VSD_GES5_BAD_SUM,    /* complete, but the checksum does not match */
    VSD_GES5_BAD_LENGTH, /* shorter than a header, or r_len disagrees (truncated, spliced) */
    VSD_GES5_TOO_LONG,   /* more bytes than any record may have before the closing flag */
    VSD_GES5_BAD_ESCAPE, /* 7D followed by anything but 5E or 5D (or by a flag) */
};

/* Receive state, kept across reads (and polls): zero it (or vsd_ges5_deframer_reset()) first.
 * It hunts for a flag, then collects until the next flag. Back-to-back flags (a closing flag
 * followed by the next opening one) are empty frames and are skipped silently, so the decoder
 * finds the frame boundaries again after any loss. Bytes before the first flag are dropped and
 * counted in skipped. */
struct vsd_ges5_deframer {
    uint8_t rec[VSD_GES5_RECORD_MAX + 1]; /* record + checksum, unstuffed */
    size_t len;                           /* bytes in rec; for GOOD, the record without its sum */
    unsigned char in_frame, escape, overflow, bad_escape, done;
    unsigned long skipped; /* bytes dropped while hunting for a flag */
};

void vsd_ges5_deframer_reset(struct vsd_ges5_deframer *d);

/* Feed one received byte. After GOOD the record is in d->rec (d->len bytes) until the next
 * call. */
enum vsd_ges5_frame_status vsd_ges5_deframe_byte(struct vsd_ges5_deframer *d, uint8_t b);

/* The name of a status, for logs and tests ("good", "bad checksum", ...). */
const char *vsd_ges5_frame_status_name(enum vsd_ges5_frame_status s);

#endif
