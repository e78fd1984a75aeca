/* SPDX-License-Identifier: MIT */
/* Nonin serial Data Formats 2, 7 and 8: a pure stream decoder into one-second averages. */
#ifndef VSD_NONIN_FRAME_H
#define VSD_NONIN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSD_NONIN_SLOTS 25        /* DF2/DF7 frames per packet */
#define VSD_NONIN_FRAMES_PER_S 75 /* DF2/DF7 frames per second */
#define VSD_NONIN_HR_MISSING 511
#define VSD_NONIN_SPO2_MISSING 127
#define VSD_NONIN_MAX_SECONDS 8 /* completed seconds kept until taken; older ones dropped */

/* One second of one vital: the mean of the valid display values, or no value. */
struct vsd_nonin_value {
    bool present;   /* a value or a "no value" code was seen in this second */
    double value;   /* NAN when only "no value" codes were seen */
    uint32_t flags; /* enum vsd_quality bits of every frame of the second */
};

struct vsd_nonin_second {
    struct vsd_nonin_value hr, spo2;
};

/* Decoder state: bytes not yet used, frame lock, slot in the packet, the open second. */
struct vsd_nonin {
    int format; /* 2, 7 or 8 */
    uint8_t buf[16];
    size_t len;
    bool locked;
    int slot;        /* 1..25 after a SYNC frame, 0 = unknown */
    int hr_msb;      /* HR-D MSB of this packet, -1 = none */
    unsigned frames; /* good frames in the open second */
    double hr_sum, spo2_sum;
    unsigned hr_n, spo2_n, hr_missing, spo2_missing;
    uint32_t flags;
    struct vsd_nonin_second done[VSD_NONIN_MAX_SECONDS];
    unsigned n_done;
    unsigned skipped;     /* bytes skipped without a lock since the last counted bad frame */
    unsigned bad_frames;  /* frames lost to noise, bad checksums, truncation (not yet taken) */
    unsigned good_frames; /* frames decoded (not yet taken) */
    unsigned dropped_seconds;
};

/* Start decoding FORMAT (2, 7 or 8). Returns 0 or -EINVAL. */
int vsd_nonin_init(struct vsd_nonin *p, int format);

/* Decode N more bytes of the stream. Never fails: garbage is skipped and counted. */
void vsd_nonin_feed(struct vsd_nonin *p, const uint8_t *buf, size_t n);

/* Move up to MAX completed seconds (oldest first) into OUT; returns how many. */
unsigned vsd_nonin_take(struct vsd_nonin *p, struct vsd_nonin_second *out, unsigned max);

/* Frames counted since the last call (bad, good), then reset. */
void vsd_nonin_take_counts(struct vsd_nonin *p, unsigned *bad, unsigned *good);

/* Building blocks, exported for tests. */
bool vsd_nonin_frame_valid(int format, const uint8_t *f);    /* sync bits, checksum */
int vsd_nonin_hr(uint8_t msb, uint8_t lsb);                  /* 9-bit heart rate */
uint32_t vsd_nonin_status_flags(int format, uint8_t status); /* DF2/7 STATUS or DF8 byte 1 */

#endif
