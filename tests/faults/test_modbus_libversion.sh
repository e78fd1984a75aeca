#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T32: the libmodbus the daemon links against must carry the fixes for
# CVE-2022-0367 (heap overflow in modbus_reply) and CVE-2024-10918 (Debian security tracker:
# fixed in Debian 12 by 3.1.6-2.1+deb12u1). Fails on an older package, or when none is found.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
MIN=3.1.6-2.1+deb12u1
v=$(dpkg-query -W -f='${Version}' libmodbus5 2>/dev/null) || fail "libmodbus5 is not installed"
[ -n "$v" ] || fail "libmodbus5 has no version"
dpkg --compare-versions "$v" ge "$MIN" || fail "libmodbus5 $v is older than $MIN (CVE-2024-10918)"
# and the daemon links that library, not another copy
BUILD=${VSD_BUILD_DIR:?VSD_BUILD_DIR not set}
lib=$(ldd "$BUILD/vitalsd" | awk '/libmodbus/{print $3}')
[ -n "$lib" ] || fail "vitalsd does not link libmodbus"
owner=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | cut -d: -f1) || true
[ "$owner" = libmodbus5 ] || fail "vitalsd links $lib, not from the libmodbus5 package ($owner)"
echo "libmodbus: libmodbus5 $v >= $MIN, linked from $lib"
echo "ok: T32 libmodbus version"
