/* SPDX-License-Identifier: MIT */
/* The streaming serial drivers through the shared glue (include/vitalsd/serial_driver.h) on a
 * real pty: the identity Masimo (SN=) and Nellcor (the heading's model) report, the gap rule
 * (a poll between two lines is no silence, a longer pause is), garbage lines, close. */
#include <errno.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "device.h"

extern const struct vsd_driver vsd_driver_masimo, vsd_driver_nellcor;

#define MONO0 5000000LL

/* One device on the slave side of a pty the test writes the monitor's lines into. */
struct rig {
    const struct vsd_driver *drv;
    int master, slave;
    char name[64];
    int64_t mono;
    struct vsd_clock clock;
    struct vsd_kv kv[1];
    struct vsd_device_config cfg;
    struct vsd_device dev;
    struct vsd_reading buf[VSD_SINK_MAX];
    struct vsd_sink sink;
};

static int64_t fake_mono(void *ctx)
{
    return *(int64_t *)ctx;
}

static void rig_open(struct rig *r, const struct vsd_driver *drv)
{
    memset(r, 0, sizeof(*r));
    r->drv = drv;
    r->mono = MONO0;
    r->clock = (struct vsd_clock){fake_mono, fake_mono, &r->mono};
    assert_int_equal(openpty(&r->master, &r->slave, r->name, NULL, NULL), 0);
    r->kv[0] = (struct vsd_kv){(char *)"port", r->name, 2};
    r->cfg = (struct vsd_device_config){.name = (char *)"m1",
                                        .driver = drv,
                                        .poll_ms = 1000,
                                        .timeout_ms = 50, /* real ms waited for a first byte */
                                        .options = r->kv,
                                        .n_options = 1,
                                        .line = 1};
    vsd_device_init(&r->dev, &r->cfg, 0, &r->clock);
    assert_int_equal(drv->open(&r->dev), 0);
    assert_non_null(vsd_device_data(&r->dev));
}

/* Write TEXT (may be NULL) as the monitor, then poll T ms (fake) after the open. */
static int rig_poll(struct rig *r, int64_t t, const char *text)
{
    if (text)
        assert_int_equal(write(r->master, text, strlen(text)), (ssize_t)strlen(text));
    r->mono = MONO0 + t;
    r->sink = (struct vsd_sink){.readings = r->buf, .n = 0};
    return r->drv->poll(&r->dev, &r->sink);
}

static void rig_close(struct rig *r)
{
    r->drv->close(&r->dev);
    assert_null(vsd_device_data(&r->dev));
    close(r->master);
    close(r->slave);
}

static void test_masimo_identity_and_gap(void **state)
{
    struct rig r;

    (void)state;
    rig_open(&r, &vsd_driver_masimo);
    assert_string_equal(r.dev.serial, ""); /* nothing said yet */
    assert_int_equal(rig_poll(&r, 1000,
                              "05/14/24 10:15:02 SN=0000012345 SPO2=097% BPM=072 "
                              "PI=03.45% ALARM=0000 EXC=000800\r\n"),
                     0);
    assert_int_equal(r.sink.n, 2);
    assert_string_equal(r.dev.serial, "0000012345");
    assert_string_equal(r.dev.model, "");
    assert_true(r.dev.identity_changed);
    /* a poll between two lines (1.4 s after the last byte) is no silence; 1.6 s is */
    assert_int_equal(rig_poll(&r, 2400, NULL), 0);
    assert_int_equal(r.sink.n, 0);
    assert_int_equal(rig_poll(&r, 2600, NULL), -ETIMEDOUT);
    /* another serial on a later line is reported too; a garbage line alone is -EBADMSG */
    assert_int_equal(rig_poll(&r, 3000, "05/14/24 10:15:03 SN=0000099999 SPO2=096% BPM=070\r\n"),
                     0);
    assert_string_equal(r.dev.serial, "0000099999");
    assert_int_equal(rig_poll(&r, 4000, "garbage\r\n"), -EBADMSG);
    assert_int_equal(r.dev.bad_frames, 1);
    rig_close(&r);
}

static void test_nellcor_identity_and_gap(void **state)
{
    struct rig r;

    (void)state;
    rig_open(&r, &vsd_driver_nellcor);
    assert_int_equal(
        rig_poll(&r, 1000,
                 "N-595 VERSION 1.5.0.0 CRC:3A7F SpO2 Limit: 85-100% PR Limit: 40-170BPM\r\n"
                 "TIME                %SPO2  BPM  PA  Status\r\n"
                 "14-MAY-24 10:15:02    97    72  45\r\n"),
        0);
    assert_int_equal(r.sink.n, 2);
    assert_string_equal(r.dev.model, "N-595");
    assert_string_equal(r.dev.serial, ""); /* the data port carries none */
    /* a line every 2 s: 2.9 s after the last byte is between two lines, 3.1 s is silence */
    assert_int_equal(rig_poll(&r, 3900, NULL), 0);
    assert_int_equal(rig_poll(&r, 4100, NULL), -ETIMEDOUT);
    rig_close(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masimo_identity_and_gap),
        cmocka_unit_test(test_nellcor_identity_and_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
