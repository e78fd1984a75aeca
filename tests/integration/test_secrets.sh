#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# vitalsctl never needs the daemon's secrets: a staff account that cannot read the daemon's
# password file still runs vitalsctl with the daemon's configuration, and `watch` logs in to the
# broker with the person's own account (VITALSCTL_MQTT_USER/PASSWORD), never the daemon's.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "this test runs vitalsctl as 'nobody' and needs root"
mosquitto_passwd -b -c "$T/broker.pw" vitalsd daemon-secret 2>/dev/null
mosquitto_passwd -b "$T/broker.pw" nurse1 nurse-secret 2>/dev/null
chmod 0644 "$T/broker.pw"
BROKER_EXTRA=$(printf 'allow_anonymous false\npassword_file %s\nlog_type notice' "$T/broker.pw")
start_broker
sed -i '/^allow_anonymous true$/d' "$T/mosquitto.conf" && kill -HUP "$BROKER_PID" && sleep 0.3
printf 'daemon-secret\n' >"$T/mqtt.password"
chmod 0600 "$T/mqtt.password" # the daemon's secret: root only here
write_config "$T/vitalsd.conf"
sed -i "s|^port = .*|&\nusername = vitalsd\npassword_file = $T/mqtt.password|" "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
start_daemon "$T/vitalsd.conf"
chmod 0644 "$T/vitalsd.conf"
chmod 0666 "$T/control.sock"
as_nobody() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }

as_nobody cat "$T/mqtt.password" >/dev/null 2>&1 && fail "nobody can read the daemon's password file"
out=$(as_nobody "$VITALSCTL" -c "$T/vitalsd.conf" status 2>&1) || fail "vitalsctl as nobody: $out"
pass "nobody cannot read the daemon's password file, and vitalsctl status works for it all the same"

out=$(as_nobody env VITALSCTL_MQTT_USER=nurse1 VITALSCTL_MQTT_PASSWORD=nurse-secret \
      "$VITALSCTL" -c "$T/vitalsd.conf" watch --seconds 2 2>&1) || fail "watch as nurse1: $out"
grep -q "u'nurse1'" "$T/broker.log" || fail "watch did not log in as nurse1: $(cat "$T/broker.log")"
[ "$(grep -c "u'vitalsd'" "$T/broker.log")" -eq 1 ] ||
  fail "someone besides the daemon logged in as vitalsd: $(grep "u'vitalsd'" "$T/broker.log")"
pass "watch logs in as the person's own account (nurse1); only the daemon uses the daemon's"

rc=0; out=$(as_nobody "$VITALSCTL" -c "$T/vitalsd.conf" watch --seconds 5 2>&1) || rc=$?
[ $rc -ne 0 ] && grep -q "refused the login" <<<"$out" && grep -qi "not authori[sz]ed" <<<"$out" ||
  fail "watch without an account: exit $rc, '$out'"
pass "watch without an account of its own is refused by the broker (it never falls back to the daemon's)"
stop_daemon
