/* SPDX-License-Identifier: MIT */
/* A profile's [identity]: where a device keeps its serial number and model as text registers
 * (docs/modbus.md, "Device identity"). */
#include <errno.h>
#include <stdio.h>

#include "profile_loader.h"

/* One text of [identity]: PREFIX_address and PREFIX_registers, both or neither. */
static int get_text(struct loader *ld, const struct section *s, const char *prefix,
                    struct vsd_mb_text *t)
{
    char ka[32], kr[32];
    const struct entry *a, *r;
    unsigned long long addr, regs;

    snprintf(ka, sizeof(ka), "%s_address", prefix);
    snprintf(kr, sizeof(kr), "%s_registers", prefix);
    a = vsd_mbp_get(s, ka);
    r = vsd_mbp_get(s, kr);
    if (!a && !r)
        return 0;
    if (!a || !r) {
        vsd_mbp_fail(ld, (a ? a : r)->line, "[%s] %s: goes with %s", s->name, a ? ka : kr,
                     a ? kr : ka);
        return -EINVAL;
    }
    if (vsd_mb_parse_uint(r->value, VSD_MB_TEXT_MAX_REGS, &regs) < 0 || regs == 0) {
        vsd_mbp_fail(ld, r->line, "[%s] %s: must be 1..%d (two characters a register), got '%s'",
                     s->name, kr, VSD_MB_TEXT_MAX_REGS, r->value);
        return -EINVAL;
    }
    if (vsd_mb_parse_uint(a->value, 65536 - regs, &addr) < 0) {
        vsd_mbp_fail(ld, a->line, "[%s] %s: must be a register number 0..%llu, got '%s'", s->name,
                     ka, 65536 - regs, a->value);
        return -EINVAL;
    }
    *t = (struct vsd_mb_text){(uint16_t)addr, (unsigned)regs, a->line};
    return 0;
}

int vsd_mbp_load_identity(struct loader *ld, const struct section *s, struct vsd_mb_identity *id)
{
    static const char *const keys[] = {"table",         "serial_address",  "serial_registers",
                                       "model_address", "model_registers", NULL};
    int r;

    vsd_mbp_check_keys(ld, s, keys);
    id->line = s->line;
    r = vsd_mbp_get_table(ld, s, &id->table);
    r = r < 0 ? r : get_text(ld, s, "serial", &id->serial);
    r = r < 0 ? r : get_text(ld, s, "model", &id->model);
    if (r < 0)
        return r;
    if (!id->serial.regs && !id->model.regs) {
        vsd_mbp_fail(ld, s->line,
                     "[%s]: names no text (serial_address and serial_registers, "
                     "model_address and model_registers)",
                     s->name);
        return -EINVAL;
    }
    id->present = true;
    return 0;
}
