#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A nurse's terminal (issue 16, item 3): `watch` prints the alerts already active, then events,
# each with a short id that `ack` takes as a prefix; a latched or escalated alert says that the
# condition ended and still needs acknowledgement, with values as the monitor shows them;
# `alerts` and `status` speak words with the current value and escalation step; a second
# acknowledgement says who and when; `limits show` says "no alarm limits"; `watch` without a
# broker says what still works; `beds` shows the latest readings with their age; a missing
# argument is one sentence.
. "$(dirname "$0")/lib.sh"

start_broker
LATCHING=high ESCALATE_AFTER=8s write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
band = below 89 high
hysteresis = 1

[device.m1]
driver = sim
poll = 250ms
timeout = 100ms
seed = 21
spo2 = 98
event = desaturation at=2s for=6s value=84

[bed.b1]
devices = m1
CONF

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-7 >/dev/null || fail "session start without --by"
ctl watch --seconds 30 > "$T/watch1.txt" 2>&1 &
WATCH_PID=$!
PIDS+=("$WATCH_PID")

wait_for 15 "high alert latched" has_events "$T/alerts.txt" '.event=="latched"'
id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="latched") | .alert_id' | head -n1)
short=${id:0:8}

# alerts and status: in words, the current value, the escalation step, no decimals.
out=$(ctl alerts) || fail "alerts: $out"
grep -Eq "^$short  high    latched  b1 +S-7 +SpO2 below 89 \(high\): ended [0-9:]{8}, needs acknowledgement; now [0-9]+ % \([0-9]+ s ago\); (not escalated|escalation step 1); raised [0-9:]{8} at [0-9]+ %$" <<<"$out" ||
  fail "alerts not in words: $out"
grep -Eq '[0-9]\.[0-9]' <<<"$out" && fail "alerts shows decimals: $out"
out=$(ctl status) || fail "status: $out"
grep -Eq "^b1 +S-7 +$short SpO2 below 89 \(high\): ended [0-9:]{8}, needs acknowledgement; now [0-9]+ %" <<<"$out" ||
  fail "status not in words: $out"
pass "alerts and status: '$(grep "^$short" <<<"$(ctl alerts)" | cut -c42-)'"

# A second watch begins with what is active now.
out=$(ctl watch --seconds 2 2>&1) || fail "watch: $out"
head -n1 <<<"$out" | grep -qx "Active alerts now (1):" || fail "watch does not start with the active alerts: $out"
sed -n 2p <<<"$out" | grep -Eq "^  $short  HIGH    bed b1 +session S-7 +SpO2 below 89 \(high\): ended [0-9:]{8}, needs acknowledgement" ||
  fail "active alert line: $out"
pass "watch starts with the active alerts"

# The first watch saw the events, each with the short id, the latched one saying what is true now.
wait_for 15 "escalation of the latched alert in watch" grep -q "ESCALATED  HIGH    $short" "$T/watch1.txt"
grep -Eq "RAISED     HIGH    $short  bed b1 +session S-7 +SpO2 below 89: [0-9]+ %$" "$T/watch1.txt" ||
  fail "raised line: $(cat "$T/watch1.txt")"
grep -Eq "latched    HIGH    $short  bed b1 +session S-7 +SpO2 below 89: condition ended [0-9:]{8}, still needs acknowledgement$" "$T/watch1.txt" ||
  fail "latched line: $(cat "$T/watch1.txt")"
grep -Eq "ESCALATED  HIGH    $short  .*SpO2 below 89: condition ended [0-9:]{8}, still needs acknowledgement \(escalation step 1\)$" "$T/watch1.txt" ||
  fail "escalated line: $(cat "$T/watch1.txt")"
grep -Eq '[0-9]\.[0-9]' "$T/watch1.txt" && fail "watch shows decimals: $(cat "$T/watch1.txt")"
pass "watch lines carry the short id; latched and escalated say the condition ended"

