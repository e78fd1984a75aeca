/* SPDX-License-Identifier: MIT */
/* A simulated unit's register image: scenario values encoded through its profile, status, stamp. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MIN_REGS 32 /* every table has at least this many registers (room for init writes) */

static const double defaults[VSD_VITAL_COUNT] = {
    [VSD_VITAL_HR] = 72,        [VSD_VITAL_PR] = 72,       [VSD_VITAL_SPO2] = 98,
    [VSD_VITAL_NIBP_SYS] = 120, [VSD_VITAL_NIBP_DIA] = 78, [VSD_VITAL_NIBP_MEAN] = 92,
    [VSD_VITAL_RR] = 14,        [VSD_VITAL_ETCO2] = 38,
};

/* What a reply that must never be stored carries (late, corrupted, wrong unit): plausible values,
 * so only the driver's checks can keep them out of the database, and distinct from any value a
 * scenario or the seq mode serves. */
static const double markers[VSD_VITAL_COUNT] = {
    [VSD_VITAL_HR] = 222,       [VSD_VITAL_PR] = 221,       [VSD_VITAL_SPO2] = 44,
    [VSD_VITAL_NIBP_SYS] = 233, [VSD_VITAL_NIBP_DIA] = 144, [VSD_VITAL_NIBP_MEAN] = 177,
    [VSD_VITAL_RR] = 99,        [VSD_VITAL_ETCO2] = 199,
};

double sim_marker_value(int vital)
{
    return vital >= 0 && vital < VSD_VITAL_COUNT ? markers[vital] : NAN;
}

static void grow(unsigned *end, int table, unsigned *input_end, unsigned last)
{
    unsigned *e = table == VSD_MB_INPUT ? input_end : end;

    if (last > *e)
        *e = last;
}

/* Registers each table needs to hold every field, the status, the stamp and the identity. */
static void extent(const struct vsd_mb_profile *p, unsigned *hold, unsigned *input)
{
    *hold = *input = MIN_REGS;
    for (size_t i = 0; i < p->n_fields; i++) {
        grow(hold, p->fields[i].table, input,
             p->fields[i].address + vsd_mb_type_regs(p->fields[i].type));
        if (p->fields[i].ambient_reg)
            grow(hold, p->fields[i].table, input, p->fields[i].ambient_address + 1u);
    }
    if (p->status.present)
        grow(hold, p->status.table, input, p->status.address + 1u);
    if (p->nibp_stamp.kind != VSD_MB_STAMP_NONE)
        grow(hold, p->nibp_stamp.table, input,
             p->nibp_stamp.address + vsd_mb_type_regs(p->nibp_stamp.type));
    if (p->identity.serial.regs) /* blank: a test writes the text with "raw" */
        grow(hold, p->identity.table, input, p->identity.serial.address + p->identity.serial.regs);
    if (p->identity.model.regs)
        grow(hold, p->identity.table, input, p->identity.model.address + p->identity.model.regs);
}

int sim_unit_new(const char *ep_name, int id, const struct vsd_mb_profile *p, struct sim_unit **ret)
{
    struct sim_unit *u = calloc(1, sizeof(*u));
    unsigned hold, input;

    if (!u)
        return -ENOMEM;
    snprintf(u->name, sizeof(u->name), "%s.%d", ep_name, id);
    u->id = id;
    u->profile = *p;
    extent(p, &hold, &input);
    u->map = modbus_mapping_new(0, 0, (int)hold, (int)input);
    if (!u->map) {
        free(u);
        return -ENOMEM;
    }
    memcpy(u->base, defaults, sizeof(u->base));
    sim_unit_nibp(u, 0, NULL);
    *ret = u;
    return 0;
}

void sim_unit_free(struct sim_unit *u)
{
    if (!u)
        return;
    modbus_mapping_free(u->map);
    free(u);
}

static uint16_t *table_regs(struct sim_unit *u, int table)
{
    return table == VSD_MB_INPUT ? u->map->tab_input_registers : u->map->tab_registers;
}

/* The scenario's value of VITAL at NOW (ms since start): the last window covering NOW wins. */
static double scenario_value(const struct sim_unit *u, int vital, int64_t now)
{
    double v = u->base[vital];

    for (size_t i = 0; i < u->n_events; i++) {
        const struct sim_event *e = &u->events[i];

        if (e->vital == vital && now >= e->from_ms && now < e->to_ms)
            v = e->value;
    }
    return v;
}

