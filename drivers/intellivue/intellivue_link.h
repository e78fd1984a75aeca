/* SPDX-License-Identifier: MIT */
/* The two transports of the IntelliVue data export: MIB/RS232 (the serial frame around each
 * message, over any vsd_serial port) and LAN (one message per UDP datagram). */
#ifndef VSD_INTELLIVUE_LINK_H
#define VSD_INTELLIVUE_LINK_H

#include <stddef.h>
#include <stdint.h>

#define VSD_IVUE_UDP_PORT 24105 /* the monitor's data export port on the LAN */

struct vsd_device;
struct ivue_link;

/* Open DEV's link: its `port` is a serial port or tcp://HOST:PORT (MIB/RS232 frames), or
 * udp://HOST[:PORT] (LAN datagrams, default port 24105). Returns 0 or negative errno. */
int ivue_link_open(struct vsd_device *dev, struct ivue_link **ret);
/* Send one message (N bytes), within TIMEOUT_MS. Returns 0 or negative errno. */
int ivue_link_send(struct ivue_link *l, const uint8_t *msg, size_t n, int64_t timeout_ms);
/* The next message received before END (monotonic ms, now_ms()'s clock): 1 with *MSG and *LEN
 * (valid until the next call), 0 at END, or a broken-link error. Bad frames count in *BAD. */
int ivue_link_next(struct ivue_link *l, int64_t end, const uint8_t **msg, size_t *len,
                   unsigned *bad);
void ivue_link_close(struct ivue_link *l); /* accepts NULL */

/* Real monotonic ms: exchanges are bounded in real time even when the bus clock is not. */
int64_t ivue_now_ms(void);

#endif
