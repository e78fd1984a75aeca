/* SPDX-License-Identifier: MIT */
/* The serial transport every serial driver uses: real ports, pseudo-terminals, TCP serial servers. */
#ifndef VITALSD_SERIAL_H
#define VITALSD_SERIAL_H

#include <stddef.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/types.h>

#include <vitalsd/option.h>

/* One interface, three backends, chosen by the port string:
 *   "tcp://HOST:PORT"        a raw TCP serial server (ser2net, a device server): no line settings;
 *   a pseudo-terminal        (/dev/pts/N, or a symlink to one): opened with termios, since
 *                            libserialport 0.1.1 refuses ptys;
 *   anything else            a real port through libserialport (/dev/ttyUSB0,
 *                            /dev/serial/by-id/...).
 * No driver knows which backend it has. Nothing here sleeps beyond the timeout it is given,
 * retries or reconnects: the bus thread owns that. */

enum vsd_serial_parity { VSD_PARITY_NONE = 0, VSD_PARITY_ODD, VSD_PARITY_EVEN };
enum vsd_serial_flow { VSD_FLOW_NONE = 0, VSD_FLOW_RTSCTS, VSD_FLOW_XONXOFF };

struct vsd_serial_params {
    const char *port;
    int baud;
    int data_bits;  /* 5..8 */
    enum vsd_serial_parity parity;
    int stop_bits;  /* 1 or 2 */
    enum vsd_serial_flow flow;
};

struct vsd_serial;

/* Open PORT (bounded by TIMEOUT_MS for TCP connects). Returns 0 or negative errno:
 * -ENOENT / -ENODEV (no such port), -EACCES, -ECONNREFUSED, -ETIMEDOUT, -EINVAL (bad settings). */
int vsd_serial_open(const struct vsd_serial_params *p, int64_t timeout_ms, struct vsd_serial **ret);

/* Read up to N bytes, waiting at most TIMEOUT_MS for the first one, then taking whatever else is
 * already there. Returns the count (> 0), -ETIMEDOUT when nothing came, or a broken-link error
 * (-EIO, -ECONNRESET, -ENODEV: the peer closed, the cable or adapter went away). */
ssize_t vsd_serial_read(struct vsd_serial *s, void *buf, size_t n, int64_t timeout_ms);

/* Everything that has arrived: waits at most TIMEOUT_MS for the first bytes, then hands FEED
 * what is already buffered, chunk by chunk, up to about MAX bytes (so one poll stays bounded).
 * Returns the bytes fed (> 0), -ETIMEDOUT when none came, or a broken-link error (also after
 * some bytes were fed: they were fed, the link is gone). */
typedef void (*vsd_serial_feed_fn)(void *ctx, const uint8_t *buf, size_t n);
ssize_t vsd_serial_drain(struct vsd_serial *s, int64_t timeout_ms, size_t max,
                         vsd_serial_feed_fn feed, void *ctx);

/* Write all N bytes within TIMEOUT_MS. Returns 0, -ETIMEDOUT, or a broken-link error. */
int vsd_serial_write(struct vsd_serial *s, const void *buf, size_t n, int64_t timeout_ms);

/* Discard input already received (stale bytes before a request). Returns 0 or negative errno. */
int vsd_serial_flush_input(struct vsd_serial *s);

void vsd_serial_close(struct vsd_serial *s); /* accepts NULL */

/* Option-table entries shared by serial drivers: port (required), baud, data_bits, parity,
 * stop_bits, flow_control, with each device's defaults. Use inside a driver's table:
 *   static const struct vsd_option opts[] = {
 *       VSD_SERIAL_OPTIONS("9600", "none", "none"),
 *       {.key = "format", ...},
 *       {0}};
 * and fill the parameters with vsd_serial_params_of(). */
#define VSD_SERIAL_OPTIONS(baud, parity, flow)                                                    \
    {.key = "port", .type = VSD_OPT_STRING, .flags = VSD_OPT_REQUIRED,                            \
     .help = "serial port path, /dev/serial/by-id/..., a pty, or tcp://HOST:PORT"},              \
        {.key = "baud", .type = VSD_OPT_INT, .def = baud, .flags = VSD_OPT_RANGE, .min = 300,     \
         .max = 921600, .help = "line speed"},                                                    \
        {.key = "data_bits", .type = VSD_OPT_INT, .def = "8", .flags = VSD_OPT_RANGE, .min = 5,   \
         .max = 8, .help = "data bits"},                                                          \
        {.key = "parity", .type = VSD_OPT_ENUM, .def = parity, .choices = (const char *const[]){"none", "odd", "even", NULL},        \
         .help = "parity"},                                                                       \
        {.key = "stop_bits", .type = VSD_OPT_INT, .def = "1", .flags = VSD_OPT_RANGE, .min = 1,   \
         .max = 2, .help = "stop bits"},                                                          \
        {.key = "flow_control", .type = VSD_OPT_ENUM, .def = flow,                               \
         .choices = (const char *const[]){"none", "rtscts", "xonxoff", NULL}, .help = "flow control"}

struct vsd_device;
/* The parameters of DEV's serial options (already checked by the schema). */
void vsd_serial_params_of(const struct vsd_device *dev, struct vsd_serial_params *p);

#endif
