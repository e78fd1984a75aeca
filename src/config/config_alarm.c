/* SPDX-License-Identifier: MIT */
/* The alarm sections of the configuration: [technical], [alerts] and [alarm.VITAL(.BED)]. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <vitalsd/vitals.h>

#include "alarm_limits.h"
#include "config_keyset.h"
#include "config_schema.h"

static const char *const prio_choices[] = {"low", "medium", "high", NULL};
static const char *const latch_choices[] = {"low", "medium", "high", "none", NULL};
static const char *const heart_rate_choices[] = {"one", "separate", NULL};

static const struct vsd_option technical_opts[] = {
    {"comms_loss_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "high", NULL,
     "priority of 'device not answering'"},
    {"comms_degraded_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "priority of 'device answers with garbled frames'"},
    {"wrong_device_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "high", NULL,
     "priority of 'the device on the link is not the one configured'"},
    {"sensor_off_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "priority of 'probe off'"},
    {"invalid_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "priority of 'no valid values'"},
    {"nibp_overdue_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "priority of 'no new cuff measurement'"},
    {"storage_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "high", NULL,
     "priority of 'readings cannot be stored'"},
    {"queue_overflow_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "high", NULL,
     "priority of 'readings lost to a full queue'"},
    {"alert_path_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "high", NULL,
     "priority of 'alerts cannot reach the broker'"},
    {"sensor_off_delay", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 600000, NULL, "10s", NULL,
     "probe off this long before the alert"},
    {"invalid_delay", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 600000, NULL, "5s", NULL,
     "no valid values this long before the alert"},
    {"nibp_cycle", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 86400000, NULL, "0", NULL,
     "cuff measurement cycle during a session; 0: not watched"},
    {"nibp_grace", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 3600000, NULL, "2m", NULL,
     "how late a cuff measurement may be before 'NIBP overdue'"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

static const struct vsd_option alerts_opts[] = {
    {"latching", VSD_OPT_ENUM, 0, 0, 0, latch_choices, "high", NULL,
     "alerts of this priority and above stay until acknowledged; none: no latching"},
    {"escalate_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "alerts of this priority and above escalate when not acknowledged"},
    {"escalate_after", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 86400000, NULL, "2m", NULL,
     "first escalation this long after the raise; 0: never"},
    {"escalate_again", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 86400000, NULL, "5m", NULL,
     "second escalation this long after the raise; 0: never"},
    {"heart_rate", VSD_OPT_ENUM, 0, 0, 0, heart_rate_choices, "one", NULL,
     "one: a bed's heart rate alarms on the ECG's hr, else the oximeter's pr; separate: each"},
    {"session_longest_delay", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 600000, NULL, "1m", NULL,
     "the longest alarm delay staff may set for one visit"},
    {"session_may_disable", VSD_OPT_BOOL, 0, 0, 0, NULL, "no", NULL,
     "may staff switch a vital's alarms off for one visit (a session with no band)"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

static int check_band(const char *value, char *err, size_t errlen)
{
    struct vsd_band b;

    return vsd_band_parse(value, &b, err, errlen);
}

static int check_rate(const char *value, char *err, size_t errlen)
{
    struct vsd_rate r;

    return vsd_rate_parse(value, &r, err, errlen);
}

static const struct vsd_option alarm_opts[] = {
    {"low", VSD_OPT_DOUBLE, 0, 0, 0, NULL, NULL, NULL, "alert when the value is below"},
    {"high", VSD_OPT_DOUBLE, 0, 0, 0, NULL, NULL, NULL, "alert when the value is above"},
    {"low_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "priority of the low alert"},
    {"high_priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "medium", NULL,
     "priority of the high alert"},
    {"band", VSD_OPT_STRING, VSD_OPT_MULTI, 0, 0, NULL, NULL, check_band,
     "one more band: below|above NUMBER low|medium|high"},
    {"rise", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_rate,
     "alert on a rise of more than N between readings: N PRIORITY [within DURATION]"},
    {"fall", VSD_OPT_STRING, 0, 0, 0, NULL, NULL, check_rate,
     "alert on a fall of more than N between readings: N PRIORITY [within DURATION]"},
    {"delay", VSD_OPT_DURATION, VSD_OPT_RANGE, 0, 600000, NULL, "0s", NULL,
     "condition must hold this long before the alert"},
    {"hysteresis", VSD_OPT_DOUBLE, VSD_OPT_RANGE, 0, HUGE_VAL, NULL, "0", NULL,
     "clear only at low + hysteresis / high - hysteresis"},
    {"session_lowest", VSD_OPT_DOUBLE, 0, 0, 0, NULL, NULL, NULL,
     "no low limit staff set for one visit may be under this"},
    {"session_highest", VSD_OPT_DOUBLE, 0, 0, 0, NULL, NULL, NULL,
     "no high limit staff set for one visit may be over this"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

/* [alarm.apnea]: no breath detected (docs/alarms.md). */
static const struct vsd_option apnea_opts[] = {
    {"after", VSD_OPT_DURATION, VSD_OPT_RANGE | VSD_OPT_REQUIRED, 5000, 120000, NULL, NULL, NULL,
     "rr readings of 0 (no breath) this long before the apnea alert (5s to 2m)"},
    {"priority", VSD_OPT_ENUM, 0, 0, 0, prio_choices, "high", NULL, "priority of the apnea alert"},
    {NULL, 0, 0, 0, 0, NULL, NULL, NULL, NULL},
};

