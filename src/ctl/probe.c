/* SPDX-License-Identifier: MIT */
/* `vitalsctl probe`: one read of a Modbus device, raw registers, fields in all four byte orders. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vitalsd/vitals.h>

#include "clock.h"
#include "config.h"
#include "device.h"
#include "mbdevice.h"
#include "probe.h"

/* What one probe reads: the link, the profile and how reads are joined. */
struct probe {
    struct vsd_mb_link_params lp;
    char profile_path[512];
    char profile_arg[512]; /* --profile as given; empty: from the configuration */
    struct vsd_mb_profile prof;
    unsigned max_gap;
    char what[300];            /* "device 'x' (modbus-tcp)" */
    char host[256], path[512]; /* owned copies of the link's strings */
    uint16_t regs[VSD_MB_MAX_REQUESTS][VSD_MB_MAX_REGS];
};

void vsd_probe_usage(FILE *out)
{
    fputs("  probe DEVICE                      read a configured device: a Modbus one once, any\n"
          "                                    other a few times, in words, with the identity\n"
          "                                    it reports (serial number, model)\n"
          "  probe --driver modbus-tcp --host H [--port 502] [--unit 1] --profile FILE\n"
          "  probe --driver modbus-rtu --port PATH [--baud 9600] [--parity none|even|odd]\n"
          "        [--data-bits 8] [--stop-bits 1] [--unit 1] --profile FILE\n"
          "        [--timeout 1s] [--byte-timeout 100ms] [--max-gap 10]\n"
          "        raw registers, each field decoded, 32-bit fields in all four orders;\n"
          "        exit 0 if the device answered, 1 if not, 78 on a usage/config error\n",
          out);
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("vitalsctl probe: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n", stderr);
    vsd_probe_usage(stderr);
    return VSD_PROBE_USAGE;
}

/* A configured device whose driver is not Modbus: probed through its driver; *DONE gets the
 * result. */
#define PROBED_BY_DRIVER (-1)

/* PR's link and profile from configured device NAME. */
static int from_config(struct probe *pr, const char *config_path, const char *name, int *done)
{
    struct vsd_config *cfg = NULL;
    struct vsd_diag diag = {0};
    struct vsd_device dev;
    const char *drv;
    long long gap;
    int rc = vsd_config_load_client(config_path, &cfg, &diag), d;

    for (size_t i = 0; i < diag.n; i++)
        fprintf(stderr, "%s\n", diag.lines[i]);
    if (rc < 0 && diag.n == 0)
        fprintf(stderr, "vitalsctl: %s: %s (give -c CONFIG)\n", config_path, strerror(-rc));
    vsd_diag_free(&diag);
    if (rc < 0)
        return VSD_PROBE_USAGE;
    rc = VSD_PROBE_USAGE;
    d = vsd_config_device_index(cfg, name);
    if (d < 0) {
        fprintf(stderr, "vitalsctl probe: %s: no device '%s'\n", config_path, name);
        goto done;
    }
    drv = cfg->devices[d].driver->name;
    if (strcmp(drv, "modbus-tcp") != 0 && strcmp(drv, "modbus-rtu") != 0) {
        *done = vsd_probe_driver(stdout, &cfg->devices[d], (size_t)d);
        rc = PROBED_BY_DRIVER;
        goto done;
    }
    vsd_device_init(&dev, &cfg->devices[d], (size_t)d, &vsd_clock_system);
    if (vsd_mb_device_params(&dev, drv[7] == 'r', &pr->lp, pr->profile_path,
                             sizeof(pr->profile_path)) < 0 ||
        vsd_option_parse_int(vsd_device_option(&dev, "max_gap"), &gap) < 0)
        goto done;
    pr->max_gap = (unsigned)gap;
    /* the strings must outlive the configuration: keep copies */
    snprintf(pr->host, sizeof(pr->host), "%s", pr->lp.host ? pr->lp.host : "");
    snprintf(pr->path, sizeof(pr->path), "%s", pr->lp.path ? pr->lp.path : "");
    pr->lp.host = pr->host;
    pr->lp.path = pr->path;
    snprintf(pr->what, sizeof(pr->what), "device '%s' (%s)", name, drv);
    rc = 0;
done:
    vsd_config_free(cfg);
    return rc;
}

