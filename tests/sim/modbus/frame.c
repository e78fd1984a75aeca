/* SPDX-License-Identifier: MIT */
/* Requests in and replies out through libmodbus (framing, CRC), then the reply faults. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modbus/modbus-rtu.h>
#include <modbus/modbus-tcp.h>

#include "sim.h"

/* libmodbus parses and builds frames on a socket it owns: here one end of a socketpair, so the
 * simulator feeds it requests, reads its replies back, and then decides when (late, delayed) and
 * how (bad CRC, truncated, noise) they go out on the real TCP connection or pty. */

/* A reply is at most a TCP ADU (260 bytes); noise adds up to 10 in front within SIM_FRAME_MAX. */
#define SIM_REPLY_MAX (SIM_FRAME_MAX - 16)

static void drain(int fd)
{
    uint8_t junk[512];

    while (read(fd, junk, sizeof(junk)) > 0)
        ;
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

static int ctx_init(modbus_t *ctx, int fd)
{
    if (!ctx)
        return -ENOMEM;
    if (modbus_set_socket(ctx, fd) < 0 || modbus_set_byte_timeout(ctx, 0, 20000) < 0 ||
        modbus_set_indication_timeout(ctx, 0, 20000) < 0)
        return -EINVAL;
    return 0;
}

int sim_frame_init(struct sim *s)
{
    int r;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s->cap) < 0)
        return -errno;
    r = set_nonblock(s->cap[0]);
    if (r == 0)
        r = set_nonblock(s->cap[1]);
    s->tcp_ctx = modbus_new_tcp("127.0.0.1", 502);
    s->rtu_ctx = modbus_new_rtu("/dev/null", 9600, 'N', 8, 1);
    if (r == 0)
        r = ctx_init(s->tcp_ctx, s->cap[0]);
    if (r == 0)
        r = ctx_init(s->rtu_ctx, s->cap[0]);
    return r;
}

void sim_frame_fini(struct sim *s)
{
    /* never modbus_close(): the socket is ours, and RTU would restore termios on it */
    if (s->tcp_ctx)
        modbus_free(s->tcp_ctx);
    if (s->rtu_ctx)
        modbus_free(s->rtu_ctx);
    close(s->cap[0]);
    close(s->cap[1]);
}

int sim_frame_length(enum sim_ep_kind kind, const uint8_t *buf, size_t len)
{
    if (kind == SIM_EP_TCP) {
        unsigned body;

        if (len < 7)
            return 0;
        body = (unsigned)buf[4] << 8 | buf[5];
        if (buf[2] != 0 || buf[3] != 0 || body < 2 || body > 254)
            return -EBADMSG;
        return len >= 6 + body ? (int)(6 + body) : 0;
    }
    if (len < 2)
        return 0;
    if (buf[1] >= 1 && buf[1] <= 6)
        return len >= 8 ? 8 : 0;
    if (buf[1] == 15 || buf[1] == 16) {
        if (len < 7)
            return 0;
        return len >= 9u + buf[6] ? 9 + buf[6] : 0;
    }
    return -EBADMSG; /* a function this simulator cannot delimit: a device stays quiet */
}

/* FRAME through libmodbus into REQ; its length, or negative when libmodbus rejects it. */
static int parse(struct sim *s, modbus_t *ctx, const uint8_t *frame, size_t len, uint8_t *req)
{
    int n;

    drain(s->cap[0]);
    drain(s->cap[1]);
    if (write(s->cap[1], frame, len) != (ssize_t)len)
        return -EIO;
    n = modbus_receive(ctx, req);
    drain(s->cap[0]);
    return n > 0 ? n : -EBADMSG;
}

static size_t capture(struct sim *s, uint8_t *buf, size_t max)
{
    ssize_t n = read(s->cap[1], buf, max);

    drain(s->cap[1]);
    return n > 0 ? (size_t)n : 0;
}

static struct sim_unit *find_unit(struct sim_endpoint *ep, int id)
{
    for (size_t i = 0; i < ep->n_units; i++)
        if (ep->units[i]->id == id)
            return ep->units[i];
    return NULL;
}

