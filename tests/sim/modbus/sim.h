/* SPDX-License-Identifier: MIT */
/* The Modbus device simulator's shared types: units, endpoints (TCP ports, pty buses), faults. */
#ifndef VSD_MODBUS_SIM_H
#define VSD_MODBUS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <poll.h>

#include <modbus/modbus.h>

#include "profile.h"

#define SIM_MAX_UNITS 32     /* units (unit ids) per endpoint */
#define SIM_MAX_CONNS 8      /* TCP connections per endpoint; more are refused */
#define SIM_MAX_PENDING 16   /* replies waiting for their send time, per connection or bus */
#define SIM_MAX_EVENTS 32    /* scheduled value windows per unit */
#define SIM_MAX_OVERRIDES 16 /* raw register overrides per unit */
#define SIM_MAX_AFTER 256    /* deferred commands */
#define SIM_MAX_CTL 8        /* control-socket clients */
#define SIM_FRAME_MAX 300    /* bytes of one request or reply, with room for noise */

/* Faults of one unit; an EVERY of N hits every N-th request (1 = all, 0 = off). */
struct sim_faults {
    bool silent;       /* T01: no reply at all */
    unsigned delay_ms; /* T10: every reply this late */
    unsigned late_ms;  /* T02: some replies this late (carrying marker values) */
    unsigned late_every;
    unsigned badcrc_every;   /* T05: a flipped bit in the CRC (RTU) */
    unsigned truncate_every; /* T05: only the first half of the reply */
    unsigned noise_every;    /* T05: random bytes before the reply */
    int exception_code;      /* T06: a Modbus exception response */
    unsigned exception_every;
    int wrong_unit; /* T06: the reply names this unit id */
    unsigned wrong_unit_every;
};

/* A value window: VITAL reads VALUE from FROM_MS to TO_MS (ms since the simulator started). */
struct sim_event {
    int vital;
    double value;
    int64_t from_ms, to_ms;
};

struct sim_override {
    int table; /* enum vsd_mb_table */
    uint16_t address;
    uint16_t value;
};

/* What the counters say about one unit (answers to the "stats" command). */
struct sim_counts {
    uint64_t requests, replies, late, corrupt, exceptions, wrong_unit, silent;
};

/* One simulated device: a unit id on an endpoint, serving its profile's register image. */
struct sim_unit {
    char name[80]; /* "ENDPOINT.ID" */
    int id;
    struct vsd_mb_profile profile;
    modbus_mapping_t *map;
    double base[VSD_VITAL_COUNT]; /* baseline values; NAN = "no value" */
    struct sim_event events[SIM_MAX_EVENTS];
    size_t n_events;
    struct sim_override overrides[SIM_MAX_OVERRIDES];
    size_t n_overrides;
    double nibp[3];        /* the last cuff measurement: sys, dia, mean */
    uint32_t nibp_counter; /* advances with each measurement */
    int64_t nibp_wall_s;   /* its time, seconds since the epoch */
    int64_t nibp_every_ms; /* automatic measurements; 0 = only on command */
    int64_t nibp_next_ms;  /* monotonic ms of the next automatic one */
    unsigned status;       /* status flags set: SIM_ST_* bits */
    bool seq;              /* values follow the request count (T02) */
    struct sim_faults faults;
    struct sim_counts counts;
};

/* The status meanings a profile can map to bits. */
enum { SIM_ST_SENSOR_OFF = 1, SIM_ST_SEARCHING = 2, SIM_ST_ARTIFACT = 4, SIM_ST_LOW_PERF = 8 };

/* A reply waiting for its send time. */
struct sim_pending {
    int64_t due_ms;
    size_t len;
    uint8_t buf[SIM_FRAME_MAX];
};

/* One byte stream: a TCP connection or an RTU line. Replies leave in order (a device is serial). */
struct sim_conn {
    int fd; /* -1 when unused */
    uint8_t in[1024];
    size_t in_len;
    int64_t last_rx_ms;
    struct sim_pending out[SIM_MAX_PENDING];
    size_t n_out;
};

enum sim_ep_kind { SIM_EP_TCP, SIM_EP_RTU };

