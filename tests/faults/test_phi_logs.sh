#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T36: no patient name, date of birth or record number in the broker's log
# (mosquitto at log_type all: every connection, subscription and PUBLISH with its topic) or the
# daemon's log, over a run that tries to enter a name where a session id goes, from vitalsctl and
# from an MQTT command: both are refused, and the refused text is in no log. The session id of a
# real session never reaches the broker's log either (topics carry bed names, docs/security.md).
# Positive controls: the broker's log does record PUBLISH topics at this level, the refusals are
# answered, and the daemon's log is written.
. "$(dirname "$0")/../integration/lib.sh"

NAME_RE='Jane|Doe|Smith'
DOB_RE='(19|20)[0-9]{2}-[01][0-9]-[0-3][0-9]|[0-3][0-9]/[01][0-9]/(19|20)[0-9]{2}'
MRN_RE='MRN|00012345'  # the record number typed below

BROKER_EXTRA="log_type all" start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
subscribe 'vitals/test/reply/#' "$T/replies.txt"
start_daemon "$T/vitalsd.conf"

# a name where the session id goes: refused by vitalsctl's daemon, and over MQTT
out=$(ctl session start --bed b1 --session "Jane Doe" 2>&1) && fail "a session id 'Jane Doe' was accepted"
grep -q "session id may hold only" <<<"$out" || fail "the refusal does not say why: $out"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t vitals/test/command/nurse1 \
  -m '{"cmd":"session_start","bed":"b2","session":"Smith, Jane 1961-04-12 MRN 00012345","request_id":"r36"}'
answered() { grep -q '"request_id":"r36"' "$T/replies.txt"; }
wait_for 5 "the MQTT refusal" answered
grep '"request_id":"r36"' "$T/replies.txt" | grep -q '"ok":false' || fail "the MQTT command with a name was accepted"
# a real session with an opaque id, readings published under it for a while
ctl session start --bed b1 --session S-36q7 --by nurse1 >/dev/null || fail "a valid session was refused"
sleep 2
ctl session end --bed b1 --session S-36q7 --by nurse1 >/dev/null || fail "session end"
stop_daemon
stop_broker

grep -q "Received PUBLISH from .*'vitals/test/bed/b1/" "$T/broker.log" ||
  fail "positive control: the broker's log does not show PUBLISH topics (log_type all?)"
[ -s "$T/vitalsd.log" ] || fail "positive control: the daemon's log is empty"
hits=0
for f in broker vitalsd; do
  for re in "$NAME_RE" "$DOB_RE" "$MRN_RE"; do
    n=$(grep -cE "$re" "$T/$f.log" || true)
    [ "$n" -eq 0 ] || echo "  $f.log matches /$re/: $(grep -E "$re" "$T/$f.log" | head -3)" >&2
    hits=$((hits + n))
  done
done
[ "$hits" -eq 0 ] || fail "$hits log lines with a name, a date of birth or a record number"
sid=$(grep -c "S-36q7" "$T/broker.log" || true)
[ "$sid" -eq 0 ] || fail "the session id is in the broker's log $sid times: $(grep S-36q7 "$T/broker.log" | head -2)"
lines=$(($(wc -l < "$T/broker.log") + $(wc -l < "$T/vitalsd.log")))
echo "phi: 0 names, dates of birth or record numbers in $lines log lines (broker at log_type all, daemon); 2 names refused as session ids; session id 0 times in the broker's log"
pass "T36: no PHI in the broker's or the daemon's log"
