/* SPDX-License-Identifier: MIT */
/* The report's names from the hash-chained audit trail: who started and ended the session and
 * who acknowledged each alert, with the unchained tables' names kept where they disagree. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "audit_chained.h"
#include "report.h"

/* NAME (as the table holds it) against the chained action C. */
static enum vsd_report_proof judge(const struct vsd_chained *c, char *name, size_t size,
                                   char *table_name, size_t table_size)
{
    if (!c)
        return VSD_PROOF_MISSING;
    if (strcmp(c->actor, name) == 0)
        return VSD_PROOF_CHAINED;
    snprintf(table_name, table_size, "%s", name);
    snprintf(name, size, "%s", c->actor);
    return VSD_PROOF_DIFFERS;
}

static void session_proofs(struct vsd_chained_set *set, struct vsd_report *r)
{
    struct vsd_chained *c;

    c = vsd_chained_find(set, VSD_CHAINED_START, r->session, r->bed, NULL, r->started_ms);
    r->started_proof = judge(c, r->started_by, sizeof(r->started_by), r->started_by_table,
                             sizeof(r->started_by_table));
    if (!*r->ended_by) /* still open: nothing to prove */
        return;
    c = vsd_chained_find(set, VSD_CHAINED_END, r->bed, NULL, r->session, r->ended_ms);
    r->ended_proof =
        judge(c, r->ended_by, sizeof(r->ended_by), r->ended_by_table, sizeof(r->ended_by_table));
}

static void alert_proof(struct vsd_chained_set *set, struct vsd_report_alert *a)
{
    struct vsd_chained *c;

    if (a->acked_ms) {
        c = vsd_chained_find(set, VSD_CHAINED_ACK, a->alert_id, NULL, NULL, a->acked_ms);
        a->acked_proof = judge(c, a->acked_by, sizeof(a->acked_by), a->acked_by_table,
                               sizeof(a->acked_by_table));
        return;
    }
    /* The table says unacknowledged: an acknowledgement on the chain says otherwise. */
    c = vsd_chained_find(set, VSD_CHAINED_ACK, a->alert_id, NULL, NULL, -1);
    if (c) {
        a->acked_ms = c->ts_ms;
        snprintf(a->acked_by, sizeof(a->acked_by), "%s", c->actor);
        a->acked_proof = VSD_PROOF_NOT_IN_TABLE;
    }
}

int vsd_report_proofs(sqlite3 *db, struct vsd_report *r)
{
    struct vsd_chained_set set;
    int e = vsd_chained_load(db, INT64_MAX, &set, NULL, 0);

    if (e < 0)
        return e == -ENOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
    session_proofs(&set, r);
    for (size_t i = 0; i < r->n_alerts; i++)
        alert_proof(&set, &r->alerts[i]);
    vsd_chained_free(&set);
    return SQLITE_OK;
}
