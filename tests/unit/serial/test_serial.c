/* SPDX-License-Identifier: MIT */
/* Tests of the serial transport: the pty backend (a real openpty pair) and TCP (a real socket). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <vitalsd/serial.h>

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A pty pair with the slave's path published as a symlink in a temp directory. */
struct pty_fixture {
    int master, slave;
    char dir[64], link[128];
    struct vsd_serial *s;
};

static void pty_setup(struct pty_fixture *f)
{
    char name[64];
    struct vsd_serial_params p = {.baud = 9600, .data_bits = 8, .stop_bits = 1};

    snprintf(f->dir, sizeof(f->dir), "/tmp/vsd-serial-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(openpty(&f->master, &f->slave, name, NULL, NULL), 0);
    snprintf(f->link, sizeof(f->link), "%s/tty0", f->dir);
    assert_int_equal(symlink(name, f->link), 0);
    p.port = f->link;
    assert_int_equal(vsd_serial_open(&p, 500, &f->s), 0);
}

static void pty_teardown(struct pty_fixture *f)
{
    vsd_serial_close(f->s);
    if (f->master >= 0)
        close(f->master);
    close(f->slave);
    unlink(f->link);
    rmdir(f->dir);
}

static void test_pty_read_write(void **state)
{
    struct pty_fixture f;
    char buf[64];
    ssize_t n;

    (void)state;
    pty_setup(&f);
    /* raw mode: every byte value passes unchanged, CR and NUL included */
    assert_int_equal(write(f.master, "\x01\x83\r\n\x00\xff", 6), 6);
    n = vsd_serial_read(f.s, buf, sizeof(buf), 1000);
    assert_int_equal(n, 6);
    assert_memory_equal(buf, "\x01\x83\r\n\x00\xff", 6);
    assert_int_equal(vsd_serial_write(f.s, "\x02\x70\x02\x02\x07\x03", 6, 500), 0);
    usleep(20000);
    assert_int_equal(read(f.master, buf, sizeof(buf)), 6);
    assert_memory_equal(buf, "\x02\x70\x02\x02\x07\x03", 6);
    pty_teardown(&f);
}

static void test_pty_timeout_and_flush(void **state)
{
    struct pty_fixture f;
    char buf[64];
    int64_t t0;
    ssize_t n;

    (void)state;
    pty_setup(&f);
    t0 = now_ms();
    assert_int_equal(vsd_serial_read(f.s, buf, sizeof(buf), 150), -ETIMEDOUT);
    assert_in_range(now_ms() - t0, 140, 400);
    assert_int_equal(write(f.master, "stale", 5), 5);
    usleep(20000);
    assert_int_equal(vsd_serial_flush_input(f.s), 0);
    assert_int_equal(vsd_serial_read(f.s, buf, sizeof(buf), 50), -ETIMEDOUT);
    assert_int_equal(write(f.master, "fresh", 5), 5);
    n = vsd_serial_read(f.s, buf, sizeof(buf), 500);
    assert_int_equal(n, 5);
    assert_memory_equal(buf, "fresh", 5);
    pty_teardown(&f);
}

/* The cable is pulled: the master side closes. The read fails at once, with a broken-link
 * error, and keeps failing (the bus closes and reopens). */
static void test_pty_hangup(void **state)
{
    struct pty_fixture f;
    char buf[16];
    int64_t t0;
    ssize_t n;

    (void)state;
    pty_setup(&f);
    close(f.master);
    f.master = -1;
    close(f.slave); /* the last other holder of the pty */
    f.slave = open("/dev/null", O_RDONLY);
    t0 = now_ms();
    n = vsd_serial_read(f.s, buf, sizeof(buf), 2000);
    assert_true(n == -EIO || n == -ENODEV);
    assert_true(now_ms() - t0 < 500);
    pty_teardown(&f);
}

static void test_open_errors(void **state)
{
    struct vsd_serial_params p = {.baud = 9600, .data_bits = 8, .stop_bits = 1};
    struct vsd_serial *s = NULL;

    (void)state;
    p.port = "/nonexistent/ttyUSB9";
    assert_int_equal(vsd_serial_open(&p, 100, &s), -ENOENT);
    p.port = "tcp://127.0.0.1";
    assert_int_equal(vsd_serial_open(&p, 100, &s), -EINVAL);
    p.port = "";
    assert_int_equal(vsd_serial_open(&p, 100, &s), -EINVAL);
    assert_null(s);
    vsd_serial_close(NULL);
}

static int listen_any(int *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_tcp(void **state)
{
    struct vsd_serial_params p = {.baud = 9600, .data_bits = 8, .stop_bits = 1};
    struct vsd_serial *s = NULL;
    char spec[64], buf[32];
    int port, lfd = listen_any(&port), c;
    int64_t t0;

    (void)state;
    snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", port);
    p.port = spec;
    assert_int_equal(vsd_serial_open(&p, 500, &s), 0);
    c = accept(lfd, NULL, NULL);
    assert_true(c >= 0);
    assert_int_equal(write(c, "SPO2=097%", 9), 9);
    assert_int_equal(vsd_serial_read(s, buf, sizeof(buf), 500), 9);
    assert_memory_equal(buf, "SPO2=097%", 9);
    assert_int_equal(vsd_serial_write(s, "req", 3, 500), 0);
    assert_int_equal(read(c, buf, sizeof(buf)), 3);
    t0 = now_ms();
    assert_int_equal(vsd_serial_read(s, buf, sizeof(buf), 100), -ETIMEDOUT);
    assert_in_range(now_ms() - t0, 90, 400);
    assert_int_equal(write(c, "old", 3), 3);
    usleep(20000);
    assert_int_equal(vsd_serial_flush_input(s), 0);
    assert_int_equal(vsd_serial_read(s, buf, sizeof(buf), 30), -ETIMEDOUT);
    close(c); /* the device server drops the connection */
    assert_int_equal(vsd_serial_read(s, buf, sizeof(buf), 500), -ECONNRESET);
    vsd_serial_close(s);
    close(lfd);
}

static void test_tcp_refused(void **state)
{
    struct vsd_serial_params p = {.baud = 9600, .data_bits = 8, .stop_bits = 1};
    struct vsd_serial *s = NULL;
    char spec[64];
    int port, lfd = listen_any(&port);

    (void)state;
    close(lfd); /* nobody listens there any more */
    snprintf(spec, sizeof(spec), "tcp://127.0.0.1:%d", port);
    p.port = spec;
    assert_int_equal(vsd_serial_open(&p, 500, &s), -ECONNREFUSED);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pty_read_write),
        cmocka_unit_test(test_pty_timeout_and_flush),
        cmocka_unit_test(test_pty_hangup),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_tcp_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
