/* SPDX-License-Identifier: MIT */
/* Modbus register-map profiles: what a technician writes per device model, and how values decode. */
#ifndef VSD_MODBUS_PROFILE_H
#define VSD_MODBUS_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/reading.h>

/* A profile is an INI file (config/profiles/NAME.conf) read with inih. Every error is reported
 * as "FILE:LINE: [section] key: what is wrong" (the configuration's convention), including
 * overlapping fields and impossible types (an f32 with a u16-only order, a scale of 0, ...).
 * Used by the modbus-tcp/modbus-rtu drivers, by `vitalsctl probe` and by the simulator
 * (tests/sim/modbus), so a profile means the same thing everywhere. */

#define VSD_MB_MAX_REGS 125     /* registers per read request (Modbus limit for FC 03/04) */
#define VSD_MB_MAX_SENTINELS 8  /* "no value" raw codes per field */
#define VSD_MB_MAX_REQUESTS 32  /* merged read requests per poll */

enum vsd_mb_table { VSD_MB_HOLDING = 0, VSD_MB_INPUT }; /* FC 03 / FC 04 */

enum vsd_mb_type {
    VSD_MB_U16 = 0,
    VSD_MB_I16,
    VSD_MB_U32,
    VSD_MB_I32,
    VSD_MB_F32,
    VSD_MB_U8_HIGH, /* the high byte of one register (for example the SEN0344's SpO2) */
    VSD_MB_U8_LOW,  /* the low byte of one register */
};

/* Order of the four bytes A B C D (A most significant) as they appear in two consecutive
 * registers on the wire: ABCD = big-endian words, big-endian bytes; CDAB = word-swapped;
 * BADC = byte-swapped; DCBA = both. For 16-bit types only ABCD and BADC mean something. */
enum vsd_mb_order { VSD_MB_ABCD = 0, VSD_MB_CDAB, VSD_MB_BADC, VSD_MB_DCBA };

/* One vital's value in the register image. */
struct vsd_mb_field {
    enum vsd_vital vital;
    enum vsd_mb_table table;
    uint16_t address;  /* first register */
    enum vsd_mb_type type;
    enum vsd_mb_order order;
    double scale;      /* value = raw * scale + offset */
    double offset;
    double sentinels[VSD_MB_MAX_SENTINELS]; /* raw values meaning "no value" */
    size_t n_sentinels;
    bool status_applies; /* the status register's bits apply to this field */
    int line;            /* where the field was defined, for messages */
    /* etco2 only, "unit = percent": the value is a CO2 fraction in % of the ambient pressure,
     * reported in mmHg as value / 100 x ambient. The ambient pressure is AMBIENT_MMHG when
     * fixed, else the u16 register AMBIENT_ADDRESS (same table) x AMBIENT_SCALE in mmHg. */
    bool percent;
    double ambient_mmhg;       /* > 0: fixed */
    bool ambient_reg;
    uint16_t ambient_address;
    double ambient_scale;
    int ambient_line;
};

/* Ambient pressures (mmHg) a person breathes at: outside, a CO2 percentage is not converted. */
#define VSD_MB_AMBIENT_MIN 400.0
#define VSD_MB_AMBIENT_MAX 850.0

/* Optional status register: bit numbers (0 = LSB), -1 when the device has no such bit. */
struct vsd_mb_status {
    bool present;
    enum vsd_mb_table table;
    uint16_t address;
    int sensor_off_bit, searching_bit, artifact_bit, low_perfusion_bit;
    int line;
};

/* Optional blood-pressure stamp: a register that changes with each cuff measurement, so a
 * measurement is stored once. COUNTER: any change means a new measurement; TIME: seconds since
 * the Unix epoch, used as the measurement time. */
enum vsd_mb_stamp_kind { VSD_MB_STAMP_NONE = 0, VSD_MB_STAMP_COUNTER, VSD_MB_STAMP_TIME };
struct vsd_mb_stamp {
    enum vsd_mb_stamp_kind kind;
    enum vsd_mb_table table;
    uint16_t address;
    enum vsd_mb_type type; /* VSD_MB_U16 or VSD_MB_U32 */
    enum vsd_mb_order order;
    int line;
};

