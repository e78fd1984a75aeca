/* SPDX-License-Identifier: MIT */
/* Tests of Modbus profiles: loading good and bad files, read planning, decoding in every order. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mbdevice.h"
#include "profile.h"

/* Path of REL under the source tree (VSD_SOURCE_DIR, else the working directory). */
static void source_path(const char *rel, char *out, size_t size)
{
    const char *root = getenv("VSD_SOURCE_DIR");

    snprintf(out, size, "%s/%s", root ? root : ".", rel);
}

static void load_ok(const char *rel, struct vsd_mb_profile *p)
{
    char path[512], err[1024];
    int r;

    source_path(rel, path, sizeof(path));
    r = vsd_mb_profile_load(path, p, err, sizeof(err));
    if (r < 0)
        print_message("%s\n", err);
    assert_int_equal(r, 0);
}

static const struct vsd_mb_field *field_of(const struct vsd_mb_profile *p, enum vsd_vital v)
{
    for (size_t i = 0; i < p->n_fields; i++)
        if (p->fields[i].vital == v)
            return &p->fields[i];
    fail_msg("no field for vital %d", v);
    return NULL;
}

static void test_shipped_profiles(void **state)
{
    struct vsd_mb_profile p;
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];

    (void)state;
    load_ok("config/profiles/generic-gateway.conf", &p);
    assert_string_equal(p.name, "generic-gateway");
    assert_int_equal(p.n_fields, 7);
    assert_true(p.status.present);
    assert_int_equal(p.nibp_stamp.kind, VSD_MB_STAMP_COUNTER);
    assert_int_equal(field_of(&p, VSD_VITAL_NIBP_SYS)->order, VSD_MB_CDAB);
    assert_false(field_of(&p, VSD_VITAL_HR)->status_applies);
    assert_true(field_of(&p, VSD_VITAL_SPO2)->status_applies);
    /* registers 0..16 with a gap of 5 unused: one request with the default gap */
    assert_int_equal(vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS), 1);
    assert_int_equal(rq[0].start, 0);
    assert_int_equal(rq[0].count, 17);
    assert_int_equal(vsd_mb_plan(&p, 4, rq, VSD_MB_MAX_REQUESTS), 2);

    load_ok("config/profiles/dfrobot-sen0344.conf", &p);
    assert_int_equal(p.n_fields, 2);
    assert_int_equal(field_of(&p, VSD_VITAL_SPO2)->type, VSD_MB_U8_HIGH);
    assert_int_equal(field_of(&p, VSD_VITAL_PR)->type, VSD_MB_U32);
    assert_int_equal(vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS), 1);
    assert_int_equal(rq[0].start, 6);
    assert_int_equal(rq[0].count, 3);
}

static void test_good_profiles(void **state)
{
    struct vsd_mb_profile p;
    const struct vsd_mb_field *f;

    (void)state;
    load_ok("tests/config/profiles/good/mixed.conf", &p);
    assert_string_equal(p.name, "mixed-test");
    f = field_of(&p, VSD_VITAL_PR);
    assert_int_equal(f->table, VSD_MB_INPUT);
    assert_int_equal(f->type, VSD_MB_I16);
    assert_int_equal(f->order, VSD_MB_BADC);
    assert_int_equal(f->n_sentinels, 1);
    assert_true(f->sentinels[0] == -32768.0); /* 0x8000 as the i16 bit pattern */
    assert_int_equal(field_of(&p, VSD_VITAL_RR)->address, 0x66);
    assert_int_equal(field_of(&p, VSD_VITAL_RR)->order, VSD_MB_DCBA); /* case-insensitive */
    assert_true(field_of(&p, VSD_VITAL_SPO2)->scale == 0.1);
    assert_int_equal(p.status.low_perfusion_bit, 15);
    assert_int_equal(p.nibp_stamp.kind, VSD_MB_STAMP_TIME);
    assert_int_equal(p.nibp_stamp.type, VSD_MB_U32);
    assert_false(p.identity.present);
    load_ok("tests/config/profiles/good/identity.conf", &p);
    assert_true(p.identity.present);
    assert_int_equal(p.identity.table, VSD_MB_INPUT);
    assert_int_equal(p.identity.serial.address, 300);
    assert_int_equal(p.identity.serial.regs, 5);
    assert_int_equal(p.identity.model.address, 310);
    assert_int_equal(p.identity.model.regs, 4);

    load_ok("tests/config/profiles/good/bytes.conf", &p); /* two bytes of one register */
    assert_string_equal(p.name, "bytes");                 /* from the file name */
}

