#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The masimo driver against vsd-masimo-sim: a Rad-8 line over a pty, a Radical-5 line over TCP.
# Readings stored; dashes and EXC bits become "no value" and quality flags; noise, bit flips,
# truncated and over-long lines and garbled digits never stored (repeated ones raise
# comms_degraded); a silent monitor and a pulled cable raise comms_loss in time, the daemon does
# not spin while the link is down, and readings resume without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/masimo/vsd-masimo-sim
P=1000
TCP=$(free_port)
start_sim r8 "$SIM" --pty "$T/rad8" --model rad8
start_sim r5 "$SIM" --tcp "$TCP" --model radical5 --hr 64 --spo2 98

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[technical]
sensor_off_delay = 1s
invalid_delay = 1s

[device.m8]
driver = masimo
port = $T/rad8
poll = ${P}ms
timeout = 800ms

[device.m5]
driver = masimo
port = tcp://127.0.0.1:$TCP
poll = ${P}ms
timeout = 800ms

[bed.b8]
devices = m8
[bed.b5]
devices = m5
CONF
start_daemon "$T/vitalsd.conf"

value_seen() { [ "$(sql "select count(*) from readings where device='$1' and vital='$2' and value=$3")" -gt 0 ]; }
wait_for 5 "m8 SpO2 97 over a pty (Rad-8 line)" value_seen m8 spo2 97
wait_for 5 "m8 pulse 72" value_seen m8 pr 72
wait_for 5 "m5 SpO2 98 over TCP (Radical-5 line)" value_seen m5 spo2 98
wait_for 5 "m5 pulse 64" value_seen m5 pr 64
pass "Rad-8 over a pty, Radical-5 over TCP: SpO2 and pulse stored"

flag_seen() { [ "$(sql "select count(*) from readings where device='$1' and vital='spo2' and $2")" -gt 0 ]; }
sim_cmd r5 probe_off 3
wait_for 5 "m5 sensor off: no value, flagged" flag_seen m5 "value is null and flags&3=3"
wait_for 5 "m5 sensor_off alert" more_than "alerts_of m5 sensor_off" 0
sim_cmd r5 lowperf 3
wait_for 6 "m5 low perfusion flag with a value" flag_seen m5 "value=98 and flags&16 and not flags&2"
sim_cmd r5 search 2
wait_for 5 "m5 pulse search flag" flag_seen m5 "value is null and flags&32"
pass "EXC sensor off, low perfusion and pulse search stored as flags; dashes as no value"

for f in "noise 30" "flip 1" "truncate 1" "overlong 1" "badsum 1" "flip 2"; do
  sim_cmd r8 "$f"; sleep 0.6
done
for _ in $(seq 1 5); do sim_cmd r8 badsum 1; sleep 0.9; done
wait_for 5 "m8 comms_degraded" more_than "alerts_of m8 comms_degraded" 0
pass "m8: repeated garbled lines raised comms_degraded"
wrong=$(sql "select count(*) from readings where device='m8' and value is not null and
             not ((vital='spo2' and value=97) or (vital='pr' and value=72))")
[ "$wrong" -eq 0 ] || fail "$wrong garbled m8 values stored"
pass "noise, flips, truncated/over-long lines, garbled digits: no wrong value stored"

check_silent m5 r5 $P 800
check_unplug m8 r8 $P spo2
check_unplug m5 r5 $P spo2

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "$(sql "select count(*) from readings") readings stored; database intact"
