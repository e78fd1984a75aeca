/* SPDX-License-Identifier: MIT */
/* The tty backends of the serial transport: termios for pseudo-terminals, libserialport for ports.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include <libserialport.h>
#include <vitalsd/log.h>

#include "serial_private.h"

bool vsd_serial_is_pty(const char *path)
{
    char *real = realpath(path, NULL); /* (src/limits.h hides <limits.h>: no PATH_MAX) */
    struct stat st;
    bool pty;

    if (!real)
        return false;
    /* Unix98 pty slaves have majors 136..143 wherever devpts is mounted. */
    pty = strncmp(real, "/dev/pts/", 9) == 0 ||
          (stat(real, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
           major(st.st_rdev) <= 143);
    free(real);
    return pty;
}

static int speed_of(int baud, speed_t *ret)
{
    static const struct {
        int baud;
        speed_t speed;
    } table[] = {{300, B300},      {600, B600},       {1200, B1200},     {2400, B2400},
                 {4800, B4800},    {9600, B9600},     {19200, B19200},   {38400, B38400},
                 {57600, B57600},  {115200, B115200}, {230400, B230400}, {460800, B460800},
                 {921600, B921600}};

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].baud == baud) {
            *ret = table[i].speed;
            return 0;
        }
    return -EINVAL;
}

/* P's line settings into TIO (raw mode). Returns 0 or -EINVAL. */
static int line_settings(struct termios *tio, const struct vsd_serial_params *p)
{
    static const tcflag_t sizes[] = {CS5, CS6, CS7, CS8};
    speed_t speed;

    if (speed_of(p->baud, &speed) < 0 || p->data_bits < 5 || p->data_bits > 8)
        return -EINVAL;
    cfmakeraw(tio);
    cfsetispeed(tio, speed);
    cfsetospeed(tio, speed);
    tio->c_cflag &= ~(tcflag_t)(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
    tio->c_cflag |= sizes[p->data_bits - 5] | CLOCAL | CREAD;
    if (p->parity != VSD_PARITY_NONE)
        tio->c_cflag |= PARENB | (p->parity == VSD_PARITY_ODD ? PARODD : 0);
    if (p->stop_bits == 2)
        tio->c_cflag |= CSTOPB;
    if (p->flow == VSD_FLOW_RTSCTS)
        tio->c_cflag |= CRTSCTS;
    if (p->flow == VSD_FLOW_XONXOFF)
        tio->c_iflag |= IXON | IXOFF;
    tio->c_cc[VMIN] = 0;
    tio->c_cc[VTIME] = 0;
    return 0;
}

int vsd_serial_pty_open(struct vsd_serial *s, const char *path, const struct vsd_serial_params *p)
{
    struct termios tio;
    int r;

    s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (s->fd < 0)
        return -errno;
    if (tcgetattr(s->fd, &tio) < 0) {
        r = errno == ENOTTY ? -ENODEV : -errno;
        goto fail;
    }
    r = line_settings(&tio, p);
    if (r < 0)
        goto fail;
    if (tcsetattr(s->fd, TCSANOW, &tio) < 0 || tcflush(s->fd, TCIFLUSH) < 0) {
        r = -errno;
        goto fail;
    }
    return 0;
fail:
    close(s->fd);
    s->fd = -1;
    return r;
}

/* libserialport's answer as a negative errno; its own message goes to the debug log once. */
static int sp_error(enum sp_return ret, const char *path, const char *what)
{
    int err = errno;
    char *msg;

    if (ret == SP_ERR_ARG || ret == SP_ERR_SUPP)
        return -EINVAL;
    if (ret == SP_ERR_MEM)
        return -ENOMEM;
    msg = sp_last_error_message();
    vsd_log(LOG_DEBUG, "serial %s: %s: %s", path, what, msg ? msg : "failed");
    sp_free_error_message(msg);
    return err > 0 ? -err : -EIO;
}

static int sp_configure(struct sp_port *port, const struct vsd_serial_params *p)
{
    static const enum sp_parity parity[] = {SP_PARITY_NONE, SP_PARITY_ODD, SP_PARITY_EVEN};
    static const enum sp_flowcontrol flow[] = {SP_FLOWCONTROL_NONE, SP_FLOWCONTROL_RTSCTS,
                                               SP_FLOWCONTROL_XONXOFF};
    enum sp_return r;

    r = sp_set_baudrate(port, p->baud);
    if (r == SP_OK)
        r = sp_set_bits(port, p->data_bits);
    if (r == SP_OK)
        r = sp_set_parity(port, parity[p->parity]);
    if (r == SP_OK)
        r = sp_set_stopbits(port, p->stop_bits);
    if (r == SP_OK)
        r = sp_set_flowcontrol(port, flow[p->flow]);
    if (r == SP_OK)
        r = sp_flush(port, SP_BUF_INPUT);
    return r;
}

int vsd_serial_sp_open(struct vsd_serial *s, const char *path, const struct vsd_serial_params *p)
{
    enum sp_return ret;
    int r;

    if ((unsigned)p->parity > VSD_PARITY_EVEN || (unsigned)p->flow > VSD_FLOW_XONXOFF)
        return -EINVAL;
    if (access(path, F_OK) < 0)
        return -errno; /* -ENOENT: the adapter is not there (unplugged, re-enumerated) */
    ret = sp_get_port_by_name(path, &s->port);
    if (ret != SP_OK) {
        s->port = NULL;
        return sp_error(ret, path, "lookup");
    }
    ret = sp_open(s->port, SP_MODE_READ_WRITE);
    if (ret != SP_OK) {
        r = sp_error(ret, path, "open");
        sp_free_port(s->port);
        s->port = NULL;
        return r;
    }
    ret = sp_configure(s->port, p);
    if (ret != SP_OK || sp_get_port_handle(s->port, &s->fd) != SP_OK) {
        r = sp_error(ret, path, "settings");
        s->fd = -1;
        return r; /* vsd_serial_close() closes the port */
    }
    fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
    return 0;
}