/* Every bad/NAME.conf fails with exactly the line in NAME.expected (relative file name). */
static void test_bad_profiles(void **state)
{
    char dir[512], path[1024], expected[1024], err[1024];
    struct vsd_mb_profile p;
    struct dirent *de;
    unsigned checked = 0;
    DIR *d;

    (void)state;
    source_path("tests/config/profiles/bad", dir, sizeof(dir));
    d = opendir(dir);
    assert_non_null(d);
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        FILE *f;

        if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%.*s.expected", dir, (int)(len - 5), de->d_name);
        f = fopen(path, "r");
        assert_non_null(f);
        assert_non_null(fgets(expected, sizeof(expected), f));
        fclose(f);
        expected[strcspn(expected, "\n")] = '\0';
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        assert_int_equal(vsd_mb_profile_load(path, &p, err, sizeof(err)), -EINVAL);
        if (strncmp(err, dir, strlen(dir)) != 0 || strcmp(err + strlen(dir) + 1, expected) != 0)
            fail_msg("%s:\n  expected %s\n  got      %s", de->d_name, expected, err);
        assert_int_equal(p.n_fields, 0); /* nothing half-loaded */
        checked++;
    }
    closedir(d);
    assert_true(checked >= 20);
}

static void test_missing_file(void **state)
{
    struct vsd_mb_profile p;
    char err[256];

    (void)state;
    assert_int_equal(vsd_mb_profile_load("/nonexistent/x.conf", &p, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/x.conf: cannot open"));
}

/* A profile of u16 fields at ADDRS in TABLES (holding unless given). */
static void make_profile(struct vsd_mb_profile *p, const unsigned *addrs, const int *tables,
                         const enum vsd_mb_type *types, size_t n)
{
    memset(p, 0, sizeof(*p));
    for (size_t i = 0; i < n; i++)
        p->fields[p->n_fields++] = (struct vsd_mb_field){
            .vital = (enum vsd_vital)i,
            .table = tables ? (enum vsd_mb_table)tables[i] : VSD_MB_HOLDING,
            .address = (uint16_t)addrs[i],
            .type = types ? types[i] : VSD_MB_U16,
            .scale = 1,
        };
}

static void test_plan(void **state)
{
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    struct vsd_mb_profile p;
    const unsigned gap10[] = {11, 0}, gap11[] = {0, 12};
    const unsigned limit[] = {0, 124}, shuffled[] = {300, 5, 6, 400, 7};
    const enum vsd_mb_type two32[] = {VSD_MB_U16, VSD_MB_U32};
    const int tables[] = {VSD_MB_INPUT, VSD_MB_HOLDING};

    (void)state;
    make_profile(&p, gap10, NULL, NULL, 2); /* 10 unused registers between: one read */
    assert_int_equal(vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS), 1);
    assert_int_equal(rq[0].start, 0);
    assert_int_equal(rq[0].count, 12);
    make_profile(&p, gap11, NULL, NULL, 2); /* 11 unused: two reads */
    assert_int_equal(vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS), 2);
    assert_int_equal(vsd_mb_plan(&p, 0, rq, VSD_MB_MAX_REQUESTS), 2);
    make_profile(&p, limit, NULL, NULL, 2); /* 0..124 = 125 registers: the limit, one read */
    assert_int_equal(vsd_mb_plan(&p, 200, rq, VSD_MB_MAX_REQUESTS), 1);
    assert_int_equal(rq[0].count, 125);
    make_profile(&p, limit, NULL, two32, 2); /* 0..125 = 126: two reads */
    assert_int_equal(vsd_mb_plan(&p, 200, rq, VSD_MB_MAX_REQUESTS), 2);
    assert_int_equal(rq[0].count, 1);
    assert_int_equal(rq[1].start, 124);
    assert_int_equal(rq[1].count, 2);
    make_profile(&p, limit, tables, NULL, 2); /* never across tables */
    p.fields[1].address = 0;
    assert_int_equal(vsd_mb_plan(&p, 200, rq, VSD_MB_MAX_REQUESTS), 2);
    assert_int_equal(rq[0].table, VSD_MB_HOLDING);
    assert_int_equal(rq[1].table, VSD_MB_INPUT);
    make_profile(&p, shuffled, NULL, NULL, 5); /* file order does not matter */
    assert_int_equal(vsd_mb_plan(&p, 0, rq, VSD_MB_MAX_REQUESTS), 3);
    assert_int_equal(rq[0].start, 5);
    assert_int_equal(rq[0].count, 3);
    assert_int_equal(rq[1].start, 300);
    assert_int_equal(rq[2].start, 400);
}

