#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A session id names one visit for good: once used it is refused for any later visit, also after
# a restart (the ids are read back from the database); a new id is accepted (the control).
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
start_daemon "$T/vitalsd.conf"

ctl session start --bed b1 --session S-71 --by "Nurse A" >/dev/null || fail "start S-71"
ctl session end --bed b1 --session S-71 --by "Nurse A" >/dev/null || fail "end S-71"
out=$(ctl session start --bed b2 --session S-71 --by "Nurse A" 2>&1) && fail "S-71 reused: $out"
grep -q "session 'S-71' was used for an earlier visit" <<<"$out" || fail "reason: $out"
pass "an ended visit's id is refused for the next visit"

stop_daemon
start_daemon "$T/vitalsd.conf"
out=$(ctl session start --bed b1 --session S-71 --by "Nurse A" 2>&1) && fail "S-71 reused after a restart"
grep -q "was used for an earlier visit" <<<"$out" || fail "reason after a restart: $out"
ctl session start --bed b1 --session S-72 --by "Nurse A" >/dev/null || fail "a new id was refused"
[ "$(sql "select count(*) from sessions where session_id='S-71'")" -eq 1 ] || fail "S-71 stored twice"
pass "after a restart too; a new id (S-72) is accepted"
stop_daemon
