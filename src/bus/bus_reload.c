/* SPDX-License-Identifier: MIT */
/* A new configuration for parked bus threads: unchanged buses keep their thread and links,
 * the rest are stopped and new ones started. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include <vitalsd/log.h>

#include "bus_int.h"

/* A planned bus that never ran: its slots were never opened. */
static void plan_free(struct bus *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->slots[i]);
    free(p->slots);
    free(p);
}

/* CFG's devices grouped as the threads would be, in PLAN (room for every device). */
static int plan_build(struct vsd_buses *b, const struct vsd_config *cfg, struct bus **plan,
                      size_t *n)
{
    for (size_t i = 0; i < cfg->n_devices; i++) {
        struct slot *s = vsd_bus_slot_new(b, cfg, i);
        int r = s ? vsd_bus_assign(b, plan, n, s) : -ENOMEM;

        if (r < 0) {
            free(s);
            return r;
        }
    }
    return 0;
}

/* The slot of OLD polling the device of old index IDX, NULL when none. */
static struct slot *slot_of(const struct bus *old, size_t idx)
{
    for (size_t i = 0; i < old->n; i++)
        if (old->slots[i]->dev.index == idx)
            return old->slots[i];
    return NULL;
}

/* OLD polls exactly the devices of planned bus P, each unchanged. */
static bool same_bus(const struct bus *old, const struct bus *p, const size_t *dev_from)
{
    if (old->n != p->n || old->loop != p->loop)
        return false;
    for (size_t i = 0; i < p->n; i++) {
        size_t from = dev_from[p->slots[i]->dev.index];
        if (from == SIZE_MAX || !slot_of(old, from))
            return false;
    }
    return true;
}

/* OLD keeps running for P: its slots now name the new configuration's devices. */
static void adopt(struct bus *old, struct bus *p, const size_t *dev_from)
{
    for (size_t i = 0; i < p->n; i++) {
        struct slot *ps = p->slots[i], *os = slot_of(old, dev_from[ps->dev.index]);

        os->dev.cfg = ps->dev.cfg;
        os->dev.index = ps->dev.index;
        os->shared = ps->shared;
    }
    old->key = p->key;
    plan_free(p);
}

/* The event loop keeps its thread through every reload: its unchanged devices keep their links
 * and schedules (the slots of OLD move into P's places), the others are closed, new ones added;
 * the loop sets its epoll set and timers again when the pause ends. */
static void adopt_loop(struct bus *old, struct bus *p, const size_t *dev_from)
{
    struct slot **from = calloc(p->n, sizeof(*from));

    for (size_t i = 0; from && i < p->n; i++) { /* all found before any index changes */
        size_t idx = dev_from[p->slots[i]->dev.index];
        from[i] = idx == SIZE_MAX ? NULL : slot_of(old, idx);
    }
    for (size_t i = 0; i < old->n; i++)
        old->slots[i]->bus = NULL; /* not adopted until shown otherwise */
    for (size_t i = 0; i < p->n; i++) {
        struct slot *ps = p->slots[i], *os = from ? from[i] : NULL;

        if (os) {
            os->dev.cfg = ps->dev.cfg;
            os->dev.index = ps->dev.index;
            os->shared = ps->shared;
            os->key = ps->key;
            free(ps);
            p->slots[i] = os;
        }
        p->slots[i]->bus = old;
    }
    for (size_t i = 0; i < old->n; i++)
        if (!old->slots[i]->bus) {
            vsd_bus_close_device(old->slots[i]);
            free(old->slots[i]);
        }
    free(from);
    free(old->slots);
    old->slots = p->slots;
    old->n = p->n;
    free(p);
}

/* Plan K is the event loop and so is an old bus: that one keeps running for it. */
static void keep_loop(struct vsd_buses *b, struct bus **plan, size_t k, bool *keep,
                      const size_t *dev_from, size_t *kept)
{
    for (size_t o = 0; plan[k]->loop && o < b->n_buses; o++)
        if (b->buses[o]->loop && !keep[o]) {
            keep[o] = true;
            adopt_loop(b->buses[o], plan[k], dev_from);
            plan[k] = b->buses[o];
            (*kept)++;
            return;
        }
}

int vsd_buses_reload(struct vsd_buses *b, const struct vsd_config *cfg, const size_t *dev_from,
                     size_t *kept, size_t *stopped, size_t *started)
{
    struct bus **plan = calloc(cfg->n_devices ? cfg->n_devices : 1, sizeof(*plan));
    bool *keep = calloc(b->n_buses ? b->n_buses : 1, sizeof(*keep));
    size_t n = 0;
    int r = plan && keep ? plan_build(b, cfg, plan, &n) : -ENOMEM;

    *kept = *stopped = *started = 0;
    if (r < 0) {
        for (size_t k = 0; k < n; k++)
            plan_free(plan[k]);
        free(plan);
        free(keep);
        return r;
    }
    for (size_t k = 0; k < n; k++)
        keep_loop(b, plan, k, keep, dev_from, kept);
    for (size_t k = 0; k < n; k++)
        for (size_t o = 0; !plan[k]->running && o < b->n_buses; o++)
            if (!keep[o] && same_bus(b->buses[o], plan[k], dev_from)) {
                keep[o] = true;
                adopt(b->buses[o], plan[k], dev_from);
                plan[k] = b->buses[o];
                (*kept)++;
                break;
            }
    for (size_t o = 0; o < b->n_buses; o++) /* before new threads open the same ports */
        if (!keep[o]) {
            vsd_bus_retire(b->buses[o]);
            (*stopped)++;
        }
    for (size_t k = 0; k < n; k++)
        if (!plan[k]->running) {
            if (vsd_bus_run(plan[k]) < 0)
                vsd_log(LOG_CRIT, "reload: a bus thread could not start: its devices are not "
                                  "polled");
            else
                (*started)++;
        }
    free(b->buses);
    free(keep);
    b->buses = plan;
    b->n_buses = n;
    return 0;
}
