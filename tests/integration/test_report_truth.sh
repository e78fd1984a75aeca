#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The session report tells what the database holds: a sensor-off gap from the gaps table with
# its cause and length; every SpO2 band (92 medium and 88 high) and the session override with
# when it applied; the technical alert with dashes, not zeros; every staff action including an
# accepted and a refused acknowledgement; and, in the HTML, charts with a time axis, labelled
# limit lines, the line broken at the gap and the alert periods shaded. A patient's name typed
# as a session id or bed is refused and kept only by its shape: not in the audit log, the
# report or the exports.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[technical]
sensor_off_delay = 2s

[alarm.spo2]
low = 92
low_priority = medium
band = below 88 high

[device.m1]
driver = sim
poll = 250ms
timeout = 100ms
seed = 5
spo2 = 98
event = desaturation at=3s for=6s value=85
event = probe_off at=13s for=12s

[bed.b1]
devices = m1
CONF

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session R-1 --by "Nurse A" >/dev/null || fail "session start"

# A patient's name where the session id or the bed belongs: refused, kept only by its shape.
ctl session start --bed b1 --session "Jane Doe" --by "Nurse A" >/dev/null 2>&1 &&
  fail "a session id with a space was accepted"
ctl session start --bed "Jane Doe 12" --session R-2 --by "Nurse A" >/dev/null 2>&1 &&
  fail "an unknown bed was accepted"
sid=$(sql "select json_extract(detail,'$.session') from audit where action='session_start' and detail like '%refused%' order by id limit 1")
[ "$sid" = "refused: session id of 8 characters with upper and lower case letters and a space" ] ||
  fail "refused session id not recorded by its shape: $sid"
bed=$(sql "select json_extract(detail,'$.bed') from audit where action='session_start' and detail like '%refused%' order by id desc limit 1")
[ "$bed" = "refused: bed name of 11 characters with upper and lower case letters, digits and spaces" ] ||
  fail "refused bed not recorded by its shape: $bed"
pass "refused session id and bed recorded by shape: '$sid', '$bed'"

raised() { has_events "$T/alerts.txt" ".event==\"raised\" and .code==\"low\" and .priority==\"$1\""; }
wait_for 15 "high SpO2 alert" raised high
high_id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="raised" and .priority=="high") | .alert_id' | head -n1)
ctl ack "$high_id" --by "Nurse B" >/dev/null || fail "ack"
ctl ack "$high_id" --by "Nurse C" >/dev/null 2>&1 && fail "second acknowledgement accepted"
pass "one acknowledgement accepted, one refused"

ctl limits set --session R-1 --vital spo2 --band "below 90 medium" --band "below 85 high" \
  --by "Dr Lee" >/dev/null || fail "limits set"

gap_closed() {
  [ "$(sql "select count(*) from gaps where session_id='R-1' and vital='spo2' and
            reason='sensor_off' and end_ms is not null")" -ge 1 ]
}
wait_for 40 "probe-off gap closed" gap_closed
tech() { [ "$(sql "select count(*) from alerts where session_id='R-1' and code='sensor_off'")" -ge 1 ]; }
wait_for 5 "technical alert" tech
sleep 2 # readings after the gap
ctl session end --bed b1 --session R-1 --by "Nurse A" >/dev/null || fail "session end"
gap_len=$(sql "select (end_ms - start_ms + 500) / 1000 from gaps where session_id='R-1' and vital='spo2' and reason='sensor_off'")
pass "the gaps table holds a ${gap_len} s sensor-off gap"

ctl report --session R-1 -o "$T/r1" 2>"$T/ctl.err" || fail "report: $(cat "$T/ctl.err")"
md=$T/r1.md
html=$T/r1.html
section() { awk -v h="## $2" '$0==h{on=1;next} /^## /{on=0} on' "$1"; }

# Gaps: from the gaps table, with cause, vitals and length.
gaps=$(section "$md" "Monitoring gaps")
grep -q "No monitoring gap" <<<"$gaps" && fail "report claims no gap: $gaps"
grep -Eq "^\| [0-9T:.Z-]+ \| [0-9T:.Z-]+ \| ${gap_len} s \| Pulse, SpO2 \| sensor off the patient \|$" <<<"$gaps" ||
  fail "gap row missing: $gaps"
grep -q "${gap_len} s" "$html" && grep -q "sensor off the patient" "$html" || fail "gap not in the HTML"
pass "the report's gaps section shows the ${gap_len} s sensor-off gap of pulse and SpO2"

# Bands: every band, the override and when it applied.
bands=$(section "$md" "Limit bands and session overrides")
grep -Eq "^\| SpO2 \| .* \| configuration \| below 92 medium \| [0-9]" <<<"$bands" || fail "92 band: $bands"
grep -Eq "^\| SpO2 \| .* \| configuration \| below 88 high \| [0-9]" <<<"$bands" || fail "88 band: $bands"
grep -Eq "^\| SpO2 \| .* \| session override by $ME \| below 90 medium \|" <<<"$bands" || fail "override 90: $bands"
grep -Eq "^\| SpO2 \| .* \| session override by $ME \| below 85 high \|" <<<"$bands" || fail "override 85: $bands"
changed=$(sql "select ts_ms from audit where action='limits_set' and detail like '%\"result\":\"done\"%'")
iso=$(date -u -d "@$((changed / 1000))" +%Y-%m-%dT%H:%M:%S)
grep -Eq "^\| SpO2 \| [0-9T:.Z-]+ \| ${iso}\.[0-9]{3}Z \| configuration \| below 88" <<<"$bands" ||
  fail "configuration period does not end at the override ($iso): $bands"