static void test_raw_orders(void **state)
{
    const uint16_t abcd[] = {0x1122, 0x3344}, cdab[] = {0x3344, 0x1122};
    const uint16_t badc[] = {0x2211, 0x4433}, dcba[] = {0x4433, 0x2211};
    const uint16_t neg[] = {0xFFFF, 0xFFFE}, f_abcd[] = {0x42F7, 0x0000};
    const uint16_t f_cdab[] = {0x0000, 0x42F7}, f_dcba[] = {0x0000, 0xF742};
    const uint16_t one[] = {0x1234};

    (void)state;
    assert_true(vsd_mb_raw(VSD_MB_U32, VSD_MB_ABCD, abcd) == 0x11223344);
    assert_true(vsd_mb_raw(VSD_MB_U32, VSD_MB_CDAB, cdab) == 0x11223344);
    assert_true(vsd_mb_raw(VSD_MB_U32, VSD_MB_BADC, badc) == 0x11223344);
    assert_true(vsd_mb_raw(VSD_MB_U32, VSD_MB_DCBA, dcba) == 0x11223344);
    assert_true(vsd_mb_raw(VSD_MB_U32, VSD_MB_CDAB, abcd) == 0x33441122);
    assert_true(vsd_mb_raw(VSD_MB_I32, VSD_MB_ABCD, neg) == -2);
    assert_true(vsd_mb_raw(VSD_MB_F32, VSD_MB_ABCD, f_abcd) == 123.5);
    assert_true(vsd_mb_raw(VSD_MB_F32, VSD_MB_CDAB, f_cdab) == 123.5);
    assert_true(vsd_mb_raw(VSD_MB_F32, VSD_MB_DCBA, f_dcba) == 123.5);
    assert_true(vsd_mb_raw(VSD_MB_U16, VSD_MB_ABCD, one) == 0x1234);
    assert_true(vsd_mb_raw(VSD_MB_U16, VSD_MB_BADC, one) == 0x3412);
    assert_true(vsd_mb_raw(VSD_MB_I16, VSD_MB_ABCD, neg) == -1);
    assert_true(vsd_mb_raw(VSD_MB_U8_HIGH, VSD_MB_ABCD, one) == 0x12);
    assert_true(vsd_mb_raw(VSD_MB_U8_LOW, VSD_MB_ABCD, one) == 0x34);
    assert_string_equal(vsd_mb_type_name(VSD_MB_U8_HIGH), "u8-high");
    assert_string_equal(vsd_mb_order_name(VSD_MB_BADC), "BADC");
}

