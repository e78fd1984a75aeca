# SPDX-License-Identifier: MIT
# Helpers for serial-device integration tests: simulators with a command channel (a FIFO on their
# stdin), free ports, CPU use of a process, alert queries. Source after lib.sh.

declare -A SIM_FD SIM_PID

# start_sim NAME BINARY ARGS...: run a simulator with its stdin on the FIFO $T/NAME.cmd, stdout
# in $T/NAME.out, stderr in $T/NAME.log; wait for its "ready" line.
start_sim() {
  local name=$1 bin=$2; shift 2
  [ -x "$bin" ] || fail "simulator $bin not built"
  rm -f "$T/$name.cmd"
  mkfifo "$T/$name.cmd"
  "$bin" "$@" < "$T/$name.cmd" > "$T/$name.out" 2> "$T/$name.log" &
  SIM_PID[$name]=$!
  PIDS+=("$!")
  local fd
  exec {fd}> "$T/$name.cmd"
  SIM_FD[$name]=$fd
  wait_for 5 "simulator $name ready" grep -q '^ready' "$T/$name.out"
}

# sim_cmd NAME COMMAND...: send one command line and wait for its "ok" acknowledgement.
sim_cmd() {
  local name=$1; shift
  local before
  before=$(grep -c -x -F "ok $*" "$T/$name.out" || true)
  echo "$*" >&"${SIM_FD[$name]}"
  wait_for 5 "simulator $name: ok $*" \
    more_than "grep -c -x -F 'ok $*' '$T/$name.out'" "$before"
}

now_ms() { date +%s%3N; }

# more_than COMMAND N: COMMAND (a shell string, run each time) prints a number above N.
# For wait_for, which would otherwise see a $(...) evaluated only once.
more_than() { [ "$(eval "$1")" -gt "$2" ]; }

# cpu_ticks PID: user + system clock ticks used so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# cpu_percent PID SECONDS: the share of one core PID used over the next SECONDS.
cpu_percent() {
  local a b hz
  hz=$(getconf CLK_TCK)
  a=$(cpu_ticks "$1"); sleep "$2"; b=$(cpu_ticks "$1")
  echo $(( (b - a) * 100 / (hz * $2) ))
}

# alerts_of DEVICE CODE: how many alerts with CODE the device has (raised ever).
alerts_of() { sql "select count(*) from alerts where device='$1' and code='$2'"; }

# last_alert_raised DEVICE CODE: raised_ms of the newest such alert (empty if none).
last_alert_raised() { sql "select max(raised_ms) from alerts where device='$1' and code='$2'"; }

# alert_open DEVICE CODE: true while an alert with CODE is raised (its condition not ended;
# a latched alert has ended and waits for an acknowledgement).
alert_open() {
  [ "$(sql "select count(*) from alerts where device='$1' and code='$2' and state='raised'")" -gt 0 ]
}
alert_closed() { ! alert_open "$@" && [ "$(alerts_of "$1" "$2")" -gt 0 ]; }

# readings_after DEVICE VITAL MS: readings of DEVICE's VITAL stored with a time after MS.
readings_after() { sql "select count(*) from readings where device='$1' and vital='$2' and ts_ms>$3"; }
has_readings_after() { [ "$(readings_after "$@")" -gt 0 ]; }

# check_silent DEVICE SIM PERIOD_MS TIMEOUT_MS: the simulator goes quiet for 4 s. The first
# poll to fail ends within P + timeout of the silence (detection); comms_loss must follow within
# 2P of that; no reading in the gap; the condition ends when the device talks again.
check_silent() {
  local dev=$1 sim=$2 p=$3 to=$4 t0 raised n0 gap
  n0=$(alerts_of "$dev" comms_loss)
  t0=$(now_ms)
  sim_cmd "$sim" silent 4
  wait_for 6 "$dev comms_loss raised" more_than "alerts_of $dev comms_loss" "$n0"
  raised=$(last_alert_raised "$dev" comms_loss)
  [ $((raised - t0)) -le $((3 * p + to)) ] \
    || fail "$dev: comms_loss $((raised - t0)) ms after silence (P=$p, timeout=$to)"
  wait_for 10 "$dev comms_loss cleared" alert_closed "$dev" comms_loss
  gap=$(sql "select count(*) from readings where device='$dev' and ts_source=0 and ts_ms>$raised and ts_ms<$t0 + 3900")
  [ "$gap" -eq 0 ] || fail "$dev: $gap readings stored while silent"
  pass "$dev silent: comms_loss $((raised - t0)) ms after the silence began (bound P+timeout+2P=$((3 * p + to))), ended when it talked again"
}

# check_unplug DEVICE SIM PERIOD_MS VITAL: the cable is pulled for 5 s: comms_loss within 2P,
# the daemon uses < 5 % of a core meanwhile, readings resume without a restart.
check_unplug() {
  local dev=$1 sim=$2 p=$3 vital=$4 t0 raised n0 cpu back
  n0=$(alerts_of "$dev" comms_loss)
  t0=$(now_ms)
  sim_cmd "$sim" unplug 5
  wait_for 5 "$dev comms_loss after unplug" more_than "alerts_of $dev comms_loss" "$n0"
  raised=$(last_alert_raised "$dev" comms_loss)
  [ $((raised - t0)) -le $((2 * p)) ] || fail "$dev: unplug noticed after $((raised - t0)) ms (2P=$((2 * p)))"
  cpu=$(cpu_percent "$DAEMON_PID" 3)
  [ "$cpu" -lt 5 ] || fail "$dev: daemon used ${cpu}% CPU while unplugged"
  wait_for 10 "$dev replugged" grep -q replugged "$T/$sim.log"
  back=$(now_ms)
  wait_for 10 "$dev readings after replug" has_readings_after "$dev" "$vital" "$back"
  wait_for 10 "$dev comms_loss cleared" alert_closed "$dev" comms_loss
  pass "$dev unplugged: alert after $((raised - t0)) ms (2P=$((2 * p))), daemon CPU ${cpu}%, resumed without restart"
}

# check_degraded DEVICE SIM: garbled frames in every poll for ~3 s raise comms_degraded.
check_degraded() {
  local dev=$1 sim=$2
  for _ in $(seq 1 12); do sim_cmd "$sim" badsum 2; sleep 0.25; done
  wait_for 5 "$dev comms_degraded" more_than "alerts_of $dev comms_degraded" 0
  pass "$dev: repeated bad frames raised comms_degraded"
}