/* A TCP port (a gateway) or a pty (an RS-485 bus) and the units it serves. */
struct sim_endpoint {
    enum sim_ep_kind kind;
    char name[64];                        /* the port number, or the link's file name */
    int port;                             /* TCP */
    char link[512];                       /* RTU: the symlink published to the slave side */
    int listen_fd;                        /* TCP: -1 while down */
    struct sim_conn conns[SIM_MAX_CONNS]; /* TCP; RTU uses conns[0] for the pty master */
    int slave_fd;       /* RTU: held open so the master never sees a hang-up between clients */
    int64_t down_until; /* monotonic ms; 0 = up */
    struct sim_unit *units[SIM_MAX_UNITS];
    size_t n_units;
};

struct sim_after {
    int64_t due_ms;
    char line[256];
};

/* The whole simulator. */
struct sim {
    struct sim_endpoint **eps;
    size_t n_eps;
    int64_t t0; /* monotonic ms at start: scenario time 0 */
    int cap[2]; /* socketpair: libmodbus parses and builds frames through cap[0] */
    modbus_t *tcp_ctx, *rtu_ctx;
    int ctl_fd;
    int ctl[SIM_MAX_CTL];
    char ctl_buf[SIM_MAX_CTL][512];
    size_t ctl_len[SIM_MAX_CTL];
    struct sim_after after[SIM_MAX_AFTER];
    size_t n_after;
    uint32_t rng;
    bool quit;
};

int64_t sim_now_ms(void);
int64_t sim_wall_ms(void);
uint32_t sim_rand(struct sim *s);

/* unit.c: the register image. */
int sim_unit_new(const char *ep_name, int id, const struct vsd_mb_profile *p,
                 struct sim_unit **ret);
void sim_unit_free(struct sim_unit *u);
/* Write the image for a reply at NOW (ms since start): scenario values, or the request-count
 * values (seq), or the marker values of a reply that must never be stored (MARKER). */
void sim_unit_render(struct sim_unit *u, int64_t now_rel_ms, bool marker);
/* A new cuff measurement now with the scenario's values, or with the given ones. */
void sim_unit_nibp(struct sim_unit *u, int64_t now_rel_ms, const double *values);
void sim_unit_tick(struct sim_unit *u, int64_t now_mono_ms, int64_t t0);
double sim_marker_value(int vital);

/* frame.c: requests in, replies out, through libmodbus, with the reply faults. */
int sim_frame_init(struct sim *s);
void sim_frame_fini(struct sim *s);
/* The length of the first complete request in BUF (TCP or RTU), 0 when more bytes are needed,
 * negative when the bytes cannot start a request. */
int sim_frame_length(enum sim_ep_kind kind, const uint8_t *buf, size_t len);
/* Serve one complete request FRAME arriving on EP: queue the reply (if any) on C. */
void sim_frame_serve(struct sim *s, struct sim_endpoint *ep, struct sim_conn *c,
                     const uint8_t *frame, size_t len);

/* endpoint.c: sockets and ptys. */
int sim_ep_tcp_new(int port, struct sim_endpoint **ret);
int sim_ep_rtu_new(const char *link, struct sim_endpoint **ret);
void sim_ep_free(struct sim_endpoint *ep);
/* Take the endpoint down for MS (TCP: reset connections and stop listening; RTU: close the
 * pty and remove the link). */
void sim_ep_down(struct sim_endpoint *ep, int64_t ms);
size_t sim_ep_pollfds(struct sim_endpoint *ep, struct pollfd *pfd, size_t max);
void sim_ep_io(struct sim *s, struct sim_endpoint *ep, const struct pollfd *pfd, size_t n);
/* Send due replies, bring a downed endpoint back; returns the next time it needs service. */
int64_t sim_ep_service(struct sim_endpoint *ep, int64_t now);
int sim_conn_queue(struct sim_conn *c, const uint8_t *buf, size_t len, int64_t due);

/* command.c: the command language. Writes the answer (one line, "ok ..." or "error: ...")
 * to OUT. */
void sim_command(struct sim *s, const char *line, char *out, size_t outlen);
int sim_parse_ms(const char *text, int64_t *ret);

#endif
