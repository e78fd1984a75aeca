#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T24: the daemon's death is visible. After SIGKILL the broker delivers the last
# will "offline" (retained, QoS 1) on vitals/<area>/daemon/state within 1.5 x keepalive, a dashboard
# connecting afterwards still sees "offline", and a restart says "online" again. The time the daemon
# was down is recorded, per vital, as a monitoring gap of the open session. (A hung daemon, SIGSTOP,
# is only found by the keepalive: tests/faults/test_daemon_hang_will.sh, in the default suite.)
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf" # keepalive 5 s
add_sim_beds "$T/vitalsd.conf" 1
subscribe 'vitals/test/daemon/state' "$T/state.txt"
start_daemon "$T/vitalsd.conf"
wait_for 5 "online" grep -q " online$" "$T/state.txt"
ctl session start --bed b1 --session S-24 --by "Nurse A" >/dev/null || fail "session start"
sleep 1
t0=$(date +%s%N)
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
wait_for 8 "last will" grep -q " offline$" "$T/state.txt"
ms=$((($(date +%s%N) - t0) / 1000000))
[ "$ms" -le 7500 ] || fail "last will after $ms ms (1.5 x keepalive = 7500 ms)"
pass "last will 'offline' delivered $ms ms after SIGKILL (limit 7500 ms)"

late=$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t 'vitals/test/daemon/state' -C 1 -W 3)
[ "$late" = offline ] || fail "a dashboard connecting later sees '$late', not offline"
pass "a dashboard connecting after the death sees the retained 'offline'"

sleep 2 # down for a while
start_daemon "$T/vitalsd.conf"
online_again() { [ "$(tail -n1 "$T/state.txt")" = "vitals/test/daemon/state online" ]; }
wait_for 5 "online again" online_again
pass "restarted: online again"
down_gap() {
  [ "$(sql "select count(*) from gaps where session_id='S-24' and vital='hr' and
            reason='daemon_down' and end_ms - start_ms >= 2000")" -eq 1 ]
}
wait_for 5 "the downtime recorded as a gap" down_gap
pass "the time vitalsd was down is a monitoring gap of the session: $(sql "select end_ms - start_ms from gaps where session_id='S-24' and vital='hr'") ms"
stop_daemon