static bool hit(unsigned every, uint64_t n)
{
    return every > 0 && n % every == 0;
}

/* Byte faults: noise before the reply, a flipped CRC bit (TCP: transaction id), half a reply. */
static bool mangle(struct sim *s, const struct sim_unit *u, bool rtu, uint8_t *buf, size_t *len)
{
    uint64_t n = u->counts.requests;
    const struct sim_faults *f = &u->faults;

    if (hit(f->badcrc_every, n)) {
        buf[rtu ? *len - 1 : 1] ^= (uint8_t)(1u << (sim_rand(s) % 8));
        return true;
    }
    if (hit(f->truncate_every, n)) {
        *len /= 2;
        return true;
    }
    if (hit(f->noise_every, n)) {
        size_t k = 3 + sim_rand(s) % 8;

        memmove(buf + k, buf, *len);
        for (size_t i = 0; i < k; i++)
            buf[i] = (uint8_t)sim_rand(s);
        *len += k;
        return true;
    }
    return false;
}

/* Build the reply to REQ for U in BUF (empty for a silent unit); counts what was sent. */
static size_t reply(struct sim *s, modbus_t *ctx, bool rtu, struct sim_unit *u, uint8_t *req,
                    int req_len, uint8_t *buf, bool *late)
{
    const struct sim_faults *f = &u->faults;
    uint64_t n = ++u->counts.requests;
    size_t len;
    bool bad;

    *late = false;
    if (f->silent) {
        u->counts.silent++;
        return 0;
    }
    if (hit(f->exception_every, n)) {
        u->counts.exceptions++;
        modbus_reply_exception(ctx, req, (unsigned)f->exception_code);
        return capture(s, buf, SIM_REPLY_MAX);
    }
    *late = hit(f->late_every, n);
    bad = hit(f->wrong_unit_every, n) || hit(f->badcrc_every, n) || hit(f->truncate_every, n) ||
          hit(f->noise_every, n);
    sim_unit_render(u, sim_now_ms() - s->t0, *late || bad);
    if (hit(f->wrong_unit_every, n)) {
        /* libmodbus answers an RTU request only when it names the context's slave */
        req[rtu ? 0 : 6] = (uint8_t)f->wrong_unit;
        if (rtu)
            modbus_set_slave(ctx, f->wrong_unit);
        u->counts.wrong_unit++;
    }
    modbus_reply(ctx, req, req_len, u->map);
    len = capture(s, buf, SIM_REPLY_MAX);
    if (len > 2 && mangle(s, u, rtu, buf, &len))
        u->counts.corrupt++;
    else if (*late)
        u->counts.late++;
    else if (!hit(f->wrong_unit_every, n))
        u->counts.replies++;
    return len;
}

void sim_frame_serve(struct sim *s, struct sim_endpoint *ep, struct sim_conn *c,
                     const uint8_t *frame, size_t len)
{
    bool rtu = ep->kind == SIM_EP_RTU;
    modbus_t *ctx = rtu ? s->rtu_ctx : s->tcp_ctx;
    uint8_t req[MODBUS_TCP_MAX_ADU_LENGTH];
    uint8_t buf[SIM_FRAME_MAX];
    struct sim_unit *u;
    size_t out;
    bool late;
    int n;

    if (rtu && modbus_set_slave(ctx, frame[0]) < 0)
        return;
    n = parse(s, ctx, frame, len, req);
    if (n < 0)
        return; /* bad CRC or a malformed request: a device stays quiet */
    u = find_unit(ep, req[rtu ? 0 : 6]);
    if (!u) {
        /* another device's request on a bus; a gateway says its target did not answer */
        if (!rtu) {
            modbus_reply_exception(ctx, req, MODBUS_EXCEPTION_GATEWAY_TARGET);
            out = capture(s, buf, sizeof(buf));
            sim_conn_queue(c, buf, out, sim_now_ms());
        }
        return;
    }
    out = reply(s, ctx, rtu, u, req, n, buf, &late);
    if (out > 0)
        sim_conn_queue(c, buf, out,
                       sim_now_ms() + u->faults.delay_ms + (late ? u->faults.late_ms : 0));
}
