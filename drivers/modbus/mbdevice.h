/* SPDX-License-Identifier: MIT */
/* What the Modbus drivers share with `vitalsctl probe` and the tests: settings and readings. */
#ifndef VSD_MODBUS_MBDEVICE_H
#define VSD_MODBUS_MBDEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vitalsd/driver.h>

#include "link.h"
#include "profile.h"

/* The link settings of configured device DEV (RTU when RTU) and its profile's resolved path in
 * PROFILE. The response timeout is the device's "timeout" unless "response_timeout" is written.
 * Returns 0 or -EINVAL (logged). Strings in LP point into DEV's configuration. */
int vsd_mb_device_params(const struct vsd_device *dev, bool rtu, struct vsd_mb_link_params *lp,
                         char *profile, size_t size);

/* The register image of one poll: request I's registers are REGS[I]. */
struct vsd_mb_image {
    const struct vsd_mb_request *reqs;
    size_t n;
    const uint16_t (*regs)[VSD_MB_MAX_REGS];
};

/* The COUNT registers of TABLE from ADDRESS within IMG, NULL when no request covers them. */
const uint16_t *vsd_mb_image_at(const struct vsd_mb_image *img, enum vsd_mb_table table,
                                uint16_t address, unsigned count);

/* Quality flags that status register value REG means under ST. */
uint32_t vsd_mb_status_flags(const struct vsd_mb_status *st, uint16_t reg);

/* A COUNTER stamp across polls: the value last seen and the wall time it was first seen. */
struct vsd_mb_stamp_state {
    bool have;
    double counter;
    int64_t since_ms;
};

/* One reading per field of P from IMG, into OUT (room for VSD_VITAL_COUNT); returns how many.
 * A sentinel or NaN gives value NAN flagged VSD_Q_INVALID; status bits add their flags to the
 * fields they apply to; NIBP values carry the stamp's time (TIME: the device's, in ms; COUNTER:
 * WALL_MS of the poll that first saw the counter's value, kept in ST). A TIME stamp of 0 means no
 * measurement yet: NIBP values are left out. */
size_t vsd_mb_readings(const struct vsd_mb_profile *p, const struct vsd_mb_image *img,
                       struct vsd_mb_stamp_state *st, int64_t wall_ms, struct vsd_reading *out);
/* P's [identity] texts in IMG into MODEL and SERIAL (SIZE bytes each; "" when not in the
 * profile). */
void vsd_mb_identity(const struct vsd_mb_profile *p, const struct vsd_mb_image *img, char *model,
                     char *serial, size_t size);

#endif
