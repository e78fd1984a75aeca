#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What staff may change for one visit is bounded by the clinic: a session limit under
# session_lowest, a delay over session_longest_delay, or a vital's alarms switched off (without
# session_may_disable) are refused with the bound named, and audited as refused; within the
# bounds it works (the positive control). A session is ended only by naming it.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
sed -i 's/^escalate_again = .*/&\nsession_longest_delay = 30s\nsession_may_disable = no/' "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
low = 92
session_lowest = 85
[alarm.hr]
high = 130
session_highest = 150
CONF
add_sim_beds "$T/vitalsd.conf" 1
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-51 --by "Nurse A" >/dev/null || fail "session start"

refused() { # refused WANT ARGS...: vitalsctl ARGS exits 1 with WANT in its message
  local want=$1 rc=0; shift
  ctl "$@" >/dev/null 2>"$T/ctl.err" || rc=$?
  [ $rc -eq 1 ] || fail "vitalsctl $*: exit $rc, want 1 ($(cat "$T/ctl.err"))"
  grep -q -- "$want" "$T/ctl.err" || fail "vitalsctl $*: '$(cat "$T/ctl.err")' lacks '$want'"
}
refused "under the lowest this clinic allows for a visit (85, \[alarm.spo2\] session_lowest)" \
  limits set --session S-51 --vital spo2 --band "below 80 high" --by "Dr Lee"
refused "over the highest this clinic allows for a visit (150, \[alarm.hr\] session_highest)" \
  limits set --session S-51 --vital hr --band "above 170 high" --by "Dr Lee"
refused "longer than this clinic allows for a visit (30 s, \[alerts\] session_longest_delay)" \
  limits set --session S-51 --vital spo2 --band "below 88 high" --delay 2m --by "Dr Lee"
reply=$(printf '%s\n' '{"cmd":"limits_set","session":"S-51","vital":"spo2","limits":{"bands":[]},"by":"Dr Lee"}' |
        socat -t 5 - "UNIX-CONNECT:$T/control.sock")
grep -q "may not be switched off for a visit" <<<"$reply" || fail "alarms switched off: $reply"
[ "$(sql "select count(*) from audit where action='limits_set' and json_extract(detail,'$.result')='refused'")" -eq 4 ] ||
  fail "the refusals are not all in the audit"
ctl limits show --session S-51 | grep -q "spo2 .*below 92" || fail "a refused change altered the limits"
pass "outside the clinic's bounds: refused with the bound named, audited, nothing changed"

ctl limits set --session S-51 --vital spo2 --band "below 86 high" --delay 20s --by "Dr Lee" >/dev/null ||
  fail "a change within the bounds was refused: $(cat "$T/ctl.err")"
ctl limits show --session S-51 | grep -q "spo2 .*(session): below 86 high" || fail "not applied"
pass "control: a change within the bounds is applied"

rc=0; out=$(ctl session end --bed b1 --by "Nurse A" 2>&1) || rc=$?
[ $rc -eq 2 ] && grep -q "session end needs --bed BED and --session ID" <<<"$out" ||
  fail "vitalsctl ended a session without its id: exit $rc, $out"
reply=$(printf '%s\n' '{"cmd":"session_end","bed":"b1"}' | socat -t 5 - "UNIX-CONNECT:$T/control.sock")
grep -q "name the session you end: bed 'b1' has session 'S-51' open (--session S-51)" <<<"$reply" ||
  fail "the daemon ended a session without its id: $reply"
ctl session end --bed b1 --session S-99 --by "Nurse A" >/dev/null 2>&1 && fail "the wrong session ended b1's"
[ "$(sql "select count(*) from sessions where session_id='S-51' and ended_ms is null")" -eq 1 ] ||
  fail "S-51 ended without being named"
ctl session end --bed b1 --session S-51 --by "Nurse A" >/dev/null || fail "session end S-51"
pass "a session ends only when named: without its id, or with another, it stays open"
stop_daemon