/* docs/devices/dfrobot-sen0344.md, 'Worked examples': reply 20 03 08 61 00 00 00 00 48 00 00
 * = SpO2 97, HR 72. */
static void test_sen0344_example(void **state)
{
    const uint8_t pdu[] = {0x61, 0x00, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00};
    uint16_t regs[1][VSD_MB_MAX_REGS] = {{0}};
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    struct vsd_mb_stamp_state st = {0};
    struct vsd_reading out[VSD_VITAL_COUNT];
    struct vsd_mb_profile p;
    struct vsd_mb_image img = {rq, 0, (const uint16_t(*)[VSD_MB_MAX_REGS])regs};

    (void)state;
    load_ok("config/profiles/dfrobot-sen0344.conf", &p);
    img.n = vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS);
    for (size_t i = 0; i < 3; i++) /* registers 6, 7, 8 */
        regs[0][i] = (uint16_t)(pdu[2 * i] << 8 | pdu[2 * i + 1]);
    assert_int_equal(vsd_mb_readings(&p, &img, &st, 1000, out), 2);
    assert_int_equal(out[0].vital, VSD_VITAL_SPO2);
    assert_true(out[0].value == 97);
    assert_int_equal(out[0].flags, 0);
    assert_int_equal(out[1].vital, VSD_VITAL_PR);
    assert_true(out[1].value == 72);
    regs[0][0] = 0x0000; /* 0 = no valid reading: NAN flagged invalid, never 0 */
    regs[0][2] = 0x0000;
    assert_int_equal(vsd_mb_readings(&p, &img, &st, 1000, out), 2);
    assert_true(isnan(out[0].value) && isnan(out[1].value));
    assert_int_equal(out[0].flags, VSD_Q_INVALID);
    assert_int_equal(out[1].flags, VSD_Q_INVALID);
}

static void test_sentinels_and_nan(void **state)
{
    const uint16_t nan_f[] = {0x7FC0, 0x0000}, inf_f[] = {0x7F80, 0x0000};
    const uint16_t ffff[] = {0xFFFF}, s7fff[] = {0x7FFF}, v975[] = {975}, i8000[] = {0x0080};
    struct vsd_mb_profile p;

    (void)state;
    load_ok("tests/config/profiles/good/mixed.conf", &p);
    assert_true(isnan(vsd_mb_decode(field_of(&p, VSD_VITAL_NIBP_SYS), nan_f)));
    assert_true(isnan(vsd_mb_decode(field_of(&p, VSD_VITAL_NIBP_SYS), inf_f)));
    assert_true(isnan(vsd_mb_decode(field_of(&p, VSD_VITAL_SPO2), ffff)));
    assert_true(isnan(vsd_mb_decode(field_of(&p, VSD_VITAL_SPO2), s7fff)));
    assert_float_equal(vsd_mb_decode(field_of(&p, VSD_VITAL_SPO2), v975), 97.5, 1e-9);
    /* i16 byte-swapped: wire 0x0080 is 0x8000, the sentinel */
    assert_true(isnan(vsd_mb_decode(field_of(&p, VSD_VITAL_PR), i8000)));
}

