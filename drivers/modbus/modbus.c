/* SPDX-License-Identifier: MIT */
/* The modbus-tcp and modbus-rtu drivers: one profile-planned set of reads per poll, decoded. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vitalsd/driver.h>

#include "adu.h"
#include "link.h"
#include "mbdevice.h"

/* Driver data of one open unit. */
struct mb {
    modbus_t *ctx;
    struct vsd_mb_profile prof;
    struct vsd_mb_request reqs[VSD_MB_MAX_REQUESTS];
    size_t n_reqs;
    struct vsd_mb_stamp_state stamp;
    int last_mb_errno; /* the last failed poll's libmodbus errno, to log changes only */
    /* The non-blocking Modbus/TCP side (the event loop's): its socket and the poll under way. */
    int fd;            /* -1 when the blocking link (ctx) is used */
    int unit;
    int64_t response_ms;
    size_t cur;        /* the request whose answer is awaited */
    uint16_t tid;      /* its transaction id */
    uint16_t regs[][VSD_MB_MAX_REGS]; /* n_reqs: one per planned read (8 KB for all 32) */
};

static int check_profile(const char *value, char *err, size_t errlen)
{
    struct vsd_mb_profile *p = malloc(sizeof(*p));
    char path[512];
    int r;

    if (!p)
        return -ENOMEM;
    r = vsd_mb_profile_path(value, path, sizeof(path));
    if (r < 0)
        snprintf(err, errlen, "profile path too long");
    else
        r = vsd_mb_profile_load(path, p, err, errlen);
    free(p);
    return r;
}

static const char *const parities[] = {"none", "even", "odd", NULL};

/* The keys both drivers share: the profile and how replies are read. */
#define MB_COMMON_OPTIONS                                                                         \
    {"profile", VSD_OPT_STRING, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, check_profile,                \
     "register-map profile: an absolute path, or a file name in the profile directory"},          \
        {"response_timeout", VSD_OPT_DURATION, VSD_OPT_RANGE, 10, 60000, NULL, NULL, NULL,        \
         "wait for the first byte of a reply (default: the device's timeout)"},                   \
        {"byte_timeout", VSD_OPT_DURATION, VSD_OPT_RANGE, 1, 10000, NULL, "100ms", NULL,          \
         "wait between two bytes of one reply"},                                                  \
        {"max_gap", VSD_OPT_INT, VSD_OPT_RANGE, 0, 123, NULL, "10", NULL,                         \
         "unused registers read to join two reads into one"}

