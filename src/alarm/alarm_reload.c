/* SPDX-License-Identifier: MIT */
/* A reloaded configuration for the engine: every bed, vital and device that stays keeps its
 * conditions and alerts (same ids, nothing raised again); what was removed is cleared. */
#include <math.h>
#include <stdlib.h>

#include "alarm_int.h"

/* Old indexes to new ones (SIZE_MAX: removed); other values (SIZE_MAX, the daemon) stay. */
struct remap {
    size_t *bed_to, *dev_to;
    size_t n_beds, n_devices; /* the old engine's */
};

static size_t map(const size_t *to, size_t n, size_t i)
{
    return i < n ? to[i] : i;
}

static void fix_slot(struct slot *s, void *ctx)
{
    const struct remap *m = ctx;
    size_t dev = map(m->dev_to, m->n_devices, s->device);

    if (s->body) {
        s->body->alert.bed = map(m->bed_to, m->n_beds, s->body->alert.bed);
        s->body->alert.device = map(m->dev_to, m->n_devices, s->body->alert.device);
    }
    s->bed = map(m->bed_to, m->n_beds, s->bed);
    if (dev == SIZE_MAX && s->device != SIZE_MAX)
        vsd_alarm_slot_cancel(s); /* a pending condition fed by a removed device starts over */
    s->device = dev;
}

/* An active alert whose bed or device is no longer configured: cleared, said aloud. */
static void drop_slot(struct slot *s, void *ctx)
{
    const struct sink *k = ctx;
    struct vsd_alarm_event ev = {VSD_ALARM_CLEARED, NULL, NAN, k->now.wall_ms};

    if (s->state != COND_ACTIVE) {
        s->state = COND_IDLE;
        return;
    }
    s->state = COND_IDLE;
    ev.alert = &s->body->alert;
    if (k->out.emit)
        k->out.emit(k->out.ctx, &ev);
}

static void drop_removed(struct vsd_alarm *old, const struct remap *m, const struct sink *k)
{
    for (size_t b = 0; b < old->n_beds; b++) {
        struct bed_state *bs = &old->beds[b];

        if (m->bed_to[b] != SIZE_MAX)
            continue;
        for (int v = 0; v < VSD_VITAL_COUNT; v++) {
            struct vital_state *vs = vsd_alarm_vital(old, b, (enum vsd_vital)v);

            for (size_t i = 0; i < VSD_BANDS_MAX; i++)
                drop_slot(&vs->bands[i], (void *)k);
            drop_slot(&vs->rise, (void *)k);
            drop_slot(&vs->fall, (void *)k);
            drop_slot(&vs->invalid, (void *)k);
        }
        drop_slot(&bs->nibp_overdue, (void *)k);
        for (size_t i = 0; i < LATCHED_MAX; i++)
            drop_slot(&bs->latched[i], (void *)k);
    }
    for (size_t d = 0; d < old->n_devices; d++)
        if (m->dev_to[d] == SIZE_MAX)
            vsd_alarm_each_device_slot(&old->devices[d], drop_slot, (void *)k);
}

static bool band_same(const struct vsd_band *a, const struct vsd_band *b)
{
    return a->high == b->high && a->limit == b->limit && a->priority == b->priority;
}

static bool rate_same(const struct vsd_rate *a, const struct vsd_rate *b)
{
    return a->set == b->set && (!a->set || (a->delta == b->delta && a->priority == b->priority &&
                                            a->within_ms == b->within_ms));
}

static bool limit_same(const struct vsd_limit *a, const struct vsd_limit *b)
{
    if (a->n_bands != b->n_bands || a->delay_ms != b->delay_ms ||
        !(a->hysteresis == b->hysteresis || (isnan(a->hysteresis) && isnan(b->hysteresis))) ||
        !rate_same(&a->rise, &b->rise) || !rate_same(&a->fall, &b->fall))
        return false;
    for (size_t i = 0; i < a->n_bands; i++)
        if (!band_same(&a->bands[i], &b->bands[i]))
            return false;
    return true;
}

