# SPDX-License-Identifier: MIT
# Helpers for tests/faults, sourced after tests/integration/lib.sh.
DRIVER=$BUILD/tests/faults/store_driver

# run_driver EXPECT ARGS...: run tests/faults/store_driver.c's program (T11, T12), print its
# counts line and check it against the regular expression EXPECT.
run_driver() {
  local want=$1; shift
  [ -x "$DRIVER" ] || fail "$DRIVER not built"
  if ! "$DRIVER" "$@" >"$T/driver.out" 2>>"$T/driver.log"; then
    cat "$T/driver.out"
    tail "$T/driver.log"
    fail "store_driver $*"
  fi
  cat "$T/driver.out"
  grep -q "$want" "$T/driver.out" || fail "expected '$want'"
}

# stamped NAME CMD...: CMD's output lines in $T/NAME.txt, each behind its arrival time (ms since
# the epoch); both processes are stopped by PID (a FIFO between them, not a pipeline).
stamped() {
  local name=$1; shift
  mkfifo "$T/$name.fifo"
  "$@" >"$T/$name.fifo" 2>>"$T/sub.log" &
  PIDS+=("$!")
  while IFS= read -r line; do echo "$(($(date +%s%N) / 1000000)) $line"; done \
    <"$T/$name.fifo" >"$T/$name.txt" &
  PIDS+=("$!")
}