/* encode then decode gives the value back, for every type and order that loading allows. */
static void test_encode_roundtrip(void **state)
{
    static const struct {
        enum vsd_mb_type type;
        double value, scale, offset;
    } cases[] = {
        {VSD_MB_U16, 97.5, 0.1, 0},   {VSD_MB_I16, -40, 1, 0},    {VSD_MB_U32, 123456, 1, 0},
        {VSD_MB_I32, -7654321, 1, 0}, {VSD_MB_F32, 118.25, 1, 0}, {VSD_MB_U8_HIGH, 97, 1, 0},
        {VSD_MB_U8_LOW, 72, 1, 0},    {VSD_MB_U16, 80, 2, -10},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int o = VSD_MB_ABCD; o <= VSD_MB_DCBA; o++) {
            struct vsd_mb_field f = {.type = cases[i].type,
                                     .order = (enum vsd_mb_order)o,
                                     .scale = cases[i].scale,
                                     .offset = cases[i].offset,
                                     .n_sentinels = 1,
                                     .sentinels = {cases[i].type == VSD_MB_F32 ? -1 : 0}};
            uint16_t regs[2] = {0xAAAA, 0xAAAA};

            if (vsd_mb_type_regs(f.type) == 1 && (o == VSD_MB_CDAB || o == VSD_MB_DCBA))
                continue;
            if ((f.type == VSD_MB_U8_HIGH || f.type == VSD_MB_U8_LOW) && o != VSD_MB_ABCD)
                continue;
            vsd_mb_encode(&f, cases[i].value, regs);
            assert_float_equal(vsd_mb_decode(&f, regs), cases[i].value, 1e-6);
            vsd_mb_encode(&f, NAN, regs); /* NAN: the first sentinel */
            assert_true(isnan(vsd_mb_decode(&f, regs)));
        }
    }
}

static void test_encode_bytes_share_register(void **state)
{
    struct vsd_mb_field hi = {.type = VSD_MB_U8_HIGH, .scale = 1};
    struct vsd_mb_field lo = {.type = VSD_MB_U8_LOW, .scale = 1};
    struct vsd_mb_field f32 = {.type = VSD_MB_F32, .scale = 1};
    uint16_t reg[2] = {0, 0};

    (void)state;
    vsd_mb_encode(&hi, 0x61, reg);
    vsd_mb_encode(&lo, 0x48, reg);
    assert_int_equal(reg[0], 0x6148);
    vsd_mb_encode(&lo, 300, reg); /* clamped, never wrapped */
    assert_int_equal(reg[0], 0x61FF);
    vsd_mb_encode(&f32, NAN, reg); /* no sentinel: a quiet NaN */
    assert_true(isnan(vsd_mb_raw(VSD_MB_F32, VSD_MB_ABCD, reg)));
}

/* Status bits, the device's measurement time, and a TIME stamp of 0 (no measurement yet). */
static void test_readings_status_and_time(void **state)
{
    uint16_t regs[3][VSD_MB_MAX_REGS] = {{0}};
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    struct vsd_mb_stamp_state st = {0};
    struct vsd_reading out[VSD_VITAL_COUNT];
    struct vsd_mb_profile p;
    struct vsd_mb_image img = {rq, 0, (const uint16_t(*)[VSD_MB_MAX_REGS])regs};
    const struct vsd_mb_field *sys;
    size_t n;

    (void)state;
    load_ok("tests/config/profiles/good/mixed.conf", &p);
    img.n = vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS); /* H100+4, H200+8, I0+3 */
    assert_int_equal(img.n, 3);
    sys = field_of(&p, VSD_VITAL_NIBP_SYS);
    vsd_mb_encode(sys, 121, regs[1]);
    regs[2][0] = 0x8001; /* low perfusion + sensor off */
    regs[2][1] = 951;
    n = vsd_mb_readings(&p, &img, &st, 5000, out);
    assert_int_equal(n, 4); /* stamp 0: the three NIBP values are left out */
    for (size_t i = 0; i < n; i++)
        assert_true(out[i].vital != VSD_VITAL_NIBP_SYS);
    regs[1][6] = 0x6553; /* 0x65530000 s = 1699938304 */
    regs[1][7] = 0x0000;
    n = vsd_mb_readings(&p, &img, &st, 5000, out);
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        if (out[i].vital == VSD_VITAL_SPO2) {
            assert_float_equal(out[i].value, 95.1, 1e-9);
            assert_int_equal(out[i].flags, VSD_Q_SENSOR_OFF | VSD_Q_LOW_PERFUSION);
        } else if (out[i].vital == VSD_VITAL_NIBP_SYS) {
            assert_true(out[i].value == 121);
            assert_int_equal(out[i].flags, 0); /* status = no */
            assert_true(out[i].measured_ms == 1699938304000LL);
        } else if (out[i].vital == VSD_VITAL_HR) {
            assert_true(isnan(out[i].value)); /* u32 0 is its sentinel */
            assert_int_equal(out[i].measured_ms, 0);
        }
    }
}

