# SPDX-License-Identifier: MIT
# For the store_driver tests (T11, T12), after tests/integration/lib.sh: run_driver EXPECT ARGS...
# runs tests/faults/store_driver.c's program, prints its counts line and checks it against the
# regular expression EXPECT.
DRIVER=$BUILD/tests/faults/store_driver
[ -x "$DRIVER" ] || fail "$DRIVER not built"

run_driver() {
  local want=$1; shift
  if ! "$DRIVER" "$@" >"$T/driver.out" 2>>"$T/driver.log"; then
    cat "$T/driver.out"
    tail "$T/driver.log"
    fail "store_driver $*"
  fi
  cat "$T/driver.out"
  grep -q "$want" "$T/driver.out" || fail "expected '$want'"
}