const struct vsd_option *vsd_cfg_alarm_schema(const char *kind)
{
    if (strcmp(kind, "apnea") == 0)
        return apnea_opts;
    if (strcmp(kind, "technical") == 0)
        return technical_opts;
    if (strcmp(kind, "alerts") == 0)
        return alerts_opts;
    if (strcmp(kind, "alarm") == 0)
        return alarm_opts;
    return NULL;
}

int vsd_cfg_technical(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                      struct vsd_alarm_config *alarm)
{
    static const struct {
        enum vsd_alert_code code;
        const char *key;
    } prios[] = {{VSD_ALERT_COMMS_LOSS, "comms_loss_priority"},
                 {VSD_ALERT_COMMS_DEGRADED, "comms_degraded_priority"},
                 {VSD_ALERT_WRONG_DEVICE, "wrong_device_priority"},
                 {VSD_ALERT_SENSOR_OFF, "sensor_off_priority"},
                 {VSD_ALERT_INVALID, "invalid_priority"},
                 {VSD_ALERT_NIBP_OVERDUE, "nibp_overdue_priority"},
                 {VSD_ALERT_STORAGE, "storage_priority"},
                 {VSD_ALERT_QUEUE_OVERFLOW, "queue_overflow_priority"},
                 {VSD_ALERT_ALERT_PATH, "alert_path_priority"}};
    struct vsd_keyset ks = {.table = technical_opts};
    const struct vsd_keyset none = {.table = alarm_opts}; /* every limit key at its default */
    int64_t cycle;

    vsd_ks_check_section(ctx, s, &ks, 1, false);
    for (size_t i = 0; i < sizeof(prios) / sizeof(prios[0]); i++)
        alarm->technical_priority[prios[i].code] = vsd_ks_prio(&ks, prios[i].key);
    alarm->sensor_off_delay_ms = vsd_ks_ms(&ks, "sensor_off_delay");
    alarm->invalid_delay_ms = vsd_ks_ms(&ks, "invalid_delay");
    cycle = vsd_ks_ms(&ks, "nibp_cycle");
    alarm->nibp_overdue_ms = cycle > 0 ? cycle + vsd_ks_ms(&ks, "nibp_grace") : 0;
    alarm->apnea_after_ms = 0; /* not watched without [alarm.apnea] */
    alarm->apnea_priority = VSD_PRIO_HIGH;
    for (size_t v = 0; v < VSD_VITAL_COUNT; v++) {
        alarm->session_lowest[v] = -HUGE_VAL;
        alarm->session_highest[v] = HUGE_VAL;
    }
    for (size_t v = 0; v < VSD_VITAL_COUNT; v++)
        alarm->limits[v] = (struct vsd_limit){
            .delay_ms = vsd_ks_ms(&none, "delay"),
            .hysteresis = vsd_ks_num(&none, "hysteresis"),
        };
    return 0;
}