/* EtCO2 reported as a percentage: converted with the ambient pressure in a register
 * (5.00 % of 630.0 mmHg = 31.5 mmHg) or a fixed one; a pressure no one breathes at (or a
 * missing one) gives no value, never an assumed 760 mmHg. */
static void test_etco2_percent(void **state)
{
    uint16_t regs[1][VSD_MB_MAX_REGS] = {{0}};
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    struct vsd_mb_stamp_state st = {0};
    struct vsd_reading out[VSD_VITAL_COUNT];
    struct vsd_mb_profile p;
    struct vsd_mb_image img = {rq, 0, (const uint16_t(*)[VSD_MB_MAX_REGS])regs};
    const struct vsd_mb_field *f;
    size_t n;

    (void)state;
    load_ok("tests/config/profiles/good/capno.conf", &p);
    f = field_of(&p, VSD_VITAL_ETCO2);
    assert_true(f->percent && f->ambient_reg && f->ambient_address == 2);
    img.n = vsd_mb_plan(&p, 0, rq, VSD_MB_MAX_REQUESTS); /* rr, etco2 and the pressure: one */
    assert_int_equal(img.n, 1);
    assert_int_equal(rq[0].start, 0);
    assert_int_equal(rq[0].count, 3);
    regs[0][0] = 0; /* rr 0: a value */
    regs[0][1] = 500;
    regs[0][2] = 6300;
    n = vsd_mb_readings(&p, &img, &st, 5000, out);
    assert_int_equal(n, 2);
    assert_true(out[0].vital == VSD_VITAL_RR && out[0].value == 0 && out[0].flags == 0);
    assert_true(out[1].vital == VSD_VITAL_ETCO2 && out[1].flags == 0);
    assert_float_equal(out[1].value, 31.5, 1e-9);
    regs[0][2] = 0; /* no pressure: no EtCO2 */
    n = vsd_mb_readings(&p, &img, &st, 5000, out);
    assert_true(isnan(out[1].value) && out[1].flags == VSD_Q_INVALID);
    regs[0][2] = 9000; /* 900 mmHg: not converted either */
    n = vsd_mb_readings(&p, &img, &st, 5000, out);
    assert_true(isnan(out[1].value));
    /* the simulator's way back: 38 mmHg is 5.00 % of the 760 mmHg it writes */
    vsd_mb_encode(f, 38, &regs[0][1]);
    assert_int_equal(regs[0][1], 500);

    load_ok("tests/config/profiles/good/capno_fixed.conf", &p);
    f = field_of(&p, VSD_VITAL_ETCO2);
    assert_true(f->percent && !f->ambient_reg && f->ambient_mmhg == 630);
    assert_float_equal(vsd_mb_ambient(f, 6.0, NULL), 37.8, 1e-9);
    vsd_mb_encode(f, 37.8, regs[0]);
    assert_int_equal(regs[0][0], 60); /* 6.0 % at scale 0.1 */
    assert_true(isnan(vsd_mb_ambient(f, NAN, NULL)));
    /* control: a plain mmHg field is not converted */
    load_ok("tests/config/profiles/good/capno.conf", &p);
    assert_false(field_of(&p, VSD_VITAL_RR)->percent);
}

/* A COUNTER stamp: the measurement keeps the time its counter value was first seen. */
/* Identity text: two characters a register, high byte first; a NUL ends it, trailing blanks go;
 * the plan reads it with the fields; vsd_mb_identity() finds both texts in the image. */
