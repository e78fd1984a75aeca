/* SPDX-License-Identifier: MIT */
/* The core: normalise readings, attach the open session, alarm, store and publish. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <vitalsd/log.h>
#include <vitalsd/vitals.h>

#include "core.h"
#include "payload.h"

#define TOPIC_MAX 256
#define ACTIVE_MAX 64

static void make_alert_id(void *ctx, char out[33])
{
    unsigned char raw[16];
    (void)ctx;
    /* getrandom() without GRND_NONBLOCK only blocks before the pool is seeded at boot. */
    if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
        vsd_log(LOG_ERR, "getrandom failed: alert id may repeat");
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
}

static struct vsd_alarm_now now_of(const struct vsd_core *core)
{
    struct vsd_alarm_now now = {vsd_clock_mono_ms(core->clock), vsd_clock_wall_ms(core->clock)};
    return now;
}

int vsd_core_init(struct vsd_core *core, const struct vsd_config *cfg,
                  const struct vsd_clock *clock, struct vsd_queue *queue, struct vsd_store *store,
                  struct vsd_publish *pub, int64_t seq)
{
    struct vsd_alarm_config *bed_cfgs = NULL;

    memset(core, 0, sizeof(*core));
    core->cfg = cfg;
    core->clock = clock;
    core->queue = queue;
    core->store = store;
    core->pub = pub;
    core->seq = seq;
    core->beds = calloc(cfg->n_beds, sizeof(*core->beds));
    core->devices = calloc(cfg->n_devices, sizeof(*core->devices));
    bed_cfgs = calloc(cfg->n_beds, sizeof(*bed_cfgs));
    core->trend = vsd_trend_new(cfg->n_beds);
    if (!core->beds || !core->devices || !bed_cfgs || !core->trend)
        goto fail;
    for (size_t i = 0; i < cfg->n_beds; i++)
        bed_cfgs[i] = cfg->beds[i].alarm;
    core->alarm = vsd_alarm_new(bed_cfgs, cfg->n_beds, cfg->n_devices, make_alert_id, NULL);
    if (!core->alarm)
        goto fail;
    free(bed_cfgs);
    return 0;
fail:
    free(bed_cfgs);
    vsd_core_fini(core);
    return -ENOMEM;
}

void vsd_core_session_used(struct vsd_core *core, const char *session_id)
{
    if (session_id && vsd_strset_add(&core->used_sessions, session_id) < 0)
        vsd_log(LOG_ERR, "session '%s': out of memory: its id may be given out again", session_id);
}

bool vsd_core_session_was_used(const struct vsd_core *core, const char *session_id)
{
    return vsd_strset_has(&core->used_sessions, session_id);
}

void vsd_core_trend_seed(struct vsd_core *core, const char *bed, const char *vital, int64_t ts_ms,
                         double value, unsigned flags)
{
    int b = bed ? vsd_config_bed_index(core->cfg, bed) : -1;
    int v = vital ? vsd_vital_from_name(vital) : -1;

    if (b >= 0 && v >= 0 && !(flags & VSD_Q_UNUSABLE))
        vsd_trend_add(core->trend, (size_t)b, (enum vsd_vital)v, ts_ms, value);
}

void vsd_core_fini(struct vsd_core *core)
{
    vsd_alarm_free(core->alarm);
    vsd_trend_free(core->trend);
    vsd_strset_clear(&core->used_sessions);
    free(core->beds);
    free(core->devices);
    core->trend = NULL;
    core->alarm = NULL;
    core->beds = NULL;
    core->devices = NULL;
}

static void publish_active(struct vsd_core *core, size_t bed);
static struct vsd_alarm_out alarm_out(struct vsd_core *core);

void vsd_core_open_session(struct vsd_core *core, size_t bed, const char *session_id, int64_t now)
{
    snprintf(core->beds[bed].session_id, sizeof(core->beds[bed].session_id), "%s", session_id);
    core->beds[bed].session_started_ms = now;
    if (vsd_strset_add(&core->used_sessions, session_id) < 0)
        vsd_log(LOG_ERR, "session '%s': out of memory: its id may be given out again", session_id);
    vsd_alarm_watch(core->alarm, now_of(core), bed, true, alarm_out(core));
    publish_active(core, bed);
}

