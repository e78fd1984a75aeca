#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Staff records fail closed: when SQLite refuses an audit row or a session row for real (here a
# trigger added to the live database RAISE(ABORT)s on a marker), the command that caused it is
# answered with an error naming what was not recorded, over the control socket and over MQTT,
# never "ok"; the refusal is logged at critical priority; what did reach the database without its
# other half is named by `audit verify`; commands without the marker go on being answered "ok".
. "$(dirname "$0")/lib.sh"

start_broker
LATCHING=high write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
low = 90
low_priority = high
[device.m1]
driver = sim
poll = 200ms
timeout = 100ms
seed = 11
event = desaturation at=1s for=2s value=84
[bed.b1]
devices = m1
[device.m2]
driver = sim
poll = 200ms
timeout = 100ms
[bed.b2]
devices = m2
CONF
subscribe 'vitals/test/reply/nurse1' "$T/replies.txt"
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"

# refused NAME EXPECTED COMMAND...: vitalsctl must exit 1, say EXPECTED, and print no "ok".
refused() {
  local name=$1 want=$2 rc=0 out
  shift 2
  out=$(ctl "$@" 2>&1) || rc=$?
  [ $rc -eq 1 ] || fail "$name: exit $rc, want 1: $out"
  grep -q "^vitalsctl: refused: not recorded: $want" <<<"$out" || fail "$name: $out"
  grep -q "^ok" <<<"$out" && fail "$name: reported ok: $out"
  pass "$name: $(head -n1 <<<"$out")"
}

# --- an audit row refused: the session start is answered with an error, not "ok"
sql "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit WHEN NEW.detail LIKE '%S-NOAUDIT%'
     BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END;"
refused "audit row refused (session start)" \
  "the database refused the audit row of session_start: audit refused by the test" \
  session start --bed b2 --session S-NOAUDIT --by "Nurse A"
grep -q "^<2>store: audit row rejected, not stored" "$T/vitalsd.log" ||
  fail "the refusal is not logged at critical priority"
[ "$(sql "select count(*) from audit where detail like '%S-NOAUDIT%'")" -eq 0 ] ||
  fail "the refused audit row is in the database"
refused "audit row refused (session end)" \
  "the database refused the audit row of session_end" \
  session end --bed b2 --session S-NOAUDIT --by "Nurse A"

# --- a session row refused: the start is an error, and so is the end that finds nothing open
sql "CREATE TRIGGER refuse_session BEFORE INSERT ON sessions WHEN NEW.session_id = 'S-NOROW'
     BEGIN SELECT RAISE(ABORT, 'session refused by the test'); END;"
refused "session row refused (session start)" \
  "the database refused the start of session S-NOROW: session refused by the test" \
  session start --bed b2 --session S-NOROW --by "Nurse A"
[ "$(sql "select count(*) from sessions where session_id='S-NOROW'")" -eq 0 ] ||
  fail "the refused session row is in the database"
refused "no open session in the database (session end)" \
  "the database refused the end of the session at bed b2: the database has no open session" \
  session end --bed b2 --session S-NOROW --by "Nurse A"

# --- over MQTT: an acknowledgement whose audit row is refused is answered ok:false
ctl session start --bed b1 --session S-OK --by "Nurse A" >/dev/null || fail "session start S-OK"
wait_for 10 "a high SpO2 alert" has_events "$T/alerts.txt" '.event=="raised" and .priority=="high"'
id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="raised") | .alert_id' | head -n1)
sql "CREATE TRIGGER refuse_ack BEFORE INSERT ON audit WHEN NEW.action = 'alert_ack'
     BEGIN SELECT RAISE(ABORT, 'acknowledgement audit refused by the test'); END;"
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t vitals/test/command/nurse1 \
  -m "{\"cmd\":\"ack\",\"alert\":\"$id\",\"request_id\":\"a1\"}"
wait_for 5 "the MQTT reply" grep -q '"request_id":"a1"' "$T/replies.txt"
r=$(grep '"request_id":"a1"' "$T/replies.txt" | cut -d' ' -f2-)
jq -e '.ok == false and (.error | test("^not recorded: the database refused the audit row of alert_ack: acknowledgement audit refused by the test"))' \
  <<<"$r" >/dev/null || fail "MQTT ack with its audit row refused: $r"
pass "MQTT acknowledgement with its audit row refused: ok:false, $(jq -r .error <<<"$r" | cut -c1-80)..."

# --- what reached the database without its other half is named by audit verify
sql "DROP TRIGGER refuse_audit; DROP TRIGGER refuse_session; DROP TRIGGER refuse_ack;"
out=$(ctl session end --bed b1 --session S-OK --by "Nurse A") || fail "after the refusals: $out"
grep -q "^ok" <<<"$out" || fail "after the refusals: $out"
pass "commands the database accepts are answered ok again"
stop_daemon
rc=0
out=$("$VITALSCTL" audit verify --db "$T/vitalsd.db") || rc=$?
[ $rc -eq 1 ] || fail "verify exited $rc, want 1: $out"
grep -q "^audit chain ok" <<<"$out" || fail "the chain has a hole: $out"
for want in "session S-NOAUDIT at bed b2 started .*, but no session_start in the audit chain" \
  "session_start of S-NOROW at bed b2 by $ME .*, but the sessions table has no such session" \
  "alert $id acknowledged .* by nurse1, but no alert_ack in the audit chain"; do
  grep -q "$want" <<<"$out" || fail "verify does not name /$want/: $out"
done
pass "audit verify names each record left without its other half"
