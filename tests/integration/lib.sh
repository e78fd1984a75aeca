# SPDX-License-Identifier: MIT
# Shared helpers for integration tests: a real broker on a free loopback port, vitalsd on a
# temporary database, subscribers, and waits with deadlines. Everything started is stopped by PID.
set -euo pipefail

SRC=${VSD_SOURCE_DIR:?VSD_SOURCE_DIR not set}
BUILD=${VSD_BUILD_DIR:?VSD_BUILD_DIR not set}
VITALSD=$BUILD/vitalsd
VITALSCTL=$BUILD/vitalsctl
T=$(mktemp -d /tmp/vsd-it.XXXXXX)
chmod 755 "$T"
# The Unix account the tests run as: the daemon records it (SO_PEERCRED) as the actor of every
# command sent over the control socket; a typed --by is kept only as a note beside it.
ME=$(id -un)
PIDS=()
BROKER_PID=""
DAEMON_PID=""
PORT=""

cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    echo "---- test failed (rc=$rc); logs in $T:"
    for f in "$T"/*.log; do [ -f "$f" ] && { echo "== $f"; tail -n 40 "$f"; }; done
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_for() {
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || fail "timed out after ${secs}s waiting for: $what"
    sleep 0.1
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a TCP port on 127.0.0.1 nobody listens on now.
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    port_open "$p" || { echo "$p"; return 0; }
  done
  fail "no free port"
}

# start_broker [PORT]: a private mosquitto on 127.0.0.1, on a free port unless one is given;
# BROKER_EXTRA holds extra configuration lines.
start_broker() {
  local want=${1:-}
  cat > "$T/mosquitto.conf" <<CONF
listener ${want:-0} 127.0.0.1
allow_anonymous true
persistence false
set_tcp_nodelay true
log_dest stderr
log_type error
log_type warning
${BROKER_EXTRA:-}
CONF
  for _ in $(seq 1 20); do
    PORT=${want:-$((20000 + RANDOM % 20000))}
    sed -i "s/^listener .*/listener $PORT 127.0.0.1/" "$T/mosquitto.conf"
    mosquitto -c "$T/mosquitto.conf" 2>>"$T/broker.log" &
    BROKER_PID=$!
    PIDS+=("$BROKER_PID")
    for _ in $(seq 1 50); do
      port_open "$PORT" && return 0
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$BROKER_PID" 2>/dev/null || true
    [ -z "$want" ] || fail "broker could not listen on $want"
  done
  fail "no free port for the broker"
}

stop_broker() {
  kill "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
}

# write_config FILE: the [daemon] and [mqtt] head for this test; append devices and beds after.
# Latching and escalation are off unless LATCHING / ESCALATE_AFTER / ESCALATE_AGAIN say otherwise:
# most tests count alert events and want exactly raise and clear.
write_config() {
  cat > "$1" <<CONF
[daemon]
area = test
database = $T/vitalsd.db
control_socket = $T/control.sock
commit_interval = 100ms
log_level = info

[mqtt]
host = 127.0.0.1
port = $PORT
keepalive = 5s
reconnect_min = 200ms
reconnect_max = 1s

[alerts]
latching = ${LATCHING:-none}
escalate_after = ${ESCALATE_AFTER:-0}
escalate_again = ${ESCALATE_AGAIN:-0}
CONF
}

# add_sim_beds FILE COUNT: beds b1..bCOUNT, each with one plain simulated monitor m1..mCOUNT.
add_sim_beds() {
  for i in $(seq 1 "$2"); do
    printf '[device.m%d]\ndriver = sim\npoll = 200ms\ntimeout = 100ms\n[bed.b%d]\ndevices = m%d\n' \
      "$i" "$i" "$i" >> "$1"
  done
}

# start_daemon CONFIG: run vitalsd and wait until it is ready.
start_daemon() {
  "$VITALSD" -c "$1" 2>>"$T/vitalsd.log" &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  wait_for 10 "vitalsd ready" grep -q "vitalsd ready" "$T/vitalsd.log"
}

# stop_daemon: SIGTERM and expect a clean exit 0.
stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  [ $rc -eq 0 ] || fail "vitalsd exited $rc on SIGTERM"
  # a second start appends to the same log: forget the first "ready"
  sed -i 's/vitalsd ready/vitalsd was ready/' "$T/vitalsd.log"
}

# subscribe TOPIC FILE: record "topic payload" lines (QoS 1) in FILE.
subscribe() {
  mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -v -t "$1" > "$2" 2>>"$T/sub.log" &
  PIDS+=("$!")
  sleep 0.3
}

ctl() { "$VITALSCTL" -c "$T/vitalsd.conf" "$@"; }

sql() { sqlite3 -cmd ".timeout 5000" "$T/vitalsd.db" "$@"; }

# payloads FILE: the JSON part of each recorded line.
payloads() { cut -d' ' -f2- "$1"; }

# count_events FILE JQ-CONDITION: how many recorded payloads satisfy the condition.
count_events() { payloads "$1" | jq -c "select($2)" | wc -l; }
# has_events FILE JQ-CONDITION: at least one does (jq -e alone passes on empty input).
has_events() { [ "$(count_events "$1" "$2")" -gt 0 ]; }