void vsd_core_close_session(struct vsd_core *core, size_t bed)
{
    vsd_core_gaps_close(core, bed, vsd_clock_wall_ms(core->clock));
    for (int v = 0; v < VSD_VITAL_COUNT; v++) { /* the session's own limits end with it */
        if (core->beds[bed].limits_overridden[v])
            vsd_alarm_set_limit(core->alarm, bed, (enum vsd_vital)v,
                                &core->cfg->beds[bed].alarm.limits[v]);
        core->beds[bed].limits_overridden[v] = false;
    }
    vsd_alarm_watch(core->alarm, now_of(core), bed, false, alarm_out(core));
    core->beds[bed].session_id[0] = '\0';
    core->beds[bed].session_started_ms = 0;
    publish_active(core, bed);
}

int vsd_core_restore_session(struct vsd_core *core, const char *bed, const char *session_id,
                             int64_t started_ms, const int64_t last_ms[VSD_VITAL_COUNT])
{
    int b = vsd_config_bed_index(core->cfg, bed);

    if (b < 0) {
        vsd_log(LOG_WARNING,
                "session '%s' is open at bed '%s', which is no longer configured: "
                "its readings cannot arrive; end it with vitalsctl",
                session_id, bed);
        return -ENOENT;
    }
    vsd_core_open_session(core, (size_t)b, session_id, started_ms);
    if (last_ms)
        vsd_core_gaps_resume(core, (size_t)b, last_ms);
    vsd_log(LOG_INFO, "bed '%s': session '%s' still open", bed, session_id);
    return 0;
}

static const char *session_of(const struct vsd_core *core, size_t bed)
{
    const char *s;

    if (bed >= core->cfg->n_beds)
        return NULL;
    s = core->beds[bed].session_id;
    return *s ? s : NULL;
}

static const char *bed_name(const struct vsd_core *core, size_t bed)
{
    return bed < core->cfg->n_beds ? core->cfg->beds[bed].name : NULL;
}

static const char *device_name(const struct vsd_core *core, size_t device)
{
    return device < core->cfg->n_devices ? core->cfg->devices[device].name : NULL;
}

/* The topic of BED's LEAF, or the daemon's (vitals/<area>/daemon/LEAF) for VSD_ALARM_DAEMON. */
static int alert_topic(const struct vsd_core *core, size_t bed, const char *leaf, char *buf,
                       size_t size)
{
    char daemon_leaf[32];

    if (bed < core->cfg->n_beds)
        return vsd_topic_bed(buf, size, core->cfg->area, bed_name(core, bed), leaf);
    snprintf(daemon_leaf, sizeof(daemon_leaf), "daemon/%s", leaf);
    return vsd_topic_area(buf, size, core->cfg->area, daemon_leaf);
}

/* Publish the bed's (or the daemon's) active alerts as a retained message: the truth for late
 * dashboards. Sent directly, not through the database, so it works while storage fails. */
static void publish_active(struct vsd_core *core, size_t bed)
{
    const struct vsd_alert *alerts[ACTIVE_MAX];
    const char *devices[ACTIVE_MAX];
    char topic[TOPIC_MAX];
    size_t n = vsd_alarm_active(core->alarm, bed, alerts, ACTIVE_MAX);
    char *payload;

    if (!core->pub)
        return;
    if (n > ACTIVE_MAX)
        n = ACTIVE_MAX;
    for (size_t i = 0; i < n; i++)
        devices[i] = device_name(core, alerts[i]->device);
    payload = vsd_payload_active(bed_name(core, bed), session_of(core, bed), core->seq, alerts, n,
                                 devices);
    if (payload && alert_topic(core, bed, "alerts", topic, sizeof(topic)) == 0)
        vsd_publish_retained(core->pub, topic, payload);
    free(payload);
}

static void log_alert(const struct vsd_core *core, const struct vsd_alarm_event *ev,
                      const char *bed, const char *device)
{
    const struct vsd_alert *a = ev->alert;
    const struct vsd_vital_info *vi = vsd_vital_info(a->vital);
    const char *session = session_of(core, a->bed);
    int level =
        ev->type == VSD_ALARM_RAISED || ev->type == VSD_ALARM_ESCALATED ? LOG_WARNING : LOG_NOTICE;

    if (a->code == VSD_ALERT_ALERT_PATH && ev->type == VSD_ALARM_RAISED)
        level = LOG_CRIT; /* nobody sees alerts now: the journal must say so loudest */
    const struct vsd_vital_info *from =
        a->measured != a->vital ? vsd_vital_info(a->measured) : NULL;

    vsd_log(level,
            "%s%s session %s: %s %s%s%s alert %s %s%s%s (device '%s'%s%s, value %g, "
            "limit %g)",
            bed ? "bed " : "daemon", bed ? bed : "", session ? session : "-",
            vsd_priority_name(a->priority), vi ? vi->label : "", vi ? " " : "",
            vsd_alert_code_name(a->code), a->id, vsd_alarm_event_name(ev->type),
            ev->type == VSD_ALARM_ACKNOWLEDGED ? " by " : "",
            ev->type == VSD_ALARM_ACKNOWLEDGED ? a->acked_by : "", device ? device : "-",
            from ? ", measured as " : "", from ? from->label : "", ev->value, a->limit);
}

