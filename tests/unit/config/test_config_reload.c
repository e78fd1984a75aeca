/* SPDX-License-Identifier: MIT */
/* What a reload may change: a device is "the same" only when nothing of it changed; the
 * restart-only settings are named at their FILE:LINE, the password never by its value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static char dir[] = "/tmp/vsd-cfg-reload.XXXXXX";

static void write_conf(const char *name, const char *db, const char *poll, const char *password,
                       char *path, size_t size)
{
    FILE *f;

    snprintf(path, size, "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "[daemon]\narea = ward\ndatabase = %s\ncontrol_socket = %s/c.sock\n"
            "[mqtt]\nhost = 127.0.0.1\npassword = %s\n"
            "[device.m1]\ndriver = sim\npoll = %s\n[bed.b1]\ndevices = m1\n"
            "[device.m2]\ndriver = sim\n[bed.b2]\ndevices = m2\n",
            db, dir, password, poll);
    fclose(f);
}

static struct vsd_config *load(const char *path)
{
    struct vsd_config *cfg = NULL;
    struct vsd_diag diag = {0};

    assert_int_equal(vsd_config_load(path, &cfg, &diag), 0);
    vsd_diag_free(&diag);
    return cfg;
}

static void test_same_and_restart(void **state)
{
    char a_path[256], b_path[256], c_path[256], line[512];
    struct vsd_config *a, *b, *c;
    struct vsd_diag diag = {0};

    (void)state;
    assert_non_null(mkdtemp(dir));
    write_conf("a.conf", "/tmp/a.db", "1s", "secret-one", a_path, sizeof(a_path));
    write_conf("b.conf", "/tmp/a.db", "2s", "secret-one", b_path, sizeof(b_path));
    write_conf("c.conf", "/tmp/b.db", "1s", "secret-two", c_path, sizeof(c_path));
    a = load(a_path);
    b = load(b_path);
    c = load(c_path);
    assert_true(vsd_config_device_same(a, 0, c, 0)); /* m1 as it was */
    assert_false(vsd_config_device_same(a, 0, b, 0)); /* m1 polled every 2 s now */
    assert_true(vsd_config_device_same(a, 1, b, 1));
    assert_int_equal(vsd_config_restart_needed(a, b, &diag), 0);
    assert_int_equal(vsd_config_restart_needed(a, c, &diag), 2);
    snprintf(line, sizeof(line), "%s:3: [daemon] database: changed, but vitalsd applies it only "
             "when it starts", c_path);
    assert_non_null(strstr(diag.lines[0], line));
    snprintf(line, sizeof(line), "%s:7: [mqtt] password: changed", c_path);
    assert_non_null(strstr(diag.lines[1], line));
    assert_null(strstr(diag.lines[1], "secret"));
    vsd_diag_free(&diag);
    vsd_config_free(a);
    vsd_config_free(b);
    vsd_config_free(c);
    unlink(a_path);
    unlink(b_path);
    unlink(c_path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_and_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
