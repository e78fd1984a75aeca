#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Commands over MQTT run once: a request id sent again by the same user is answered with the
# first answer and not run twice; a retained command message is never run, not when it arrives
# and not again after the daemon reconnects (a broker re-delivers retained messages on every
# subscribe).
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
subscribe 'vitals/test/reply/nurse1' "$T/replies.txt"
start_daemon "$T/vitalsd.conf"

send() { mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t vitals/test/command/nurse1 "$@"; }
has_replies() { [ "$(wc -l < "$T/replies.txt")" -ge "$1" ]; }
reply() { wait_for 5 "reply $1" has_replies "$1"; sed -n "${1}p" "$T/replies.txt" | cut -d' ' -f2-; }
open_sessions() { sql "select count(*) from sessions where bed='b1' and ended_ms is null"; }

start='{"cmd":"session_start","bed":"b1","session":"S-31","request_id":"dup-1"}'
send -m "$start"
r1=$(reply 1)
jq -e '.ok == true and .request_id == "dup-1"' <<<"$r1" >/dev/null || fail "first start: $r1"
send -m "$start"
r2=$(reply 2)
[ "$r2" = "$r1" ] || fail "a repeated request id got another answer: '$r2' after '$r1'"
[ "$(sql "select count(*) from audit where action='session_start'")" = 1 ] ||
  fail "the repeated request was audited twice"
pass "a repeated request id is answered with the first answer and run once"

# Control: the same command with a new id does run, and is refused by the handler itself.
send -m '{"cmd":"session_start","bed":"b1","session":"S-31","request_id":"dup-2"}'
r3=$(reply 3)
jq -e '.ok == false and .request_id == "dup-2"' <<<"$r3" >/dev/null ||
  fail "a new request id was not run by the handler: $r3"
pass "control: a new request id runs (and the handler refuses a second session: $(jq -r .error <<<"$r3"))"

send -r -m '{"cmd":"session_end","bed":"b1","session":"S-31","request_id":"ret-1"}'
r4=$(reply 4)
jq -e '.ok == false' <<<"$r4" >/dev/null && grep -q "retained command messages are not run" <<<"$r4" ||
  fail "a retained command was not refused: $r4"
[ "$(open_sessions)" = 1 ] || fail "a retained session_end ended the session"
pass "a retained command is refused and changes nothing"

stop_daemon
start_daemon "$T/vitalsd.conf"
r5=$(reply 5)
grep -q "retained command messages are not run" <<<"$r5" ||
  fail "after a restart the retained command got: $r5"
[ "$(open_sessions)" = 1 ] || fail "the retained session_end ran after the restart"
pass "after a restart the broker re-delivers the retained command and it is refused again"

send -r -n # clear the retained message (an empty retained publish deletes it)
stop_daemon