/* Escalations go to their own topic, for a secondary notifier; the rest to the bed's. */
static int event_topic(const struct vsd_core *core, const struct vsd_alarm_event *ev, char *buf,
                       size_t size)
{
    if (ev->type == VSD_ALARM_ESCALATED)
        return vsd_topic_area(buf, size, core->cfg->area, "escalation");
    return alert_topic(core, ev->alert->bed, "alert", buf, size);
}

/* The alarm engine's callback: sequence, publish, record (with its outbox row), publish state. */
static void on_alarm_event(void *ctx, const struct vsd_alarm_event *ev)
{
    struct vsd_core *core = ctx;
    const struct vsd_alert *a = ev->alert;
    const char *bed = bed_name(core, a->bed);
    const char *device = device_name(core, a->device);
    struct vsd_alert_event_info info = {ev, ++core->seq, bed, session_of(core, a->bed), device};
    char topic[TOPIC_MAX];
    char *payload = vsd_payload_alert_event(&info);

    log_alert(core, ev, bed, device);
    if (!payload || event_topic(core, ev, topic, sizeof(topic)) < 0) {
        vsd_log(LOG_CRIT, "alert event %s not built: out of memory", a->id);
        free(payload);
        return;
    }
    struct vsd_store_alert_event se = {
        .alert_id = a->id,
        .seq = info.seq,
        .event = vsd_alarm_event_name(ev->type),
        .actor = ev->type == VSD_ALARM_ACKNOWLEDGED ? a->acked_by : NULL,
        .code = vsd_alert_code_name(a->code),
        .priority = vsd_priority_name(a->priority),
        .bed = bed ? bed : "(daemon)",
        .device = device,
        .session_id = info.session,
        .vital = a->vital < VSD_VITAL_COUNT ? (int)a->vital : -1,
        .value = ev->value,
        .limit = a->limit,
        .ts_ms = ev->wall_ms,
        .topic = topic,
        .payload = payload,
    };
    /* To the ward as soon as the outbox row below is committed, or from memory when no commit
     * comes within VSD_PUBLISH_HOLD_MS: a crash cannot leave out of the record an alert the ward
     * saw, and a failing disk cannot hold an alert back. */
    struct vsd_store_stats ss = {0};
    vsd_store_stats(core->store, &ss);
    int hold = ss.last_error ? 0 : VSD_PUBLISH_HOLD_MS; /* a failing disk: at once */
    if (core->pub && vsd_publish_event(core->pub, info.seq, topic, payload, hold) < 0)
        vsd_log(LOG_ERR, "alert %s %s: not handed to MQTT now; the outbox will send it", a->id,
                se.event);
    int rc = vsd_store_alert_event(core->store, &se);
    if (rc < 0)
        vsd_log(LOG_CRIT, "alert %s %s not recorded: %s", a->id, se.event, strerror(-rc));
    free(payload);
    publish_active(core, a->bed);
}

static struct vsd_alarm_out alarm_out(struct vsd_core *core)
{
    return (struct vsd_alarm_out){on_alarm_event, core};
}

/* Flag what the device could not flag itself: no value, or a value no body produces. */
static void normalise(struct vsd_reading *r)
{
    const struct vsd_vital_info *vi = vsd_vital_info(r->vital);

    if (isnan(r->value) || isinf(r->value)) {
        r->value = NAN;
        if (!(r->flags & VSD_Q_UNUSABLE))
            r->flags |= VSD_Q_INVALID;
    } else if (r->value < vi->plausible_min || r->value > vi->plausible_max) {
        r->flags |= VSD_Q_IMPLAUSIBLE;
    }
}

/* A device-timed reading (a cuff measurement) repeats until the next one: only new ones count. */
static bool seen_before(struct vsd_device_state_core *ds, const struct vsd_reading *r)
{
    if (!r->measured_ms)
        return false;
    if (ds->last_measured_ms[r->vital] == r->measured_ms)
        return true;
    ds->last_measured_ms[r->vital] = r->measured_ms;
    return false;
}

