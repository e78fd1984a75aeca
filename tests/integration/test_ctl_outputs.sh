#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What vitalsctl writes and shows: -o files are new (an existing file or a symbolic link is
# refused and left as it was), mode 0640; a file export that cannot be recorded in the audit chain
# is refused with nothing written, or withdrawn, unless --force; the Markdown report escapes hostile
# names from a tampered database and shows a dash for a missing number; and a terminal never
# receives a control byte or escape sequence as stored (a pipe gets the exact bytes).
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session V-1 --by "Nurse A" >/dev/null || fail "session start"
has_readings() { [ "$(sql "select count(*) from readings where session_id='V-1'")" -gt 5 ]; }
wait_for 15 "readings of V-1" has_readings
ctl session end --bed b1 --session V-1 --by "Nurse A" >/dev/null || fail "session end"
exports() { sql "select count(*) from audit where action='export'"; }
n_exports=$(exports)

# --- an existing file is refused and untouched; so is a symbolic link and its target
echo "the earlier export" > "$T/e.csv"
rc=0; ctl export --session V-1 -o "$T/e.csv" --by "Auditor Q" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] || fail "export over an existing file: exit $rc, want 1"
grep -qF "$T/e.csv exists: choose another name or remove it" "$T/err" || fail "message: $(cat "$T/err")"
[ "$(cat "$T/e.csv")" = "the earlier export" ] || fail "the existing file was changed"
[ ! -e "$T/e.csv.manifest.json" ] || fail "a manifest was written for a refused export"
echo "someone else's file" > "$T/target"
ln -s "$T/target" "$T/l.csv"
rc=0; ctl export --session V-1 -o "$T/l.csv" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -qF "$T/l.csv exists (a symbolic link): choose another name or remove it" "$T/err" ||
  fail "export over a link: exit $rc, $(cat "$T/err")"
[ "$(cat "$T/target")" = "someone else's file" ] && [ -L "$T/l.csv" ] || fail "the link's target changed"
echo "{}" > "$T/m.csv.manifest.json"
rc=0; ctl export --session V-1 -o "$T/m.csv" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && [ ! -e "$T/m.csv" ] || fail "existing manifest: exit $rc, export file written anyway"
echo "keep" > "$T/r.html"
rc=0; ctl report --session V-1 -o "$T/r" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -qF "$T/r.html exists: choose another name" "$T/err" || fail "report: $(cat "$T/err")"
[ ! -e "$T/r.md" ] && [ "$(cat "$T/r.html")" = keep ] || fail "report wrote beside an existing file"
[ "$(exports)" -eq "$n_exports" ] || fail "a refused export was recorded in the audit chain"
pass "existing files and links refused with the path named, nothing written or recorded"

# --- mode 0640 whatever the umask allows
(umask 000 && ctl export --session V-1 -o "$T/v1.csv" --by "Auditor Q" 2>"$T/err") ||
  fail "export: $(cat "$T/err")"
(umask 000 && ctl report --session V-1 -o "$T/v1" 2>"$T/err") || fail "report: $(cat "$T/err")"
for f in v1.csv v1.csv.manifest.json v1.md v1.html; do
  [ "$(stat -c %a "$T/$f")" = 640 ] || fail "$f has mode $(stat -c %a "$T/$f"), want 640"
done
[ "$(exports)" -eq $((n_exports + 1)) ] || fail "the export was not recorded"
pass "export, manifest and report files are mode 0640 under umask 000"

# --- the daemon answers the ping but refuses the record: the finished files are withdrawn
cat > "$T/fake.sh" <<'SH'
read -r l
case "$l" in *'"ping"'*) echo '{"ok":true}' ;; *) echo '{"ok":false,"error":"storage failing"}' ;; esac
SH
socat UNIX-LISTEN:"$T/fake.sock",fork EXEC:"sh $T/fake.sh" 2>>"$T/socat.log" &
PIDS+=("$!")
wait_for 5 "fake daemon socket" test -S "$T/fake.sock"
rc=0; "$VITALSCTL" --db "$T/vitalsd.db" --socket "$T/fake.sock" export --session V-1 -o "$T/w.csv" \
  2>"$T/err" || rc=$?
[ $rc -eq 1 ] && grep -q "withdrawn.*storage failing" "$T/err" || fail "refused record: exit $rc, $(cat "$T/err")"
[ ! -e "$T/w.csv" ] && [ ! -e "$T/w.csv.manifest.json" ] || fail "a withdrawn export left files"
pass "record refused after writing: files removed, exit 1"

# --- daemon down: refused before anything is written, unless --force
stop_daemon
rc=0; ctl export --session V-1 -o "$T/d.csv" --by "Auditor Q" 2>"$T/err" || rc=$?
[ $rc -eq 69 ] || fail "export with the daemon down: exit $rc, want 69: $(cat "$T/err")"
grep -q "cannot be recorded in the audit chain" "$T/err" && grep -q "nothing written" "$T/err" ||
  fail "message: $(cat "$T/err")"
