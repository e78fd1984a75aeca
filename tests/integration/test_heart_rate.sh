#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One heart rate per bed ([alerts] heart_rate = one, the default): [alarm.hr] watches the ECG's
# heart rate while it gives a usable value, else the oximeter's pulse rate, and an alert raised
# from the pulse rate names it as its source. Four chairs, one tachycardia each:
#   ecg   an ECG alone                        -> one hr alert, no source
#   oxi   an oximeter alone                   -> one hr alert, source pr (no alarm at all before)
#   both  one monitor with ECG and oximeter   -> one hr alert, not "HR high" and "Pulse high"
#   lead  ECG lead off, the oximeter counting -> one hr alert from the pulse rate, and the lead-off
#                                                technical alert for the ECG
# Then the control: with heart_rate = separate and [alarm.pr], "both" raises two alerts.
. "$(dirname "$0")/lib.sh"

beds() { # beds FILE: the four chairs
  cat >> "$1" <<'CONF'
[alarm.hr]
high = 110
[device.ecg1]
driver = sim
poll = 250ms
timeout = 100ms
vitals = hr
event = tachycardia at=2s for=8s value=140
[bed.ecg]
devices = ecg1
[device.oxi1]
driver = sim
poll = 250ms
timeout = 100ms
vitals = pr,spo2
event = tachycardia at=2s for=8s value=140
[bed.oxi]
devices = oxi1
[device.both1]
driver = sim
poll = 250ms
timeout = 100ms
vitals = hr,pr,spo2
event = tachycardia at=2s for=8s value=140
[bed.both]
devices = both1
[device.lead_ecg]
driver = sim
poll = 250ms
timeout = 100ms
vitals = hr
event = lead_off at=1s for=30s
[device.lead_oxi]
driver = sim
poll = 250ms
timeout = 100ms
vitals = pr,spo2
event = tachycardia at=2s for=8s value=140
[bed.lead]
devices = lead_ecg, lead_oxi
CONF
}

start_broker
write_config "$T/vitalsd.conf"
printf '[technical]\nsensor_off_delay = 1s\n' >> "$T/vitalsd.conf"
beds "$T/vitalsd.conf"
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"

raised() { payloads "$T/alerts.txt" | jq -c "select(.event==\"raised\" and .bed==\"$1\" and .code==\"$2\")"; }
all_raised() { for b in ecg oxi both lead; do [ -n "$(raised "$b" high)" ] || return 1; done; }
wait_for 15 "an hr alert at every chair" all_raised
sleep 1
for b in ecg oxi both lead; do
  [ "$(raised "$b" high | wc -l)" -eq 1 ] || fail "$b: want exactly one alert: $(raised "$b" high)"
  jq -e '.vital == "hr"' <<<"$(raised "$b" high)" >/dev/null || fail "$b: not an hr alert: $(raised "$b" high)"
done
for b in ecg both; do
  jq -e 'has("source") | not' <<<"$(raised "$b" high)" >/dev/null || fail "$b: a source on an ECG alert"
done
for b in oxi lead; do
  jq -e '.source == "pr"' <<<"$(raised "$b" high)" >/dev/null || fail "$b: source: $(raised "$b" high)"
done
pass "one hr alert per chair: from the ECG at ecg and both, from the pulse rate (source pr) at oxi and lead"
wait_for 5 "the lead-off technical alert" has_events "$T/alerts.txt" \
  '.bed=="lead" and .code=="sensor_off" and .vital=="hr" and .event=="raised"'
grep -q "measured as Pulse" "$T/vitalsd.log" || fail "the log does not name the pulse rate as the source"
pass "the ECG's lead off is a technical alert of its own; the log names the pulse rate as the source"
stop_daemon

# Control: separate heart rates, each with its own limits: the combined monitor raises two.
rm -f "$T/vitalsd.db"* && : >"$T/alerts.txt"
write_config "$T/vitalsd.conf"
sed -i 's/^escalate_again = .*/&\nheart_rate = separate/' "$T/vitalsd.conf"
printf '[alarm.pr]\nhigh = 110\n' >> "$T/vitalsd.conf"
beds "$T/vitalsd.conf"
start_daemon "$T/vitalsd.conf"
two() { [ "$(raised both high | wc -l)" -eq 2 ]; }
wait_for 15 "two alerts at both (hr and pr)" two
[ -z "$(raised oxi high | jq -c 'select(.vital=="hr")')" ] || fail "separate: an hr alert from the oximeter"
pass "control: with heart_rate = separate the combined monitor raises hr and pr alerts, the oximeter no hr"
stop_daemon