/* A wrong device's reading (core_identity.c) is kept, flagged, for no session. */
static void store_reading(struct vsd_core *core, size_t device, const struct vsd_reading *r,
                          int64_t wall_ms)
{
    const struct vsd_device_config *dc = &core->cfg->devices[device];
    bool wrong = core->devices[device].wrong;
    struct vsd_store_reading sr = {
        .ts_ms = r->measured_ms ? r->measured_ms : wall_ms,
        .ts_from_device = r->measured_ms != 0,
        .bed = core->cfg->beds[dc->bed].name,
        .device = dc->name,
        .session_id = wrong ? NULL : session_of(core, dc->bed),
        .vital = r->vital,
        .value = r->value,
        .flags = r->flags | (wrong ? VSD_Q_WRONG_DEVICE : 0),
    };
    vsd_store_reading(core->store, &sr); /* a full write queue is counted by the store */
}

static void publish_readings(struct vsd_core *core, const struct vsd_poll_result *poll)
{
    const struct vsd_device_config *dc = &core->cfg->devices[poll->device];
    const char *bed = core->cfg->beds[dc->bed].name;
    char topic[TOPIC_MAX];
    char *payload;

    if (!core->pub || vsd_topic_bed(topic, sizeof(topic), core->cfg->area, bed, "readings") < 0)
        return;
    payload = vsd_payload_readings(bed, session_of(core, dc->bed), dc->name, poll);
    if (payload)
        vsd_publish_live(core->pub, topic, payload);
    free(payload);
}

/* One heart rate per bed: a usable ECG heart rate (hr) holds the bed's heart-rate alarm for two
 * of its device's periods (at least 2 s); while none does, the oximeter's usable pulse rate (pr)
 * stands in for it, so a chair with an ECG and an oximeter raises one alarm, not two, and a chair
 * with an oximeter alone is watched by [alarm.hr] too. */
static void heart_rate(struct vsd_core *core, size_t bed, size_t device,
                       const struct vsd_reading *r, struct vsd_alarm_now now)
{
    struct vsd_bed_state *bs = &core->beds[bed];
    int64_t period = core->cfg->devices[device].poll_ms;

    if (!core->cfg->beds[bed].alarm.heart_rate_one || (r->flags & VSD_Q_UNUSABLE) ||
        isnan(r->value))
        return;
    if (r->vital == VSD_VITAL_HR)
        bs->ecg_hr_until_ms = now.mono_ms + (2 * period > 2000 ? 2 * period : 2000);
    else if (r->vital == VSD_VITAL_PR && now.mono_ms >= bs->ecg_hr_until_ms) {
        struct vsd_reading as_hr = *r;
        as_hr.vital = VSD_VITAL_HR;
        vsd_alarm_reading_as(core->alarm, now, bed, device, &as_hr, VSD_VITAL_PR, alarm_out(core));
    }
}

static void handle_poll(struct vsd_core *core, struct vsd_poll_result *poll)
{
    size_t bed = core->cfg->devices[poll->device].bed;
    struct vsd_device_state_core *ds = &core->devices[poll->device];
    struct vsd_alarm_now now = {poll->mono_ms, poll->wall_ms};

    ds->last_answer_ms = poll->wall_ms;
    ds->polls_answered++;
    for (size_t i = 0; i < poll->n; i++) {
        struct vsd_reading *r = &poll->readings[i];

        if ((unsigned)r->vital >= VSD_VITAL_COUNT)
            continue; /* a driver bug; never guess which vital it meant */
        normalise(r);
        if (seen_before(ds, r))
            continue;
        core->readings_seen++;
        store_reading(core, poll->device, r, poll->wall_ms);
        if (ds->wrong) { /* not this bed's patient's: no trend, alarm or live value */
            vsd_core_gap_device_down(core, bed, 1u << r->vital, "wrong_device", poll->wall_ms);
            continue;
        }
        ds->vitals_seen |= 1u << r->vital;
        if (!(r->flags & VSD_Q_UNUSABLE))
            vsd_trend_add(core->trend, bed, r->vital,
                          r->measured_ms ? r->measured_ms : poll->wall_ms, r->value);
        vsd_core_gap_reading(core, bed, r, poll->wall_ms);
        vsd_alarm_reading(core->alarm, now, bed, poll->device, r, alarm_out(core));
        heart_rate(core, bed, poll->device, r, now);
    }
    if (!ds->wrong)
        publish_readings(core, poll);
}

