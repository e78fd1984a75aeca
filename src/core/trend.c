/* SPDX-License-Identifier: MIT */
/* One ring of 10-s slots per bed and vital, indexed by the slot's number modulo its size. */
#include <stdlib.h>
#include <string.h>

#include <vitalsd/vitals.h>

#include "trend.h"

struct point {
    int64_t slot; /* ts_ms / VSD_TREND_SLOT_MS; 0: empty */
    int64_t ts_ms;
    double value;
};

struct vsd_trend {
    size_t n_beds;
    struct point points[]; /* [bed][vital][slot % VSD_TREND_SLOTS] */
};

static struct point *ring(const struct vsd_trend *t, size_t bed, int vital)
{
    return (struct point *)&t->points[(bed * VSD_VITAL_COUNT + (size_t)vital) * VSD_TREND_SLOTS];
}

struct vsd_trend *vsd_trend_new(size_t n_beds)
{
    size_t n = n_beds * VSD_VITAL_COUNT * VSD_TREND_SLOTS;
    struct vsd_trend *t = calloc(1, sizeof(*t) + n * sizeof(t->points[0]));

    if (t)
        t->n_beds = n_beds;
    return t;
}

void vsd_trend_free(struct vsd_trend *t)
{
    free(t);
}

void vsd_trend_copy_bed(struct vsd_trend *dst, size_t bed, const struct vsd_trend *src,
                        size_t from_bed)
{
    if (bed < dst->n_beds && from_bed < src->n_beds)
        memcpy(ring(dst, bed, 0), ring(src, from_bed, 0),
               VSD_VITAL_COUNT * VSD_TREND_SLOTS * sizeof(struct point));
}

void vsd_trend_add(struct vsd_trend *t, size_t bed, enum vsd_vital vital, int64_t ts_ms,
                   double value)
{
    int64_t slot = ts_ms / VSD_TREND_SLOT_MS;
    struct point *p;

    if (!t || bed >= t->n_beds || (unsigned)vital >= VSD_VITAL_COUNT || ts_ms <= 0)
        return;
    p = &ring(t, bed, vital)[slot % VSD_TREND_SLOTS];
    if (p->slot > slot || (p->slot == slot && p->ts_ms > ts_ms))
        return; /* a late, older reading (a repeated cuff time) does not replace a newer one */
    *p = (struct point){slot, ts_ms, value};
}

/* The points of one ring from slot FIRST to LAST, oldest first, as [[ts_ms, value], ...]. */
static cJSON *series(const struct point *r, int64_t first, int64_t last)
{
    cJSON *arr = cJSON_CreateArray();

    for (int64_t s = first; arr && s <= last; s++) {
        const struct point *p = &r[s % VSD_TREND_SLOTS];
        if (p->slot != s)
            continue;
        cJSON *pt = cJSON_CreateArray();
        cJSON_AddItemToArray(pt, cJSON_CreateNumber((double)p->ts_ms));
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(p->value));
        cJSON_AddItemToArray(arr, pt);
    }
    return arr;
}

cJSON *vsd_trend_json(const struct vsd_trend *t, size_t bed, int minutes, int64_t now_ms)
{
    int64_t last = now_ms / VSD_TREND_SLOT_MS;
    int64_t first = last - (int64_t)minutes * 60000 / VSD_TREND_SLOT_MS + 1;
    cJSON *o = cJSON_CreateObject();

    if (!o || !t || bed >= t->n_beds)
        return o;
    if (first <= last - VSD_TREND_SLOTS)
        first = last - VSD_TREND_SLOTS + 1;
    for (int v = 0; v < VSD_VITAL_COUNT; v++) {
        cJSON *s = series(ring(t, bed, v), first, last);
        if (cJSON_GetArraySize(s) > 0)
            cJSON_AddItemToObject(o, vsd_vital_info((enum vsd_vital)v)->name, s);
        else
            cJSON_Delete(s);
    }
    return o;
}
