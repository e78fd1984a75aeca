/* SPDX-License-Identifier: MIT */
/* The `intellivue` driver: Philips IntelliVue Data Export over MIB/RS232 (or the LAN: a udp://
 * port, intellivue_link.c). open() associates and
 * answers the MDS Create Event Report; each poll() sends one poll request for numerics and reads
 * its result (RORLS parts, then the RORS); close() sends a release request. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/driver.h>
#include <vitalsd/serial.h>

#include "intellivue_link.h"
#include "intellivue_pdu.h"

#define REASSOCIATE_AFTER 3 /* polls in a row without an answer: the association may be gone */
#define RELEASE_WRITE_MS 200
#define OUT_MAX 512

struct ivue_dev {
    struct ivue_link *link;
    uint16_t invoke, poll_no;
    bool ext;
    unsigned silent; /* polls in a row without an answer */
    bool have_stamp; /* cached measurement time of the last time-stamped observation */
    uint8_t stamp[8];
    int64_t stamp_ms;
    bool demo; /* the monitor's values were marked test or demo data (logged once) */
    struct vsd_ivue_poll res;
};

static const struct vsd_option intellivue_options[] = {
    VSD_SERIAL_OPTIONS("115200", "none", "none"),
    {.key = "poll_request",
     .type = VSD_OPT_ENUM,
     .def = "extended",
     .choices = (const char *const[]){"extended", "single", NULL},
     .help = "poll action for numerics: extended (NOM_ACT_POLL_MDIB_DATA_EXT) or single "
             "(NOM_ACT_POLL_MDIB_DATA)"},
    {0},
};

static int send_msg(struct ivue_dev *d, const uint8_t *p, size_t n, int64_t timeout_ms)
{
    return ivue_link_send(d->link, p, n, timeout_ms);
}

/* The next message that arrives before END (monotonic ms). Returns 1 (M set; it points into
 * the link until the next call), 0 at END, or a broken-link error. Bad frames and data
 * messages that do not hold together are counted in *BAD. */
static int next_msg(struct ivue_dev *d, int64_t end, struct vsd_ivue_msg *m, unsigned *bad)
{
    const uint8_t *p;
    size_t n;
    int r;

    while ((r = ivue_link_next(d->link, end, &p, &n, bad)) > 0) {
        if (vsd_ivue_classify(p, n, m) == 0)
            return 1;
        (*bad)++;
    }
    return r;
}

static int answer_event(struct ivue_dev *d, const struct vsd_ivue_msg *m, int64_t timeout_ms)
{
    uint8_t out[OUT_MAX];
    size_t n = vsd_ivue_build_event_result(m, out, sizeof(out));

    return send_msg(d, out, n, timeout_ms);
}

/* Association request, its result, then the MDS Create Event Report, answered. */
static int associate(struct vsd_device *dev, struct ivue_dev *d)
{
    int64_t to = vsd_device_timeout_ms(dev), end = ivue_now_ms() + to;
    uint8_t out[OUT_MAX];
    struct vsd_ivue_msg m;
    bool accepted = false;
    unsigned bad = 0;
    int r = send_msg(d, out, vsd_ivue_build_assoc(out, sizeof(out)), to);

    while (r >= 0 && (r = next_msg(d, end, &m, &bad)) > 0) {
        if (m.kind == VSD_IVUE_REFUSE || m.kind == VSD_IVUE_ABORT) {
            vsd_log(LOG_DEBUG, "device '%s' (intellivue): association %s", vsd_device_name(dev),
                    m.kind == VSD_IVUE_REFUSE ? "refused" : "aborted");
            return -ECONNREFUSED;
        }
        if (m.kind == VSD_IVUE_ACCEPT)
            accepted = true;
        else if (accepted && vsd_ivue_is_mds_create(&m))
            return answer_event(d, &m, to);
    }
    return r < 0 ? r : -ETIMEDOUT;
}

static void intellivue_close(struct vsd_device *dev)
{
    struct ivue_dev *d = vsd_device_data(dev);
    uint8_t out[OUT_MAX];

    if (!d)
        return;
    /* Best effort: a dead link or a monitor already gone only costs the bounded write. */
    send_msg(d, out, vsd_ivue_build_release(out, sizeof(out)), RELEASE_WRITE_MS);
    ivue_link_close(d->link);
    free(d);
    vsd_device_set_data(dev, NULL);
}

static int intellivue_open(struct vsd_device *dev)
{
    struct ivue_dev *d = calloc(1, sizeof(*d));
    const char *req = vsd_device_option(dev, "poll_request");
    int r;

    if (!d)
        return -ENOMEM;
    d->ext = !req || strcmp(req, "single") != 0;
    r = ivue_link_open(dev, &d->link);
    if (r >= 0)
        r = associate(dev, d);
    if (r < 0) {
        ivue_link_close(d->link);
        free(d);
        return r;
    }
    vsd_device_set_data(dev, d);
    return 0;
}

/* One message during a poll. Returns 1 when the poll's final result has come, 0 to go on, or
 * an error. */
