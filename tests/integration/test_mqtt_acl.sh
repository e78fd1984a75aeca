#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The broker set-up docs/alarms.md prescribes for dashboard commands, on a real mosquitto with
# passwords and the ACL: each user writes only its own command topic and reads only its own
# reply topic, so a nurse cannot act, or read answers, under another nurse's name. vitalsd takes
# the actor from the topic; what the broker refuses never reaches it.
. "$(dirname "$0")/lib.sh"

for u in vitalsd nurse1 nurse2; do
  mosquitto_passwd -b $([ -f "$T/passwd" ] || echo -c) "$T/passwd" "$u" "pw-$u" ||
    fail "mosquitto_passwd"
done
cat > "$T/acl" <<'ACL'
user vitalsd
topic readwrite vitals/#

pattern write vitals/+/command/%u
pattern read vitals/+/reply/%u
pattern read vitals/+/bed/+/alerts
ACL
chmod 644 "$T/passwd" "$T/acl" # the broker reads them as user mosquitto when started as root
printf 'pw-vitalsd\n' > "$T/mqtt-password"
BROKER_EXTRA="allow_anonymous false
password_file $T/passwd
acl_file $T/acl"
start_broker
write_config "$T/vitalsd.conf"
sed -i "s|^\[mqtt\]|[mqtt]\nusername = vitalsd\npassword_file = $T/mqtt-password|" "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
start_daemon "$T/vitalsd.conf"

as() { local u=$1; shift; "$@" -u "$u" -P "pw-$u"; }
# Started directly, not through as(): "$!" must be the subscriber itself, so that the cleanup
# stops it (a backgrounded function's "$!" is a subshell, and killing it left the child running).
mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -v -t 'vitals/test/reply/nurse1' \
  -t 'vitals/test/reply/nurse2' -u nurse1 -P pw-nurse1 > "$T/nurse1.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -v -t 'vitals/test/reply/nurse2' \
  -u nurse2 -P pw-nurse2 > "$T/nurse2.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
sleep 0.5
pub() { as "$1" mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "vitals/test/command/$2" -m "$3"; }

# nurse1 writes on nurse2's command topic: the broker drops it.
pub nurse1 nurse2 '{"cmd":"session_start","bed":"b2","session":"S-X","request_id":"forged"}' || true
# nurse2 acts under its own name: answered on nurse2's topic only.
pub nurse2 nurse2 '{"cmd":"session_start","bed":"b1","session":"S-2","request_id":"own"}'
has_reply() { grep -q '"request_id":"own"' "$T/nurse2.txt"; }
wait_for 5 "nurse2's answer" has_reply
sleep 1
[ "$(sql "select count(*) from sessions where session_id='S-X'")" -eq 0 ] ||
  fail "a command published on another user's topic was acted on"
[ "$(sql "select started_by from sessions where session_id='S-2'")" = nurse2 ] ||
  fail "session not started by nurse2"
grep -q forged "$T/vitalsd.log" "$T/nurse2.txt" && fail "the forged command reached vitalsd"
grep -q '"request_id":"own"' "$T/nurse1.txt" && fail "nurse1 read nurse2's replies: $(cat "$T/nurse1.txt")"
# Positive control for the check above: nurse1's subscriber is connected and subscribed, since it
# receives the answer on nurse1's own reply topic (and still nothing of nurse2's).
pub nurse1 nurse1 '{"cmd":"status","request_id":"n1-own"}'
n1_reply() { grep -q '"request_id":"n1-own"' "$T/nurse1.txt"; }
wait_for 5 "nurse1's answer on its own reply topic" n1_reply
grep -q '"request_id":"own"' "$T/nurse1.txt" && fail "nurse1 read nurse2's replies: $(cat "$T/nurse1.txt")"
[ "$(grep -c . "$T/nurse1.txt")" -eq 1 ] || fail "nurse1 received more than its own answer: $(cat "$T/nurse1.txt")"
pass "the ACL keeps each user to its own command and reply topics; the actor is the topic's user"
stop_daemon
