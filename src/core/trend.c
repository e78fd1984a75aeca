/* SPDX-License-Identifier: MIT */
/* One ring of 10-s slots per bed and vital, indexed by the slot's number modulo its size. A
 * ring knows its newest slot; each entry holds the point of the one slot of the last
 * VSD_TREND_SLOTS up to it with the entry's index, or nothing. 6 bytes a point (the value as a
 * float: a vital has at most 4-5 significant digits; the time as ms within the slot), so 1,000
 * beds take 8.7 MB, not 34.6. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vitalsd/vitals.h>

#include "trend.h"

struct ring {
    int64_t newest; /* ts_ms / VSD_TREND_SLOT_MS of the newest point; 0: empty */
    float value[VSD_TREND_SLOTS];
    uint16_t ms[VSD_TREND_SLOTS]; /* 1 + ts_ms within the slot; 0: empty */
};

struct vsd_trend {
    size_t n_beds;
    struct ring rings[]; /* [bed][vital] */
};

static struct ring *ring(const struct vsd_trend *t, size_t bed, int vital)
{
    return (struct ring *)&t->rings[bed * VSD_VITAL_COUNT + (size_t)vital];
}

struct vsd_trend *vsd_trend_new(size_t n_beds)
{
    size_t n = n_beds * VSD_VITAL_COUNT;
    struct vsd_trend *t = calloc(1, sizeof(*t) + n * sizeof(t->rings[0]));

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
        memcpy(ring(dst, bed, 0), ring(src, from_bed, 0), VSD_VITAL_COUNT * sizeof(struct ring));
}

/* R's newest slot becomes SLOT: the entries of the slots in between are emptied. */
static void advance(struct ring *r, int64_t slot)
{
    int64_t from = r->newest && slot - r->newest < VSD_TREND_SLOTS ? r->newest + 1
                                                                   : slot - VSD_TREND_SLOTS + 1;

    for (int64_t s = from; s <= slot; s++)
        r->ms[s % VSD_TREND_SLOTS] = 0;
    r->newest = slot;
}

void vsd_trend_add(struct vsd_trend *t, size_t bed, enum vsd_vital vital, int64_t ts_ms,
                   double value)
{
    int64_t slot = ts_ms / VSD_TREND_SLOT_MS;
    uint16_t ms = (uint16_t)(ts_ms % VSD_TREND_SLOT_MS + 1);
    struct ring *r;
    int64_t i;

    if (!t || bed >= t->n_beds || (unsigned)vital >= VSD_VITAL_COUNT || ts_ms <= 0)
        return;
    r = ring(t, bed, vital);
    if (slot <= r->newest - VSD_TREND_SLOTS)
        return; /* older than the ring holds */
    if (slot > r->newest)
        advance(r, slot);
    i = slot % VSD_TREND_SLOTS;
    if (r->ms[i] > ms)
        return; /* a late, older reading (a repeated cuff time) does not replace a newer one */
    r->value[i] = (float)value;
    r->ms[i] = ms;
}

/* A stored float back as the double it was taken from (its shortest 7-digit decimal). */
static double widen(float v)
{
    char text[32];

    snprintf(text, sizeof(text), "%.7g", (double)v);
    return strtod(text, NULL);
}

/* The points of ring R from slot FIRST to LAST, oldest first, as [[ts_ms, value], ...]. */
static cJSON *series(const struct ring *r, int64_t first, int64_t last)
{
    cJSON *arr = cJSON_CreateArray();

    if (first <= r->newest - VSD_TREND_SLOTS)
        first = r->newest - VSD_TREND_SLOTS + 1;
    if (last > r->newest)
        last = r->newest;
    for (int64_t s = first; arr && s <= last; s++) {
        int64_t i = s % VSD_TREND_SLOTS;
        if (!r->ms[i])
            continue;
        cJSON *pt = cJSON_CreateArray();
        cJSON_AddItemToArray(pt,
                             cJSON_CreateNumber((double)(s * VSD_TREND_SLOT_MS + r->ms[i] - 1)));
        cJSON_AddItemToArray(pt, cJSON_CreateNumber(widen(r->value[i])));
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
