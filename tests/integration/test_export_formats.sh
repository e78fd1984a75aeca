#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Exports while the daemon writes: readings, alerts and audit in CSV and JSON Lines round-trip the
# database; -o writes a manifest whose hashes match the files and whose chain head is a real row;
# the export is recorded in the audit chain through the daemon; with the daemon down it is refused,
# or written with --force and said not to be audited.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
low = 90
low_priority = high
delay = 1s
hysteresis = 1
[device.m1]
driver = sim
poll = 100ms
timeout = 80ms
seed = 7
event = desaturation at=1s for=3s value=84
[bed.b1]
devices = m1
CONF
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session V-7 --by "Nurse A" >/dev/null || fail "session start"
alert_cleared() { [ "$(sql "select count(*) from alerts where session_id='V-7' and state='cleared'")" -gt 0 ]; }
wait_for 15 "an SpO2 alert raised and cleared" alert_cleared
ctl session end --bed b1 --session V-7 --by "Nurse A" >/dev/null || fail "session end"

# --- readings as JSON Lines: counts and values match the database
ctl export --what readings --format jsonl --session V-7 > "$T/r.jsonl" 2>/dev/null
stored=$(sql "select count(*) from readings where session_id='V-7'")
lines=$(wc -l < "$T/r.jsonl")
[ "$lines" -eq "$stored" ] && [ "$lines" -gt 10 ] || fail "JSONL has $lines rows, database $stored"
jq -e -s 'all(.[]; .session == "V-7" and (.time | test("Z$")) and has("value") and has("unit"))' \
  "$T/r.jsonl" >/dev/null || fail "JSONL objects lack fields: $(head -n1 "$T/r.jsonl")"
want=$(sql "select printf('%.3f', total(value)) from readings where session_id='V-7'")
got=$(jq -s -r '[.[].value // 0] | add | . * 1000 | round / 1000 | tostring' "$T/r.jsonl")
awk -v a="$want" -v b="$got" 'BEGIN { exit !((a - b) < 0.01 && (b - a) < 0.01) }' ||
  fail "JSONL values sum to $got, database $want"
spo2=$(jq -r 'select(.vital=="spo2") | .value' "$T/r.jsonl" | head -n1)
[ "$(jq -r 'select(.vital=="spo2") | .loinc' "$T/r.jsonl" | head -n1)" = "2708-6" ] ||
  fail "spo2 LOINC not 2708-6"
pass "readings JSONL: $lines rows, values match (first spo2 $spo2)"

# --- alerts and audit, both formats
a_db=$(sql "select count(*) from alerts where session_id='V-7'")
ctl export --what alerts --format csv --session V-7 > "$T/a.csv" 2>/dev/null
ctl export --what alerts --format jsonl --session V-7 > "$T/a.jsonl" 2>/dev/null
[ $(($(wc -l < "$T/a.csv") - 1)) -eq "$a_db" ] || fail "alerts CSV rows != $a_db"
[ "$(wc -l < "$T/a.jsonl")" -eq "$a_db" ] || fail "alerts JSONL rows != $a_db"
head -n1 "$T/a.csv" | grep -q "^alert_id,code,priority,session,bed" || fail "alerts CSV header"
jq -e -s 'all(.[]; .vital == "spo2" and .priority == "high" and (.raised | test("Z$")))' \
  "$T/a.jsonl" >/dev/null || fail "alerts JSONL: $(cat "$T/a.jsonl")"
pass "alerts CSV and JSONL: $a_db alerts"

au_db=$(sql "select count(*) from audit")
ctl export --what audit --format jsonl > "$T/au.jsonl" 2>/dev/null
ctl export --what audit --format csv > "$T/au.csv" 2>/dev/null
[ "$(wc -l < "$T/au.jsonl")" -eq "$au_db" ] || fail "audit JSONL rows != $au_db"
[ $(($(wc -l < "$T/au.csv") - 1)) -eq "$au_db" ] || fail "audit CSV rows != $au_db"
[ "$(jq -r 'select(.action=="session_start") | .detail.session' "$T/au.jsonl")" = "V-7" ] ||
  fail "audit JSONL detail is not the stored object"
[ "$(jq -r 'select(.id==2) | .hash' "$T/au.jsonl")" = "$(sql "select hash from audit where id=2")" ] ||
  fail "audit JSONL hash differs from the database"
pass "audit CSV and JSONL: $au_db rows, detail as objects, hashes as stored"

# --- session report: Markdown and self-contained HTML
ctl report --session V-7 -o "$T/v7" 2>"$T/ctl.err" || fail "report: $(cat "$T/ctl.err")"
md="$T/v7.md"; html="$T/v7.html"
grep -q "^# Session report: V-7$" "$md" || fail "report title"
grep -q "^| Readings stored | $stored |$" "$md" || fail "report readings count: $(grep Readings "$md")"
spo2_min=$(sql "select min(value) from readings where session_id='V-7' and vital='spo2' and flags=0")
row=$(grep "^| SpO2 | % |" "$md") || fail "no SpO2 row: $(cat "$md")"
echo "$row" | awk -F' [|] ' -v m="$spo2_min" '{ exit !($5 + 0 == m + 0 && $8 == 90 && $9 !~ /^0 s$/) }' ||
  fail "SpO2 row: $row (min $spo2_min, low limit 90, time below > 0)"
