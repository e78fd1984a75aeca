/* SPDX-License-Identifier: MIT */
/* From a polled Modbus register image to readings: values, quality flags, NIBP measurement time. */
#include <math.h>

#include "mbdevice.h"

const uint16_t *vsd_mb_image_at(const struct vsd_mb_image *img, enum vsd_mb_table table,
                                uint16_t address, unsigned count)
{
    for (size_t i = 0; i < img->n; i++) {
        const struct vsd_mb_request *rq = &img->reqs[i];

        if (rq->table == table && address >= rq->start &&
            (unsigned)address + count <= (unsigned)rq->start + rq->count)
            return &img->regs[i][address - rq->start];
    }
    return NULL;
}

uint32_t vsd_mb_status_flags(const struct vsd_mb_status *st, uint16_t reg)
{
    static const uint32_t flag[] = {VSD_Q_SENSOR_OFF, VSD_Q_SEARCHING, VSD_Q_ARTIFACT,
                                    VSD_Q_LOW_PERFUSION};
    int bits[] = {st->sensor_off_bit, st->searching_bit, st->artifact_bit, st->low_perfusion_bit};
    uint32_t flags = 0;

    if (!st->present)
        return 0;
    for (size_t i = 0; i < 4; i++)
        if (bits[i] >= 0 && (reg >> bits[i]) & 1u)
            flags |= flag[i];
    return flags;
}

static bool is_nibp(enum vsd_vital v)
{
    return v == VSD_VITAL_NIBP_SYS || v == VSD_VITAL_NIBP_DIA || v == VSD_VITAL_NIBP_MEAN;
}

/* The NIBP measurement time from the stamp: > 0 ms, 0 = no stamp, -1 = no measurement yet
 * (or an unreadable stamp). */
static int64_t stamp_ms(const struct vsd_mb_profile *p, const struct vsd_mb_image *img,
                        struct vsd_mb_stamp_state *st, int64_t wall_ms)
{
    const struct vsd_mb_stamp *s = &p->nibp_stamp;
    const uint16_t *regs;
    double raw;

    if (s->kind == VSD_MB_STAMP_NONE)
        return 0;
    regs = vsd_mb_image_at(img, s->table, s->address, vsd_mb_type_regs(s->type));
    if (!regs)
        return -1;
    raw = vsd_mb_raw(s->type, s->order, regs);
    if (s->kind == VSD_MB_STAMP_TIME)
        return raw > 0 ? (int64_t)raw * 1000 : -1;
    if (!st->have || st->counter != raw) {
        st->have = true;
        st->counter = raw;
        st->since_ms = wall_ms > 0 ? wall_ms : 1;
    }
    return st->since_ms;
}

static void text_of(const struct vsd_mb_identity *id, const struct vsd_mb_text *t,
                    const struct vsd_mb_image *img, char *out, size_t size)
{
    const uint16_t *regs = t->regs ? vsd_mb_image_at(img, id->table, t->address, t->regs) : NULL;

    if (regs)
        vsd_mb_text(regs, t->regs, out, size);
    else
        out[0] = '\0';
}

void vsd_mb_identity(const struct vsd_mb_profile *p, const struct vsd_mb_image *img, char *model,
                     char *serial, size_t size)
{
    text_of(&p->identity, &p->identity.model, img, model, size);
    text_of(&p->identity, &p->identity.serial, img, serial, size);
}

size_t vsd_mb_readings(const struct vsd_mb_profile *p, const struct vsd_mb_image *img,
                       struct vsd_mb_stamp_state *st, int64_t wall_ms, struct vsd_reading *out)
{
    const uint16_t *status = NULL;
    int64_t nibp_ms = stamp_ms(p, img, st, wall_ms);
    size_t n = 0;

    if (p->status.present)
        status = vsd_mb_image_at(img, p->status.table, p->status.address, 1);
    for (size_t i = 0; i < p->n_fields && n < VSD_VITAL_COUNT; i++) {
        const struct vsd_mb_field *f = &p->fields[i];
        const uint16_t *regs =
            vsd_mb_image_at(img, f->table, f->address, vsd_mb_type_regs(f->type));
        struct vsd_reading *r = &out[n];

        if (is_nibp(f->vital) && nibp_ms < 0)
            continue;
        r->vital = f->vital;
        r->value = regs ? vsd_mb_decode(f, regs) : NAN;
        if (f->percent)
            r->value = vsd_mb_ambient(
                f, r->value,
                f->ambient_reg ? vsd_mb_image_at(img, f->table, f->ambient_address, 1) : NULL);
        r->flags = isnan(r->value) ? VSD_Q_INVALID : 0;
        if (f->status_applies && status)
            r->flags |= vsd_mb_status_flags(&p->status, *status);
        r->measured_ms = is_nibp(f->vital) ? nibp_ms : 0;
        n++;
    }
    return n;
}
