/* SPDX-License-Identifier: MIT */
/* Inside the serial transport: the handle and the backend openers shared by serial*.c. */
#ifndef VSD_SERIAL_PRIVATE_H
#define VSD_SERIAL_PRIVATE_H

#include <stdbool.h>

#include <vitalsd/serial.h>

struct sp_port;

enum serial_kind { SERIAL_TCP, SERIAL_PTY, SERIAL_PORT };

/* Every backend ends up as a non-blocking fd; libserialport only opens and configures. */
struct vsd_serial {
    enum serial_kind kind;
    int fd;
    struct sp_port *port; /* SERIAL_PORT only */
};

/* Connect to "tcp://HOST:PORT" within TIMEOUT_MS; sets S->fd. Returns 0 or negative errno. */
int vsd_serial_tcp_open(struct vsd_serial *s, const char *spec, int64_t timeout_ms);

/* Open a pseudo-terminal (PATH resolves under /dev/pts/) with termios; sets S->fd. */
int vsd_serial_pty_open(struct vsd_serial *s, const char *path, const struct vsd_serial_params *p);

/* Open a real port through libserialport; sets S->port and S->fd. */
int vsd_serial_sp_open(struct vsd_serial *s, const char *path, const struct vsd_serial_params *p);

/* True when PATH (after symlinks) is a pseudo-terminal slave. */
bool vsd_serial_is_pty(const char *path);

#endif