/* Seq mode: every field of reply N carries a value derived from N, HR and PR the same, so a
 * reply split across two polls or shifted by one shows. */
static double seq_value(int vital, uint64_t n)
{
    switch (vital) {
    case VSD_VITAL_HR:
    case VSD_VITAL_PR:
        return 60.0 + (double)(n % 100);
    case VSD_VITAL_SPO2:
        return 90.0 + (double)(n % 10);
    case VSD_VITAL_RR:
        return 10.0 + (double)(n % 20);
    default:
        return NAN;
    }
}

static double field_value(const struct sim_unit *u, int vital, int64_t now, bool marker)
{
    bool nibp =
        vital == VSD_VITAL_NIBP_SYS || vital == VSD_VITAL_NIBP_DIA || vital == VSD_VITAL_NIBP_MEAN;

    if (marker)
        return markers[vital];
    if (nibp)
        return u->nibp[vital - VSD_VITAL_NIBP_SYS];
    if (u->seq)
        return seq_value(vital, u->counts.requests);
    return scenario_value(u, vital, now);
}

static void render_status(struct sim_unit *u)
{
    const struct vsd_mb_status *st = &u->profile.status;
    const int bits[4] = {st->sensor_off_bit, st->searching_bit, st->artifact_bit,
                         st->low_perfusion_bit};
    uint16_t reg = 0;

    if (!st->present)
        return;
    for (unsigned i = 0; i < 4; i++)
        if ((u->status & (1u << i)) && bits[i] >= 0 && bits[i] < 16)
            reg |= (uint16_t)(1u << bits[i]);
    table_regs(u, st->table)[st->address] = reg;
}

static void render_stamp(struct sim_unit *u)
{
    const struct vsd_mb_stamp *st = &u->profile.nibp_stamp;
    struct vsd_mb_field f = {.type = st->type, .order = st->order, .scale = 1.0};
    double v;

    if (st->kind == VSD_MB_STAMP_NONE)
        return;
    v = st->kind == VSD_MB_STAMP_TIME ? (double)u->nibp_wall_s : (double)u->nibp_counter;
    if (st->type == VSD_MB_U16)
        v = fmod(v, 65536.0);
    vsd_mb_encode(&f, v, &table_regs(u, st->table)[st->address]);
}

void sim_unit_render(struct sim_unit *u, int64_t now_rel_ms, bool marker)
{
    for (size_t i = 0; i < u->profile.n_fields; i++) {
        const struct vsd_mb_field *f = &u->profile.fields[i];

        vsd_mb_encode(f, field_value(u, (int)f->vital, now_rel_ms, marker),
                      &table_regs(u, f->table)[f->address]);
        if (f->ambient_reg) /* sea level, for a percent EtCO2 */
            table_regs(u, f->table)[f->ambient_address] =
                (uint16_t)lround(760.0 / f->ambient_scale);
    }
    render_status(u);
    render_stamp(u);
    for (size_t i = 0; i < u->n_overrides; i++) {
        const struct sim_override *o = &u->overrides[i];

        table_regs(u, o->table)[o->address] = o->value;
    }
}

void sim_unit_nibp(struct sim_unit *u, int64_t now_rel_ms, const double *values)
{
    double sys = scenario_value(u, VSD_VITAL_NIBP_SYS, now_rel_ms);
    double dia = scenario_value(u, VSD_VITAL_NIBP_DIA, now_rel_ms);

    if (values) {
        memcpy(u->nibp, values, sizeof(u->nibp));
    } else {
        u->nibp[0] = sys;
        u->nibp[1] = dia;
        u->nibp[2] = round((sys + 2.0 * dia) / 3.0); /* NAN stays NAN */
    }
    u->nibp_counter++;
    u->nibp_wall_s = sim_wall_ms() / 1000;
}

void sim_unit_tick(struct sim_unit *u, int64_t now_mono_ms, int64_t t0)
{
    if (u->nibp_every_ms <= 0 || now_mono_ms < u->nibp_next_ms)
        return;
    sim_unit_nibp(u, now_mono_ms - t0, NULL);
    u->nibp_next_ms = now_mono_ms + u->nibp_every_ms;
}
