# SPDX-License-Identifier: MIT
# Helpers for the Modbus integration tests (source after lib.sh): the simulator
# (tests/sim/modbus/vsd-modbus-sim) and its command channel, device sections, alert and reading
# queries, CPU time of a process.

MBSIM=$BUILD/tests/sim/modbus/vsd-modbus-sim
PROFILE=$SRC/config/profiles/generic-gateway.conf
SIM_PID=""

command -v socat >/dev/null || fail "socat is needed to talk to the Modbus simulator (apt-get install socat)"
command -v sqlite3 >/dev/null || fail "sqlite3 is needed (apt-get install sqlite3)"
[ -x "$MBSIM" ] || fail "the Modbus simulator is not built: $MBSIM (cmake --build BUILD --target vsd-modbus-sim)"
[ -f "$PROFILE" ] || fail "profile missing: $PROFILE"

# start_mbsim ARGS...: the simulator with its control socket at $T/mbsim.sock; waits for "ready".
# Its endpoint lines ("tcp PORT UNITS", "rtu LINK PTY UNITS") are in $T/mbsim.out.
start_mbsim() {
  "$MBSIM" --control "$T/mbsim.sock" "$@" > "$T/mbsim.out" 2>>"$T/mbsim.log" &
  SIM_PID=$!
  PIDS+=("$SIM_PID")
  wait_for 10 "Modbus simulator ready" grep -qx ready "$T/mbsim.out"
}

# mbsim_port N: the N-th TCP port the simulator listens on (from 1).
mbsim_port() { awk '/^tcp /{print $2}' "$T/mbsim.out" | sed -n "${1:-1}p"; }

# simcmd COMMAND...: send one command; prints the answer, fails the test on "error".
simcmd() {
  local out
  out=$(printf '%s\n' "$*" | socat -t 5 - "UNIX-CONNECT:$T/mbsim.sock" 2>&1) \
    || fail "simulator command '$*': no answer ($out)"
  case $out in
  ok*) echo "$out" ;;
  *) fail "simulator command '$*' answered: $out" ;;
  esac
}

# simstat UNIT KEY: one counter of "stats UNIT" (requests, replies, late, corrupt, ...).
simstat() { simcmd stats "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# add_mb_tcp FILE DEVICE PORT UNIT POLL TIMEOUT: a modbus-tcp device on the simulator.
add_mb_tcp() {
  printf '[device.%s]\ndriver = modbus-tcp\nhost = 127.0.0.1\nport = %s\nunit_id = %s\nprofile = %s\npoll = %s\ntimeout = %s\n\n' \
    "$2" "$3" "$4" "$PROFILE" "$5" "$6" >> "$1"
}

# add_mb_rtu FILE DEVICE LINK UNIT POLL TIMEOUT: a modbus-rtu device on a simulated bus.
add_mb_rtu() {
  printf '[device.%s]\ndriver = modbus-rtu\nport = %s\nunit_id = %s\nbaud = 19200\nprofile = %s\npoll = %s\ntimeout = %s\n\n' \
    "$2" "$3" "$4" "$PROFILE" "$5" "$6" >> "$1"
}

# add_bed FILE BED DEVICE
add_bed() { printf '[bed.%s]\ndevices = %s\n\n' "$2" "$3" >> "$1"; }

now_ms() { date +%s%3N; }

# alert_count DEVICE CODE [EXTRA-SQL]: alerts of CODE for DEVICE (state any).
alert_count() { sql "select count(*) from alerts where device='$1' and code='$2' ${3:-}"; }
has_alert() { [ "$(alert_count "$@")" -gt 0 ]; }
has_cleared() { [ "$(alert_count "$1" "$2" 'and cleared_ms is not null')" -gt 0 ]; }

# polls DEVICE [FROM_MS [TO_MS]]: receive-stamped polls stored for DEVICE (distinct times of hr).
polls() {
  sql "select count(distinct ts_ms) from readings where device='$1' and vital='hr' and ts_source=0
       and ts_ms>=${2:-0} and ts_ms<${3:-9223372036854775807}"
}

# polled DEVICE N [FROM_MS]: at least N polls stored (since FROM_MS).
polled() { [ "$(polls "$1" "${3:-0}")" -ge "$2" ]; }

# markers DEVICE: stored readings carrying the simulator's marker values (a reply that must
# never be stored: late, corrupted, or for another unit).
markers() {
  sql "select count(*) from readings where device='$1' and (
         (vital='hr' and value=222) or (vital='pr' and value=221) or (vital='spo2' and value=44)
         or (vital='rr' and value=99) or (vital='nibp_sys' and value=233)
         or (vital='nibp_dia' and value=144) or (vital='nibp_mean' and value=177))"
}

# cpu_ticks PID: user + system CPU time of PID in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# mb_head FILE: write_config (no latching: tests see alerts clear) and technical delays short
# enough for a test.
mb_head() {
  write_config "$1"
  printf '\n[technical]\nsensor_off_delay = 1s\ninvalid_delay = 1s\n\n' >> "$1"
}