[ ! -e "$T/d.csv" ] && [ ! -e "$T/d.csv.manifest.json" ] || fail "files written with the daemon down"
rc=0; "$VITALSCTL" --db "$T/vitalsd.db" export --session V-1 -o "$T/d.csv" 2>"$T/err" || rc=$?
[ $rc -eq 69 ] && [ ! -e "$T/d.csv" ] || fail "no socket known: exit $rc, $(cat "$T/err")"
ctl export --session V-1 -o "$T/d.csv" --by "Auditor Q" --force 2>"$T/err" || fail "--force: $(cat "$T/err")"
grep -q "not audited" "$T/err" || fail "--force is silent about the missing record: $(cat "$T/err")"
[ "$(jq -r '.files[0].sha256' "$T/d.csv.manifest.json")" = "$(sha256sum < "$T/d.csv" | cut -d' ' -f1)" ] ||
  fail "manifest of the forced export"
pass "daemon down: exit 69 and nothing written; --force writes and says not audited"

# --- a tampered database: hostile names, escape sequences, a technical alert without numbers
esc="char(27) || '[2J' || char(155) || '31m'"
sql "insert into sessions (session_id, bed, started_ms, started_by, ended_ms, ended_by)
     values ('H-1', '[evil](http://e.example)', 1795320000000, '<img src=x onerror=alert(1)>',
             1795320060000, '![i](http://e.example/p.png) *x* _y_ \`z\` #1 | \\');
     insert into readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags)
     values (1795320001000, 0, 'b1', 'm1', 'H-1', 'spo2', 97, 0);
     insert into alerts (alert_id, code, priority, bed, device, session_id, vital, value,
                         limit_value, raised_ms, cleared_ms, state)
     values ('t1', 'sensor_off', 'medium', 'b1' || $esc, 'm1', 'H-1', 'spo2', NULL, NULL,
             1795320002000, 1795320003000, 'cleared')"
ctl report --session H-1 -o "$T/h" 2>"$T/err" || fail "report H-1: $(cat "$T/err")"
grep -qF '| Bed | \[evil\]\(http://e.example\) |' "$T/h.md" || fail "bed: $(grep Bed "$T/h.md")"
grep -qF 'by \<img src=x onerror=alert\(1\)\> |' "$T/h.md" || fail "actor: $(grep Started "$T/h.md")"
grep -qF 'by \!\[i\]\(http://e.example/p.png\) \*x\* \_y\_ \`z\` \#1 \| \\ |' "$T/h.md" ||
  fail "ended by: $(grep Ended "$T/h.md")"
grep -qF '](' "$T/h.md" && fail "a Markdown link survived: $(grep -F '](' "$T/h.md")"
grep -q '<img' "$T/h.html" && fail "HTML injected into the HTML report"
grep -qF '| medium | sensor\_off | spo2 | - | - |' "$T/h.md" ||
  fail "technical alert numbers: $(grep -A3 '## Alerts' "$T/h.md")"
pass "report: hostile names escaped (no link, image or HTML), no value and no limit shown as -"

ctl export --what alerts --format csv --session H-1 2>/dev/null | grep -q $'b1\e\[2J\xc2\x9b31m' ||
  fail "a pipe must get the stored bytes"
script -qec "$VITALSCTL -c $T/vitalsd.conf export --what alerts --format csv --session H-1" \
  /dev/null < /dev/null > "$T/tty.out" 2>&1 || fail "export on a terminal: $(cat "$T/tty.out")"
grep -qF 'b1\x1b[2J\xc2\x9b31m' "$T/tty.out" || fail "terminal export: $(od -c "$T/tty.out" | head)"
grep -q $'\e' "$T/tty.out" && fail "an escape sequence reached the terminal"
pass "export: exact bytes to a pipe, escape sequences shown as \\x1b on a terminal"

payload='{"event":"raised","priority":"high","bed":"b1\u001b[2J","session":"V-1\n10:00 fake",'
payload+='"kind":"technical","code":"sensor_off","device":"m1\u009b31m","time":"2026-11-22T09:30:00.000Z"}'
script -qec "$VITALSCTL -c $T/vitalsd.conf watch --seconds 4" /dev/null < /dev/null > "$T/watch.out" 2>&1 &
watch_pid=$!
PIDS+=("$watch_pid")
sleep 1.5
mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t vitals/test/bed/b1/alert -m "$payload"
wait "$watch_pid" || fail "watch: $(cat "$T/watch.out")"
grep -qF 'bed b1\x1b[2J' "$T/watch.out" && grep -qF 'V-1\x0a10:00 fake' "$T/watch.out" &&
  grep -qF 'device m1\xc2\x9b31m' "$T/watch.out" || fail "watch: $(od -c "$T/watch.out" | head -20)"
grep -q $'\e' "$T/watch.out" && fail "watch passed an escape sequence to the terminal"
pass "watch: control bytes and escape sequences shown as \\xNN, one line per event"