/* The two tables differ in the link keys and the unit id range; the rest is the same. */
static const struct vsd_option tcp_options[] = {
    {"host", VSD_OPT_STRING, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, NULL,
     "gateway or device address (an IP address avoids a DNS lookup)"},
    {"port", VSD_OPT_INT, VSD_OPT_RANGE, 1, 65535, NULL, "502", NULL, "Modbus/TCP port"},
    {"unit_id", VSD_OPT_INT, VSD_OPT_RANGE, 0, 255, NULL, "1", NULL, "Modbus unit id"},
    MB_COMMON_OPTIONS,
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct vsd_option rtu_options[] = {
    {"port", VSD_OPT_STRING, VSD_OPT_REQUIRED, 0, 0, NULL, NULL, NULL,
     "serial port, best by /dev/serial/by-id/..."},
    {"baud", VSD_OPT_INT, VSD_OPT_RANGE, 300, 4000000, NULL, "9600", NULL, "bits per second"},
    {"parity", VSD_OPT_ENUM, 0, 0, 0, parities, "none", NULL, "none, even or odd"},
    {"data_bits", VSD_OPT_INT, VSD_OPT_RANGE, 7, 8, NULL, "8", NULL, "7 or 8"},
    {"stop_bits", VSD_OPT_INT, VSD_OPT_RANGE, 1, 2, NULL, "1", NULL, "1 or 2"},
    {"unit_id", VSD_OPT_INT, VSD_OPT_RANGE, 1, 247, NULL, "1", NULL, "Modbus unit (slave) id"},
    MB_COMMON_OPTIONS,
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

/* Option KEY checked against TABLE; NULL (logged) when missing or wrong. */
static const char *option(const struct vsd_device *dev, const struct vsd_option *table,
                          const char *key)
{
    const struct vsd_option *opt = vsd_option_find(table, key);
    const char *value = vsd_device_option(dev, key);
    char err[768];

    if (!opt || !value || vsd_option_check(opt, value, err, sizeof(err)) < 0) {
        vsd_log(LOG_ERR, "device '%s' (modbus): %s: %s", vsd_device_name(dev), key,
                value ? err : "missing");
        return NULL;
    }
    return value;
}

static int int_option(const struct vsd_device *dev, const struct vsd_option *table, const char *key,
                      int *ret)
{
    const char *value = option(dev, table, key);
    long long v;

    if (!value || vsd_option_parse_int(value, &v) < 0)
        return -EINVAL;
    *ret = (int)v;
    return 0;
}

static int ms_option(const struct vsd_device *dev, const struct vsd_option *table, const char *key,
                     int64_t *ret)
{
    const char *value = option(dev, table, key);

    return value ? vsd_option_parse_duration_ms(value, ret) : -EINVAL;
}

static int serial_params(const struct vsd_device *dev, struct vsd_mb_link_params *lp)
{
    const char *parity = option(dev, rtu_options, "parity");
    int r;

    lp->path = option(dev, rtu_options, "port");
    if (!lp->path || !parity)
        return -EINVAL;
    lp->parity = parity[0] == 'e' ? 'E' : parity[0] == 'o' ? 'O' : 'N';
    r = int_option(dev, rtu_options, "baud", &lp->baud);
    r = r < 0 ? r : int_option(dev, rtu_options, "data_bits", &lp->data_bits);
    return r < 0 ? r : int_option(dev, rtu_options, "stop_bits", &lp->stop_bits);
}

int vsd_mb_device_params(const struct vsd_device *dev, bool rtu, struct vsd_mb_link_params *lp,
                         char *profile, size_t size)
{
    const struct vsd_option *table = rtu ? rtu_options : tcp_options;
    const char *prof = option(dev, table, "profile");
    int r;

    memset(lp, 0, sizeof(*lp));
    lp->rtu = rtu;
    if (!prof || vsd_mb_profile_path(prof, profile, size) < 0)
        return -EINVAL;
    r = rtu ? serial_params(dev, lp) : int_option(dev, table, "port", &lp->tcp_port);
    if (!rtu && !(lp->host = option(dev, table, "host")))
        r = -EINVAL;
    r = r < 0 ? r : int_option(dev, table, "unit_id", &lp->unit_id);
    r = r < 0 ? r : ms_option(dev, table, "byte_timeout", &lp->byte_ms);
    lp->response_ms = vsd_device_timeout_ms(dev);
    if (r >= 0 && vsd_device_option(dev, "response_timeout"))
        r = ms_option(dev, table, "response_timeout", &lp->response_ms);
    return r;
}

static void mb_free(struct mb *m)
{
    if (!m)
        return;
    vsd_mb_link_close(m->ctx);
    if (m->fd >= 0)
        close(m->fd);
    free(m);
}

/* Driver data for DEV with its profile loaded and its reads planned, no link yet; LP set. */
static int mb_prepare(struct vsd_device *dev, bool rtu, struct vsd_mb_link_params *lp,
                      struct mb **ret)
{
    const struct vsd_option *table = rtu ? rtu_options : tcp_options;
    struct mb *m = calloc(1, sizeof(*m)), *grown;
    char path[512], err[768];
    int max_gap, r;

    if (!m)
        return -ENOMEM;
    m->fd = -1;
    r = vsd_mb_device_params(dev, rtu, lp, path, sizeof(path));
    r = r < 0 ? r : int_option(dev, table, "max_gap", &max_gap);
    if (r >= 0 && (r = vsd_mb_profile_load(path, &m->prof, err, sizeof(err))) < 0)
        vsd_log(LOG_ERR, "device '%s' (modbus): profile: %s", vsd_device_name(dev), err);
    if (r < 0) {
        mb_free(m);
        return r;
    }
    m->n_reqs = vsd_mb_plan(&m->prof, (unsigned)max_gap, m->reqs, VSD_MB_MAX_REQUESTS);
    grown = realloc(m, sizeof(*m) + m->n_reqs * sizeof(m->regs[0]));
    if (!grown) {
        mb_free(m);
        return -ENOMEM;
    }
    m = grown;
    memset(m->regs, 0, m->n_reqs * sizeof(m->regs[0]));
    m->unit = lp->unit_id;
    m->response_ms = lp->response_ms;
    *ret = m;
    return 0;
}

static int mb_open(struct vsd_device *dev, bool rtu)
{
    struct vsd_mb_link_params lp;
    struct mb *m;
    int r = mb_prepare(dev, rtu, &lp, &m);

    if (r < 0)
        return r;
    r = vsd_mb_link_open(&lp, &m->ctx);
    if (r < 0) {
        mb_free(m);
        return r;
    }
    vsd_device_set_data(dev, m);
    return 0;
}

static int tcp_open(struct vsd_device *dev)
{
    return mb_open(dev, false);
}

static int rtu_open(struct vsd_device *dev)
{
    return mb_open(dev, true);
}

static void mb_close(struct vsd_device *dev)
{
    mb_free(vsd_device_data(dev));
    vsd_device_set_data(dev, NULL);
}

/* Log a failed read once per change of error, with libmodbus's own words. */
static void log_failure(const struct vsd_device *dev, struct mb *m, const struct vsd_mb_request *rq,
                        int mb_errno)
{
    if (mb_errno == m->last_mb_errno)
        return;
    m->last_mb_errno = mb_errno;
    vsd_log(LOG_INFO, "device '%s' (modbus): reading %u registers at %u (%s): %s",
            vsd_device_name(dev), rq->count, rq->start,
            rq->table == VSD_MB_INPUT ? "input" : "holding", modbus_strerror(mb_errno));
}

static int read_all(const struct vsd_device *dev, struct mb *m)
{
    for (size_t i = 0; i < m->n_reqs; i++) {
        int mb_errno;
        int r = vsd_mb_link_read(m->ctx, &m->reqs[i], m->regs[i], &mb_errno);

        if (r < 0) {
            log_failure(dev, m, &m->reqs[i], mb_errno);
            return r;
        }
    }
    m->last_mb_errno = 0;
    return 0;
}

/* One reading per field of the complete register image of this poll, to SINK. */
static int mb_decode(struct vsd_device *dev, struct mb *m, struct vsd_sink *sink)
{
    const struct vsd_mb_image img = {m->reqs, m->n_reqs,
                                     (const uint16_t(*)[VSD_MB_MAX_REGS])m->regs};
    struct vsd_reading out[VSD_VITAL_COUNT];
    size_t n = vsd_mb_readings(&m->prof, &img, &m->stamp, vsd_device_wall_ms(dev), out);
    int r = 0;

    if (m->prof.identity.present) {
        char model[VSD_IDENTITY_MAX + 1], serial[VSD_IDENTITY_MAX + 1];

        vsd_mb_identity(&m->prof, &img, model, serial, sizeof(model));
        vsd_device_identity(dev, model, serial);
    }
    for (size_t i = 0; i < n && r >= 0; i++)
        r = vsd_sink_push(sink, &out[i]);
    return r;
}

/* Every planned read, then one reading per field. Any failed read fails the whole poll, so no
 * value of an incomplete image is ever reported. */
static int mb_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct mb *m = vsd_device_data(dev);
    int r = read_all(dev, m);

    return r < 0 ? r : mb_decode(dev, m, sink);
}

/* The non-blocking Modbus/TCP side, for the bus's event loop: the same requests and the same
 * checks as the blocking link (adu.c), framed here by the MBAP length over a socket of our own. */
static int tcp_nb_usable(const struct vsd_device *dev)
{
    const char *host = vsd_device_option(dev, "host");
    struct in6_addr a;

    /* a host name would need a DNS lookup, which may block: that unit keeps a thread */
    return host && (inet_pton(AF_INET, host, &a) == 1 || inet_pton(AF_INET6, host, &a) == 1);
}

/* FD, moved to FD_SETSIZE (1,024) or above when the descriptor limit allows. select(2) cannot
 * wait on such a descriptor ("BUGS"), and libmosquitto's mosquitto_loop() and libmodbus wait
 * with select(); the event loop waits with epoll, so its sockets take the high descriptors and
 * leave the low ones to the MQTT socket (reopened on each reconnect), the RTU lines and the
 * TCP units named by host name, however many devices the loop serves. */
static int above_select_range(int fd)
{
    int high = fcntl(fd, F_DUPFD_CLOEXEC, FD_SETSIZE);

    if (high < 0)
        return fd; /* a limit of 1,024 or less: no descriptor reaches that range */
    close(fd);
    return high;
}

/* A non-blocking socket to LP's host and port with its connect started. */
static int nb_socket(const struct vsd_mb_link_params *lp, int *ret)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai;
    char service[16];
    int fd, one = 1, r;

    snprintf(service, sizeof(service), "%d", lp->tcp_port);
    if (getaddrinfo(lp->host, service, &hints, &ai) != 0)
        return -EINVAL;
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    r = fd < 0 ? -errno : 0;
    if (r == 0) {
        fd = above_select_range(fd);
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* as libmodbus does */
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
            r = -errno;
            close(fd);
        }
    }
    freeaddrinfo(ai);
    if (r == 0)
        *ret = fd;
    return r;
}

