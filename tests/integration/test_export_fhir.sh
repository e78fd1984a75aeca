#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# FHIR R4 NDJSON export: every resource validates offline against R4 and the vital-signs profiles
# (medplum); every reading is in it once (blood pressure as 85354-9 panels); quality flags become
# dataAbsentReason or interpretation; no patient identity; the validator itself rejects a bad one.
. "$(dirname "$0")/lib.sh"
VALIDATE=(node "$SRC/tests/fhir/validate.js")
[ -d "$SRC/tests/fhir/node_modules/@medplum/core" ] || fail "run scripts/deps (medplum missing)"

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[technical]
sensor_off_delay = 1s
[device.m1]
driver = sim
poll = 100ms
timeout = 80ms
seed = 3
nibp_interval = 10s
event = probe_off at=1s for=1s
[bed.b1]
devices = m1
CONF
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session V-9 --by "Nurse A" >/dev/null || fail "session start"
has_flags() { [ "$(sql "select count(*) from readings where session_id='V-9' and flags != 0")" -gt 0 ]; }
has_bp() { [ "$(sql "select count(*) from readings where session_id='V-9' and vital='nibp_dia'")" -gt 0 ]; }
wait_for 15 "flagged readings" has_flags
wait_for 15 "a cuff measurement" has_bp
sleep 0.5
ctl session end --bed b1 --session V-9 --by "Nurse A" >/dev/null || fail "session end"
stop_daemon
# Edge cases no monitor sends on cue: an implausible value, a systolic alone, an EtCO2 (no
# vital-signs profile of its own), a vital this build does not know, and a reading outside any
# session.
sql "insert into readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags) values
  (1795320000000, 0, 'b1', 'm1', 'V-9', 'hr', 400, 8),
  (1795320001000, 1, 'b1', 'm1', 'V-9', 'nibp_sys', 131, 0),
  (1795320002000, 0, 'b1', 'm1', 'V-9', 'etco2', 38, 0),
  (1795320002500, 0, 'b1', 'm1', 'V-9', 'temp', 36.6, 0),
  (1795320003000, 0, 'b1', 'm1', NULL, 'spo2', 97, 0)"

"$VITALSCTL" --db "$T/vitalsd.db" export --format fhir -o "$T/all.ndjson" --force 2>"$T/ctl.err" ||
  fail "export: $(cat "$T/ctl.err")"
out=$("${VALIDATE[@]}" "$T/all.ndjson" 2>"$T/validate.err") || fail "FHIR validation: $(cat "$T/validate.err")"
n=$(wc -l < "$T/all.ndjson")
[ "$out" = "valid $n" ] || fail "validator said: $out"
pass "all $n resources valid against R4 and the vital-signs profiles ($(cat "$T/validate.err"))"
# what medplum cannot check of the bp profile: one systolic and one diastolic component, mm[Hg]
jq -e -s '[.[] | select(.code.coding[0].code == "85354-9")] | all(
  ([.component[] | select(.code.coding[0] == {"system": "http://loinc.org", "code": "8480-6"})] | length) == 1 and
  ([.component[] | select(.code.coding[0] == {"system": "http://loinc.org", "code": "8462-4"})] | length) == 1 and
  all(.component[]; (.valueQuantity.code == "mm[Hg]") or (.dataAbsentReason != null)) and
  .valueQuantity == null)' "$T/all.ndjson" >/dev/null || fail "BP panel components"
pass "BP panels: one systolic and one diastolic component each, mm[Hg] or absent, no panel value"

# every known reading once: single observations plus panel components
known=$(sql "select count(*) from readings where vital in ('hr','pr','spo2','rr','nibp_sys','nibp_dia','nibp_mean','etco2')")
single=$(jq -s '[.[] | select(.component == null)] | length' "$T/all.ndjson")
comps=$(jq -s '[.[] | .component // [] | .[] | select(.dataAbsentReason.text != "not in this export")] | length' "$T/all.ndjson")
[ $((single + comps)) -eq "$known" ] || fail "$single observations + $comps components != $known readings"
panels=$(jq -s '[.[] | select(.code.coding[0].code == "85354-9")] | length' "$T/all.ndjson")
cuffs=$(sql "select count(distinct device || ts_ms) from readings where vital like 'nibp_%'")
[ "$panels" -eq "$cuffs" ] && [ "$panels" -ge 2 ] || fail "$panels BP panels, $cuffs cuff measurements"
jq -e -s '[.[] | select(.code.coding[0].code == "85354-9") | .component[0].code.coding[0].code] |
  all(. == "8480-6")' "$T/all.ndjson" >/dev/null || fail "BP panels must start with systolic"
