#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Roles ([access]): a nurse starts sessions but may not change limits, a clinician may, a
# technician only reads, a broker user without a role may run nothing; on the control socket a
# Unix account gets its roles the same way. Every refusal says which role is needed and is in
# the audit trail; each refused caller also gets an allowed command through (the control).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "this test runs a command as 'nobody' and needs root"
start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[access]
nurse = mqtt:nurse1, user:nobody
clinician = mqtt:drlee
technician = mqtt:tech1
[alarm.spo2]
low = 90
CONF
add_sim_beds "$T/vitalsd.conf" 1
for u in nurse1 drlee tech1 intruder; do subscribe "vitals/test/reply/$u" "$T/reply-$u.txt"; done
start_daemon "$T/vitalsd.conf"
chmod 0644 "$T/vitalsd.conf"
chmod 0666 "$T/control.sock"

ask() { # ask USER REQUEST: publish it as USER and print USER's next reply
  local n=$(($(wc -l < "$T/reply-$1.txt") + 1))
  mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t "vitals/test/command/$1" -m "$2"
  wait_for 5 "reply $n to $1" bash -c "[ \$(wc -l < '$T/reply-$1.txt') -ge $n ]"
  sed -n "${n}p" "$T/reply-$1.txt" | cut -d' ' -f2-
}
ok() { jq -e '.ok == true' <<<"$1" >/dev/null; }
refused_for() { jq -e --arg r "$2" '.ok == false and (.error | contains($r))' <<<"$1" >/dev/null; }
limits='{"cmd":"limits_set","session":"S-61","vital":"spo2","limits":{"bands":[{"below":88,"priority":"high"}]}}'

r=$(ask nurse1 '{"cmd":"session_start","bed":"b1","session":"S-61"}'); ok "$r" || fail "nurse start: $r"
r=$(ask nurse1 "$limits")
refused_for "$r" "'limits_set' needs the role clinician ([access]); you have: nurse" || fail "nurse limits: $r"
r=$(ask drlee "$limits"); ok "$r" || fail "clinician limits: $r"
pass "nurse1 starts a session but may not change limits; drlee (clinician) may"

r=$(ask tech1 '{"cmd":"session_end","bed":"b1","session":"S-61"}')
refused_for "$r" "needs the role nurse, clinician" || fail "technician ends a session: $r"
r=$(ask tech1 '{"cmd":"status"}'); ok "$r" || fail "technician status: $r"
r=$(ask intruder '{"cmd":"status"}')
refused_for "$r" "needs the role of any staff member ([access]); you have: none" || fail "intruder: $r"
r=$(ask intruder '{"cmd":"session_end","bed":"b1","session":"S-61"}'); ok "$r" && fail "intruder ended S-61"
pass "tech1 reads but may not end a session; a user without a role may run nothing (the reply says why)"

as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$VITALSCTL" -c "$T/vitalsd.conf" "$@"; }
out=$(as_nobody limits set --session S-61 --vital spo2 --band "below 85 high" --by "Nurse C" 2>&1) &&
  fail "nobody (nurse) changed limits: $out"
grep -q "needs the role clinician" <<<"$out" || fail "socket refusal: $out"
as_nobody session end --bed b1 --session S-61 --by "Nurse C" >/dev/null || fail "nobody (nurse) session end"
out=$(as_nobody device-confirm m1 2>&1) && fail "nobody (nurse) confirmed a device: $out"
grep -q "'device_confirm' needs the role technician" <<<"$out" || fail "device-confirm refusal: $out"
out=$(ctl device-confirm m1 2>&1) && fail "m1 confirmed although not flagged: $out"
grep -q "device 'm1' is not flagged wrong_device" <<<"$out" || fail "root's device-confirm: $out"
pass "on the socket the Unix account nobody holds the nurse role: ends a session, may not change" \
  "limits nor confirm a device (root may: past the role check, m1 has nothing to confirm)"

refusals=$(sql "select actor || ':' || json_extract(detail,'$.cmd') from audit where action='access_refused' order by id" | tr '\n' ' ')
[ "$refusals" = "nurse1:limits_set tech1:session_end intruder:status intruder:session_end nobody:limits_set nobody:device_confirm " ] ||
  fail "audited refusals: '$refusals'"
pass "every refusal is in the audit trail with its caller and command: $refusals"
stop_daemon
grep -q "no \[access\] section" "$T/vitalsd.log" && fail "warned about a missing [access] section"
pass "no warning about [access] when it is configured"
