#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The alarm system end to end, with staff actions through vitalsctl: two SpO2 bands with their
# own priorities; the high-priority alert latches when SpO2 recovers and stays until a named
# nurse acknowledges it; the medium one clears by itself; unacknowledged alerts escalate on
# vitals/<area>/escalation at both steps; refused acknowledgements say why; a session's own
# limits are recorded with the previous value and dropped with the session; a probe-off
# interval is recorded as a monitoring gap; the report names who acknowledged.
. "$(dirname "$0")/lib.sh"

start_broker
LATCHING=high ESCALATE_AFTER=2s ESCALATE_AGAIN=4s write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[technical]
sensor_off_delay = 1s
sensor_off_priority = low

[alarm.spo2]
low = 93
low_priority = medium
band = below 89 high
hysteresis = 1

[device.m1]
driver = sim
poll = 250ms
timeout = 100ms
seed = 21
spo2 = 98
event = desaturation at=2s for=6s value=84
event = probe_off at=12s for=2s

[bed.b1]
devices = m1
CONF

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
subscribe 'vitals/test/escalation' "$T/escalation.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-7 --by "Nurse A" >/dev/null || fail "session start"

raised() { has_events "$T/alerts.txt" ".event==\"raised\" and .code==\"low\" and .priority==\"$1\""; }
wait_for 10 "medium SpO2 alert" raised medium
wait_for 10 "high SpO2 alert" raised high
high_id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="raised" and .priority=="high") | .alert_id' | head -n1)
med_id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="raised" and .priority=="medium") | .alert_id' | head -n1)
pass "two bands raised two alerts: medium $med_id, high $high_id"

wait_for 15 "high alert latched" has_events "$T/alerts.txt" \
  ".event==\"latched\" and .alert_id==\"$high_id\" and .state==\"latched\""
wait_for 10 "medium alert cleared" has_events "$T/alerts.txt" \
  ".event==\"cleared\" and .alert_id==\"$med_id\""
[ "$(count_events "$T/alerts.txt" ".event==\"cleared\" and .alert_id==\"$high_id\"")" -eq 0 ] ||
  fail "the high alert cleared without an acknowledgement"
out=$(ctl alerts) || fail "vitalsctl alerts: $out"
grep -q "^${high_id:0:8}  high    latched" <<<"$out" || fail "latched alert not listed as latched: $out"
pass "high alert latched after recovery and is still listed; medium one cleared by itself"

# Escalation: both steps for the unacknowledged high alert, on the escalation topic.
wait_for 10 "second escalation" has_events "$T/escalation.txt" \
  ".alert_id==\"$high_id\" and .escalation==2"
[ "$(count_events "$T/escalation.txt" ".alert_id==\"$high_id\"")" -eq 2 ] ||
  fail "want exactly 2 escalations of $high_id: $(cat "$T/escalation.txt")"
pass "unacknowledged high alert escalated twice on vitals/test/escalation"

# Refusals say why and change nothing.
out=$(ctl ack 0123456789abcdef0123456789abcdef --by "Nurse B" 2>&1) && fail "unknown id accepted"
grep -q "no active alert" <<<"$out" || fail "unknown id: $out"
out=$(ctl ack 2>&1) && fail "ack without an alert id accepted"
out=$(ctl ack "$high_id" --by "Nurse B") || fail "ack: $out"
wait_for 5 "acknowledged then cleared" has_events "$T/alerts.txt" \
  ".event==\"cleared\" and .alert_id==\"$high_id\""
has_events "$T/alerts.txt" ".event==\"acknowledged\" and .alert_id==\"$high_id\" and .acknowledged_by==\"$ME\"" ||
  fail "no acknowledged event naming the verified account $ME"
out=$(ctl ack "$high_id" --by "Nurse C" 2>&1) && fail "second ack of a cleared alert accepted"
[ "$(sql "select acked_by from alerts where alert_id='$high_id'")" = "$ME" ] ||
  fail "alerts.acked_by not recorded"
[ "$(sql "select count(*) from alert_events where alert_id='$high_id' and event='acknowledged' and actor='$ME'")" -eq 1 ] ||
  fail "alert_events has no acknowledged row with the actor"
[ "$(sql "select count(*) from audit where action='alert_ack' and actor='$ME' and detail like '%$high_id%' and json_extract(detail,'$.by_note')='Nurse B'")" -eq 1 ] ||
  fail "acknowledgement not in the audit trail with the typed name as a note"
pass "acknowledged under the caller's verified account ($ME), the typed 'Nurse B' kept as a note: in alerts, alert_events and the audit chain"

# A session's own limits: recorded with the previous value, shown, dropped with the session.
ctl limits set --session S-7 --vital spo2 --band "below 90 high" --band "below 94 low" \
  --by "Dr Lee" >/dev/null || fail "limits set"
ctl limits show --session S-7 | grep -q "spo2 .*(session): below 90 high; below 94 low;" ||
  fail "limits show: $(ctl limits show --session S-7)"
ctl limits set --session S-7 --vital spo2 --band "above 90 high" --band "below 95 high" \
  --by "Dr Lee" 2>/dev/null && fail "contradicting bands accepted"
detail=$(sql "select detail from audit where action='limits_set' and actor='$ME' and json_extract(detail,'$.by_note')='Dr Lee' and detail like '%done%'")
jq -e '.previous.bands[0].below == 93 and .new.bands[0].below == 90' <<<"$detail" >/dev/null ||
  fail "audit of the limit change lacks previous/new: $detail"
pass "session limits set, shown, contradictions refused; audit holds previous and new"

# Probe off 12-14 s: a monitoring gap with its reason.
gap_closed() {
  [ "$(sql "select count(*) from gaps where session_id='S-7' and vital='spo2' and
            reason='sensor_off' and end_ms - start_ms between 1500 and 2600")" -eq 1 ]
}
wait_for 15 "probe-off gap closed" gap_closed
pass "probe-off interval recorded as a monitoring gap"

ctl session end --bed b1 --session S-7 --by "Nurse A" >/dev/null || fail "session end"
sql "select detail from audit where action='session_end'" | grep -q '"limits_dropped":\["spo2"\]' ||
  fail "session end did not record the dropped limits"
ctl limits show --session S-7 2>/dev/null && fail "limits of a closed session still shown"
pass "the session's limits ended with it (recorded in the audit)"

ctl report --session S-7 -o "$T/s7" 2>"$T/ctl.err" || fail "report: $(cat "$T/ctl.err")"
grep -q "| high | low | spo2 | .* | $ME | " "$T/s7.md" || fail "report: $(grep -A8 '## Alerts' "$T/s7.md")"
pass "the report names who acknowledged and after how long"
out=$(ctl alerts --history --session S-7) || fail "alerts --history"
[ "$(grep -c "^[0-9a-f]\{32\} " <<<"$out")" -eq "$(sql "select count(*) from alerts where session_id='S-7'")" ] ||
  fail "history does not list every alert: $out"
pass "alerts --history lists every alert of the session"
stop_daemon
