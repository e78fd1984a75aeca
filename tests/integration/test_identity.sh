#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every command over the control socket acts under the caller's verified Unix account
# (SO_PEERCRED), whatever --by says: a typed name is kept beside it as a note, and a --by that
# names another account is refused. Two callers: the test's own account and "nobody".
. "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || fail "setpriv (util-linux) is needed"
[ "$(id -u)" -eq 0 ] || fail "this test runs a command as 'nobody' and needs root"
id nobody >/dev/null 2>&1 || fail "no 'nobody' account on this machine"
start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
start_daemon "$T/vitalsd.conf"
chmod 0644 "$T/vitalsd.conf"
grep -q "no \[access\] section: every broker user and every account" "$T/vitalsd.log" ||
  fail "no warning that without [access] everyone may do everything"
chmod 0666 "$T/control.sock" # let the second account in (a clinic uses the vitalsd group)
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$VITALSCTL" -c "$T/vitalsd.conf" "$@"; }

out=$(ctl session start --bed b1 --session S-41 --by "Nurse A") || fail "session start: $out"
[ "$(sql "select started_by from sessions where session_id='S-41'")" = "$ME" ] ||
  fail "started_by is not the caller's account $ME"
[ "$(sql "select count(*) from audit where action='session_start' and actor='$ME' and
          json_extract(detail,'$.by_note')='Nurse A'")" = 1 ] || fail "audit: not $ME with the note"
pass "$ME typed --by 'Nurse A': recorded as $ME, the typed name a note in the audit"

out=$(as_nobody session end --bed b1 --session S-41 --by "$ME" 2>&1) && fail "nobody acted as $ME: $out"
grep -q "names the account '$ME', but you are 'nobody'" <<<"$out" || fail "refusal: $out"
[ "$(sql "select count(*) from sessions where session_id='S-41' and ended_ms is null")" = 1 ] ||
  fail "the refused claim ended the session"
pass "nobody claiming --by $ME is refused and changes nothing"

out=$(as_nobody session end --bed b1 --session S-41 --by "Nurse B" 2>&1) || fail "session end as nobody: $out"
[ "$(sql "select ended_by from sessions where session_id='S-41'")" = nobody ] ||
  fail "ended_by is not 'nobody': $(sql "select ended_by from sessions where session_id='S-41'")"
[ "$(sql "select count(*) from audit where action='session_end' and actor='nobody' and
          json_extract(detail,'$.by_note')='Nurse B'")" = 1 ] || fail "audit: not nobody with the note"
pass "a second account (nobody) is recorded as itself, whatever it types"

# A raw request without any "by" still gets the verified actor; the reply names it.
reply=$(printf '{"cmd":"session_start","bed":"b1","session":"S-42"}\n' |
        socat -t 3 - "UNIX-CONNECT:$T/control.sock")
jq -e --arg me "$ME" '.ok == true and .actor == $me' <<<"$reply" >/dev/null || fail "reply: $reply"
[ "$(sql "select started_by from sessions where session_id='S-42'")" = "$ME" ] ||
  fail "a request without by was not recorded under $ME"
pass "a request without \"by\" acts as the verified account, and the reply says so"

# The socket checks UTF-8 as the MQTT path does; one slow client cannot hold the socket.
reply=$(printf '{"cmd":"ping","x":"\xff"}\n' | socat -t 3 - "UNIX-CONNECT:$T/control.sock")
grep -q '"ok":false' <<<"$reply" && grep -qi "utf-8" <<<"$reply" || fail "invalid UTF-8: $reply"
pass "invalid UTF-8 on the socket refused: $(jq -r .error <<<"$reply")"
(printf '{"cmd":'; for _ in $(seq 1 8); do sleep 0.5; printf ' '; done) |
  socat -t 10 - "UNIX-CONNECT:$T/control.sock" >"$T/slow.txt" 2>/dev/null &
slow=$!
PIDS+=("$slow")
sleep 0.3
start_ms=$(($(date +%s%N) / 1000000))
reply=$(printf '{"cmd":"ping"}\n' | socat -t 5 - "UNIX-CONNECT:$T/control.sock")
took=$(($(date +%s%N) / 1000000 - start_ms))
grep -q '"ok":true' <<<"$reply" || fail "ping behind a slow client: $reply"
[ "$took" -le 2500 ] || fail "a client dribbling a byte every 0.5 s held the socket for $took ms"
wait "$slow" 2>/dev/null || true
grep -q "request not received" "$T/slow.txt" || fail "the slow client was not cut off: $(cat "$T/slow.txt")"
pass "a client sending a byte every 0.5 s is cut off after 2 s in all; the next one waited $took ms"
stop_daemon