grep -q "^| .* | high | low | spo2 | 84 | 90 | not acknowledged | - |$" "$md" || fail "alert row: $(grep -A3 '## Alerts' "$md")"
grep -qF 'session\_start' "$md" && grep -q "$ME" "$md" || fail "staff actions missing (under the verified account $ME)"
grep -c "<svg" "$html" | grep -q "^[1-9]" || fail "no chart in the HTML report"
grep -Eq "(src|href)=|<script|https?://[^\"]*\"" <(grep -v 'xmlns="http://www.w3.org/2000/svg"' "$html") &&
  fail "the HTML report refers to something outside itself"
rc=0; ctl report --session NOPE >/dev/null 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "report of an unknown session: exit $rc, want 1"
pass "session report: Markdown + HTML ($(grep -c "<svg" "$html") charts), SpO2 min $spo2_min, time below 90 counted"

# --- -o: manifest with hashes and chain head; recorded in the chain through the daemon
ctl export --session V-7 --format csv -o "$T/v7.csv" --by "Auditor Q" 2>"$T/ctl.err" ||
  fail "export -o: $(cat "$T/ctl.err")"
grep -q "recorded in the audit chain" "$T/ctl.err" || fail "not recorded: $(cat "$T/ctl.err")"
m="$T/v7.csv.manifest.json"
[ "$(jq -r '.files[0].sha256' "$m")" = "$(sha256sum < "$T/v7.csv" | cut -d' ' -f1)" ] ||
  fail "manifest sha256 does not match the file"
[ "$(jq -r '.files[0].bytes' "$m")" -eq "$(stat -c %s "$T/v7.csv")" ] || fail "manifest bytes"
[ "$(jq -r '.rows' "$m")" -eq "$stored" ] || fail "manifest rows $(jq .rows "$m") != $stored"
[ "$(jq -r '.filters.session' "$m")" = "V-7" ] && [ "$(jq -r '.filters.bed' "$m")" = null ] ||
  fail "manifest filters: $(jq -c .filters "$m")"
[ "$(jq -r '.exported_by' "$m")" = "Auditor Q" ] || fail "manifest exported_by"
hid=$(jq -r '.audit_chain_head.id' "$m")
[ "$(jq -r '.audit_chain_head.hash' "$m")" = "$(sql "select hash from audit where id=$hid")" ] ||
  fail "manifest chain head is not row $hid of the chain"
row=$(sql "select actor || '|' || json_extract(detail,'$.manifest_sha256') from audit where action='export'")
[ "$row" = "$ME|$(sha256sum < "$m" | cut -d' ' -f1)" ] || fail "audit export row (verified account $ME): $row"
[ "$(sql "select json_extract(detail,'$.by_note') from audit where action='export'")" = "Auditor Q" ] ||
  fail "the export's --by is not kept as a note"
[ "$(sql "select id from audit where action='export'")" -eq $((hid + 1)) ] ||
  fail "the export row does not follow the head named in the manifest"
"$VITALSCTL" audit verify --db "$T/vitalsd.db" >/dev/null || fail "chain broken after export"
# the daemon's "audit" command records exports only, for a named actor, with an object detail
raw() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$T/control.sock"; }
n_audit=$(sql "select count(*) from audit")
raw '{"cmd":"audit","action":"session_start","by":"X","detail":{}}' | grep -q 'only the action' ||
  fail "audit command accepted another action"
raw '{"cmd":"audit","action":"export","by":"","detail":{}}' | grep -q '"ok":false' ||
  fail "audit command accepted an empty actor"
raw '{"cmd":"audit","action":"export","by":"X","detail":"text"}' | grep -q 'must be a JSON object' ||
  fail "audit command accepted a text detail"
[ "$(sql "select count(*) from audit")" -eq "$n_audit" ] || fail "a refused audit command wrote a row"
pass "manifest hashes match, chain head is row $hid, export recorded as row $((hid + 1))"

# --- daemon stopped: refused with nothing written; --force writes and says it is not audited
stop_daemon
rc=0; ctl export --what alerts --format jsonl -o "$T/a2.jsonl" 2>"$T/ctl.err" || rc=$?
[ $rc -eq 69 ] && [ ! -e "$T/a2.jsonl" ] || fail "export, daemon down: exit $rc: $(cat "$T/ctl.err")"
ctl export --what alerts --format jsonl -o "$T/a2.jsonl" --force 2>"$T/ctl.err" ||
  fail "export --force, daemon down: $(cat "$T/ctl.err")"
grep -q "not audited" "$T/ctl.err" && grep -q "NOT recorded in the audit chain" "$T/ctl.err" ||
  fail "silent about no record: $(cat "$T/ctl.err")"
[ "$(jq -r '.files[0].sha256' "$T/a2.jsonl.manifest.json")" = "$(sha256sum < "$T/a2.jsonl" | cut -d' ' -f1)" ] ||
  fail "manifest sha256 (daemon down)"
rc=0; ctl export --what alerts --format fhir 2>/dev/null >/dev/null || rc=$?
[ $rc -eq 2 ] || fail "alerts as FHIR: exit $rc, want 2"
rc=0; ctl export --what nothing 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "unknown export: exit $rc, want 2"
pass "daemon down: export refused (69), with --force done and clearly not audited; bad requests exit 2"