int vsd_cfg_alerts(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                   struct vsd_alarm_config *alarm)
{
    struct vsd_keyset ks = {.table = alerts_opts};
    const char *latch;

    vsd_ks_check_section(ctx, s, &ks, 1, false);
    latch = vsd_ks_text(&ks, "latching");
    /* "none": a priority above every priority, so nothing latches. */
    alarm->latch_priority = strcmp(latch, "none") == 0 ? VSD_PRIO_HIGH + 1 : vsd_ks_prio(&ks, "latching");
    alarm->escalate_priority = vsd_ks_prio(&ks, "escalate_priority");
    alarm->escalate_ms[0] = vsd_ks_ms(&ks, "escalate_after");
    alarm->escalate_ms[1] = vsd_ks_ms(&ks, "escalate_again");
    alarm->session_longest_delay_ms = vsd_ks_ms(&ks, "session_longest_delay");
    alarm->heart_rate_one = strcmp(vsd_ks_text(&ks, "heart_rate"), "one") == 0;
    alarm->session_may_disable = vsd_ks_bool(&ks, "session_may_disable");
    if (s && alarm->escalate_ms[0] > 0 && alarm->escalate_ms[1] > 0 &&
        alarm->escalate_ms[1] <= alarm->escalate_ms[0])
        vsd_cfg_error(ctx, vsd_ks_line(&ks, "escalate_again") ? vsd_ks_line(&ks, "escalate_again")
                                                              : s->line,
                      "[%s] escalate_again: must be later than escalate_after (%lld ms), got "
                      "%lld ms",
                      s->name, (long long)alarm->escalate_ms[0], (long long)alarm->escalate_ms[1]);
    return 0;
}

static void unknown_vital(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                          const char *vital)
{
    char known[256] = "";
    size_t used = 0;

    for (int v = 0; v < VSD_VITAL_COUNT && used < sizeof(known); v++) {
        int n = snprintf(known + used, sizeof(known) - used, "%s%s", v ? ", " : "",
                         vsd_vital_info((enum vsd_vital)v)->name);
        used += n > 0 ? (size_t)n : 0;
    }
    vsd_cfg_error(ctx, s->line, "[%s]: unknown vital '%s' (known: %s)", s->name, vital, known);
}

/* Append the band of KEY (low or high) when written. */
static void simple_band(const struct vsd_keyset *ks, const char *key, bool high,
                        struct vsd_limit *lim)
{
    char prio_key[32];

    if (!vsd_ks_usable(ks, key) || lim->n_bands >= VSD_BANDS_MAX)
        return;
    snprintf(prio_key, sizeof(prio_key), "%s_priority", key);
    lim->bands[lim->n_bands++] = (struct vsd_band){
        .high = high, .limit = vsd_ks_num(ks, key), .priority = vsd_ks_prio(ks, prio_key)};
}

/* The bands of every good "band =" line, in file order. */
static void extra_bands(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                        struct vsd_limit *lim)
{
    char why[256];

    for (size_t i = 0; i < s->n_entries; i++) {
        const struct vsd_cfg_entry *e = &s->entries[i];
        struct vsd_band b;

        if (strcmp(e->key, "band") != 0 || vsd_band_parse(e->value, &b, why, sizeof(why)) < 0)
            continue;
        if (lim->n_bands >= VSD_BANDS_MAX) {
            vsd_cfg_error(ctx, e->line, "[%s] band: at most %d bands per vital (low and high "
                          "count as bands)", s->name, VSD_BANDS_MAX);
            return;
        }
        lim->bands[lim->n_bands++] = b;
    }
}

static void rates(const struct vsd_keyset *ks, struct vsd_limit *lim)
{
    char why[256];

    if (vsd_ks_usable(ks, "rise"))
        vsd_rate_parse(vsd_ks_text(ks, "rise"), &lim->rise, why, sizeof(why));
    if (vsd_ks_usable(ks, "fall"))
        vsd_rate_parse(vsd_ks_text(ks, "fall"), &lim->fall, why, sizeof(why));
}

