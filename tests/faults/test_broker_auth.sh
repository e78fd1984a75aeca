#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T33 and T34 against the broker exactly as config/mosquitto/ ships it
# (rendered by scripts/dashboard-broker, as the dashboard tests do):
#  T33: an anonymous client is refused, CONNACK "not authorised", on both listeners (the daemon's
#       loopback MQTT one and the dashboard's websockets one, the one other machines reach), and
#       neither the shipped file nor the rendered one says allow_anonymous true; positive control:
#       a known account connects on each.
#  T34: a nurse's account cannot publish an alert, the retained alert list, the daemon's state or
#       a command on another nurse's topic; a subscriber with the daemon's account receives none
#       of it, and, as its positive control, receives the nurse's own command. (The same from the
#       browser, with more topics: tests/dashboard/test_acl.sh.)
. "$(dirname "$0")/../dashboard/lib.sh"
WSC=$(dirname "$0")/hostile_ws_connect.py
command -v python3 >/dev/null || fail "python3 is needed (scripts/deps)"

grep -qiE '^\s*allow_anonymous\s+true' "$SRC/config/mosquitto/mosquitto.conf" &&
  fail "config/mosquitto/mosquitto.conf allows anonymous clients"
start_dash_broker
grep -qiE '^\s*allow_anonymous\s+true' "$T/broker/mosquitto.conf" &&
  fail "the rendered broker configuration allows anonymous clients"
grep -qx 'allow_anonymous false' "$T/broker/mosquitto.conf" || fail "allow_anonymous false missing"

# T33 on the MQTT listener
out=$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -t 'vitals/#' -C 1 -W 3 2>&1) &&
  fail "an anonymous client subscribed: $out"
grep -qi "not authori[sz]ed" <<<"$out" || fail "anonymous MQTT: not refused as not authorised: $out"
# positive control: a known account connects (a nurse reads the daemon's retained state later)
mosquitto_pub -h 127.0.0.1 -p "$PORT" -u amira -P amira-demo -t vitals/test/command/amira \
  -m '{"cmd":"status","request_id":"probe"}' -q 1 2>"$T/pub.err" ||
  fail "positive control: the account amira could not connect: $(cat "$T/pub.err")"
pass "T33 MQTT listener: anonymous refused ($out); a known account connects"

# T33 on the websockets listener
anon=$(python3 "$WSC" 127.0.0.1 "$WS_PORT") || fail "websockets: no CONNACK for an anonymous client: $anon"
[ "$anon" = "connack 5" ] || fail "websockets: an anonymous client got '$anon', not 5 (not authorised)"
known=$(python3 "$WSC" 127.0.0.1 "$WS_PORT" amira amira-demo) || fail "websockets: $known"
[ "$known" = "connack 0" ] || fail "websockets positive control: amira got '$known', not 0 (accepted)"
pass "T33 websockets listener: anonymous refused (CONNACK 5), a known account accepted (CONNACK 0)"

# T34: the daemon's account watches everything a nurse might forge
VPW=$(cat "$T/broker/vitalsd-mqtt-password")
mosquitto_sub -h 127.0.0.1 -p "$PORT" -u vitalsd -P "$VPW" -q 1 -v -t 'vitals/#' \
  > "$T/watch.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
sleep 0.5
forge() { # TOPIC PAYLOAD [-r]
  mosquitto_pub -h 127.0.0.1 -p "$PORT" -u amira -P amira-demo -q 1 -t "$1" -m "$2" ${3:-} \
    2>>"$T/pub.err" || true
}
forge vitals/test/bed/b1/alert '{"id":"FAKE-1","priority":"high","state":"active"}'
forge vitals/test/bed/b1/alerts '[{"id":"FAKE-2"}]' -r
forge vitals/test/daemon/alert '{"id":"FAKE-3"}'
forge vitals/test/daemon/state 'FAKE-online' -r
forge vitals/test/command/ben '{"cmd":"session_start","bed":"b1","session":"FAKE-4"}'
forge vitals/test/reply/ben '{"request_id":"FAKE-5"}'
forge vitals/test/command/amira '{"cmd":"status","request_id":"own-T34"}'
own() { grep -q "own-T34" "$T/watch.txt"; }
wait_for 5 "positive control: the nurse's own command seen by the watcher" own
sleep 0.5
n=$(grep -c FAKE "$T/watch.txt" || true)
[ "$n" -eq 0 ] || fail "$n forged messages reached a subscriber: $(grep FAKE "$T/watch.txt")"
retained=$(mosquitto_sub -h 127.0.0.1 -p "$PORT" -u vitalsd -P "$VPW" -t 'vitals/#' -W 2 -v 2>/dev/null || true)
grep -q FAKE <<<"$retained" && fail "a forged retained message is held by the broker: $retained"
echo "broker auth: anonymous refused on 2 of 2 listeners; 6 forged nurse publications, 0 delivered; own command delivered"
pass "T34: a nurse's account cannot publish alerts, state or another nurse's command"