static int remap_init(struct remap *m, const struct vsd_alarm *old, size_t n_beds, size_t n_devices,
                      const size_t *bed_from, const size_t *dev_from)
{
    m->n_beds = old->n_beds;
    m->n_devices = old->n_devices;
    m->bed_to = malloc((old->n_beds + 1) * sizeof(size_t));
    m->dev_to = malloc((old->n_devices + 1) * sizeof(size_t));
    if (!m->bed_to || !m->dev_to)
        return -1;
    for (size_t i = 0; i < old->n_beds; i++)
        m->bed_to[i] = SIZE_MAX;
    for (size_t i = 0; i < old->n_devices; i++)
        m->dev_to[i] = SIZE_MAX;
    for (size_t i = 0; i < n_beds; i++)
        if (bed_from[i] < old->n_beds)
            m->bed_to[bed_from[i]] = i;
    for (size_t i = 0; i < n_devices; i++)
        if (dev_from[i] < old->n_devices)
            m->dev_to[dev_from[i]] = i;
    return 0;
}

/* The state of what stays, copied to A's new places. */
static void carry_over(struct vsd_alarm *a, const struct vsd_alarm *old, const size_t *bed_from,
                       const size_t *dev_from)
{
    for (size_t b = 0; b < a->n_beds; b++) {
        if (bed_from[b] >= old->n_beds)
            continue;
        for (int v = 0; v < VSD_VITAL_COUNT; v++)
            *vsd_alarm_vital(a, b, (enum vsd_vital)v) =
                *vsd_alarm_vital(old, bed_from[b], (enum vsd_vital)v);
        a->beds[b] = old->beds[bed_from[b]];
    }
    a->beds[a->n_beds] = old->beds[old->n_beds]; /* the daemon's */
    for (size_t d = 0; d < a->n_devices; d++)
        if (dev_from[d] < old->n_devices)
            a->devices[d] = old->devices[dev_from[d]];
    a->seq = old->seq;
}

/* A slot carried over still points at a body of the old engine's pool: it gets one of its own. */
static void own_body(struct slot *s, void *ctx)
{
    struct vsd_alarm *a = ctx;

    if (!s->body)
        return;
    if (a->n_bodies < a->max_escalating) {
        a->bodies[a->n_bodies] = *s->body;
        s->body = &a->bodies[a->n_bodies++];
    } else { /* cannot happen: the pool has a body for every slot */
        s->body = NULL;
        s->state = COND_IDLE;
    }
}

struct vsd_alarm *vsd_alarm_rebuild(struct vsd_alarm *old, const struct vsd_alarm_config *cfgs,
                                    size_t n_beds, size_t n_devices, const size_t *bed_from,
                                    const size_t *dev_from, struct vsd_alarm_now now,
                                    struct vsd_alarm_out out)
{
    struct vsd_alarm *a = vsd_alarm_new(cfgs, n_beds, n_devices, old->id_fn, old->id_ctx);
    struct remap m = {0};
    struct sink k = {.out = out, .now = now};

    if (!a || remap_init(&m, old, n_beds, n_devices, bed_from, dev_from) < 0) {
        free(m.bed_to);
        free(m.dev_to);
        vsd_alarm_free(a);
        return NULL;
    }
    drop_removed(old, &m, &k);
    carry_over(a, old, bed_from, dev_from);
    vsd_alarm_each_slot(a, own_body, a);
    vsd_alarm_each_slot(a, fix_slot, &m);
    for (size_t b = 0; b < n_beds; b++) /* a changed limit: as when staff change it */
        for (int v = 0; b < n_beds && bed_from[b] < old->n_beds && v < VSD_VITAL_COUNT; v++)
            if (!limit_same(&old->cfgs[bed_from[b]].limits[v], &cfgs[b].limits[v]))
                vsd_alarm_set_limit(a, b, (enum vsd_vital)v, &cfgs[b].limits[v]);
    free(m.bed_to);
    free(m.dev_to);
    return a;
}
