#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T29: integration tests with the daemon under valgrind.
#   tests/faults/valgrind.sh [TEST...]   (default: test_pipeline test_sessions test_delivery)
# Runs each tests/integration/TEST.sh against a copy of the release build (build/) in which
# `vitalsd` is `valgrind --leak-check=full --error-exitcode=1 vitalsd`: a leak or a memory error
# makes the daemon exit 1, which the test's stop_daemon reports. valgrind slows the daemon about
# tenfold, so timing assertions may fail for that reason alone: read the valgrind report
# ($T/vitalsd.log of the failed test, kept) before concluding.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD BUILD=${BUILD:-$PWD/build}
if ! command -v valgrind >/dev/null; then
  echo "valgrind is needed (apt-get install valgrind)" >&2
  exit 1
fi
[ -x "$BUILD/vitalsd" ] || { echo "build first: scripts/build build" >&2; exit 1; }
VG=$(mktemp -d /tmp/vsd-valgrind.XXXXXX)
trap 'rm -rf "$VG"' EXIT
for f in "$BUILD"/*; do [ "$(basename "$f")" = vitalsd ] || ln -s "$f" "$VG/"; done
cat >"$VG/vitalsd" <<WRAP
#!/bin/sh
exec valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
  "$BUILD/vitalsd" "\$@"
WRAP
chmod +x "$VG/vitalsd"
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(test_pipeline test_sessions test_delivery)
rc=0
for t in "${tests[@]}"; do
  echo "== $t under valgrind"
  if ! VSD_SOURCE_DIR=$SRC VSD_BUILD_DIR=$VG bash "tests/integration/${t%.sh}.sh"; then
    rc=1
    echo "FAIL: $t"
  fi
done
exit $rc
