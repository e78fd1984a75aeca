#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Device identity (docs/devices/README.md): two Masimo monitors (SN= in every line), one over a
# pty reporting the serial its device section names (the positive control), one over TCP
# reporting another. The wrong one raises wrong_device at high priority at once; its readings are
# stored flagged (wrong_device, bit 128) for no session, raise no alarm even far below the limit
# (while the right one's do), open a wrong_device gap at its bed; status shows what it reported.
# A technician's device-confirm is audited and makes its readings count again. A monitor swapped
# on the right one's cable (the simulator's "serial" command) is caught the same way and ends
# when the expected monitor is back; confirming a device that is not flagged is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/masimo/vsd-masimo-sim
TCP=$(free_port)
start_sim right "$SIM" --pty "$T/right" --model radical7 --serial 0000011111 --spo2 97
start_sim other "$SIM" --tcp "$TCP" --model rad8 --serial 0000099999 --spo2 97

start_broker
LATCHING=high write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[alarm.spo2]
low = 90
low_priority = medium
delay = 0s

[device.m1]
driver = masimo
port = $T/right
serial = 0000011111
poll = 500ms
timeout = 400ms

[device.m2]
driver = masimo
port = tcp://127.0.0.1:$TCP
serial = 0000022222
model = Rad-8
poll = 500ms
timeout = 400ms

[bed.b1]
devices = m1
[bed.b2]
devices = m2
CONF
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session V-1 --by "Nurse A" >/dev/null || fail "session start b1"
ctl session start --bed b2 --session V-2 --by "Nurse A" >/dev/null || fail "session start b2"

count() { sql "select count(*) from readings where $1"; }
open_alert() { sql "select count(*) from alerts where device='$1' and code='$2' and state='raised'"; }
wait_for 5 "m2's wrong_device alert" more_than "open_alert m2 wrong_device" 0
[ "$(sql "select priority from alerts where device='m2' and code='wrong_device'")" = high ] ||
  fail "wrong_device is not high priority"
[ "$(alerts_of m1 wrong_device)" = 0 ] || fail "m1 reports its configured serial, yet wrong_device"
pass "m2 reports serial 0000099999 where 0000022222 is configured: wrong_device, high; m1 not"

wait_for 5 "readings of m2 kept" more_than "count \"device='m2'\"" 2
wait_for 5 "readings of m1 for V-1" more_than "count \"device='m1' and session_id='V-1'\"" 2
[ "$(count "device='m2' and (session_id is not null or flags&128=0)")" = 0 ] ||
  fail "a reading of the wrong monitor was attributed to a session or not flagged"
pass "m2's readings stored flagged wrong_device for no session; m1's for V-1"

sim_cmd right value spo2 80
sim_cmd other value spo2 80
wait_for 5 "m1's low SpO2 alert (the positive control)" more_than "alerts_of m1 low" 0
wait_for 5 "m2's SpO2 80 stored" more_than "count \"device='m2' and vital='spo2' and value=80\"" 0
sleep 1
[ "$(alerts_of m2 low)" = 0 ] || fail "the wrong monitor's SpO2 80 raised an alarm at b2"
[ "$(sql "select count(*) from gaps where bed='b2' and reason='wrong_device'")" -gt 0 ] ||
  fail "no wrong_device gap at b2"
pass "SpO2 80 alarms at b1, not from the wrong monitor at b2; b2 has a wrong_device gap"

ctl status --json > "$T/status.json" || fail "status"
jq -e '.devices[] | select(.device=="m2") | .identity=="wrong" and .serial=="0000099999" and
  .expected_serial=="0000022222" and .expected_model=="Rad-8"' "$T/status.json" >/dev/null ||
  fail "status --json does not show m2's identity: $(jq -c '.devices' "$T/status.json")"
jq -e '.devices[] | select(.device=="m1") | .identity=="expected" and .serial=="0000011111"' \
  "$T/status.json" >/dev/null || fail "status --json: m1 is not as expected"
ctl status | grep -E "^m2 +- +0000099999 +WRONG DEVICE" >/dev/null ||
  fail "vitalsctl status does not say WRONG DEVICE for m2: $(ctl status | grep '^m2')"
pass "status shows the serial read and the verdict (wrong, expected)"

t0=$(now_ms)
ctl device-confirm m2 --by "Tech B" > "$T/confirm.txt" || fail "device-confirm m2"
grep -q "confirmed: serial '0000099999'" "$T/confirm.txt" || fail "confirm said: $(cat "$T/confirm.txt")"
[ "$(sql "select count(*) from audit where action='device_confirm' and detail like '%0000099999%'
          and detail like '%\"result\":\"done\"%' and detail like '%Tech B%'")" = 1 ] ||
  fail "no audit row for the confirmation"
wait_for 5 "m2's readings for V-2 again" more_than "count \"device='m2' and session_id='V-2'\"" 0
wait_for 5 "m2's low SpO2 alert once confirmed" more_than "alerts_of m2 low" 0
[ "$(open_alert m2 wrong_device)" = 0 ] || fail "wrong_device still raised after the confirmation"
[ "$(count "device='m2' and session_id is not null and ts_ms < $t0")" = 0 ] ||
  fail "readings from before the confirmation were attributed"
pass "device-confirm (audited) ends wrong_device; readings count for V-2 from then on, not before"

sim_cmd right serial 0000077777
wait_for 5 "a monitor swapped on m1's cable: wrong_device" more_than "open_alert m1 wrong_device" 0
sim_cmd right serial 0000011111
wait_for 5 "the right monitor back: wrong_device ends" \
  bash -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/vitalsd.db' \"select count(*) from alerts where device='m1' and code='wrong_device' and state='raised'\")\" = 0 ]"
grep -q "device 'm1': the expected device reports again" "$T/vitalsd.log" || fail "no log of m1 back"
pass "a swap on m1's cable is caught, and ends when the expected monitor reports again"

if ctl device-confirm m1 2> "$T/refused.txt"; then fail "confirming an expected device was accepted"; fi
grep -q "not flagged wrong_device" "$T/refused.txt" || fail "refusal said: $(cat "$T/refused.txt")"
pass "device-confirm of a device not flagged is refused with the reason"
stop_daemon

# vitalsctl probe through the driver (vitalsd stopped: a link serves one program at a time).
ctl probe m2 > "$T/probe.txt" || fail "probe m2 (exit $?): $(cat "$T/probe.txt")"
grep -q "identity: model '-', serial '0000099999'" "$T/probe.txt" || fail "probe: $(cat "$T/probe.txt")"
grep -q "NOT the configured serial '0000022222'" "$T/probe.txt" || fail "probe did not compare"
grep -Eq "^    spo2 +80 %" "$T/probe.txt" || fail "probe shows no SpO2 reading: $(cat "$T/probe.txt")"
pass "vitalsctl probe m2: its readings in words, the serial it reports, not the configured one"
