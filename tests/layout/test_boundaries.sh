#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The build refuses what the design forbids. Each probe (probes/LIB_sees_X.c) compiles with the
# include paths of one real library: a driver, the alarm engine, the core, a bus. The forbidden
# ones must fail with the header "not found"; the controls must compile, which shows the probe
# really was built with that library's paths.
set -euo pipefail
BUILD=${VSD_BUILD_DIR:?VSD_BUILD_DIR not set}
failures=0

build_probe() { cmake --build "$BUILD" --target "probe_$1" -- --no-print-directory 2>&1; }

must_fail() { # PROBE HEADER
  local out
  if out=$(build_probe "$1"); then
    echo "FAIL: probe $1 compiled: the build lets it see $2"; failures=$((failures + 1))
  elif grep -q "$2: No such file or directory" <<<"$out"; then
    echo "ok: $1 refused: $(grep -m1 -o "[^ ]*$2: No such file or directory" <<<"$out")"
  else
    echo "FAIL: probe $1 failed for another reason:"; echo "$out" | tail -n 5
    failures=$((failures + 1))
  fi
}

must_build() { # PROBE
  local out
  if out=$(build_probe "$1"); then
    echo "ok: $1 compiles (control)"
  else
    echo "FAIL: control probe $1 did not compile:"; echo "$out" | tail -n 5
    failures=$((failures + 1))
  fi
}

must_build driver_sees_api
must_fail driver_sees_core core.h
must_build alarm_sees_own
must_fail alarm_sees_store store.h
must_fail alarm_sees_mqtt publish.h
must_fail core_sees_command command.h
must_fail bus_sees_core core.h
[ $failures -eq 0 ] || { echo "$failures boundary check(s) failed"; exit 1; }
echo "all boundaries hold"
