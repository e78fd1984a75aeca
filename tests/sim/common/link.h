/* SPDX-License-Identifier: MIT */
/* The device end of a simulated serial link (pty or TCP), its fault injection and command channel.
 */
#ifndef VSD_SIM_LINK_H
#define VSD_SIM_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A simulator is one process: a device end (a pty whose slave path is published as a symlink,
 * or a TCP listener on 127.0.0.1 taking one client) plus a line-based command channel on stdin.
 * Bytes written while nobody listens are lost, as on a real cable. Everything is single-threaded:
 * the simulator calls vsd_sim_link_service() between its frames. */
struct vsd_sim_link;

/* Open a pty in raw mode and point symlink LINK_PATH at its slave (replacing an old link).
 * Returns 0 or negative errno; *RET is freed with vsd_sim_link_free(). */
int vsd_sim_link_open_pty(const char *link_path, struct vsd_sim_link **ret);

/* Listen on 127.0.0.1:PORT (0 = any free port: read it with vsd_sim_link_port()). */
int vsd_sim_link_open_tcp(int port, struct vsd_sim_link **ret);

/* Parse the common command-line arguments "--pty PATH" or "--tcp PORT" out of ARGV (they may
 * appear anywhere) and open that link. The arguments used are removed: *ARGC shrinks. Returns 0,
 * or -EINVAL with a message on stderr when neither or both are given. */
int vsd_sim_link_open_args(int *argc, char **argv, struct vsd_sim_link **ret);

int vsd_sim_link_port(const struct vsd_sim_link *l);       /* TCP port, 0 for a pty */
bool vsd_sim_link_connected(const struct vsd_sim_link *l); /* plugged (pty) / client (TCP) */

/* Write N bytes to the peer. While unplugged, with no TCP client, or when the peer does not
 * read (its buffer is full), the bytes are dropped. Returns N written or dropped, or negative
 * errno for a programming error. */
ssize_t vsd_sim_link_write(struct vsd_sim_link *l, const void *buf, size_t n);

/* Read bytes the host sent, waiting at most TIMEOUT_MS. Returns the count, 0 on timeout. */
ssize_t vsd_sim_link_read(struct vsd_sim_link *l, void *buf, size_t n, int64_t timeout_ms);

/* "Unplug" the cable for SECONDS: pty: close the master (the host's reads fail with EIO), then
 * open a new pty and re-point the symlink; TCP: reset the client (RST) and stop listening
 * (connection refused), then listen again. The replug happens inside vsd_sim_link_service(). */
int vsd_sim_link_unplug(struct vsd_sim_link *l, double seconds);

void vsd_sim_link_free(struct vsd_sim_link *l); /* closes everything, removes the symlink */

/* What vsd_sim_link_service() saw. */
struct vsd_sim_input {
    char cmd[256];         /* one command line from stdin, without newline ("" = none) */
    unsigned char rx[256]; /* bytes the host sent */
    size_t rx_len;
};

/* Wait at most TIMEOUT_MS for a command line on stdin or bytes from the host; meanwhile accept
 * TCP clients, notice a closed client, and replug when an unplug is over. Returns 1 when IN
 * holds something, 0 on timeout, negative errno on failure. stdin at EOF is ignored from then
 * on (a simulator started with </dev/null runs until it is killed or told "quit"). */
int vsd_sim_link_service(struct vsd_sim_link *l, int64_t timeout_ms, struct vsd_sim_input *in);

struct vsd_sim_faults;

/* Parses a simulator's own arguments (ARGV without the link's) into CTX: 0 or negative. */
typedef int (*vsd_sim_args_fn)(int argc, char **argv, void *ctx);

/* The start every simulator makes: the link from "--pty PATH" or "--tcp PORT"
 * (vsd_sim_link_open_args), its own arguments through PARSE, the faults seeded with SEED, then
 * "ready port=N" on stdout, which tests wait for. Returns 0 with *L open, or -EINVAL after
 * printing USAGE on stderr with nothing left open (main then exits with status 2). */
int vsd_sim_start(int argc, char **argv, vsd_sim_args_fn parse, void *ctx, const char *usage,
                  uint32_t seed, struct vsd_sim_link **l, struct vsd_sim_faults *f);

/* What a simulator that sends on its own schedule does between the loop's turns: SEND sends what
 * is due and returns when the next is due (monotonic ms; T0 is the loop's start); RX (may be
 * NULL) takes the bytes the host sent; OWN handles a command line that is not a generic one. */
struct vsd_sim_stream {
    int64_t (*send)(void *ctx, struct vsd_sim_link *l, struct vsd_sim_faults *f, int64_t t0);
    void (*rx)(void *ctx, const unsigned char *buf, size_t n);
    int (*own)(void *ctx, const char *line);
};

/* The loop of such a simulator, with CTX, until "quit"; then frees L. Returns 0 (the exit
 * status). */
int vsd_sim_run_stream(struct vsd_sim_link *l, struct vsd_sim_faults *f,
                       const struct vsd_sim_stream *s, void *ctx);

/* A simulator's answer to its own command LINE: "ok LINE" on stdout (which tests wait for) when R
 * is 0, else "NAME: unknown command: LINE" on stderr. Returns R. */
int vsd_sim_answer(const char *name, const char *line, int r);

/* Monotonic milliseconds. */
int64_t vsd_sim_now_ms(void);

/* Faults any simulator offers, set by command lines (see vsd_sim_faults_command()). */
struct vsd_sim_faults {
    uint32_t rng;         /* xorshift state (seeded, so runs repeat) */
    unsigned noise;       /* random bytes to send before the next frame */
    unsigned flip;        /* frames still to get one random bit flipped */
    unsigned truncate;    /* frames still to lose their tail */
    unsigned overlong;    /* frames still to get extra bytes appended */
    unsigned badsum;      /* frames still to carry a wrong checksum (the simulator's encoder
                           * consumes this with vsd_sim_faults_take()) */
    int64_t silent_until; /* send nothing before this monotonic ms */
    bool quit;            /* "quit" was received */
    unsigned frames_sent; /* counters, printed by "stats" */
    unsigned frames_faulted;
};

void vsd_sim_faults_init(struct vsd_sim_faults *f, uint32_t seed);

/* Handle one generic command line: "noise N", "flip [N]", "truncate [N]", "overlong [N]",
 * "badsum [N]", "silent SECONDS", "unplug SECONDS", "stats", "quit". Returns 1 when handled,
 * 0 when the command is not a generic one (the simulator's own: "probe_off", "value ..."), or
 * -EINVAL when a generic command is malformed (a message goes to stderr). Each handled
 * command is acknowledged with "ok <line>" on stdout, so tests can wait for it. */
int vsd_sim_faults_command(struct vsd_sim_faults *f, struct vsd_sim_link *l, const char *line);

/* Decrement *COUNTER if it is positive: returns true when this frame gets the fault. */
bool vsd_sim_faults_take(unsigned *counter);

uint32_t vsd_sim_rand(struct vsd_sim_faults *f);

/* Send one encoded frame through the faults: nothing while silent; pending noise first; then
 * the frame with a flipped bit, truncated or made over-long when those are pending. Returns
 * what vsd_sim_link_write() returns. */
ssize_t vsd_sim_send_frame(struct vsd_sim_link *l, struct vsd_sim_faults *f, const void *frame,
                           size_t n);

#endif