static int parse_number(const char *opt, const char *arg, long long min, long long max, int *ret)
{
    long long v;

    if (vsd_option_parse_int(arg, &v) < 0 || v < min || v > max) {
        fprintf(stderr, "vitalsctl probe: --%s: expected %lld to %lld, got '%s'\n", opt, min, max,
                arg);
        return -EINVAL;
    }
    *ret = (int)v;
    return 0;
}

static int parse_ms(const char *opt, const char *arg, int64_t *ret)
{
    if (vsd_option_parse_duration_ms(arg, ret) < 0 || *ret < 1 || *ret > 60000) {
        fprintf(stderr, "vitalsctl probe: --%s: expected a duration up to 60s, got '%s'\n", opt,
                arg);
        return -EINVAL;
    }
    return 0;
}

/* One "--name value" of the command line into PR. */
static int set_arg(struct probe *pr, const char *name, const char *arg, const char **profile)
{
    struct vsd_mb_link_params *lp = &pr->lp;
    int gap, r = 0;

    if (strcmp(name, "host") == 0)
        lp->host = arg;
    else if (strcmp(name, "port") == 0)
        lp->path = arg; /* a TCP port number or a serial port path: decided by the driver */
    else if (strcmp(name, "unit") == 0)
        r = parse_number(name, arg, 0, 255, &lp->unit_id);
    else if (strcmp(name, "profile") == 0)
        *profile = arg;
    else if (strcmp(name, "baud") == 0)
        r = parse_number(name, arg, 300, 4000000, &lp->baud);
    else if (strcmp(name, "parity") == 0 &&
             (!strcmp(arg, "none") || !strcmp(arg, "even") || !strcmp(arg, "odd")))
        lp->parity = (char)(arg[0] - 'a' + 'A');
    else if (strcmp(name, "data-bits") == 0)
        r = parse_number(name, arg, 7, 8, &lp->data_bits);
    else if (strcmp(name, "stop-bits") == 0)
        r = parse_number(name, arg, 1, 2, &lp->stop_bits);
    else if (strcmp(name, "timeout") == 0)
        r = parse_ms(name, arg, &lp->response_ms);
    else if (strcmp(name, "byte-timeout") == 0)
        r = parse_ms(name, arg, &lp->byte_ms);
    else if (strcmp(name, "max-gap") == 0 && (r = parse_number(name, arg, 0, 123, &gap)) == 0)
        pr->max_gap = (unsigned)gap;
    else if (strcmp(name, "parity") == 0)
        r = usage_error("--parity: expected none, even or odd, got '%s'", arg);
    return r < 0 || r == VSD_PROBE_USAGE ? -EINVAL : 0;
}

/* The profile named on the command line: as given when it exists there, else in the profile
 * directory. */
static void command_line_profile(struct probe *pr, const char *arg)
{
    snprintf(pr->profile_arg, sizeof(pr->profile_arg), "%s", arg);
    if (access(arg, F_OK) == 0 ||
        vsd_mb_profile_path(arg, pr->profile_path, sizeof(pr->profile_path)) < 0)
        snprintf(pr->profile_path, sizeof(pr->profile_path), "%s", arg);
}

/* --profile NAME found nowhere: every place it was looked for. */
static void profile_not_found(const struct probe *pr)
{
    const char *dir = getenv("VITALSD_PROFILE_DIR");

    if (pr->profile_arg[0] == '/') {
        fprintf(stderr, "vitalsctl probe: profile %s: no such file\n", pr->profile_arg);
        return;
    }
    fprintf(stderr,
            "vitalsctl probe: profile '%s' not found; looked for %s (from the current folder) "
            "and %s (the profile directory, %s)\n",
            pr->profile_arg, pr->profile_arg, pr->profile_path,
            dir && *dir ? "from VITALSD_PROFILE_DIR"
                        : "/etc/vitalsd/profiles; VITALSD_PROFILE_DIR sets another");
}

