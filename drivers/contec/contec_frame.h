/* SPDX-License-Identifier: MIT */
/* Contec CMS50D+ / CMS50E live streams ("legacy" 5-byte, "new" 9-byte): a pure stream decoder. */
#ifndef VSD_CONTEC_FRAME_H
#define VSD_CONTEC_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum vsd_contec_proto { VSD_CONTEC_LEGACY = 0, VSD_CONTEC_NEW };

#define VSD_CONTEC_LEGACY_SIZE 5
#define VSD_CONTEC_NEW_SIZE 9
#define VSD_CONTEC_SPO2_NONE 127 /* "no value" codes (docs/devices/contec.md) */
#define VSD_CONTEC_PR_NONE 255   /* legacy, 8 bits */
#define VSD_CONTEC_PR_NONE_NEW 127
#define VSD_CONTEC_WINDOW 256 /* packets kept per vital until taken: about 4 s at 60/s */

/* Host commands of the new protocol (9 bytes: 7D 81 CMD 80 x 6). */
#define VSD_CONTEC_CMD_START 0xA1     /* start real-time data */
#define VSD_CONTEC_CMD_KEEPALIVE 0xAF /* keep the real-time stream going */
#define VSD_CONTEC_CMD_SIZE 9

/* One vital of one packet, or of a window of packets: a value or none, with quality flags. */
struct vsd_contec_value {
    double value;   /* NAN when the device gave no value */
    uint32_t flags; /* enum vsd_quality bits; VSD_Q_INVALID with NAN */
};

/* Decoder state: bytes not yet used, frame lock, the packets of the window not yet taken. */
struct vsd_contec {
    int proto;
    uint8_t buf[VSD_CONTEC_NEW_SIZE + 1]; /* one packet and the next start byte */
    size_t len;
    bool locked;
    unsigned skipped; /* bytes skipped without a lock since the last counted bad frame */
    uint32_t pr[VSD_CONTEC_WINDOW], spo2[VSD_CONTEC_WINDOW]; /* packed value and flags */
    unsigned n, next; /* packets in the window, ring position of the next one */
    unsigned bad_frames, good_frames;
};

/* Start decoding PROTO. Returns 0 or -EINVAL. */
int vsd_contec_init(struct vsd_contec *p, int proto);

/* Decode N more bytes of the stream. Never fails: garbage is skipped and counted. */
void vsd_contec_feed(struct vsd_contec *p, const uint8_t *buf, size_t n);

/* The window's pulse rate and SpO2: for each, the median of its packets (value and flags
 * together), so that one packet corrupted in a way the checksum-less format cannot show does not
 * become a reading. Empties the window. Returns false when it held no packet. */
bool vsd_contec_take(struct vsd_contec *p, struct vsd_contec_value *pr,
                     struct vsd_contec_value *spo2);

/* Frames counted since the last call (bad, good), then reset. */
void vsd_contec_take_counts(struct vsd_contec *p, unsigned *bad, unsigned *good);

/* Building blocks, exported for tests. */
size_t vsd_contec_packet_size(int proto);
bool vsd_contec_packet_valid(int proto, const uint8_t *f); /* sync and data-byte bits */
void vsd_contec_decode(int proto, const uint8_t *f, struct vsd_contec_value *pr,
                       struct vsd_contec_value *spo2);
void vsd_contec_command(uint8_t cmd, uint8_t out[VSD_CONTEC_CMD_SIZE]);

#endif