static int tcp_nb_connect(struct vsd_device *dev, int *fd)
{
    struct vsd_mb_link_params lp;
    struct mb *m;
    int r = mb_prepare(dev, false, &lp, &m);

    if (r < 0)
        return r;
    r = nb_socket(&lp, &m->fd);
    if (r < 0) {
        mb_free(m);
        return r;
    }
    *fd = m->fd;
    vsd_device_set_data(dev, m);
    return 0;
}

/* The request of read M->cur, with a new transaction id. */
static void nb_request(struct mb *m, uint8_t *out, size_t *len, int64_t *timeout_ms)
{
    m->tid = vsd_mb_next_tid();
    vsd_mb_tcp_request(out, m->tid, m->unit, &m->reqs[m->cur]);
    *len = VSD_MB_TCP_REQ_LEN;
    *timeout_ms = m->response_ms;
}

static int tcp_nb_begin(struct vsd_device *dev, uint8_t *out, size_t *len, int64_t *timeout_ms)
{
    struct mb *m = vsd_device_data(dev);

    m->cur = 0;
    nb_request(m, out, len, timeout_ms);
    return 0;
}

/* The answer to read M->cur is complete once the MBAP length's bytes are in; anything after them
 * is stale and dropped by the loop before the next request (as the blocking link flushes). */