/* PR from "--driver NAME --key value ...". */
static int from_args(struct probe *pr, int argc, char **argv)
{
    static const char *const names[] = {
        "driver",    "host",      "port",    "unit",         "profile", "baud", "parity",
        "data-bits", "stop-bits", "timeout", "byte-timeout", "max-gap", NULL};
    const char *driver = NULL, *profile = NULL, *port;
    struct vsd_mb_link_params *lp = &pr->lp;

    *lp = (struct vsd_mb_link_params){.tcp_port = 502,
                                      .baud = 9600,
                                      .parity = 'N',
                                      .data_bits = 8,
                                      .stop_bits = 1,
                                      .unit_id = 1,
                                      .response_ms = 1000,
                                      .byte_ms = 100};
    pr->max_gap = 10;
    for (int i = 0; i < argc; i += 2) {
        size_t k = 0;

        while (names[k] && (strncmp(argv[i], "--", 2) != 0 || strcmp(names[k], argv[i] + 2)))
            k++;
        if (!names[k] || i + 1 >= argc)
            return usage_error(names[k] ? "%s: needs a value" : "unexpected '%s'", argv[i]);
        if (k == 0)
            driver = argv[i + 1];
        else if (set_arg(pr, names[k], argv[i + 1], &profile) < 0)
            return VSD_PROBE_USAGE;
    }
    if (!driver || (strcmp(driver, "modbus-tcp") != 0 && strcmp(driver, "modbus-rtu") != 0))
        return usage_error("--driver: expected modbus-tcp or modbus-rtu, got '%s'",
                           driver ? driver : "nothing");
    if (!profile)
        return usage_error("%s", "--profile FILE is required");
    lp->rtu = driver[7] == 'r';
    port = lp->path;
    if (lp->rtu && !port)
        return usage_error("%s", "--port PATH is required for modbus-rtu");
    if (!lp->rtu && !lp->host)
        return usage_error("%s", "--host is required for modbus-tcp");
    if (!lp->rtu && port && parse_number("port", port, 1, 65535, &lp->tcp_port) < 0)
        return VSD_PROBE_USAGE;
    command_line_profile(pr, profile);
    snprintf(pr->what, sizeof(pr->what), "%s", driver);
    return 0;
}

/* Why a read or connect failed, in a technician's words. */
static void describe_error(int r, int mb_errno, int64_t timeout_ms, char *buf, size_t size)
{
    const char *name;
    int code;

    if (r == -ETIMEDOUT)
        snprintf(buf, size, "timeout: no answer within %lld ms", (long long)timeout_ms);
    else if ((name = vsd_mb_exception_name(mb_errno, &code)))
        snprintf(buf, size, "exception %d (%s)", code, name);
    else if (mb_errno == EMBBADCRC)
        snprintf(buf, size, "bad CRC (garbled reply: wiring, baud rate, parity or noise)");
    else if (mb_errno == EMBBADSLAVE)
        snprintf(buf, size, "reply from the wrong unit id (two units with one id?)");
    else if (mb_errno)
        snprintf(buf, size, "%s", modbus_strerror(mb_errno));
    else
        snprintf(buf, size, "%s", strerror(-r));
}

static void print_registers(FILE *out, const struct vsd_mb_request *rq, const uint16_t *regs)
{
    for (unsigned i = 0; i < rq->count; i++) {
        if (i % 8 == 0)
            fprintf(out, "%s    %5u:", i ? "\n" : "", rq->start + i);
        fprintf(out, " %04X", regs[i]);
    }
    fputc('\n', out);
}

/* A decoded value, or "no value" (sentinel, NaN). */
static void print_value(FILE *out, double v)
{
    if (isnan(v))
        fprintf(out, "%-10s", "no value");
    else
        fprintf(out, "%-10.6g", v);
}

