#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Retention (docs/auditors.md, "Retention"): old readings written into the database, then
# `vitalsctl archive` while the daemon polls. Refused runs first (an archive directory that cannot
# be written, a cutoff newer than readings_days, a row count that does not match): each says why
# and deletes nothing. Then a real run: the archive and its manifest verify (sha256, rows), exactly
# the old rows are gone but those of the still-open session, newer rows stay, one audit row
# records the run, `audit verify` passes and names it, and no deleting step stalled the writer
# for long.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
mkdir "$T/archive"
cat >> "$T/vitalsd.conf" <<CONF
[retention]
readings_days = 90
archive_dir = $T/archive
CONF
sed "s|^archive_dir = .*|archive_dir = $T/missing|" "$T/vitalsd.conf" > "$T/bad-dir.conf"

# Sessions through the daemon (audit verify checks them against the chain): S-OLD ended, S-OPEN
# still open at b2. Then, with the daemon stopped, old readings as an old database would hold.
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-OLD --by "Nurse A" >/dev/null
ctl session end --bed b1 --session S-OLD --by "Nurse A" >/dev/null
ctl session start --bed b2 --session S-OPEN --by "Nurse A" >/dev/null
stop_daemon
NOW=$(($(date +%s) * 1000))
OLD=$((NOW - 100 * 86400000))
RECENT=$((NOW - 89 * 86400000))
fill() { # COUNT TS BED SESSION(SQL)
  sql "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
       INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags)
       SELECT $2 + i * 1000, 0, '$3', 'm1', $4, 'hr', 70, 0 FROM n;"
}
fill 2500 "$OLD" b1 "'S-OLD'"
fill 30 "$OLD" b2 "'S-OPEN'"
fill 20 "$OLD" b1 NULL
fill 50 "$RECENT" b1 "'S-OLD'"
old() { sql "SELECT count(*) FROM readings WHERE ts_ms < $((NOW - 90 * 86400000)) $1;"; }
[ "$(old "")" = 2550 ] || fail "the old readings were not written: $(old "")"
start_daemon "$T/vitalsd.conf"
live() { [ "$(sql "SELECT count(*) FROM readings WHERE ts_ms > $NOW")" -gt 10 ]; }
wait_for 5 "live readings" live
runs() { sql "SELECT count(*) FROM audit WHERE action = 'retention' $1;"; }
refused() { [ "$(runs "AND json_extract(detail, '$.result') = 'refused'")" = "$1" ]; }

# 1. The archive directory does not exist: refused before anything is deleted, and said why.
rc=0
"$VITALSCTL" -c "$T/bad-dir.conf" archive > "$T/bad-dir.out" 2>&1 || rc=$?
[ $rc -eq 1 ] || fail "an archive into a missing directory exited $rc, not 1: $(cat "$T/bad-dir.out")"
grep -q "archive refused: .*$T/missing.*No such file or directory; nothing deleted" "$T/bad-dir.out" \
  || fail "the refusal does not say why: $(cat "$T/bad-dir.out")"
[ "$(old "")" = 2550 ] && [ "$(runs "")" = 0 ] || fail "a refused archive deleted or ran something"
pass "an archive directory that cannot be written: refused, nothing deleted, says why"

# 2. A cutoff newer than readings_days: the daemon refuses (and audits the refusal).
raw() { printf '%s\n' "$1" | socat -t 5 - "UNIX-CONNECT:$T/control.sock"; }
H=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
reply=$(raw "{\"cmd\":\"retention\",\"before_ms\":$((NOW - 10 * 86400000)),\"rows\":1,\"file\":\"x.csv\",\"sha256\":\"$H\",\"manifest_sha256\":\"$H\"}")
echo "$reply" | jq -e '.ok == false and (.error | test("too recent: \\[retention\\] readings_days = 90"))' \
  >/dev/null || fail "a too recent cutoff was not refused with its reason: $reply"
[ "$(runs "AND json_extract(detail, '$.result') = 'refused'")" = 1 ] \
  || fail "the refused request is not in the audit trail"
pass "a cutoff newer than readings_days: refused and audited"

