#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/check-includes: the tree as it is passes; a copy with one offence of each kind fails,
# naming FILE:LINE of each.
set -euo pipefail
SRC=${VSD_SOURCE_DIR:?VSD_SOURCE_DIR not set}
T=$(mktemp -d /tmp/vsd-layout.XXXXXX)
trap 'rm -rf "$T"' EXIT

"$SRC/scripts/check-includes" "$SRC" || { echo "FAIL: the tree breaks the include rules"; exit 1; }
echo "ok: the tree keeps the include rules"

mkdir -p "$T/drivers/bad" "$T/src/alarm"
printf '%s\n' '/* a driver */' '#include <vitalsd/driver.h>' '#include "bad.h"' \
  '#include "core.h"' '#include "../../src/store/store.h"' '#include <vitalsd/../../src/core/core.h>' \
  >"$T/drivers/bad/bad.c"
printf '%s\n' '/* its own header */' >"$T/drivers/bad/bad.h"
printf '%s\n' '#include "alarm.h"' '#include "../store/store.h"' >"$T/src/alarm/alarm.c"
printf '%s\n' '/* alarm.h */' >"$T/src/alarm/alarm.h"

if out=$("$SRC/scripts/check-includes" "$T" 2>&1); then
  echo "FAIL: check-includes passed a tree that breaks its rules"; exit 1
fi
expect=("drivers/bad/bad.c:4: driver includes \"core.h\""
        "drivers/bad/bad.c:5: quoted include \"../../src/store/store.h\" names a path"
        "drivers/bad/bad.c:6: include <vitalsd/../../src/core/core.h> climbs out"
        "src/alarm/alarm.c:2: quoted include \"../store/store.h\" names a path")
for e in "${expect[@]}"; do
  grep -qF "$e" <<<"$out" || { echo "FAIL: expected '$e' in:"; echo "$out"; exit 1; }
  echo "ok: reported: $e"
done
n=$(grep -c '^[a-z].*:[0-9]*: ' <<<"$out")
[ "$n" -eq ${#expect[@]} ] || { echo "FAIL: $n offences reported, ${#expect[@]} expected:"; echo "$out"; exit 1; }
echo "ok: nothing else reported (its own header and <vitalsd/driver.h> are allowed)"
