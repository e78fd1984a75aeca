#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The records the report reads are held to the audit chain: who started and ended a session
# (sessions.started_by, ended_by) and who acknowledged an alert (alerts.acked_by) live in tables
# outside the chain; `audit verify` cross-checks each against its chained session_start,
# session_end or alert_ack row and names any row edited, added or deleted; the report shows the
# chain's name and flags the table's.
. "$(dirname "$0")/lib.sh"

start_broker
LATCHING=high write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
low = 90
low_priority = high
hysteresis = 1
[device.m1]
driver = sim
poll = 200ms
timeout = 100ms
seed = 5
event = desaturation at=1s for=2s value=84
[bed.b1]
devices = m1
CONF
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session R-1 --by "Nurse A" >/dev/null || fail "session start"
wait_for 10 "a high SpO2 alert" has_events "$T/alerts.txt" '.event=="raised" and .priority=="high"'
id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="raised") | .alert_id' | head -n1)
ctl ack "$id" --by "Nurse B" >/dev/null || fail "ack $id"
ctl session end --bed b1 --session R-1 --by "Nurse A" >/dev/null || fail "session end"
ctl session start --bed b1 --session R-2 --by "Nurse A" >/dev/null || fail "session start R-2"
stop_daemon
[ "$(sql "select acked_by from alerts where alert_id='$id'")" = "$ME" ] || fail "ack not stored"

out=$("$VITALSCTL" audit verify --db "$T/vitalsd.db") || fail "intact: verify exited $?: $out"
grep -q "^records ok: every session (2) and acknowledgement (1) matches the audit chain$" <<<"$out" ||
  fail "intact: $out"
pass "intact: every session and acknowledgement matches its chained audit row"

# tamper NAME SQL PATTERN: SQL on a copy; the chain still verifies, the records check must not.
tamper() {
  local rc=0
  cp "$T/vitalsd.db" "$T/$1.db"
  sqlite3 "$T/$1.db" "$2" || fail "$1: tampering SQL failed"
  out=$("$VITALSCTL" audit verify --db "$T/$1.db") || rc=$?
  [ $rc -eq 1 ] || fail "$1: verify exited $rc, want 1: $out"
  grep -q "^audit chain ok" <<<"$out" || fail "$1: the chain itself was not touched: $out"
  grep -q "^records MISMATCH" <<<"$out" && grep -q "$3" <<<"$out" ||
    fail "$1: want /$3/ in: $out"
  pass "$1 detected: $(grep "$3" <<<"$out" | sed 's/^ *//' | head -n1)"
}
tamper started_by "update sessions set started_by='Mallory' where session_id='R-1'" \
  "session R-1 started_by is 'Mallory', but audit row [0-9]* (session_start) says '$ME'"
tamper ended_by "update sessions set ended_by='Mallory' where session_id='R-1'" \
  "session R-1 ended_by is 'Mallory', but audit row [0-9]* (session_end) says '$ME'"
tamper acked_by "update alerts set acked_by='Mallory' where alert_id='$id'" \
  "alert $id: acked_by is 'Mallory', but audit row [0-9]* (alert_ack) says '$ME'"
tamper ack_removed "update alerts set acked_ms=null, acked_by=null where alert_id='$id'" \
  "alert_ack of $id by $ME at .*, but the alerts table does not show that acknowledgement"
tamper session_deleted "delete from sessions where session_id='R-2'" \
  "session_start of R-2 at bed b1 by $ME at .*, but the sessions table has no such session"
tamper session_added "insert into sessions (session_id, bed, started_ms, started_by, ended_ms,
  ended_by) select 'R-9', 'b1', started_ms + 1, 'Mallory', started_ms + 2, 'Mallory' from sessions
  where session_id='R-1'" \
  "session R-9 at bed b1 started .* by Mallory, but no session_start in the audit chain matches"

# The report follows the chain and flags the table.
"$VITALSCTL" --db "$T/started_by.db" report --session R-1 > "$T/r.md" || fail "report"
grep -q "^| Started | .* by $ME |$" "$T/r.md" || fail "report: $(grep Started "$T/r.md")"
grep -q "^| Audit trail | start: the name above is the audit trail's; the sessions table says Mallory; end: matches the audit trail |$" "$T/r.md" ||
  fail "report: $(grep -A1 Ended "$T/r.md")"
"$VITALSCTL" --db "$T/acked_by.db" report --session R-1 > "$T/a.md" || fail "report"
grep -q "| $ME — per the audit trail; the alerts table says Mallory | " "$T/a.md" ||
  fail "report: $(grep -A3 '## Alerts' "$T/a.md")"
pass "the report shows the chained names and flags the edited tables"
