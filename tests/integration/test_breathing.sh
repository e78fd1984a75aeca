#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Watching breathing end to end: two chairs with capnography play a hypoventilation (rate
# falling and EtCO2 rising, then apnea with no CO2 at the sensor, SpO2 falling late, then
# breathing again): b1 a sim monitor, whose rate of 0 the daemon times itself ([alarm.apnea]
# after), b2 a GE S/5 (vsd-ges5-sim over a pty, its clock 10x fast) whose CO2 module flags the
# apnea itself. At both the alerts come in the clinically expected order: EtCO2 high before
# apnea before SpO2 low. Apnea is raised with its duration in seconds and ends, with the whole
# duration, when breaths resume (b1: acknowledged, then cleared; b2: latched); a respiratory
# rate of 0 is stored as a value; EtCO2 travels in the readings payload in mm[Hg], exports to
# FHIR with LOINC 19891-1, MDC 151708 and UCUM and validates; the session report shows it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"
VALIDATE=(node "$SRC/tests/fhir/validate.js")
[ -d "$SRC/tests/fhir/node_modules/@medplum/core" ] || fail "run scripts/deps (medplum missing)"

start_broker
start_sim s5 "$BUILD/tests/sim/ge_s5/vsd-ges5-sim" --pty "$T/s5.pty" --second-ms 100
LATCHING=high write_config "$T/vitalsd.conf"
# The scenario (docs/configuration.md, sim event hypoventilation), from the monitor's open:
# 1-11 s the rate falls 14 -> 6 and EtCO2 rises 38 -> 62 (above 50 from about 6 s); 11-21 s
# apnea (raised at 16 s); SpO2 falls from 14.75 s and crosses 90 % at about 18.3 s; 21-26 s
# recovery. The margins (2 s and more between the alerts) are poll periods many times over.
cat >> "$T/vitalsd.conf" <<CONF
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

[device.s5]
driver = ge-s5
port = $T/s5.pty
poll = 500ms
timeout = 300ms

[bed.b2]
devices = s5
CONF

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
subscribe 'vitals/test/bed/b1/readings' "$T/readings.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-21 --by "Nurse A" >/dev/null || fail "session start"
wait_for 5 "S/5 records" grep -q '^request type=1 tx_ival=5' "$T/s5.out"
sim_cmd s5 hypoventilation

seq_of() { payloads "$T/alerts.txt" | jq -s -r "[.[] | select(.event==\"raised\" and $1)][0].seq // empty"; }
raised() { [ -n "$(seq_of "$1")" ]; }
wait_for 20 "EtCO2 high" raised '.bed=="b1" and .code=="high" and .vital=="etco2"'
wait_for 20 "apnea" raised '.bed=="b1" and .code=="apnea"'
apnea=$(payloads "$T/alerts.txt" | jq -c -s '[.[] | select(.event=="raised" and .bed=="b1" and .code=="apnea")][0]')
jq -e '.vital=="rr" and .kind=="physiological" and .priority=="high" and .unit=="s" and
  .limit==5 and .value>=5 and .value<7' <<<"$apnea" >/dev/null || fail "apnea raised as: $apnea"
apnea_id=$(jq -r .alert_id <<<"$apnea")
pass "apnea raised after 5 s without a breath: $(jq -c '{value, unit, limit, priority}' <<<"$apnea")"

# a nurse acknowledges it while it lasts; it clears by itself when breaths resume
ctl ack "$apnea_id" --by "Nurse A" >/dev/null || fail "ack apnea"
wait_for 20 "SpO2 low" raised '.bed=="b1" and .code=="low" and .vital=="spo2"'
wait_for 20 "apnea cleared" has_events "$T/alerts.txt" \
  ".event==\"cleared\" and .alert_id==\"$apnea_id\""
lasted=$(payloads "$T/alerts.txt" | jq -s -r "[.[] | select(.event==\"cleared\" and .alert_id==\"$apnea_id\")][0].value")
awk -v v="$lasted" 'BEGIN { exit !(v >= 9 && v <= 11.5) }' ||
  fail "apnea of about 10 s cleared with duration $lasted"
# order_of BED: the seqs of its EtCO2 high, apnea and SpO2 low raises, which must rise.
in_order() {
  local et ap sp
  et=$(seq_of ".bed==\"$1\" and .code==\"high\" and .vital==\"etco2\"")
  ap=$(seq_of ".bed==\"$1\" and .code==\"apnea\"")
  sp=$(seq_of ".bed==\"$1\" and .code==\"low\" and .vital==\"spo2\"")
  [ -n "$et" ] && [ "$et" -lt "$ap" ] && [ "$ap" -lt "$sp" ] ||
    fail "$1 order: etco2 high seq $et, apnea $ap, spo2 low $sp"
  echo "EtCO2 high (seq $et) before apnea ($ap) before SpO2 low ($sp)"
}
pass "b1: $(in_order b1); apnea cleared after $lasted s"

# b2, the S/5: the module's apnea flag raises at once (no limit: the monitor timed it); unseen,
# the high apnea latches when breathing resumes, with its duration (40 monitor s = 4 s)
wait_for 15 "S/5 apnea latched" has_events "$T/alerts.txt" '.bed=="b2" and .code=="apnea" and .event=="latched"'
s5=$(payloads "$T/alerts.txt" | jq -c -s '[.[] | select(.bed=="b2" and .code=="apnea")]')
jq -e '.[0].event=="raised" and .[0].limit==null and .[0].unit=="s" and .[0].device=="s5" and
  (.[] | select(.event=="latched") | .value >= 3 and .value <= 5)' <<<"$s5" >/dev/null ||
  fail "S/5 apnea: $s5"
pass "b2 (GE S/5): $(in_order b2); the monitor's apnea flag raised it at once, latched after \
$(jq '.[] | select(.event=="latched") | .value' <<<"$s5") s"
[ "$(sql "select count(*) from readings where device='s5' and vital='rr' and value=0 and flags=64")" -gt 0 ] ||
  fail "S/5 rr 0 with the apnea flag not stored"
s5_et=$(sql "select max(value) from readings where device='s5' and vital='etco2'")
awk -v v="$s5_et" 'BEGIN { exit !(v >= 55 && v <= 58.5) }' || fail "S/5 EtCO2 peak $s5_et mmHg"
pass "S/5: rr 0 stored with the apnea flag; EtCO2 from % x ambient pressure peaked at $s5_et mmHg"

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
