/* SPDX-License-Identifier: MIT */
/* The monitor's side of the IntelliVue data export: association accept/refuse, the MDS Create
 * Event Report, poll results (one RORS, or a RORLS part and the RORS) with numeric observations,
 * release and abort. Built from docs/devices/intellivue.md, 'Protocol facts'. */
#include <math.h>
#include <string.h>
#include <time.h>

#include "ivue_sim.h"

/* A writer; lengths are patched in once their contents are written. */
struct w {
    uint8_t *p;
    size_t n;
};

static size_t w16(struct w *w, unsigned v)
{
    w->p[w->n++] = (uint8_t)(v >> 8);
    w->p[w->n++] = (uint8_t)(v & 0xff);
    return w->n - 2;
}

static void w32(struct w *w, uint32_t v)
{
    w16(w, v >> 16);
    w16(w, v & 0xffff);
}

static void fill_len(struct w *w, size_t at)
{
    size_t len = w->n - at - 2;

    w->p[at] = (uint8_t)(len >> 8);
    w->p[at + 1] = (uint8_t)(len & 0xff);
}

static uint8_t to_bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | v % 10);
}

/* Absolute time: BCD century, year, month, day, hour, minute, second, hundredths (UTC here). */
static void w_time(struct w *w, int64_t wall_ms)
{
    time_t t = (time_t)(wall_ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    w->p[w->n++] = to_bcd((tm.tm_year + 1900) / 100);
    w->p[w->n++] = to_bcd(tm.tm_year % 100);
    w->p[w->n++] = to_bcd(tm.tm_mon + 1);
    w->p[w->n++] = to_bcd(tm.tm_mday);
    w->p[w->n++] = to_bcd(tm.tm_hour);
    w->p[w->n++] = to_bcd(tm.tm_min);
    w->p[w->n++] = to_bcd(tm.tm_sec);
    w->p[w->n++] = to_bcd((int)(wall_ms % 1000) / 10);
}

/* FLOAT-Type: exponent byte, 24-bit two's-complement mantissa. Whole numbers with exponent 0,
 * others with one decimal (exponent -1). */
static uint32_t to_float(const struct sim_value *v)
{
    int exp = 0;
    long mant;

    if (v->special)
        return v->special;
    if (v->v != floor(v->v))
        exp = -1;
    mant = lround(exp ? v->v * 10 : v->v);
    return (uint32_t)(uint8_t)exp << 24 | ((uint32_t)mant & 0xFFFFFF);
}

/* Physiological ids and units of the simulated vitals (partition SCADA; dimension codes). */
static const struct {
    uint16_t physio, unit;
} ids[SV_COUNT] = {
    [SV_HR] = {0x4182, 0x0AA0},   [SV_PR] = {0x4822, 0x0AA0},  [SV_SPO2] = {0x4BB8, 0x0220},
    [SV_RR] = {0x500A, 0x0AE0},   [SV_SYS] = {0x4A05, 0x0F20}, [SV_DIA] = {0x4A06, 0x0F20},
    [SV_MEAN] = {0x4A07, 0x0F20},
};

static void w_value(struct w *w, const struct monitor *m, int k)
{
    w16(w, ids[k].physio);
    w16(w, m->val[k].state);
    w16(w, ids[k].unit);
    w32(w, to_float(&m->val[k]));
}

/* One observation object: a numeric (NU_VAL_OBS), or NIBP's compound value and time stamp. */
static void w_object(struct w *w, const struct monitor *m, int k, int64_t wall_ms)
{
    size_t list, cmpd;

    w16(w, 0x0100 + (unsigned)k); /* handle */
    if (k != SV_SYS) {
        w16(w, 1);
        list = w16(w, 0);
        w16(w, 0x0950);
        w16(w, 10);
        w_value(w, m, k);
        fill_len(w, list);
        return;
    }
    w16(w, 2);
    list = w16(w, 0);
    w16(w, 0x094B);
    cmpd = w16(w, 0);
    w16(w, 3);
    w16(w, 30);
    for (int i = SV_SYS; i <= SV_MEAN; i++)
        w_value(w, m, i);
    fill_len(w, cmpd);
    w16(w, 0x0990);
    w16(w, 8);
    w_time(w, m->nibp_wall_ms ? m->nibp_wall_ms : wall_ms);
    fill_len(w, list);
}

/* The objects FROM..TO-1 (vital indexes; NIBP is one object at SV_SYS) as a poll result. */
struct poll_req {
    uint16_t invoke, action, poll_no;
};

static size_t w_result(uint8_t *out, const struct monitor *m, const struct poll_req *q, bool linked,
                       int from, int to, int64_t wall_ms)
{
    struct w w = {.p = out};
    size_t ro, cmd, act, list, ctx;
    unsigned count = 0;

    w16(&w, 0xE100);
    w16(&w, 2);
    w16(&w, linked ? 5 : 2); /* RORLS or RORS */
    ro = w16(&w, 0);
    if (linked)
        w16(&w, 0x0101); /* first part, count 1 */
    w16(&w, q->invoke);
    w16(&w, 7); /* confirmed action */
    cmd = w16(&w, 0);
    w16(&w, 0x21), w16(&w, 0), w16(&w, 0);
    w16(&w, q->action);
    act = w16(&w, 0);
    w16(&w, q->poll_no);
    if (q->action == 0xF13B)
        w16(&w, 0);                   /* sequence number */
    w32(&w, (uint32_t)(wall_ms * 8)); /* relative time, 1/8 ms */
    w_time(&w, wall_ms);
    w16(&w, 1), w16(&w, 6), w16(&w, 0);
    w16(&w, 1);
    list = w16(&w, 0);
    w16(&w, 0);
    size_t n_at = w16(&w, 0);
    ctx = w16(&w, 0);
    for (int k = from; k < to && k <= SV_SYS; k++)
        if (!m->val[k].absent) {
            w_object(&w, m, k, wall_ms);
            count++;
        }
    out[n_at] = (uint8_t)(count >> 8), out[n_at + 1] = (uint8_t)count;
    fill_len(&w, ctx), fill_len(&w, list), fill_len(&w, act), fill_len(&w, cmd);
    fill_len(&w, ro);
    return w.n;
}

static size_t w_mds_create(uint8_t *out, int64_t wall_ms)
{
    struct w w = {.p = out};
    size_t ro, cmd, ev, attrs;

    w16(&w, 0xE100), w16(&w, 2);
    w16(&w, 1); /* ROIV */
    ro = w16(&w, 0);
    w16(&w, 1); /* invoke id */
    w16(&w, 1); /* confirmed event report */
    cmd = w16(&w, 0);
    w16(&w, 0x21), w16(&w, 0), w16(&w, 0);
    w32(&w, (uint32_t)(wall_ms * 8));
    w16(&w, 0x0D06); /* NOM_NOTI_MDS_CREAT */
    ev = w16(&w, 0);
    w16(&w, 0x21), w16(&w, 0), w16(&w, 0);
    w16(&w, 2);
    attrs = w16(&w, 0);
    w16(&w, 0x0987), w16(&w, 8); /* NOM_ATTR_TIME_ABS */
    w_time(&w, wall_ms);
    w16(&w, 0x098F), w16(&w, 4); /* NOM_ATTR_TIME_REL */
    w32(&w, (uint32_t)(wall_ms * 8));
    fill_len(&w, attrs), fill_len(&w, ev), fill_len(&w, cmd), fill_len(&w, ro);
    return w.n;
}

size_t sim_abort(uint8_t *out)
{
    out[0] = 0x19; /* AB SPDU, no parameters */
    out[1] = 0x00;
    return 2;
}

static void add(struct sim_out *o, const uint8_t *msg, size_t n)
{
    if (o->n < 2 && n <= SIM_MAX_MSG) {
        memcpy(o->msg[o->n], msg, n);
        o->len[o->n++] = n;
    }
}

static void on_connect(struct monitor *m, int64_t wall_ms, struct sim_out *o)
{
    static const uint8_t refuse[] = {0x0C, 0x03, 0x32, 0x01, 0x00}; /* RF, reason */
    /* AC with the session parameters of the request echoed; the presentation and user data a
     * real monitor adds are left out (the host reads the SPDU id). */
    static const uint8_t accept[] = {0x0E, 0x0C, 0x05, 0x08, 0x13, 0x01,
                                     0x00, 0x16, 0x01, 0x02, 0x80, 0x00};
    uint8_t buf[SIM_MAX_MSG];

    if (m->refuse) {
        add(o, refuse, sizeof(refuse));
        return;
    }
    m->associated = true;
    m->confirmed = false;
    m->associations++;
    add(o, accept, sizeof(accept));
    add(o, buf, w_mds_create(buf, wall_ms));
}

/* A data message from the host: a poll request, or the MDS Create Event Result. */
static void on_data(struct monitor *m, const uint8_t *p, size_t n, int64_t wall_ms,
                    struct sim_out *o)
{
    struct poll_req q;
    uint8_t buf[SIM_MAX_MSG];
    unsigned type;

    if (n < 14 || !m->associated)
        return;
    type = (unsigned)(p[4] << 8 | p[5]);
    if (type == 2 && (p[10] << 8 | p[11]) == 1) {
        m->confirmed = true;
        return;
    }
    if (type != 1 || (p[10] << 8 | p[11]) != 7 || n < 14 + 14 + 8 || !m->confirmed)
        return;
    q.invoke = (uint16_t)(p[8] << 8 | p[9]);
    q.action = (uint16_t)(p[24] << 8 | p[25]);
    q.poll_no = (uint16_t)(p[28] << 8 | p[29]);
    if ((q.action != 0x0C16 && q.action != 0xF13B) || (p[32] << 8 | p[33]) != 6)
        return;
    if (m->drop_after == 0) {
        m->associated = false;
        m->drop_after = -1;
        add(o, buf, sim_abort(buf));
        return;
    }
    if (m->drop_after > 0)
        m->drop_after--;
    m->polls++;
    if (m->linked) /* HR, PR, SpO2 in a linked part; RR and NIBP in the final result */
        add(o, buf, w_result(buf, m, &q, true, SV_HR, SV_RR, wall_ms));
    add(o, buf, w_result(buf, m, &q, false, m->linked ? SV_RR : SV_HR, SV_COUNT, wall_ms));
}

void sim_handle(struct monitor *m, const uint8_t *p, size_t n, int64_t wall_ms, struct sim_out *out)
{
    static const uint8_t disconnect[] = {0x0A, 0x00}; /* DN */

    out->n = 0;
    switch (p[0]) {
    case 0x0D:
        on_connect(m, wall_ms, out);
        break;
    case 0x09:
        m->associated = false;
        m->releases++;
        add(out, disconnect, sizeof(disconnect));
        break;
    case 0x19:
        m->associated = false;
        break;
    case 0xE1:
        on_data(m, p, n, wall_ms, out);
        break;
    default:
        break;
    }
}