[ "$(jq -s '[.[] | select(.id == "vsd-'"$(sql "select id from readings where vital='nibp_sys' and ts_ms=1795320001000")"'") | .component[1].dataAbsentReason.coding[0].code] | .[0]' -r "$T/all.ndjson")" = unknown ] ||
  fail "a systolic alone must carry an absent diastolic"
pass "$known readings exported once: $single observations, $panels BP panels ($comps components)"

# values and units round-trip (sum of values per LOINC)
want=$(sql "select printf('%.2f', total(value)) from readings where vital='spo2'")
got=$(jq -s -r '[.[] | select(.code.coding[0].code == "2708-6") | .valueQuantity.value // 0] | add | . * 100 | round / 100' "$T/all.ndjson")
awk -v a="$want" -v b="$got" 'BEGIN { exit !((a - b) < 0.01 && (b - a) < 0.01) }' || fail "spo2 sum $got, db $want"
jq -e -s 'all(.[] | select(.code.coding[0].code == "2708-6") | .valueQuantity // empty;
  .system == "http://unitsofmeasure.org" and .code == "%")' "$T/all.ndjson" >/dev/null || fail "spo2 UCUM"
pass "SpO2 values sum to $got as in the database, UCUM %"

# quality flags, subject and encounter, no identity
absent=$(jq -s '[.[] | select(.dataAbsentReason)] | length' "$T/all.ndjson")
novalue=$(sql "select count(*) from readings where value is null and vital not like 'nibp_%'")
[ "$absent" -eq "$novalue" ] && [ "$absent" -gt 0 ] || fail "$absent dataAbsentReason, $novalue readings without value"
jq -e -s 'any(.[]; .valueQuantity.value == 400 and .interpretation[0].coding[0].code == "implausible")' \
  "$T/all.ndjson" >/dev/null || fail "implausible flag not an interpretation"
jq -e -s 'all(.[] | select(.encounter); .encounter.identifier.value == "V-9" and
  .subject.identifier.system == "urn:vitalsd:session-subject" and .subject.identifier.value == "V-9")' \
  "$T/all.ndjson" >/dev/null || fail "subject/encounter of V-9"
jq -e -s 'any(.[]; .subject.identifier.system == "urn:vitalsd:bed-subject" and (.encounter == null))' \
  "$T/all.ndjson" >/dev/null || fail "reading outside a session"
grep -q '"name"\|"birthDate"\|"reference"' "$T/all.ndjson" && fail "patient identity or a literal reference"
pass "flags as dataAbsentReason ($absent) and interpretation; subject = the visit's patient, not identified"

# the validator rejects what it should (so a pass above means something)
head -n1 "$T/all.ndjson" | jq -c 'del(.subject)' > "$T/bad.ndjson"
head -n1 "$T/all.ndjson" | jq -c '.effectiveDateTime = "yesterday"' >> "$T/bad.ndjson"
head -n1 "$T/all.ndjson" | jq -c '.category[0].coding[0].code = "laboratory"' >> "$T/bad.ndjson"
rc=0; out=$("${VALIDATE[@]}" "$T/bad.ndjson" 2>&1) || rc=$?
[ $rc -eq 1 ] && grep -q "invalid 3 of 3" <<<"$out" || fail "validator accepted bad resources: $out"
pass "the validator rejects a missing subject, a bad time and a non-vital-signs category"

[ "$(jq -r .rows "$T/all.ndjson.manifest.json")" -eq "$n" ] || fail "manifest rows"
[ "$(jq -r .format "$T/all.ndjson.manifest.json")" = fhir ] || fail "manifest format"
pass "manifest of the FHIR export"
