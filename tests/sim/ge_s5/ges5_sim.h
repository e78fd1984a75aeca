/* SPDX-License-Identifier: MIT */
/* The simulated S/5 monitor's patient state and its own record encoder (independent of the
 * driver's decoder). */
#ifndef VSD_GES5_SIM_H
#define VSD_GES5_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_FIELD_INVALID (-32767)

/* What the monitor shows. Values in the record's units (1/100 for SpO2 and pressures). */
struct s5_patient {
    int hr, spo2, pr, rr, imp_rr;
    int sys, dia, mean;  /* the cuff result on display, 1/100 mmHg */
    bool nibp_measuring; /* a cuff cycle is running */
    bool nibp_old;       /* the result is older than 60 s */
    bool nibp_none;      /* no result yet */
    bool probe_off, leads_off, no_co2;
    int et;      /* end-tidal CO2, 1/100 % of the ambient pressure */
    int amb;     /* ambient pressure, 1/10 mmHg */
    bool apnea;  /* the CO2 module reports apnea (status bit 2) */
    int code[7]; /* per coded field (see s5_code_field): a code sent instead of
                  * the value, 0 = none */
};

/* "hr", "spo2", "pr", "rr", "sys", "dia", "mean" -> 0..6, or -1. */
int s5_code_field(const char *name);

/* Encode one displayed-values record of the basic class at Unix time NOW into OUT (room for
 * 318 bytes). Returns its length. */
size_t s5_record(const struct s5_patient *p, uint32_t now, uint8_t *out);

/* Frame REC (N bytes) into OUT: flags, stuffing, checksum (+ BAD_DELTA, normally 0), and
 * EXTRA junk bytes before the closing flag (an over-long frame). Returns the length. */
size_t s5_frame(const uint8_t *rec, size_t n, uint8_t bad_delta, unsigned extra, uint8_t *out);

/* Receive side for requests: feed one byte; returns the unstuffed frame length when a frame
 * with a valid checksum completed (its record in BUF without the checksum), 0 otherwise. */
struct s5_rx {
    uint8_t buf[512];
    size_t n;
    bool open, esc, bad;
};
size_t s5_rx_byte(struct s5_rx *rx, uint8_t b);

/* A decoded PHDB request. */
struct s5_request {
    int type;    /* phdb_rcrd_type */
    int tx_ival; /* seconds; 0 stop; -1 once */
    uint32_t classes;
};
/* Returns 0 and fills *RET when REC (N bytes) is a PHDB transmission request, else -1. */
int s5_parse_request(const uint8_t *rec, size_t n, struct s5_request *ret);

#endif
