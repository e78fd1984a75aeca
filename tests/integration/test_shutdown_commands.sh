#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Commands keep arriving over MQTT while the daemon shuts down: the MQTT network thread may still
# deliver one as the command transport stops. Each round floods the command topic, checks that
# commands are being answered (the positive control), sends SIGTERM in the middle of the flood and
# expects a clean exit 0 with no sanitizer report. Under scripts/test's AddressSanitizer build a
# use of the freed transport aborts the daemon and fails this test.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-4}
start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
subscribe 'vitals/test/reply/nurse1' "$T/replies.txt"

for round in $(seq 1 "$ROUNDS"); do
  : >"$T/replies.txt"
  start_daemon "$T/vitalsd.conf"
  # One connection, one message per line, as fast as the broker takes them.
  yes '{"cmd":"ping"}' | head -n 300000 |
    mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 0 -l -t vitals/test/command/nurse1 2>/dev/null &
  flood=$!
  PIDS+=("$flood")
  wait_for 10 "round $round: commands answered during the flood" \
    bash -c "[ \$(wc -l < '$T/replies.txt') -ge 20 ]"
  kill -0 "$flood" 2>/dev/null || fail "round $round: the flood ended before the shutdown"
  stop_daemon
  kill "$flood" 2>/dev/null || true
  wait "$flood" 2>/dev/null || true
  if grep -E "AddressSanitizer|runtime error|LeakSanitizer" "$T/vitalsd.log"; then
    fail "round $round: sanitizer report during shutdown"
  fi
  pass "round $round: $(wc -l < "$T/replies.txt") commands answered, SIGTERM mid-flood, clean exit"
done
