/* SPDX-License-Identifier: MIT */
/* vsd-intellivue-sim: the monitor end of the IntelliVue data export, written from the protocol
 * facts of docs/devices/intellivue.md (never from the driver's code). */
#ifndef VSD_IVUE_SIM_H
#define VSD_IVUE_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* --- The serial frame (ivue_sim_frame.c). --- */
#define SIM_MAX_MSG 1024

/* Wrap MSG (N bytes) into OUT: C0, 11 01 LEN, MSG, FCS (CRC-16/X-25, low byte first), C1, with
 * C0/C1/7D escaped as 7D, byte^0x20. BAD_FCS sends a wrong FCS. Returns the length or 0. */
size_t sim_frame(const uint8_t *msg, size_t n, bool bad_fcs, uint8_t *out, size_t cap);

/* The host's frames, byte by byte. */
struct sim_rx {
    uint8_t body[SIM_MAX_MSG + 6];
    size_t n;
    bool open, esc, lost;
};
/* Returns the message length (> 0) when a good frame ended (the message at body + 4), -1 when
 * a bad one did, 0 otherwise. */
int sim_rx_byte(struct sim_rx *rx, uint8_t b);

/* --- The monitor (ivue_sim_msg.c). --- */
enum sim_vital { SV_HR, SV_PR, SV_SPO2, SV_RR, SV_SYS, SV_DIA, SV_MEAN, SV_COUNT };

struct sim_value {
    double v;
    uint32_t special; /* 0, or the FLOAT-Type bits sent instead (NaN, NRes) */
    uint16_t state;   /* measurement state bits */
    bool absent;      /* the monitor does not have the measurement */
};

struct monitor {
    struct sim_value val[SV_COUNT];
    int64_t nibp_wall_ms;       /* when the cuff measured (UTC ms) */
    bool associated, confirmed; /* association accepted; MDS Create Event Result received */
    bool refuse, linked;
    int drop_after; /* polls to answer before an abort; -1 = never */
    unsigned polls, associations, releases;
};

/* What to send in answer to one message from the host: up to 2 messages. */
struct sim_out {
    uint8_t msg[2][SIM_MAX_MSG];
    size_t len[2];
    unsigned n;
};

/* Handle one message from the host (N bytes). */
void sim_handle(struct monitor *m, const uint8_t *p, size_t n, int64_t wall_ms,
                struct sim_out *out);
/* The abort a monitor sends when it drops the association. */
size_t sim_abort(uint8_t *out);

/* --- The command line and the LAN side (ivue_sim.c, ivue_sim_udp.c). --- */
struct vsd_sim_faults;
int64_t sim_wall_ms(void);
/* One own command ("value hr 60", "refuse on", ...): "ok LINE" on stdout, or -EINVAL. */
int sim_command(struct monitor *m, const char *line);
/* Bind 127.0.0.1:PORT (0: any): the socket, *BOUND its port; or negative errno. */
int sim_udp_open(int port, int *bound);
void sim_udp_run(struct monitor *m, struct vsd_sim_faults *f, int fd);

#endif