static int take_msg(struct ivue_dev *d, const struct vsd_ivue_msg *m, int64_t to, unsigned *bad)
{
    switch (m->kind) {
    case VSD_IVUE_RESULT:
    case VSD_IVUE_LINKED:
        if (m->invoke_id != d->invoke)
            return 0; /* a late answer to an earlier poll */
        if (vsd_ivue_parse_result(m, &d->res) < 0) {
            (*bad)++;
            return m->kind == VSD_IVUE_RESULT ? -EBADMSG : 0;
        }
        return m->kind == VSD_IVUE_RESULT;
    case VSD_IVUE_ERROR:
        return m->invoke_id == d->invoke ? -EPROTO : 0;
    case VSD_IVUE_INVOKE: /* an event report: confirm it, as at association */
        return vsd_ivue_is_mds_create(m) ? answer_event(d, m, to) : 0;
    case VSD_IVUE_ABORT:
    case VSD_IVUE_RELEASE:
    case VSD_IVUE_REFUSE:
        return -ECONNRESET; /* the association is over: the bus reopens (re-associates) */
    default:
        return 0;
    }
}

/* Send the poll request and read its result. Returns 0, a poll() error. */
static int exchange(struct vsd_device *dev, struct ivue_dev *d, unsigned *bad)
{
    int64_t to = vsd_device_timeout_ms(dev), end;
    uint8_t out[OUT_MAX];
    struct vsd_ivue_msg m;
    size_t n;
    int r;

    d->invoke++;
    d->poll_no++;
    memset(&d->res, 0, sizeof(d->res));
    n = vsd_ivue_build_poll(d->invoke, d->poll_no, d->ext, out, sizeof(out));
    r = send_msg(d, out, n, to);
    end = ivue_now_ms() + to;
    while (r >= 0 && (r = next_msg(d, end, &m, bad)) > 0)
        if ((r = take_msg(d, &m, to, bad)) != 0)
            break;
    if (r > 0)
        return 0;
    if (r == 0) /* no final result in time */
        return *bad ? -EBADMSG : -ETIMEDOUT;
    return r;
}

/* The measurement time of observation O: the poll time less its age on the monitor's clock
 * (the reply's time stamp minus the observation's), the same as before for the same stamp;
 * 0 (the poll time) when either stamp is missing or the age is not plausible. */
static int64_t measured_ms(struct vsd_device *dev, struct ivue_dev *d, const struct vsd_ivue_obs *o)
{
    int64_t age;

    if (!o->has_time || !d->res.has_time || !vsd_ivue_time_diff(o->time, d->res.time, &age) ||
        age < 0 || age > 86400)
        return 0;
    if (!d->have_stamp || memcmp(d->stamp, o->time, 8) != 0) {
        d->have_stamp = true;
        memcpy(d->stamp, o->time, 8);
        d->stamp_ms = vsd_device_wall_ms(dev) - age * 1000;
    }
    return d->stamp_ms;
}

/* Log once when the monitor starts or stops marking its values as test or demo data. */
static void note_demo(struct vsd_device *dev, struct ivue_dev *d)
{
    bool demo = false;

    for (size_t i = 0; i < d->res.n; i++)
        demo |= (d->res.obs[i].state & (VSD_IVUE_ST_TEST_DATA | VSD_IVUE_ST_DEMO_DATA)) != 0;
    if (demo == d->demo)
        return;
    d->demo = demo;
    vsd_log(demo ? LOG_WARNING : LOG_NOTICE,
            demo ? "device '%s' (intellivue): the monitor sends demo or test data: its values "
                   "are marked invalid"
                 : "device '%s' (intellivue): the monitor sends patient data again",
            vsd_device_name(dev));
}

static int intellivue_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    struct ivue_dev *d = vsd_device_data(dev);
    struct vsd_reading out[VSD_SINK_MAX];
    size_t timed[VSD_SINK_MAX], n;
    unsigned bad = 0;
    int r;

    if (!d)
        return -ENOTCONN;
    r = exchange(dev, d, &bad);
    if (r == -ETIMEDOUT && ++d->silent >= REASSOCIATE_AFTER)
        return -ENOTCONN; /* the monitor may have dropped the association: start a new one */
    if (r < 0)
        return r;
    d->silent = 0;
    vsd_device_bad_frames(dev, bad);
    note_demo(dev, d);
    n = vsd_ivue_readings(&d->res, out, timed, VSD_SINK_MAX);
    for (size_t i = 0; i < n; i++) {
        out[i].measured_ms = measured_ms(dev, d, &d->res.obs[timed[i]]);
        vsd_sink_push(sink, &out[i]);
    }
    return 0;
}

const struct vsd_driver vsd_driver_intellivue = {
    .name = "intellivue",
    .summary = "Philips IntelliVue Data Export, MIB/RS232 or LAN (HR, PR, SpO2, RR, NIBP)",
    .options = intellivue_options,
    .open = intellivue_open,
    .poll = intellivue_poll,
    .close = intellivue_close,
};
