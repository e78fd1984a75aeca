/* SPDX-License-Identifier: MIT */
/* A reloaded configuration for the core: what stays keeps its state, under its new index. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <vitalsd/vitals.h>

#include "core.h"

struct parts {
    struct vsd_bed_state *beds;
    struct vsd_device_state_core *devices;
    struct vsd_trend *trend;
    struct vsd_alarm_config *cfgs;
    struct vsd_alarm *alarm;
};

static void parts_free(struct parts *p)
{
    free(p->beds);
    free(p->devices);
    vsd_trend_free(p->trend);
    free(p->cfgs);
    vsd_alarm_free(p->alarm);
}

/* The new beds: a bed that stays keeps its state, its trend lines and its session's own limits
 * (the engine's current ones for an overridden vital); the rest take the new file's limits. */
static void carry_beds(struct vsd_core *core, const struct vsd_config *cfg, const size_t *bed_from,
                       struct parts *p)
{
    for (size_t b = 0; b < cfg->n_beds; b++) {
        size_t ob = bed_from[b];

        p->cfgs[b] = cfg->beds[b].alarm;
        if (ob >= core->cfg->n_beds)
            continue;
        p->beds[b] = core->beds[ob];
        vsd_trend_copy_bed(p->trend, b, core->trend, ob);
        for (int v = 0; v < VSD_VITAL_COUNT; v++)
            if (core->beds[ob].limits_overridden[v])
                p->cfgs[b].limits[v] = *vsd_alarm_limit(core->alarm, ob, (enum vsd_vital)v);
    }
}

/* A device that answered and is now removed or changed (closed and opened anew): while a session
 * is open at its bed, its vitals are a monitoring gap until they are read again. */
static void gaps_for_replaced(struct vsd_core *core, const struct vsd_config *cfg,
                              const size_t *dev_from)
{
    int64_t wall = vsd_clock_wall_ms(core->clock);

    for (size_t od = 0; od < core->cfg->n_devices; od++) {
        bool kept = false;

        for (size_t d = 0; d < cfg->n_devices && !kept; d++)
            kept = dev_from[d] == od;
        if (!kept && core->devices[od].health == VSD_HEALTH_UP)
            vsd_core_gap_reconfigured(core, core->cfg->devices[od].bed,
                                      core->devices[od].vitals_seen, wall);
    }
}

int vsd_core_reload(struct vsd_core *core, const struct vsd_config *cfg, const size_t *bed_from,
                    const size_t *dev_from)
{
    size_t nb = cfg->n_beds, nd = cfg->n_devices;
    struct parts p = {calloc(nb ? nb : 1, sizeof(*p.beds)), calloc(nd ? nd : 1, sizeof(*p.devices)),
                      vsd_trend_new(nb), calloc(nb ? nb : 1, sizeof(*p.cfgs)), NULL};
    struct vsd_alarm_now now = {vsd_clock_mono_ms(core->clock), vsd_clock_wall_ms(core->clock)};

    if (!p.beds || !p.devices || !p.trend || !p.cfgs) {
        parts_free(&p);
        return -ENOMEM;
    }
    gaps_for_replaced(core, cfg, dev_from);
    carry_beds(core, cfg, bed_from, &p);
    for (size_t d = 0; d < nd; d++)
        if (dev_from[d] < core->cfg->n_devices)
            p.devices[d] = core->devices[dev_from[d]];
    /* last: it clears the alerts of removed beds and devices, under the names they had */
    p.alarm = vsd_alarm_rebuild(core->alarm, p.cfgs, nb, nd, bed_from, dev_from, now,
                                vsd_core_alarm_out(core));
    if (!p.alarm) {
        parts_free(&p);
        return -ENOMEM;
    }
    free(p.cfgs);
    vsd_alarm_free(core->alarm);
    vsd_trend_free(core->trend);
    free(core->beds);
    free(core->devices);
    core->alarm = p.alarm;
    core->trend = p.trend;
    core->beds = p.beds;
    core->devices = p.devices;
    core->cfg = cfg;
    vsd_core_publish_state(core);
    return 0;
}
