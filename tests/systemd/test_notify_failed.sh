#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# T27, the part that runs without systemd as PID 1: what vitalsd-failed.service runs when systemd
# gives up restarting vitalsd (StartLimitBurst reached), `vitalsctl notify-failed`, leaves the
# retained state "failed" on vitals/<area>/daemon/state with the daemon's own broker account,
# against a real mosquitto with the shipped ACL (config/mosquitto/acl). A nurse's account is
# refused (the ACL), and the daemon's own "online" at its next start replaces "failed".
# systemd's part (OnFailure= after the start limit) is checked by test_unit.sh (verify).
. "$VSD_SOURCE_DIR/tests/integration/lib.sh"

for u in vitalsd nurse1; do
  mosquitto_passwd -b $([ -f "$T/passwd" ] || echo -c) "$T/passwd" "$u" "pw-$u" ||
    fail "mosquitto_passwd"
done
cp "$SRC/config/mosquitto/acl" "$T/acl"
chmod 644 "$T/passwd" "$T/acl" # the broker reads them as user mosquitto when started as root
BROKER_EXTRA="allow_anonymous false
password_file $T/passwd
acl_file $T/acl"
start_broker
printf 'pw-vitalsd\n' > "$T/mqtt-password"
chmod 600 "$T/mqtt-password"
write_config "$T/vitalsd.conf"
sed -i "s|^\[mqtt\]|[mqtt]\nusername = vitalsd\npassword_file = $T/mqtt-password|" "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
# The same file with a nurse's account instead of the daemon's (negative control).
printf 'pw-nurse1\n' > "$T/nurse-password"
chmod 600 "$T/nurse-password"
sed -e 's/^username = vitalsd/username = nurse1/' -e "s|$T/mqtt-password|$T/nurse-password|" \
  "$T/vitalsd.conf" > "$T/nurse.conf"

# retained: the retained daemon state as a nurse's screen sees it on subscribing.
retained() {
  mosquitto_sub -h 127.0.0.1 -p "$PORT" -u nurse1 -P pw-nurse1 -t vitals/test/daemon/state \
    -C 1 -W 3 2>/dev/null || true
}

start_daemon "$T/vitalsd.conf"
wait_for 5 'the daemon says "online"' test "$(retained)" = online
stop_daemon
[ "$(retained)" = offline ] || fail "after SIGTERM the state is '$(retained)', not offline"
pass 'the daemon itself leaves "online", then "offline"'

rc=0
"$VITALSCTL" -c "$T/nurse.conf" notify-failed 2>"$T/nurse.err" || rc=$?
[ $rc -eq 69 ] || fail "notify-failed with a nurse's account exited $rc, not 69"
grep -qi "not authori[sz]ed" "$T/nurse.err" || fail "no refusal named: $(cat "$T/nurse.err")"
[ "$(retained)" = offline ] || fail "a nurse's account changed the state to '$(retained)'"
pass "a nurse's account cannot set the daemon's state (exit 69, $(head -c 120 "$T/nurse.err"))"

"$VITALSCTL" -c "$T/vitalsd.conf" notify-failed > "$T/notify.out" || fail "notify-failed failed"
grep -q '"failed"' "$T/notify.out" || fail "no confirmation: $(cat "$T/notify.out")"
[ "$(retained)" = failed ] || fail "retained state '$(retained)', not failed"
pass 'notify-failed leaves "failed" retained, with the daemon'"'"'s account'

start_daemon "$T/vitalsd.conf"
wait_for 5 'the restarted daemon replaces "failed" with "online"' test "$(retained)" = online
stop_daemon
pass 'the next start replaces "failed" with "online"'