# 3. A row count that does not match the readings before the cutoff: the store deletes nothing.
CUT=$((NOW - 90 * 86400000))
reply=$(raw "{\"cmd\":\"retention\",\"before_ms\":$CUT,\"rows\":2549,\"file\":\"x.csv\",\"sha256\":\"$H\",\"manifest_sha256\":\"$H\"}")
echo "$reply" | jq -e '.ok == true' >/dev/null || fail "the run was not queued: $reply"
wait_for 10 "the refused run's audit row" refused 2
why=$(sql "SELECT json_extract(detail, '$.reason') FROM audit WHERE action = 'retention' ORDER BY id DESC LIMIT 1;")
[ "$why" = "2550 readings are older than the cutoff, the archive holds 2549: nothing deleted (archive again)" ] \
  || fail "the mismatch refusal says: $why"
[ "$(old "")" = 2550 ] || fail "a refused run deleted readings: $(old "") old ones left"
pass "a row count that does not match: refused by the store, nothing deleted ($why)"

# 4. The real run, while both beds poll.
ctl archive --by "Auditor Q" > "$T/archive.out" 2>&1 || fail "archive failed: $(cat "$T/archive.out")"
sed 's/^/  /' "$T/archive.out"
A=$(ls "$T"/archive/readings-before-*.csv)
M=$A.manifest.json
[ -f "$A" ] && [ -f "$M" ] || fail "no archive or manifest in $T/archive"
[ "$(sha256sum < "$A" | cut -d' ' -f1)" = "$(jq -r '.files[0].sha256' "$M")" ] \
  || fail "the archive does not match its manifest's sha256"
[ "$(jq -r '.rows' "$M")" = 2550 ] && [ $(($(wc -l < "$A") - 1)) = 2550 ] \
  || fail "the archive holds $(($(wc -l < "$A") - 1)) rows, its manifest says $(jq -r '.rows' "$M")"
[ "$(grep -c ',S-OPEN,' "$A")" = 30 ] || fail "the open session's old rows are not in the archive"
pass "archive and manifest verify: 2550 rows, sha256 $(jq -r '.files[0].sha256' "$M" | cut -c1-12)..."

[ "$(old "")" = 30 ] || fail "$(old "") old readings left, not the 30 of the open session"
[ "$(old "AND session_id = 'S-OPEN'")" = 30 ] || fail "the open session's old readings were deleted"
[ "$(sql "SELECT count(*) FROM readings WHERE ts_ms BETWEEN $RECENT AND $RECENT + 100000")" = 50 ] \
  || fail "newer readings were deleted"
live || fail "live readings gone"
pass "exactly the 2520 old readings of ended or no sessions are gone; the open session's 30 and newer ones stay"

row=$(sql "SELECT detail FROM audit WHERE action = 'retention' AND json_extract(detail, '$.result') = 'done';")
echo "$row" | jq -e --arg f "$(basename "$A")" --arg s "$(sha256sum < "$A" | cut -d' ' -f1)" \
  --arg m "$(sha256sum < "$M" | cut -d' ' -f1)" \
  '.file == $f and .sha256 == $s and .manifest_sha256 == $m and .to_delete == 2520
   and .kept_open_sessions == 30 and .rows_archived == 2550 and .by_note == "Auditor Q"' >/dev/null \
  || fail "the run's audit row is not what was done: $row"
ctl audit verify --manifest "$M" > "$T/verify.out" || fail "audit verify failed: $(cat "$T/verify.out")"
grep -q "recorded at audit row [0-9]* (export or retention)" "$T/verify.out" \
  || fail "audit verify does not name the run's row: $(cat "$T/verify.out")"
pass "one audit row with the cutoff, the archive and its hashes, 2520 deleted; audit verify passes"

step=$(grep -o 'retention run over: 2520 readings deleted, 30 kept (sessions open), longest step [0-9]* ms' \
  "$T/vitalsd.log" | grep -o '[0-9]* ms' | cut -d' ' -f1)
[ -n "$step" ] || fail "the daemon did not log the run"
# A step deletes at most 1,000 rows in one transaction (about 20 ms unloaded under ASan); 500 ms
# leaves room for a loaded 2-core machine and is still two commit intervals.
[ "$step" -lt 500 ] || fail "a retention step held the writer for $step ms"
stop_daemon
ctl audit verify > "$T/verify2.out" || fail "audit verify after stop: $(cat "$T/verify2.out")"
pass "longest writer stall of a retention step: $step ms"
