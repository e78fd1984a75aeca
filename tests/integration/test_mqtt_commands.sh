#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Commands from the dashboard over MQTT (docs/reliability.md T25): session start, acknowledge and
# per-session limits arrive on vitals/<area>/command/<user>, run through the same handler as
# the control socket, are answered on vitals/<area>/reply/<user> and audited with the MQTT user
# as actor. Hostile input (oversized, invalid UTF-8, invalid JSON, unknown command, unknown
# alert, another area, a forged "by") is refused with a reply and a log line; the daemon keeps
# running and its state is unchanged.
. "$(dirname "$0")/lib.sh"

start_broker
LATCHING=high write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
low = 90
low_priority = high

[device.m1]
driver = sim
poll = 250ms
timeout = 100ms
seed = 31
event = desaturation at=1s for=3s value=84

[bed.b1]
devices = m1
CONF

subscribe 'vitals/test/reply/nurse1' "$T/replies.txt"
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"

# send PAYLOAD [USER]: publish a command; reply N: the Nth reply (1-based) once it is there.
send() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "vitals/test/command/${2:-nurse1}" -m "$1"; }
send_file() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "vitals/test/command/nurse1" -f "$1"; }
has_replies() { [ "$(wc -l < "$T/replies.txt")" -ge "$1" ]; }
reply() {
  wait_for 5 "reply $1" has_replies "$1"
  sed -n "${1}p" "$T/replies.txt" | cut -d' ' -f2-
}
# expect_refused N TEXT: reply N is a refusal containing TEXT.
expect_refused() {
  local r
  r=$(reply "$1")
  jq -e '.ok == false' <<<"$r" >/dev/null || fail "reply $1 not a refusal: $r"
  grep -q "$2" <<<"$r" || fail "reply $1 lacks '$2': $r"
}

send '{"cmd":"session_start","bed":"b1","session":"S-21","request_id":"r1"}'
r=$(reply 1)
jq -e '.ok == true and .request_id == "r1"' <<<"$r" >/dev/null || fail "session start: $r"
[ "$(sql "select started_by from sessions where session_id='S-21'")" = "nurse1" ] ||
  fail "session not started by the MQTT user"
pass "session started over MQTT, answered, recorded with the MQTT user"

wait_for 10 "SpO2 alert latched" has_events "$T/alerts.txt" '.event=="latched"'
id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="latched") | .alert_id' | head -n1)

n=1
hostile() { n=$((n + 1)); "$@"; }
hostile send '{"cmd":"ack","alert":"'"$id"'","by":"Somebody Else"}'
expect_refused $n "MQTT user"
hostile send '{"cmd":"ack","alert":"ffffffffffffffffffffffffffffffff"}'
expect_refused $n "no active alert"
hostile send '{"cmd":"ack","alert":"'"$id"'","area":"other-area"}'
expect_refused $n "another area"
hostile send '{"cmd":"export","what":"audit"}'
expect_refused $n "unknown command"
hostile send '{"cmd":"ack", "alert": '
expect_refused $n "not a JSON object"
printf '{"cmd":"ack","by":"\xc3\x28"}' > "$T/bad-utf8"
hostile send_file "$T/bad-utf8"
expect_refused $n "not valid UTF-8"
head -c 70000 /dev/zero | tr '\0' 'x' > "$T/huge"
hostile send_file "$T/huge"
expect_refused $n "too large"
hostile send '[1,2,3]'
expect_refused $n "not a JSON object"
hostile send '{"cmd":"limits_set","session":"S-21","vital":"spo2","limits":{"bands":[{"below":"x"}]}}'
expect_refused $n "limits:"
kill -0 "$DAEMON_PID" || fail "vitalsd died on hostile input"
[ "$(grep -c "MQTT command from 'nurse1' refused" "$T/vitalsd.log")" -ge 6 ] ||
  fail "refusals not logged: $(grep MQTT "$T/vitalsd.log")"
[ "$(sql "select acked_by from alerts where alert_id='$id'")" = "" ] || fail "a refused ack changed the alert"
pass "$((n - 1)) hostile commands refused with a reason and a log line; vitalsd alive, nothing changed"

# A message on another user's topic is answered there, never on ours; and acts as that user.
hostile send '{"cmd":"ack","alert":"'"$id"'","request_id":42}'
r=$(reply $n)
jq -e '.ok == true and .request_id == 42' <<<"$r" >/dev/null || fail "ack over MQTT: $r"
wait_for 5 "cleared after ack" has_events "$T/alerts.txt" ".event==\"cleared\" and .alert_id==\"$id\""
[ "$(sql "select acked_by from alerts where alert_id='$id'")" = "nurse1" ] || fail "acked_by"
[ "$(sql "select count(*) from audit where action='alert_ack' and actor='nurse1' and detail like '%mqtt user=nurse1%' and detail like '%"done"%'")" -eq 1 ] ||
  fail "MQTT acknowledgement not audited with the MQTT user"
pass "acknowledged over MQTT: alert cleared, audited as nurse1 via mqtt"

hostile send '{"cmd":"limits_set","session":"S-21","vital":"spo2","limits":{"bands":[{"below":88,"priority":"high"}]}}'
r=$(reply $n)
jq -e '.ok == true and .limits.bands[0].below == 88' <<<"$r" >/dev/null || fail "limits over MQTT: $r"
pass "per-session limits set over MQTT"
stop_daemon
