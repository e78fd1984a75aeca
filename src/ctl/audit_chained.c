/* SPDX-License-Identifier: MIT */
/* Loads the chained session starts, ends and acknowledgements, and finds the one a row names. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit_chained.h"
#include "store_schema.h"

static const char chained_query[] =
    "SELECT id, ts_ms, actor, action, json_extract(detail, '$.session'), "
    "json_extract(detail, '$.bed'), json_extract(detail, '$.alert') FROM audit "
    "WHERE id <= ?1 AND action IN ('session_start', 'session_end', 'alert_ack') "
    "AND json_valid(detail) AND json_extract(detail, '$.result') = 'done' ORDER BY id";

static char *dup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);

    return t ? strdup((const char *)t) : NULL;
}

/* The current row of ST as an action; false when it names nothing to match (no key). */
static bool row_action(sqlite3_stmt *st, struct vsd_chained *c)
{
    const char *action = (const char *)sqlite3_column_text(st, 3);

    memset(c, 0, sizeof(*c));
    c->kind = strcmp(action, "session_start") == 0 ? VSD_CHAINED_START
              : strcmp(action, "session_end") == 0 ? VSD_CHAINED_END
                                                   : VSD_CHAINED_ACK;
    c->audit_id = sqlite3_column_int64(st, 0);
    c->ts_ms = sqlite3_column_int64(st, 1);
    c->actor = dup_col(st, 2);
    c->session = c->kind == VSD_CHAINED_ACK ? NULL : dup_col(st, 4);
    c->bed = c->kind == VSD_CHAINED_ACK ? NULL : dup_col(st, 5);
    c->key = dup_col(st, c->kind == VSD_CHAINED_START ? 4 : c->kind == VSD_CHAINED_END ? 5 : 6);
    return c->key && c->actor;
}

static void action_free(struct vsd_chained *c)
{
    free(c->key);
    free(c->session);
    free(c->bed);
    free(c->actor);
}

static int cmp_order(const struct vsd_chained *a, enum vsd_chained_kind kind, const char *key)
{
    if (a->kind != kind)
        return a->kind < kind ? -1 : 1;
    return strcmp(a->key, key);
}

static int cmp_action(const void *pa, const void *pb)
{
    const struct vsd_chained *a = pa, *b = pb;
    int c = cmp_order(a, b->kind, b->key);

    return c ? c : (a->ts_ms > b->ts_ms) - (a->ts_ms < b->ts_ms);
}

static int push(struct vsd_chained_set *set, size_t *cap, struct vsd_chained *c)
{
    if (set->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        struct vsd_chained *v = realloc(set->v, ncap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        set->v = v;
        *cap = ncap;
    }
    set->v[set->n++] = *c;
    return 0;
}

int vsd_chained_load(sqlite3 *db, int64_t max_id, struct vsd_chained_set *set, char *err,
                     size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct vsd_chained c;
    size_t cap = 0;
    int rc = sqlite3_prepare_v2(db, chained_query, -1, &st, NULL), r = 0;

    memset(set, 0, sizeof(*set));
    if (rc == SQLITE_OK)
        sqlite3_bind_int64(st, 1, max_id);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (!row_action(st, &c) || (r = push(set, &cap, &c)) < 0)
            action_free(&c);
        if (r < 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE) {
        vsd_schema_errf(err, errlen, "audit: cannot read the staff actions: %s",
                        sqlite3_errmsg(db));
        r = vsd_schema_errno(rc);
    } else if (r < 0) {
        vsd_schema_errf(err, errlen, "audit: out of memory");
    }
    sqlite3_finalize(st);
    if (r < 0)
        vsd_chained_free(set);
    else if (set->n)
        qsort(set->v, set->n, sizeof(*set->v), cmp_action);
    return r;
}

void vsd_chained_free(struct vsd_chained_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        action_free(&set->v[i]);
    free(set->v);
    memset(set, 0, sizeof(*set));
}

static bool fits(const struct vsd_chained *c, const char *bed, const char *session)
{
    if (c->used || (bed && (!c->bed || strcmp(c->bed, bed) != 0)))
        return false;
    return !session || !c->session || strcmp(c->session, session) == 0;
}

struct vsd_chained *vsd_chained_find(struct vsd_chained_set *set, enum vsd_chained_kind kind,
                                     const char *key, const char *bed, const char *session,
                                     int64_t ts_ms)
{
    size_t lo = 0, hi = set->n;
    struct vsd_chained *best = NULL;
    int64_t best_dt = VSD_CHAINED_SLACK_MS;

    if (!key)
        return NULL;
    while (lo < hi) { /* the first of (KIND, KEY) */
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_order(&set->v[mid], kind, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < set->n && cmp_order(&set->v[i], kind, key) == 0; i++) {
        struct vsd_chained *c = &set->v[i];
        int64_t dt = ts_ms < 0 ? 0 : llabs(c->ts_ms - ts_ms);
        if (fits(c, bed, session) && dt <= best_dt && (!best || dt < best_dt)) {
            best = c;
            best_dt = dt;
        }
    }
    return best;
}