# ack: one sentence when the id is missing; a prefix works; --by optional; a second says who.
out=$(ctl ack 2>&1) && fail "ack without an id accepted"
[ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "^vitalsctl: ack needs the alert's id" <<<"$out" ||
  fail "ack without an id: $out"
out=$(ctl ack "$short" --by 2>&1) && fail "--by without a name accepted"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "--by without a name: $out"
out=$(ctl ack 0000 2>&1) && fail "unknown prefix accepted"
grep -q "no active alert '0000'" <<<"$out" || fail "unknown prefix: $out"
out=$(ctl ack "$short") || fail "ack by prefix without --by: $out"
[ "$out" = "ok: alert $short acknowledged by $ME" ] || fail "ack said: $out"
wait_for 5 "acknowledged then cleared" has_events "$T/alerts.txt" \
  ".event==\"cleared\" and .alert_id==\"$id\""
out=$(ctl ack "$short" 2>&1) && fail "second ack accepted"
grep -Eq "^vitalsctl: alert $short was already acknowledged by $ME at [0-9:]{8}, and it is over since [0-9:]{8}; nothing left to do$" <<<"$out" ||
  fail "second ack of a cleared alert: $out"
pass "ack by prefix, --by optional; a second ack of the cleared alert: '$out'"

# A limit the patient is under now, so an alert holds while it is acknowledged twice.
ctl limits set --session S-7 --vital spo2 --band "below 99 high" >/dev/null || fail "limits set"
wait_for 15 "second SpO2 alert" has_events "$T/alerts.txt" \
  ".event==\"raised\" and .alert_id!=\"$id\""
id2=$(payloads "$T/alerts.txt" | jq -r "select(.event==\"raised\" and .alert_id!=\"$id\") | .alert_id" | head -n1)
ctl ack "${id2:0:6}" --by "Nurse B" | grep -qx "ok: alert ${id2:0:8} acknowledged by $ME (noted as \"Nurse B\")" ||
  fail "ack of the second alert"
out=$(ctl ack "$id2" 2>&1) && fail "second ack of an active alert accepted"
grep -Eq "alert '$id2' was already acknowledged by $ME at [0-9-]{10} [0-9:]{8} UTC" <<<"$out" ||
  fail "second ack of an active alert: $out"
out=$(ctl alerts)
grep -Eq "^${id2:0:8}  high    acked    b1 .*SpO2 below 99 \(high\): still below, acknowledged by $ME at [0-9:]{8}; now [0-9]+ %" <<<"$out" ||
  fail "acknowledged alert in words: $out"
pass "a second ack of an active alert says who and when: '$out'"

# limits show: a vital without limits says so.
out=$(ctl limits show --session S-7) || fail "limits show: $out"
grep -Eq "^  hr +\(configuration\): no alarm limits$" <<<"$out" || fail "limits show: $out"
grep -q "delay 0s, hysteresis 0$" <<<"$out" && fail "limits show prints empty limits: $out"
out=$(ctl limits 2>&1) && fail "limits without a subcommand accepted"
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "limits without a subcommand: $out"
pass "limits show says 'no alarm limits'; a missing subcommand is one sentence"

# beds: the latest readings with their age.
out=$(ctl beds) || fail "beds: $out"
grep -Eq "^b1 +S-7 +.*SpO2 [0-9]+ % \([0-9]+ s ago\)" <<<"$out" || fail "beds: $out"
grep -Eq '[0-9]\.[0-9]' <<<"$out" && fail "beds shows decimals: $out"
pass "beds: $(grep '^b1' <<<"$out")"

# Without a broker, watch says what still works.
stop_broker
rc=0; out=$(ctl watch --seconds 2 2>&1) || rc=$?
[ "$rc" -eq 69 ] || fail "watch without a broker: exit $rc: $out"
grep -Eq "^Active alerts now \([0-9]+\):" <<<"$out" || fail "watch without a broker shows no active alerts: $out"
grep -q "still working without it: \`vitalsctl alerts\`" <<<"$out" || fail "watch without a broker: $out"
pass "watch without a broker lists the active alerts and says what still works"
