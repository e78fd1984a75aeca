/* SPDX-License-Identifier: MIT */
/* The simulated bedside monitor: seeded, deterministic vitals with scripted scenario events. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include <vitalsd/driver.h>

#include "scenario.h"

/* Driver data of one open sim monitor. */
struct sim {
    struct vsd_sim_model model;
    struct vsd_sim_event *events;
    int64_t mono0; /* when it was opened: the scenario's time 0 */
    int64_t wall0;
};

static int check_vitals(const char *value, char *err, size_t errlen)
{
    unsigned mask;

    return vsd_sim_vitals_parse(value, &mask, err, errlen);
}

static int check_event(const char *value, char *err, size_t errlen)
{
    struct vsd_sim_event ev;

    return vsd_sim_event_parse(value, &ev, err, errlen);
}

static const struct vsd_option sim_options[] = {
    {"seed", VSD_OPT_INT, VSD_OPT_RANGE, 0, 2147483647.0, NULL, "1", NULL,
     "seeds this monitor's pseudo-random values"},
    {"vitals", VSD_OPT_LIST, 0, 0, 0, NULL, "hr,pr,spo2,rr,nibp", check_vitals,
     "vitals reported: a subset of hr, pr, spo2, rr, nibp (nibp = sys, dia, mean), etco2"},
    {"hr", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 20, 250, NULL, "72", NULL, "baseline heart rate, bpm"},
    {"spo2", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 50, 100, NULL, "98", NULL, "baseline SpO2, %"},
    {"rr", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 4, 60, NULL, "14", NULL,
     "baseline respiratory rate, /min"},
    {"etco2", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 20, 80, NULL, "38", NULL,
     "baseline end-tidal CO2, mmHg (with etco2 in vitals)"},
    {"nibp_sys", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 50, 260, NULL, "120", NULL,
     "baseline systolic blood pressure, mmHg"},
    {"nibp_dia", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 20, 160, NULL, "78", NULL,
     "baseline diastolic blood pressure, mmHg"},
    {"nibp_interval", VSD_OPT_DURATION, VSD_OPT_RANGE, 10000, 3600000, NULL, "180s", NULL,
     "time between automatic cuff measurements"},
    {"event", VSD_OPT_STRING, VSD_OPT_MULTI, 0, 0, NULL, NULL, check_event,
     "scripted scenario event: KIND at=DURATION [for=DURATION] [value=NUMBER] [vital=NAME]"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

/* Value of option KEY checked against the table; logs and returns -EINVAL when wrong. */
static int get_option(struct vsd_device *dev, const char *key, const char **ret)
{
    const struct vsd_option *opt = vsd_option_find(sim_options, key);
    const char *value = vsd_device_option(dev, key);
    char err[256];

    if (!opt || !value) {
        vsd_log(LOG_ERR, "device '%s' (sim): %s: missing", vsd_device_name(dev), key);
        return -EINVAL;
    }
    if (vsd_option_check(opt, value, err, sizeof(err)) < 0) {
        vsd_log(LOG_ERR, "device '%s' (sim): %s: %s", vsd_device_name(dev), key, err);
        return -EINVAL;
    }
    *ret = value;
    return 0;
}

static int get_double(struct vsd_device *dev, const char *key, double *ret)
{
    const char *value;
    int r = get_option(dev, key, &value);

    return r < 0 ? r : vsd_option_parse_double(value, ret);
}

/* The numeric options into M. */
static int parse_numbers(struct vsd_device *dev, struct vsd_sim_model *m)
{
    const char *value;
    long long seed;
    int r;

    r = get_option(dev, "seed", &value);
    if (r >= 0)
        r = vsd_option_parse_int(value, &seed);
    if (r >= 0)
        r = get_option(dev, "nibp_interval", &value);
    if (r >= 0)
        r = vsd_option_parse_duration_ms(value, &m->nibp_interval_ms);
    if (r >= 0)
        r = get_double(dev, "hr", &m->hr);
    if (r >= 0)
        r = get_double(dev, "spo2", &m->spo2);
    if (r >= 0)
        r = get_double(dev, "rr", &m->rr);
    if (r >= 0)
        r = get_double(dev, "etco2", &m->etco2);
    if (r >= 0)
        r = get_double(dev, "nibp_sys", &m->nibp_sys);
    if (r >= 0)
        r = get_double(dev, "nibp_dia", &m->nibp_dia);
    if (r < 0)
        return -EINVAL;
    m->seed = (uint32_t)seed;
    if (m->nibp_dia >= m->nibp_sys) {
        vsd_log(LOG_ERR, "device '%s' (sim): nibp_dia (%g) must be below nibp_sys (%g)",
                vsd_device_name(dev), m->nibp_dia, m->nibp_sys);
        return -EINVAL;
    }
    return 0;
}

/* Every "event" value into a new array in S. */
static int parse_events(struct vsd_device *dev, struct sim *s)
{
    unsigned n = 0;
    char err[256];

    while (vsd_device_option_n(dev, "event", n))
        n++;
    if (n == 0)
        return 0;
    s->events = calloc(n, sizeof(*s->events));
    if (!s->events)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++) {
        int r = vsd_sim_event_parse(vsd_device_option_n(dev, "event", i), &s->events[i], err,
                                    sizeof(err));
        if (r < 0) {
            vsd_log(LOG_ERR, "device '%s' (sim): event: %s", vsd_device_name(dev), err);
            return r;
        }
    }
    s->model.events = s->events;
    s->model.n_events = n;
    return 0;
}

static void sim_free(struct sim *s)
{
    if (!s)
        return;
    free(s->events);
    free(s);
}

static int sim_open(struct vsd_device *dev)
{
    struct sim *s = calloc(1, sizeof(*s));
    const char *vitals;
    int r = -ENOMEM;

    if (!s)
        goto fail;
    r = get_option(dev, "vitals", &vitals);
    if (r < 0)
        goto fail;
    r = vsd_sim_vitals_parse(vitals, &s->model.vitals, NULL, 0);
    if (r < 0)
        goto fail;
    r = parse_numbers(dev, &s->model);
    if (r < 0)
        goto fail;
    r = parse_events(dev, s);
    if (r < 0)
        goto fail;
    s->mono0 = vsd_device_mono_ms(dev);
    s->wall0 = vsd_device_wall_ms(dev);
    vsd_device_set_data(dev, s);
    return 0;
fail:
    sim_free(s);
    return r;
}

static int sim_poll(struct vsd_device *dev, struct vsd_sink *sink)
{
    const struct sim *s = vsd_device_data(dev);
    int64_t t = vsd_device_mono_ms(dev) - s->mono0;
    struct vsd_sim_sample sample;
    int64_t hang = vsd_sim_hang_left(&s->model, t < 0 ? 0 : t);
    int r;

    if (hang > 0) { /* a monitor call that does not come back in time: no answer after it */
        struct timespec ts = {hang / 1000, (long)(hang % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
            ;
        return -ETIMEDOUT;
    }
    r = vsd_sim_sample(&s->model, t < 0 ? 0 : t, &sample);
    if (r < 0)
        return r;
    for (size_t i = 0; i < sample.n; i++) {
        const struct vsd_sim_reading *sr = &sample.r[i];
        struct vsd_reading reading = {
            .vital = sr->vital,
            .value = sr->value,
            .flags = sr->flags,
            .measured_ms = sr->measured_ms >= 0 ? s->wall0 + sr->measured_ms : 0,
        };

        r = vsd_sink_push(sink, &reading);
        if (r < 0)
            return r;
    }
    return 0;
}

static void sim_close(struct vsd_device *dev)
{
    sim_free(vsd_device_data(dev));
    vsd_device_set_data(dev, NULL);
}

const struct vsd_driver vsd_driver_sim = {
    .name = "sim",
    .summary = "simulated bedside monitor: seeded vitals and scripted scenario events",
    .options = sim_options,
    .bus_key = NULL,
    .open = sim_open,
    .poll = sim_poll,
    .close = sim_close,
};