static void print_field(FILE *out, const struct vsd_mb_profile *p, const struct vsd_mb_field *f,
                        const struct vsd_mb_image *img)
{
    const uint16_t *regs = vsd_mb_image_at(img, f->table, f->address, vsd_mb_type_regs(f->type));
    const uint16_t *status = vsd_mb_image_at(img, p->status.table, p->status.address, 1);
    char flags[128];

    fprintf(out, "  %-10s %-7s %5u  %-7s %s  raw ", vsd_vital_info(f->vital)->name,
            f->table == VSD_MB_INPUT ? "input" : "holding", f->address, vsd_mb_type_name(f->type),
            vsd_mb_order_name(f->order));
    if (!regs) {
        fprintf(out, "(not read)\n");
        return;
    }
    fprintf(out, "%-12.7g -> ", vsd_mb_raw(f->type, f->order, regs));
    print_value(out, vsd_mb_decode(f, regs));
    vsd_quality_text(f->status_applies && status ? vsd_mb_status_flags(&p->status, *status) : 0,
                     flags, sizeof(flags));
    if (flags[0])
        fprintf(out, " [%s]", flags);
    if (vsd_mb_type_regs(f->type) == 2) {
        fprintf(out, " | all orders:");
        for (int o = VSD_MB_ABCD; o <= VSD_MB_DCBA; o++) {
            struct vsd_mb_field g = *f;

            g.order = (enum vsd_mb_order)o;
            fprintf(out, " %s%s=", o == (int)f->order ? "*" : "", vsd_mb_order_name(g.order));
            print_value(out, vsd_mb_decode(&g, regs));
        }
    }
    fputc('\n', out);
}

static void print_status(FILE *out, const struct vsd_mb_profile *p, const struct vsd_mb_image *img)
{
    static const char *const names[] = {"sensor_off", "searching", "artifact", "low_perfusion"};
    const struct vsd_mb_status *st = &p->status;
    int bits[] = {st->sensor_off_bit, st->searching_bit, st->artifact_bit, st->low_perfusion_bit};
    const uint16_t *reg;

    if (!st->present)
        return;
    reg = vsd_mb_image_at(img, st->table, st->address, 1);
    if (!reg)
        return;
    fprintf(out, "status register %s %u = 0x%04X:", st->table == VSD_MB_INPUT ? "input" : "holding",
            st->address, *reg);
    for (size_t i = 0; i < 4; i++)
        if (bits[i] >= 0)
            fprintf(out, " %s(bit %d)=%u", names[i], bits[i], (*reg >> bits[i]) & 1u);
    fputc('\n', out);
}

static void print_stamp(FILE *out, const struct vsd_mb_profile *p, const struct vsd_mb_image *img)
{
    const struct vsd_mb_stamp *s = &p->nibp_stamp;
    const uint16_t *regs;

    if (s->kind == VSD_MB_STAMP_NONE)
        return;
    regs = vsd_mb_image_at(img, s->table, s->address, vsd_mb_type_regs(s->type));
    if (regs)
        fprintf(out, "nibp_stamp (%s) %s %u = %.10g\n",
                s->kind == VSD_MB_STAMP_TIME ? "time, s since 1970" : "counter",
                s->table == VSD_MB_INPUT ? "input" : "holding", s->address,
                vsd_mb_raw(s->type, s->order, regs));
}

/* The [identity] texts as read: what vitalsd compares with the device's serial and model. */
static void print_identity(FILE *out, const struct vsd_mb_profile *p,
                           const struct vsd_mb_image *img)
{
    char model[VSD_IDENTITY_MAX + 1], serial[VSD_IDENTITY_MAX + 1];

    if (!p->identity.present)
        return;
    vsd_mb_identity(p, img, model, serial, sizeof(model));
    fprintf(out, "identity: model '%s', serial '%s'\n", p->identity.model.regs ? model : "-",
            p->identity.serial.regs ? serial : "-");
}

