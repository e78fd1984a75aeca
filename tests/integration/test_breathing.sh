#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Watching breathing end to end: a simulated chair with capnography plays a hypoventilation
# (rate falling and EtCO2 rising, then apnea with no CO2 at the sensor, SpO2 falling late, then
# breathing again). The alerts come in the clinically expected order: EtCO2 high before apnea
# before SpO2 low; apnea is raised with its duration in seconds and clears, with the whole
# duration, when breaths resume; a respiratory rate of 0 is stored as a value; EtCO2 travels in
# the readings payload in mm[Hg], exports to FHIR with LOINC 19891-1, MDC 151708 and UCUM and
# validates; the session report shows the episode.
. "$(dirname "$0")/lib.sh"
VALIDATE=(node "$SRC/tests/fhir/validate.js")
[ -d "$SRC/tests/fhir/node_modules/@medplum/core" ] || fail "run scripts/deps (medplum missing)"

start_broker
LATCHING=high write_config "$T/vitalsd.conf"
# The scenario (docs/configuration.md, sim event hypoventilation), from the monitor's open:
# 1-11 s the rate falls 14 -> 6 and EtCO2 rises 38 -> 62 (above 50 from about 6 s); 11-21 s
# apnea (raised at 16 s); SpO2 falls from 14.75 s and crosses 90 % at about 18.3 s; 21-26 s
# recovery. The margins (2 s and more between the alerts) are poll periods many times over.
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.etco2]
high = 50
high_priority = medium
delay = 1s

[alarm.spo2]
low = 90
low_priority = high
delay = 1s

[alarm.apnea]
after = 5s
priority = high

[device.m1]
driver = sim
poll = 200ms
timeout = 100ms
seed = 5
vitals = hr,pr,spo2,rr,etco2
event = hypoventilation at=1s for=25s value=62

[bed.b1]
devices = m1
CONF

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
subscribe 'vitals/test/bed/b1/readings' "$T/readings.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-21 --by "Nurse A" >/dev/null || fail "session start"

seq_of() { payloads "$T/alerts.txt" | jq -s -r "[.[] | select(.event==\"raised\" and $1)][0].seq // empty"; }
raised() { [ -n "$(seq_of "$1")" ]; }
wait_for 20 "EtCO2 high" raised '.code=="high" and .vital=="etco2"'
wait_for 20 "apnea" raised '.code=="apnea"'
apnea=$(payloads "$T/alerts.txt" | jq -c -s '[.[] | select(.event=="raised" and .code=="apnea")][0]')
jq -e '.vital=="rr" and .kind=="physiological" and .priority=="high" and .unit=="s" and
  .limit==5 and .value>=5 and .value<7' <<<"$apnea" >/dev/null || fail "apnea raised as: $apnea"
apnea_id=$(jq -r .alert_id <<<"$apnea")
pass "apnea raised after 5 s without a breath: $(jq -c '{value, unit, limit, priority}' <<<"$apnea")"

# a nurse acknowledges it while it lasts; it clears by itself when breaths resume
ctl ack "$apnea_id" --by "Nurse A" >/dev/null || fail "ack apnea"
wait_for 20 "SpO2 low" raised '.code=="low" and .vital=="spo2"'
wait_for 20 "apnea cleared" has_events "$T/alerts.txt" \
  ".event==\"cleared\" and .alert_id==\"$apnea_id\""
lasted=$(payloads "$T/alerts.txt" | jq -s -r "[.[] | select(.event==\"cleared\" and .alert_id==\"$apnea_id\")][0].value")
awk -v v="$lasted" 'BEGIN { exit !(v >= 9 && v <= 11.5) }' ||
  fail "apnea of about 10 s cleared with duration $lasted"
et=$(seq_of '.code=="high" and .vital=="etco2"')
ap=$(seq_of '.code=="apnea"')
sp=$(seq_of '.code=="low" and .vital=="spo2"')
[ "$et" -lt "$ap" ] && [ "$ap" -lt "$sp" ] || fail "order: etco2 high seq $et, apnea $ap, spo2 low $sp"
pass "EtCO2 high (seq $et) before apnea ($ap) before SpO2 low ($sp); apnea cleared after $lasted s"

# rr 0 is a value, not a missing one: stored unflagged, sent as 0 (not null)
[ "$(sql "select count(*) from readings where vital='rr' and value=0 and flags=0")" -gt 10 ] ||
  fail "no unflagged rr 0 stored"
[ "$(sql "select count(*) from readings where vital='rr' and value is null")" -eq 0 ] ||
  fail "rr without a value"
has_events "$T/readings.txt" 'any(.readings[]; .vital=="rr" and .value==0)' ||
  fail "readings payload without rr 0"
has_events "$T/readings.txt" 'any(.readings[]; .vital=="etco2" and .unit=="mm[Hg]" and .value>50)' ||
  fail "readings payload without etco2 in mm[Hg] above 50"
pass "rr 0 stored and sent as a value; EtCO2 in the readings payload in mm[Hg]"

ctl session end --bed b1 --session S-21 --by "Nurse A" >/dev/null || fail "session end"
stop_daemon

# FHIR: EtCO2 Observations with LOINC, MDC and UCUM, claiming no vital-signs profile, valid
"$VITALSCTL" --db "$T/vitalsd.db" export --session S-21 --vital etco2 --format fhir \
  -o "$T/etco2.ndjson" --force 2>"$T/ctl.err" || fail "export: $(cat "$T/ctl.err")"
n=$(wc -l < "$T/etco2.ndjson")
[ "$n" -eq "$(sql "select count(*) from readings where session_id='S-21' and vital='etco2'")" ] &&
  [ "$n" -gt 0 ] || fail "$n EtCO2 observations"
jq -e -s 'all(.[]; .code.coding[0] == {"system": "http://loinc.org", "code": "19891-1"} and
  .code.coding[1] == {"system": "urn:iso:std:iso:11073:10101", "code": "151708"} and
  .meta == null and .category[0].coding[0].code == "vital-signs" and
  (.valueQuantity.code == "mm[Hg]" and .valueQuantity.system == "http://unitsofmeasure.org"))' \
  "$T/etco2.ndjson" >/dev/null || fail "EtCO2 coding: $(head -n1 "$T/etco2.ndjson")"
out=$("${VALIDATE[@]}" "$T/etco2.ndjson" 2>"$T/validate.err") || fail "FHIR validation: $(cat "$T/validate.err")"
[ "$out" = "valid $n" ] || fail "validator said: $out"
pass "$n EtCO2 observations valid (LOINC 19891-1, MDC 151708, mm[Hg], no profile claimed)"

# the session report shows the episode: an EtCO2 chart and the apnea in the alerts table
ctl report --session S-21 -o "$T/s21" 2>"$T/ctl.err" || fail "report: $(cat "$T/ctl.err")"
grep -q "EtCO2" "$T/s21.html" || fail "report: no EtCO2"
grep -q "<td>apnea</td><td>rr</td>" "$T/s21.html" || fail "report: no apnea row"
pass "the session report charts EtCO2 and lists the apnea"
