#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sessions through vitalsctl: bad input gets a clear error and changes nothing; every command is
# audited with its actor; the CSV export of a session holds its readings.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
start_daemon "$T/vitalsd.conf"

expect_refused() { # expect_refused MESSAGE-PART ARGS...: exit 1 and the reason on stderr
  local want=$1 rc=0; shift
  ctl "$@" 2>"$T/ctl.err" >/dev/null || rc=$?
  [ $rc -eq 1 ] || fail "vitalsctl $* exited $rc, want 1"
  grep -q -- "$want" "$T/ctl.err" || fail "vitalsctl $*: got '$(cat "$T/ctl.err")', want '$want'"
}
ctl session start --bed b1 --session V-100 --by "Nurse C" | grep -q "ok" || fail "session start"
expect_refused "no bed 'b9' is configured" session start --bed b9 --session V-101 --by "Nurse C"
expect_refused "already has session 'V-100' open" session start --bed b1 --session V-102 --by "Nurse C"
expect_refused "already open at bed 'b1'" session start --bed b2 --session V-100 --by "Nurse C"
expect_refused "session id must be 1-64 characters" session start --bed b2 --session "" --by "Nurse C"
expect_refused "session id must be 1-64 characters" session start --bed b2 --session "$(printf 'x%.0s' $(seq 65))" --by "Nurse C"
expect_refused "may hold only" session start --bed b2 --session "Jane Doe" --by "Nurse C"
expect_refused "may hold only" session start --bed b2 --session "V;drop" --by "Nurse C"
expect_refused "needs the name" session start --bed b2 --session V-103 --by ""
expect_refused "has no open session" session end --bed b2 --session V-100 --by "Nurse C"
[ "$(sql "select count(*) from sessions")" -eq 1 ] || fail "a refused command changed the sessions table"
pass "bad session commands refused with clear errors; nothing changed"

# Hostile input on the control socket: a clear error each time, and the daemon carries on.
reply=$(printf 'not json\n' | socat -t 3 - "UNIX-CONNECT:$T/control.sock")
[[ $reply == *'"ok":false'*'not a JSON object'* ]] || fail "garbage request: $reply"
reply=$(head -c 70000 /dev/zero | tr '\0' 'x' | socat -t 3 - "UNIX-CONNECT:$T/control.sock" 2>/dev/null || true)
[[ $reply == *'"ok":false'*'too long'* ]] || fail "oversized request: $reply"
reply=$(printf '{"cmd":"format_disk"}\n' | socat -t 3 - "UNIX-CONNECT:$T/control.sock")
[[ $reply == *"unknown command 'format_disk'"* ]] || fail "unknown command: $reply"
kill -0 "$DAEMON_PID" || fail "vitalsd died on hostile control input"
pass "garbage, oversized and unknown requests refused; daemon still running"

ctl session list | grep -q "^b1 *V-100" || fail "session list does not show V-100 at b1"
ctl session list | grep -q "^b2 *-" || fail "session list does not show b2 free"
sleep 2
ctl session end --bed b1 --session V-100 --by "Nurse D" | grep -q ok || fail "session end"
ended=$(sql "select ended_by from sessions where session_id='V-100'")
[ "$ended" = "$ME" ] || fail "session end not stored with the verified actor $ME ($ended)"
refusals=$(sql "select count(*) from audit where json_extract(detail,'$.result')='refused'")
# 8: an empty --by is refused by the socket itself, before the handler (as a garbled request is)
[ "$refusals" -eq 8 ] || fail "$refusals refused commands audited, want 8"
pass "session start/end stored; refused commands audited too"

stop_daemon
# the daemon is down: --force writes the export, said not to be audited
ctl --db "$T/vitalsd.db" export --session V-100 --format csv -o "$T/v100.csv" --force 2>/dev/null
rows=$(($(wc -l < "$T/v100.csv") - 1))
stored=$(sql "select count(*) from readings where session_id='V-100'")
[ "$rows" -eq "$stored" ] && [ "$rows" -gt 10 ] || fail "export has $rows rows, database $stored"
head -n1 "$T/v100.csv" | grep -q "^time,session,bed,device,vital" || fail "CSV header: $(head -n1 "$T/v100.csv")"
grep -v '^time' "$T/v100.csv" | grep -qv ',V-100,' && fail "export holds rows of another session"
grep -q $'\r$' "$T/v100.csv" || fail "CSV lines must end in CRLF (RFC 4180)"
pass "CSV export of V-100: $rows rows, all of the session, RFC 4180 line ends"