/* Every planned request once; prints as it goes. Returns 0 or the first failure. */
static int read_requests(FILE *out, modbus_t *ctx, const struct probe *pr,
                         const struct vsd_mb_request *rq, size_t n,
                         uint16_t (*regs)[VSD_MB_MAX_REGS])
{
    for (size_t i = 0; i < n; i++) {
        const struct vsd_mb_request *q = &rq[i];
        struct timespec t0, t1;
        char why[256];
        int mb_errno, r;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = vsd_mb_link_read(ctx, q, regs[i], &mb_errno);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(out, "request %zu: %s registers %u..%u (%u, FC %02d)", i + 1,
                q->table == VSD_MB_INPUT ? "input" : "holding", q->start, q->start + q->count - 1,
                q->count, q->table == VSD_MB_INPUT ? 4 : 3);
        if (r < 0) {
            describe_error(r, mb_errno, pr->lp.response_ms, why, sizeof(why));
            fprintf(out, ": FAILED: %s\n", why);
            fprintf(stderr, "vitalsctl probe: %s: %s\n", pr->what, why);
            return r;
        }
        fprintf(out, ": answered in %lld ms\n",
                (long long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000));
        print_registers(out, q, regs[i]);
    }
    return 0;
}

static void print_header(FILE *out, const struct probe *pr)
{
    const struct vsd_mb_link_params *lp = &pr->lp;

    if (lp->rtu)
        fprintf(out, "probe: %s on %s, %d %d%c%d, unit %d\n", pr->what, lp->path, lp->baud,
                lp->data_bits, lp->parity, lp->stop_bits, lp->unit_id);
    else
        fprintf(out, "probe: %s at %s:%d, unit %d\n", pr->what, lp->host, lp->tcp_port,
                lp->unit_id);
    fprintf(out, "profile: %s (%s)\n", pr->prof.name, pr->profile_path);
}

/* Connect, read, print. */
static int probe_device(FILE *out, struct probe *pr)
{
    struct vsd_mb_request rq[VSD_MB_MAX_REQUESTS];
    struct vsd_mb_image img = {rq, 0, (const uint16_t(*)[VSD_MB_MAX_REGS])pr->regs};
    modbus_t *ctx = NULL;
    char why[256];
    int r;

    print_header(out, pr);
    img.n = vsd_mb_plan(&pr->prof, pr->max_gap, rq, VSD_MB_MAX_REQUESTS);
    r = vsd_mb_link_open(&pr->lp, &ctx);
    if (r < 0) {
        describe_error(r, 0, pr->lp.response_ms, why, sizeof(why));
        fprintf(out, "connect: FAILED: %s\n", why);
        fprintf(stderr, "vitalsctl probe: %s: cannot connect: %s\n", pr->what, why);
        return VSD_PROBE_NO_ANSWER;
    }
    r = read_requests(out, ctx, pr, rq, img.n, pr->regs);
    vsd_mb_link_close(ctx);
    if (r < 0)
        return VSD_PROBE_NO_ANSWER;
    fprintf(out, "fields (* = the profile's order; value = raw x scale + offset):\n");
    for (size_t i = 0; i < pr->prof.n_fields; i++)
        print_field(out, &pr->prof, &pr->prof.fields[i], &img);
    print_status(out, &pr->prof, &img);
    print_stamp(out, &pr->prof, &img);
    print_identity(out, &pr->prof, &img);
    return VSD_PROBE_ANSWERED;
}

int vsd_probe_run(const char *config_path, int argc, char **argv, FILE *out)
{
    struct probe *pr = calloc(1, sizeof(*pr));
    char err[1024];
    int rc, done = VSD_PROBE_NO_ANSWER;

    if (!pr)
        return VSD_PROBE_NO_ANSWER;
    if (argc == 1 && argv[0][0] != '-')
        rc = from_config(pr, config_path, argv[0], &done);
    else if (argc > 0 && argv[0][0] == '-')
        rc = from_args(pr, argc, argv);
    else
        rc = usage_error("%s", "expected DEVICE or --driver ...");
    if (rc == PROBED_BY_DRIVER) {
        free(pr);
        return done;
    }
    if (rc == 0 && vsd_mb_profile_load(pr->profile_path, &pr->prof, err, sizeof(err)) < 0) {
        if (pr->profile_arg[0] && access(pr->profile_path, F_OK) != 0)
            profile_not_found(pr);
        else
            fprintf(stderr, "%s\n", err);
        rc = VSD_PROBE_USAGE;
    }
    if (rc == 0)
        rc = probe_device(out, pr);
    free(pr);
    return rc;
}