static int tcp_nb_input(struct vsd_device *dev, const uint8_t *in, size_t len, uint8_t *out,
                        size_t *out_len, int64_t *timeout_ms, struct vsd_sink *sink)
{
    struct mb *m = vsd_device_data(dev);
    const struct vsd_mb_request *rq = &m->reqs[m->cur];
    int n = vsd_mb_tcp_frame_len(in, len), e;

    if (n == 0 || (n > 0 && (size_t)n > len))
        return VSD_NB_MORE;
    e = n < 0 ? EMBBADDATA
              : vsd_mb_answer_check(in, n, VSD_MB_MBAP_LEN + 1, m->unit, rq, true, m->tid);
    if (e != 0) {
        log_failure(dev, m, rq, e);
        return vsd_mb_errno(e);
    }
    vsd_mb_answer_regs(in, VSD_MB_MBAP_LEN + 1, rq, m->regs[m->cur]);
    if (++m->cur < m->n_reqs) {
        nb_request(m, out, out_len, timeout_ms);
        return VSD_NB_SEND;
    }
    m->last_mb_errno = 0;
    return mb_decode(dev, m, sink);
}

static void tcp_nb_timed_out(struct vsd_device *dev)
{
    struct mb *m = vsd_device_data(dev);

    log_failure(dev, m, &m->reqs[m->cur], ETIMEDOUT);
}

static const struct vsd_nb_ops tcp_nb = {
    .usable = tcp_nb_usable,
    .connect = tcp_nb_connect,
    .begin = tcp_nb_begin,
    .input = tcp_nb_input,
    .timed_out = tcp_nb_timed_out,
};

static const char *rtu_bus_key(const struct vsd_device *dev)
{
    return vsd_device_option(dev, "port"); /* units on one serial line share its thread */
}

/* Units behind one gateway (host:port) share a thread. The key must outlive the device, and the
 * driver interface has no place to keep it, so keys are interned here: a bounded, append-only
 * table kept until exit, the one piece of shared state of these drivers. */
#define MAX_ENDPOINTS 1024
struct endpoints {
    pthread_mutex_t lock;
    char *keys[MAX_ENDPOINTS];
    size_t n;
};
static struct endpoints endpoints = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const char *intern(const char *key)
{
    const char *found = NULL;

    pthread_mutex_lock(&endpoints.lock);
    for (size_t i = 0; i < endpoints.n && !found; i++)
        if (strcmp(endpoints.keys[i], key) == 0)
            found = endpoints.keys[i];
    if (!found && endpoints.n < MAX_ENDPOINTS && (endpoints.keys[endpoints.n] = strdup(key)))
        found = endpoints.keys[endpoints.n++];
    pthread_mutex_unlock(&endpoints.lock);
    return found; /* NULL (out of room): the unit gets a thread of its own */
}

static const char *tcp_bus_key(const struct vsd_device *dev)
{
    const char *host = vsd_device_option(dev, "host");
    const char *port = vsd_device_option(dev, "port");
    char key[300];

    if (!host || !port)
        return NULL;
    snprintf(key, sizeof(key), "modbus-tcp:%s:%s", host, port);
    return intern(key);
}

const struct vsd_driver vsd_driver_modbus_tcp = {
    .name = "modbus-tcp",
    .summary = "Modbus/TCP device or gateway, read through a register-map profile",
    .options = tcp_options,
    .bus_key = tcp_bus_key,
    .open = tcp_open,
    .poll = mb_poll,
    .close = mb_close,
    .nb = &tcp_nb,
};

const struct vsd_driver vsd_driver_modbus_rtu = {
    .name = "modbus-rtu",
    .summary = "Modbus RTU unit on a serial line (RS-485/RS-232), read through a profile",
    .options = rtu_options,
    .bus_key = rtu_bus_key,
    .open = rtu_open,
    .poll = mb_poll,
    .close = mb_close,
};
