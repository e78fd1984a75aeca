#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T24, the hung daemon: after SIGSTOP the process keeps its socket open, so
# only the MQTT keepalive gives it away. The broker must deliver the last will "offline" (retained,
# QoS 1) on vitals/<area>/daemon/state within 1.5 x keepalive (MQTT 3.1.1 section 3.1.2.10) of
# the daemon's last packet, plus a margin for the broker's keepalive sweep and a loaded machine.
# The daemon runs at the shortest keepalive its configuration accepts (5 s), and publishes a
# reading every poll, so its last packet is at most one poll period before the SIGSTOP.
# SIGKILL (the socket closes at once) is tests/integration/test_daemon_death.sh.
. "$(dirname "$0")/../integration/lib.sh"

KEEPALIVE_MS=5000
# 1.5 x keepalive plus the broker's sweep: mosquitto 2.0 (src/keepalive.c) checks keepalives only
# when more than 5 s have passed since its last check, in whole seconds, so the will comes up to
# 6 s + 1 s after the 1.5 x keepalive deadline; 1 s more for a loaded 2-core machine. Measured on
# mosquitto 2.0.11: 10.7 to 11.2 s.
LIMIT_MS=$((KEEPALIVE_MS * 3 / 2 + 8000))

start_broker
write_config "$T/vitalsd.conf" # keepalive 5s
add_sim_beds "$T/vitalsd.conf" 1
subscribe 'vitals/test/daemon/state' "$T/state.txt"
start_daemon "$T/vitalsd.conf"
wait_for 5 "online" grep -q " online$" "$T/state.txt"
# positive control: the daemon is publishing right up to the stop (its readings reach the broker)
subscribe 'vitals/test/bed/b1/#' "$T/bed.txt"
wait_for 5 "readings from the running daemon" test -s "$T/bed.txt"
grep -q " offline$" "$T/state.txt" && fail "'offline' before the daemon was stopped"

t0=$(date +%s%N)
kill -STOP "$DAEMON_PID"
wait_for $((LIMIT_MS / 1000 + 5)) "last will after SIGSTOP" grep -q " offline$" "$T/state.txt"
ms=$((($(date +%s%N) - t0) / 1000000))
kill -0 "$DAEMON_PID" || fail "the stopped daemon is gone: this tests a hang, not a death"
kill -CONT "$DAEMON_PID"
[ "$ms" -le "$LIMIT_MS" ] ||
  fail "last will $ms ms after SIGSTOP (1.5 x keepalive $KEEPALIVE_MS ms + 8 s = $LIMIT_MS ms)"
# the daemon resumes, reconnects and says online again
online_again() { [ "$(tail -n1 "$T/state.txt")" = "vitals/test/daemon/state online" ]; }
wait_for 15 "online again after SIGCONT" online_again
stop_daemon
echo "hang will: offline $ms ms after SIGSTOP (limit $LIMIT_MS ms), online again after SIGCONT"
pass "T24 hung daemon visible within 1.5 x keepalive"