void vsd_core_publish_device(struct vsd_core *core, size_t device)
{
    const struct vsd_device_config *dc = &core->cfg->devices[device];
    const struct vsd_device_state_core *ds = &core->devices[device];
    char topic[TOPIC_MAX];
    char *payload;

    if (!core->pub || vsd_topic_device(topic, sizeof(topic), core->cfg->area, dc->name) < 0)
        return;
    payload = vsd_payload_device(
        &(struct vsd_device_status){.device = dc->name,
                                    .bed = core->cfg->beds[dc->bed].name,
                                    .state = ds->health == VSD_HEALTH_UP     ? "up"
                                             : ds->health == VSD_HEALTH_DOWN ? "down"
                                                                             : "unknown",
                                    .err = ds->last_err,
                                    .poll_ms = dc->poll_ms,
                                    .wall_ms = ds->last_change_ms,
                                    .model = ds->model,
                                    .serial = ds->serial,
                                    .identity = vsd_core_identity_state(core, device)});
    if (payload)
        vsd_publish_retained(core->pub, topic, payload);
    free(payload);
}

static void handle_state(struct vsd_core *core, const struct vsd_device_state *st)
{
    struct vsd_device_state_core *ds = &core->devices[st->device];
    struct vsd_alarm_now now = {st->mono_ms, st->wall_ms};

    size_t bed = core->cfg->devices[st->device].bed;
    bool was_up = ds->health == VSD_HEALTH_UP;

    ds->health = st->up ? VSD_HEALTH_UP : VSD_HEALTH_DOWN;
    ds->degraded = st->degraded;
    ds->last_err = st->up ? 0 : st->err;
    ds->last_change_ms = st->wall_ms;
    if (!st->up && was_up)
        vsd_core_gap_device_down(core, bed, ds->vitals_seen, "comms_loss", st->wall_ms);
    vsd_alarm_device(core->alarm, now, bed, st->device, st->up, alarm_out(core));
    vsd_alarm_degraded(core->alarm, now, bed, st->device, st->degraded, alarm_out(core));
    vsd_core_publish_device(core, st->device);
}

void vsd_core_handle(struct vsd_core *core, const struct vsd_event *ev)
{
    switch (ev->type) {
    case VSD_EV_POLL: {
        struct vsd_poll_result poll = ev->u.poll;
        handle_poll(core, &poll);
        break;
    }
    case VSD_EV_DEVICE_STATE:
        handle_state(core, &ev->u.state);
        break;
    case VSD_EV_DEVICE_IDENTITY:
        vsd_core_identity(core, &ev->u.identity);
        break;
    case VSD_EV_COMMAND: /* the command handler's, which sits above the core (main.c routes) */
        vsd_log(LOG_CRIT, "core: a staff command reached the core directly; it is not run");
        break;
    }
}

/* A step of the wall clock (NTP, an operator, a resumed VM) is logged: schedules, timeouts and
 * alarm delays run on the monotonic clock and do not move, but stored times jump with it
 * (docs/reliability.md T30). The offset is the core thread's own; 2 s is far above tick jitter. */
static void log_wall_step(struct vsd_alarm_now now)
{
    static int64_t offset; /* wall - mono at the last tick; 0: none yet */
    int64_t o = now.wall_ms - now.mono_ms;

    if (offset && (o - offset > 2000 || offset - o > 2000))
        vsd_log(LOG_WARNING,
                "wall clock stepped by %+lld s: readings carry the new time; polls and alarm "
                "delays keep to the monotonic clock",
                (long long)((o - offset) / 1000));
    offset = o;
}

void vsd_core_tick(struct vsd_core *core)
{
    log_wall_step(now_of(core));
    vsd_core_check_daemon(core, now_of(core), alarm_out(core));
    vsd_alarm_tick(core->alarm, now_of(core), alarm_out(core));
}

int vsd_core_ack(struct vsd_core *core, const char *alert_id, const char *by)
{
    return vsd_alarm_ack(core->alarm, now_of(core), alert_id, by, alarm_out(core));
}

struct vsd_alarm_out vsd_core_alarm_out(struct vsd_core *core)
{
    return alarm_out(core);
}

void vsd_core_publish_state(struct vsd_core *core)
{
    for (size_t b = 0; b < core->cfg->n_beds; b++)
        publish_active(core, b);
    publish_active(core, VSD_ALARM_DAEMON);
    for (size_t d = 0; d < core->cfg->n_devices; d++)
        vsd_core_publish_device(core, d);
}