/* Optional [identity]: the serial number and the model as text registers (vsd_mb_text()), read
 * with every poll and reported with vsd_device_identity() (docs/devices/README.md). */
#define VSD_MB_TEXT_MAX_REGS 16 /* 32 characters, VSD_IDENTITY_MAX */
struct vsd_mb_text {
    uint16_t address;
    unsigned regs; /* 0: not in this profile */
    int line;      /* of its address key */
};
struct vsd_mb_identity {
    bool present;
    enum vsd_mb_table table;
    struct vsd_mb_text serial, model;
    int line;
};

struct vsd_mb_profile {
    char path[512];
    char name[64];
    struct vsd_mb_field fields[VSD_VITAL_COUNT];
    size_t n_fields;
    struct vsd_mb_status status;
    struct vsd_mb_stamp nibp_stamp;
    struct vsd_mb_identity identity;
};

/* One merged read: COUNT registers of TABLE from START. */
struct vsd_mb_request {
    enum vsd_mb_table table;
    uint16_t start;
    uint16_t count;
};

/* Load and check the profile at PATH. Returns 0, or -EINVAL/-ENOENT/... with the first error
 * in ERR as "FILE:LINE: ...". */
int vsd_mb_profile_load(const char *path, struct vsd_mb_profile *p, char *err, size_t errlen);

/* The fewest read requests covering every field, the status and the stamp: contiguous (or
 * nearly: gaps up to MAX_GAP registers are read and ignored), each at most VSD_MB_MAX_REGS,
 * never mixing tables. Returns the number written to OUT. */
size_t vsd_mb_plan(const struct vsd_mb_profile *p, unsigned max_gap, struct vsd_mb_request *out,
                   size_t max);

/* Registers a type occupies (1 or 2). */
unsigned vsd_mb_type_regs(enum vsd_mb_type t);

/* The raw number in REGS (the field's first register and the next) as TYPE in ORDER. */
double vsd_mb_raw(enum vsd_mb_type type, enum vsd_mb_order order, const uint16_t *regs);

/* Decode F from REGS into a reading value: NAN when the raw value is a sentinel or a NaN/inf
 * float. Never returns 0 for "no value". A percent field gives its percentage here: see
 * vsd_mb_ambient(). */
double vsd_mb_decode(const struct vsd_mb_field *f, const uint16_t *regs);
/* A percent field's value in mmHg from PERCENT and the ambient pressure (AMBIENT_REG: the raw
 * ambient register, NULL when fixed or not read): NAN when the pressure is missing or outside
 * VSD_MB_AMBIENT_MIN..MAX. */
double vsd_mb_ambient(const struct vsd_mb_field *f, double percent, const uint16_t *ambient_reg);

/* The inverse, for the simulator: write VALUE as F's raw encoding into REGS (NAN: the first
 * sentinel, or a quiet NaN for f32). A percent field is written as % of its fixed pressure,
 * or of 760 mmHg when the pressure is a register (the simulator writes that register). */
void vsd_mb_encode(const struct vsd_mb_field *f, double value, uint16_t *regs);

/* An unsigned integer, decimal or 0x hex, within [0, MAX]: 0, -EINVAL or -ERANGE. */
int vsd_mb_parse_uint(const char *s, unsigned long long max, unsigned long long *ret);
/* A raw sentinel for TYPE: a number, or a 0x bit pattern of the type's width (0x8000 for an i16
 * is -32768; 0x7F800000 for an f32 is +inf). */
int vsd_mb_parse_sentinel(const char *s, enum vsd_mb_type type, double *ret);
/* The raw range of TYPE, for checking sentinels written as plain numbers. */
void vsd_mb_type_range(enum vsd_mb_type type, double *lo, double *hi);
/* The text in N registers, two characters each, high byte first: up to a NUL, trailing spaces
 * cut, into OUT (SIZE bytes, at least 1). */
void vsd_mb_text(const uint16_t *regs, unsigned n, char *out, size_t size);

const char *vsd_mb_type_name(enum vsd_mb_type t);   /* "u16", ... */
const char *vsd_mb_order_name(enum vsd_mb_order o); /* "ABCD", ... */

#endif