static void test_identity_text(void **state)
{
    const uint16_t sn[5] = {0x4757, 0x2D30, 0x3034, 0x3200, 0x4142}; /* "GW-0042\0AB" */
    const uint16_t model[4] = {0x4D50, 0x2D31, 0x2020, 0x2020};    /* "MP-1" + blanks */
    struct vsd_mb_profile p;
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    uint16_t regs[2][VSD_MB_MAX_REGS] = {{0}};
    char a[33], b[33];
    size_t n;

    (void)state;
    vsd_mb_text(sn, 5, a, sizeof(a));
    assert_string_equal(a, "GW-0042");
    vsd_mb_text(model, 4, a, sizeof(a));
    assert_string_equal(a, "MP-1");
    vsd_mb_text(sn, 5, a, 4); /* cut to the room there is */
    assert_string_equal(a, "GW-");
    load_ok("tests/config/profiles/good/identity.conf", &p);
    n = vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS);
    assert_int_equal(n, 2); /* hr at 0, then the texts */
    assert_int_equal(rq[1].table, VSD_MB_INPUT);
    assert_int_equal(rq[1].start, 300);
    assert_int_equal(rq[1].count, 14); /* 300..313, the gap 305..309 read */
    memcpy(regs[0], sn, sizeof(sn));
    memcpy(&regs[0][10], model, sizeof(model));
    {
        const struct vsd_mb_request one = {VSD_MB_INPUT, 300, 14};
        const struct vsd_mb_image img = {&one, 1, (const uint16_t(*)[VSD_MB_MAX_REGS])regs};

        vsd_mb_identity(&p, &img, a, b, sizeof(a));
        assert_string_equal(a, "MP-1");
        assert_string_equal(b, "GW-0042");
    }
}

static void test_readings_counter(void **state)
{
    uint16_t regs[1][VSD_MB_MAX_REGS] = {{0}};
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    struct vsd_mb_stamp_state st = {0};
    struct vsd_reading out[VSD_VITAL_COUNT];
    struct vsd_mb_profile p;
    struct vsd_mb_image img = {rq, 0, (const uint16_t(*)[VSD_MB_MAX_REGS])regs};

    (void)state;
    load_ok("config/profiles/generic-gateway.conf", &p);
    img.n = vsd_mb_plan(&p, 10, rq, VSD_MB_MAX_REQUESTS);
    vsd_mb_encode(field_of(&p, VSD_VITAL_NIBP_SYS), 118, &regs[0][10]);
    regs[0][16] = 7;
    assert_int_equal(vsd_mb_readings(&p, &img, &st, 1000, out), 7);
    assert_true(out[4].vital == VSD_VITAL_NIBP_SYS && out[4].value == 118);
    assert_true(out[4].measured_ms == 1000);
    assert_int_equal(vsd_mb_readings(&p, &img, &st, 2000, out), 7);
    assert_true(out[4].measured_ms == 1000); /* same counter: same measurement */
    assert_true(out[0].measured_ms == 0);    /* hr is not stamped */
    regs[0][16] = 8;
    assert_int_equal(vsd_mb_readings(&p, &img, &st, 3000, out), 7);
    assert_true(out[4].measured_ms == 3000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_profiles),
        cmocka_unit_test(test_good_profiles),
        cmocka_unit_test(test_bad_profiles),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_raw_orders),
        cmocka_unit_test(test_sen0344_example),
        cmocka_unit_test(test_sentinels_and_nan),
        cmocka_unit_test(test_encode_roundtrip),
        cmocka_unit_test(test_encode_bytes_share_register),
        cmocka_unit_test(test_readings_status_and_time),
        cmocka_unit_test(test_readings_counter),
        cmocka_unit_test(test_etco2_percent),
        cmocka_unit_test(test_identity_text),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
