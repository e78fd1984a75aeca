/* SPDX-License-Identifier: MIT */
/* What the core watches besides readings: monitoring gaps and the daemon's own health. */
#include <math.h>
#include <string.h>

#include <vitalsd/log.h>

#include "core.h"

#define PATH_FIRST_CONNECT_MS 3000 /* the first connection may take this long after start */
#define DROPS_QUIET_MS 60000       /* "readings lost" ends after this long without a loss */

static void gap_open(struct vsd_core *core, size_t bed, enum vsd_vital v, const char *reason,
                     int64_t wall_ms)
{
    struct vsd_bed_state *bs = &core->beds[bed];
    struct vsd_store_gap g = {bs->session_id, core->cfg->beds[bed].name, (int)v, wall_ms, 0,
                              reason};

    if (!*bs->session_id || bs->gap_start_ms[v])
        return;
    bs->gap_start_ms[v] = wall_ms;
    bs->gap_reason[v] = reason;
    vsd_store_gap(core->store, &g);
}

static void gap_close(struct vsd_core *core, size_t bed, enum vsd_vital v, int64_t wall_ms)
{
    struct vsd_bed_state *bs = &core->beds[bed];
    struct vsd_store_gap g = {bs->session_id, core->cfg->beds[bed].name, (int)v,
                              bs->gap_start_ms[v], wall_ms, bs->gap_reason[v]};

    if (!*bs->session_id || !bs->gap_start_ms[v])
        return;
    if (g.end_ms <= g.start_ms)
        g.end_ms = g.start_ms + 1; /* a gap always has an end after its start */
    vsd_store_gap(core->store, &g);
    bs->gap_start_ms[v] = 0;
}

void vsd_core_gap_reading(struct vsd_core *core, size_t bed, const struct vsd_reading *r,
                          int64_t wall_ms)
{
    bool usable = !(r->flags & VSD_Q_UNUSABLE) && !isnan(r->value);
    int64_t at = r->measured_ms ? r->measured_ms : wall_ms;

    if (usable)
        gap_close(core, bed, r->vital, at);
    else
        gap_open(core, bed, r->vital, r->flags & VSD_Q_SENSOR_OFF ? "sensor_off" : "invalid", at);
}

void vsd_core_gap_device_down(struct vsd_core *core, size_t bed, unsigned vitals,
                              const char *reason, int64_t wall_ms)
{
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        if (vitals & (1u << v))
            gap_open(core, bed, (enum vsd_vital)v, reason, wall_ms);
}

void vsd_core_gap_reconfigured(struct vsd_core *core, size_t bed, unsigned vitals, int64_t wall_ms)
{
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        if ((vitals & (1u << v)) && v != VSD_VITAL_NIBP_SYS && v != VSD_VITAL_NIBP_DIA &&
            v != VSD_VITAL_NIBP_MEAN) /* cuff values are minutes apart by design */
            gap_open(core, bed, (enum vsd_vital)v, "reconfigured", wall_ms);
}

void vsd_core_gaps_resume(struct vsd_core *core, size_t bed, const int64_t last_ms[VSD_VITAL_COUNT])
{
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        if (last_ms[v] > 0 && v != VSD_VITAL_NIBP_SYS && v != VSD_VITAL_NIBP_DIA &&
            v != VSD_VITAL_NIBP_MEAN) /* cuff values are minutes apart by design */
            gap_open(core, bed, (enum vsd_vital)v, "daemon_down", last_ms[v]);
}

void vsd_core_gaps_close(struct vsd_core *core, size_t bed, int64_t wall_ms)
{
    for (int v = 0; v < VSD_VITAL_COUNT; v++)
        gap_close(core, bed, (enum vsd_vital)v, wall_ms);
}

static bool path_down(struct vsd_core *core, int64_t now)
{
    struct vsd_publish_stats ps;

    if (!core->pub)
        return false;
    vsd_publish_stats(core->pub, &ps);
    if (ps.connected) {
        core->path_down_since = 0;
        return false;
    }
    if (!core->path_down_since)
        core->path_down_since = now;
    if (!core->path_checked_since)
        core->path_checked_since = now;
    /* A lost connection is an alert at once; a first one gets its time to come up. */
    return ps.ever_connected || now - core->path_checked_since >= PATH_FIRST_CONNECT_MS;
}

static bool readings_lost(struct vsd_core *core, const struct vsd_store_stats *ss, int64_t now)
{
    uint64_t drops = ss->readings_dropped + (core->queue ? vsd_queue_dropped(core->queue) : 0);

    if (drops > core->drops_seen) {
        core->drops_seen = drops;
        core->drops_last_ms = now;
    }
    return core->drops_last_ms && now - core->drops_last_ms < DROPS_QUIET_MS;
}

void vsd_core_check_daemon(struct vsd_core *core, struct vsd_alarm_now now,
                           struct vsd_alarm_out out)
{
    struct vsd_store_stats ss = {0};

    if (core->store)
        vsd_store_stats(core->store, &ss);
    vsd_alarm_daemon(core->alarm, now, VSD_ALERT_STORAGE, ss.last_error != 0, out);
    vsd_alarm_daemon(core->alarm, now, VSD_ALERT_QUEUE_OVERFLOW,
                     readings_lost(core, &ss, now.mono_ms), out);
    vsd_alarm_daemon(core->alarm, now, VSD_ALERT_ALERT_PATH, path_down(core, now.mono_ms), out);
}