grep -Eq "^\| SpO2 \| ${iso}\.[0-9]{3}Z \| .* \| session override" <<<"$bands" ||
  fail "override period does not start at the change ($iso): $bands"
grep -q "below 92 medium, below 88 high, changed during the visit" "$md" ||
  fail "vital signs row lacks every band: $(section "$md" "Vital signs")"
for b in "below 92 medium" "below 88 high" "below 90 medium" "below 85 high"; do
  grep -q "$b" "$html" || fail "HTML lacks band $b"
done
pass "every SpO2 band (92, 88) and the override (90, 85) with the time it applied"

# Technical alert: dashes for no value and no limit.
grep -Eq "^\| [^|]+ \| [^|]+ \| [^|]+ \| [a-z]+ \| sensor\\\\_off \| [a-z0-9]+ \| - \| - \|" "$md" ||
  fail "technical alert row: $(section "$md" "Alerts")"
pass "the technical alert shows a dash for value and limit"

# Staff actions: start, both acknowledgements, the change, the refused start, the end.
acts=$(section "$md" "Staff actions")
grep -q "2 acknowledgements, 1 of them refused, 1 limit change" <<<"$acts" || fail "action summary: $acts"
grep -Eq "\| alert\\\\_ack \| acknowledgement \| done \| alert: $high_id" <<<"$acts" || fail "accepted ack: $acts"
grep -Eq "\| alert\\\\_ack \| acknowledgement \| refused: alert '$high_id' was already acknowledged" <<<"$acts" ||
  fail "refused ack: $acts"
grep -Eq "\| limits\\\\_set \| limit change \| done \| .*previous: below 92 medium, below 88 high; new: below 90 medium, below 85 high" <<<"$acts" ||
  fail "limit change: $acts"
grep -Eq "\| session\\\\_start \| session start \| done \| bed: b1; session: R-1" <<<"$acts" || fail "start: $acts"
grep -Eq "\| session\\\\_end \| session end \| done \|" <<<"$acts" || fail "end: $acts"
grep -q "refused: session id of 8 characters with upper and lower case letters and a space" <<<"$acts" ||
  fail "refused start by shape: $acts"
grep -q "already acknowledged" "$html" && grep -q "limits_set" "$html" || fail "actions not in HTML"
pass "staff actions: session start and end, acknowledgement accepted and refused, the limit change"

# Charts: a time axis, labelled limit lines, the line broken at the gap, alerts shaded.
grep -q ">time (UTC)</text>" "$html" || fail "no time axis"
[ "$(grep -Ec '<text x="[0-9.]+" y="[0-9]+" font-size="10" text-anchor="middle">[0-9]{2}:[0-9]{2}' "$html")" -ge 3 ] ||
  fail "fewer than 3 time ticks"
grep -q 'class="limit-label"[^>]*>below 92 medium</text>' "$html" || fail "limit line unlabelled"
spo2=$(awk '/<h3>SpO2/{on=1} on{print} on&&/<\/svg>/{exit}' "$html")
[ "$(grep -c '<polyline class="values"' <<<"$spo2")" -ge 2 ] || fail "SpO2 line not broken at the gap"
grep -q '<rect class="gap"' <<<"$spo2" || fail "gap not marked on the SpO2 chart"
grep -q '<rect class="alert"' <<<"$spo2" || fail "alert period not shaded"
if grep -Eiq '<script|<link|<img|src=|href=|url\(|@import|https?://[^"]*"[^>]*>' \
     <(sed 's#xmlns="http://www.w3.org/2000/svg"##g' "$html"); then
  fail "the HTML refers to something outside itself"
fi
pass "charts: time axis, labelled limits, line broken at the gap, alerts shaded, self-contained"

# The name is nowhere: audit, report, exports.
ctl export --what audit --format csv -o "$T/audit.csv" --by "Auditor Q" 2>/dev/null || fail "audit export"
ctl export --what alerts --format jsonl --session R-1 -o "$T/alerts.jsonl" --by "Auditor Q" 2>/dev/null ||
  fail "alerts export"
ctl export --session R-1 -o "$T/readings.csv" --by "Auditor Q" 2>/dev/null || fail "readings export"
[ "$(sql "select count(*) from audit where detail like '%Jane%' or actor like '%Jane%'")" -eq 0 ] ||
  fail "the name is in the audit log"
grep -q "session id of 8 characters" "$T/audit.csv" || fail "audit export lacks the shape"
for f in "$md" "$html" "$T/audit.csv" "$T/alerts.jsonl" "$T/readings.csv" "$T"/*.manifest.json; do
  grep -q "Jane" "$f" && fail "the name is in $f"
done
sqlite3 "$T/vitalsd.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null 2>&1 || true
grep -qa "Jane" "$T/vitalsd.db" && fail "the name is in the database file"
pass "the name typed as a session id is in no audit row, report or export"
stop_daemon