/* Report a failed vsd_limit_check (R < 0) at the key it is about. */
static void limit_error(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                        const struct vsd_keyset *ks, int r, const char *why)
{
    const char *key = r == -ERANGE            ? "hysteresis"
                      : vsd_ks_line(ks, "low") ? "low"
                                               : "band";

    if (r >= 0)
        return;
    if (vsd_ks_line(ks, key))
        vsd_cfg_error(ctx, vsd_ks_line(ks, key), "[%s] %s: %s", s->name, key, why);
    else
        vsd_cfg_error(ctx, s->line, "[%s]: %s", s->name, why);
}

/* session_lowest / session_highest: the bounds of what staff may set for one visit. */
static void session_bounds(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                           const struct vsd_keyset *ks, int v, struct vsd_alarm_config *alarm)
{
    if (vsd_ks_usable(ks, "session_lowest"))
        alarm->session_lowest[v] = vsd_ks_num(ks, "session_lowest");
    if (vsd_ks_usable(ks, "session_highest"))
        alarm->session_highest[v] = vsd_ks_num(ks, "session_highest");
    if (alarm->session_lowest[v] > alarm->session_highest[v])
        vsd_cfg_error(ctx, vsd_ks_line(ks, "session_highest") ? vsd_ks_line(ks, "session_highest")
                                                              : s->line,
                      "[%s] session_highest: must not be under session_lowest (%g), got %g",
                      s->name, alarm->session_lowest[v], alarm->session_highest[v]);
}

/* [alarm.apnea] (or [alarm.apnea.BED]). */
static int apnea_section(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s,
                         struct vsd_alarm_config *alarm)
{
    struct vsd_keyset ks = {.table = apnea_opts};

    vsd_ks_check_section(ctx, s, &ks, 1, false);
    alarm->apnea_after_ms = vsd_ks_ms(&ks, "after");
    alarm->apnea_priority = vsd_ks_prio(&ks, "priority");
    return 0;
}

int vsd_cfg_alarm(struct vsd_cfg_ctx *ctx, const struct vsd_cfg_section *s, const char *vital,
                  struct vsd_alarm_config *alarm)
{
    struct vsd_keyset ks = {.table = alarm_opts};
    int v = vsd_vital_from_name(vital);
    struct vsd_limit *lim;
    char why[256];

    if (strcmp(vital, "apnea") == 0)
        return apnea_section(ctx, s, alarm);
    vsd_ks_check_section(ctx, s, &ks, 1, false);
    if (v < 0) {
        unknown_vital(ctx, s, vital);
        return 0;
    }
    if (v == VSD_VITAL_PR && alarm->heart_rate_one) {
        vsd_cfg_error(ctx, s->line,
                      "[%s]: a bed's heart rate is one alarm, [alarm.hr], fed by the ECG or else "
                      "the oximeter's pulse rate ([alerts] heart_rate = one): put these limits "
                      "there, or set heart_rate = separate",
                      s->name);
        return 0;
    }
    if (!vsd_ks_line(&ks, "low") && !vsd_ks_line(&ks, "high") && !vsd_ks_line(&ks, "band") &&
        !vsd_ks_line(&ks, "rise") && !vsd_ks_line(&ks, "fall") &&
        !vsd_ks_line(&ks, "session_lowest") && !vsd_ks_line(&ks, "session_highest"))
        vsd_cfg_error(ctx, s->line, "[%s]: needs low, high, band, rise, fall or a session bound",
                      s->name);
    session_bounds(ctx, s, &ks, v, alarm);
    lim = &alarm->limits[v];
    memset(lim, 0, sizeof(*lim));
    simple_band(&ks, "low", false, lim);
    simple_band(&ks, "high", true, lim);
    extra_bands(ctx, s, lim);
    rates(&ks, lim);
    lim->delay_ms = vsd_ks_ms(&ks, "delay");
    lim->hysteresis = vsd_ks_num(&ks, "hysteresis");
    limit_error(ctx, s, &ks, vsd_limit_check(lim, why, sizeof(why)), why);
    return 0;
}
