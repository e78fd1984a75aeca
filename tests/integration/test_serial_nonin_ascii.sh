#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nonin driver with format = ascii against vsd-nonin-sim --format ascii: the legacy
# "SPO2=XXX HR=YYY" line once a second, with a time prefix over a pty, without over TCP. Readings
# stored (the power-up header skipped); dashes stored as "no value"; garbled lines never stored
# and repeated ones raise comms_degraded; a silent oximeter and a pulled cable raise comms_loss in
# time, the daemon idles while unplugged, and readings resume without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/nonin/vsd-nonin-sim
P=1000
TCP=$(free_port)
start_sim a1 "$SIM" --pty "$T/nonin-a1" --format ascii --stamp 1
start_sim a2 "$SIM" --tcp "$TCP" --format ascii --hr 64 --spo2 98

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[technical]
invalid_delay = 1s

[device.h1]
driver = nonin
format = ascii
port = $T/nonin-a1
poll = ${P}ms
timeout = 800ms

[device.h2]
driver = nonin
format = ascii
port = tcp://127.0.0.1:$TCP
poll = ${P}ms
timeout = 800ms

[bed.b1]
devices = h1
[bed.b2]
devices = h2
CONF
start_daemon "$T/vitalsd.conf"

value_seen() {
  [ "$(sql "select count(*) from readings where device='$1' and vital='$2' and value=$3")" -gt 0 ]
}
wait_for 5 "h1 SpO2 97 over a pty (time prefix)" value_seen h1 spo2 97
wait_for 2 "h1 pulse 72" value_seen h1 pr 72
wait_for 5 "h2 SpO2 98 over TCP" value_seen h2 spo2 98
wait_for 2 "h2 pulse 64" value_seen h2 pr 64
pass "legacy ASCII over a pty and over TCP: SpO2 and pulse stored"

flag_seen() {
  [ "$(sql "select count(*) from readings where device='$1' and vital='$2' and $3")" -gt 0 ]
}
sim_cmd a2 probe_off 3
wait_for 5 "h2 dashes: SpO2 no value, invalid" flag_seen h2 spo2 "value is null and flags&1"
wait_for 2 "h2 dashes: pulse no value, invalid" flag_seen h2 pr "value is null and flags&1"
wait_for 5 "h2 invalid alert" more_than "alerts_of h2 invalid" 0
pass "dashes stored as no value, flagged invalid; the invalid alert raised"

sim_cmd a1 badsum 5
wait_for 8 "h1 comms_degraded" more_than "alerts_of h1 comms_degraded" 0
wrong=$(sql "select count(*) from readings where device='h1' and value is not null and
             not ((vital='spo2' and value=97) or (vital='pr' and value=72))")
[ "$wrong" -eq 0 ] || fail "$wrong garbled h1 values stored"
pass "h1: garbled lines never stored; repeated ones raised comms_degraded"

check_silent h2 a2 $P 800
check_unplug h1 a1 $P spo2

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "$(sql "select count(*) from readings") readings stored; database intact"
