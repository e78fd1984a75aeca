/* SPDX-License-Identifier: MIT */
/* docs/reliability.md T23: a consumer that orders by seq ends in the same state whatever order the
 * alert events arrive in; an old "cleared" never cancels a newer "raised". The stream is made
 * by the real alarm engine and payload code, then replayed shuffled. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "alarm.h"
#include "payload.h"
#include "watch.h"

#define MAX_EVENTS 64

struct stream {
    char *payload[MAX_EVENTS];
    char id[MAX_EVENTS][33];
    char event[MAX_EVENTS][16];
    size_t n;
    int64_t seq;
};

static void record(void *ctx, const struct vsd_alarm_event *ev)
{
    struct stream *s = ctx;
    struct vsd_alert_event_info info = {ev, ++s->seq, "b1", "S-1", "m1"};

    assert_true(s->n < MAX_EVENTS);
    s->payload[s->n] = vsd_payload_alert_event(&info);
    snprintf(s->id[s->n], sizeof(s->id[0]), "%s", ev->alert->id);
    snprintf(s->event[s->n], sizeof(s->event[0]), "%s", vsd_alarm_event_name(ev->type));
    s->n++;
}

/* SpO2 dips twice: two high alerts (latched, acknowledged, cleared) and medium ones. */
static void make_stream(struct stream *s)
{
    struct vsd_alarm_config cfg = {.latch_priority = VSD_PRIO_HIGH,
                                   .escalate_priority = VSD_PRIO_HIGH,
                                   .escalate_ms = {5000, 0}};
    struct vsd_limit *l = &cfg.limits[VSD_VITAL_SPO2];
    const double values[] = {97, 91, 86, 86, 86, 86, 86, 86, 95, 95, 90, 85, 96};
    struct vsd_alarm *a;
    struct vsd_alarm_out out = {record, s};

    l->bands[0] = (struct vsd_band){false, 93, VSD_PRIO_MEDIUM};
    l->bands[1] = (struct vsd_band){false, 89, VSD_PRIO_HIGH};
    l->n_bands = 2;
    a = vsd_alarm_new(&cfg, 1, 1, NULL, NULL);
    assert_non_null(a);
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        struct vsd_alarm_now now = {(int64_t)i * 1000, 1700000000000LL + (int64_t)i * 1000};
        struct vsd_reading r = {VSD_VITAL_SPO2, values[i], 0, 0};

        vsd_alarm_reading(a, now, 0, 0, &r, out);
        vsd_alarm_tick(a, now, out);
        if (i == 9) { /* a nurse acknowledges the first high alert, now latched */
            const struct vsd_alert *act[8];
            size_t n = vsd_alarm_active(a, 0, act, 8);
            for (size_t k = 0; k < n; k++)
                if (!act[k]->condition)
                    assert_int_equal(vsd_alarm_ack(a, now, act[k]->id, "Nurse", out), 0);
        }
    }
    vsd_alarm_free(a);
}

/* The last event applied per alert, in STATE[i] for the alert of stream event i. */
static void replay(const struct stream *s, const size_t *order, char last[][16])
{
    static struct vsd_alert_order ord;

    memset(&ord, 0, sizeof(ord));
    for (size_t k = 0; k < s->n; k++) {
        size_t i = order[k];

        if (vsd_alert_order_stale(&ord, s->payload[i]))
            continue;
        for (size_t j = 0; j < s->n; j++)
            if (strcmp(s->id[j], s->id[i]) == 0)
                snprintf(last[j], 16, "%s", s->event[i]);
    }
}

static void shuffled_stream_same_state(void **state)
{
    struct stream s = {0};
    size_t order[MAX_EVENTS];
    char want[MAX_EVENTS][16], got[MAX_EVENTS][16];
    unsigned seed = 23, kinds = 0;
    (void)state;

    make_stream(&s);
    assert_true(s.n >= 8);
    for (size_t i = 0; i < s.n; i++) {
        order[i] = i;
        kinds |= strcmp(s.event[i], "latched") == 0 ? 1u : strcmp(s.event[i], "cleared") == 0 ? 2u
                 : strcmp(s.event[i], "acknowledged") == 0                                      ? 4u
                                                                                                : 0u;
    }
    assert_int_equal(kinds, 7u); /* the stream has latch, ack and clear events */
    replay(&s, order, want);
    for (int round = 0; round < 500; round++) {
        for (size_t i = s.n - 1; i > 0; i--) { /* Fisher-Yates */
            size_t j = (size_t)rand_r(&seed) % (i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        replay(&s, order, got);
        for (size_t i = 0; i < s.n; i++)
            assert_string_equal(got[i], want[i]);
    }
    for (size_t i = 0; i < s.n; i++)
        free(s.payload[i]);
}

/* The outbox re-sends after a reconnect: a repeat is stale, so is an older event. */
static void repeats_and_old_events_are_stale(void **state)
{
    struct vsd_alert_order ord = {0};
    const char *raised = "{\"alert_id\":\"a1\",\"seq\":7,\"event\":\"raised\"}";
    const char *cleared = "{\"alert_id\":\"a1\",\"seq\":5,\"event\":\"cleared\"}";
    const char *newer = "{\"alert_id\":\"a1\",\"seq\":9,\"event\":\"cleared\"}";
    (void)state;

    assert_false(vsd_alert_order_stale(&ord, raised));
    assert_true(vsd_alert_order_stale(&ord, raised));
    assert_true(vsd_alert_order_stale(&ord, cleared));
    assert_false(vsd_alert_order_stale(&ord, newer));
    assert_false(vsd_alert_order_stale(&ord, "not json")); /* not an event: not ours to judge */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shuffled_stream_same_state),
        cmocka_unit_test(repeats_and_old_events_are_stale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
