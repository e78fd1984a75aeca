#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nellcor driver against vsd-nellcor-sim: an N-595 over a pty, an NPB-290 over TCP, a line
# every 2 s. Readings stored (headings skipped); dashes and the status codes SO/PS, MO, LP become
# "no value" and quality flags; garbled lines never stored and repeated ones raise
# comms_degraded; the 2 s gap between lines is no silence, a silent monitor raises comms_loss in
# time; a pulled cable raises comms_loss, the daemon does not spin, readings resume.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/nellcor/vsd-nellcor-sim
P=2000     # the line period: one line per poll (docs/devices/nellcor.md)
TO=1000
GAP=3000   # the driver's allowance for the gap between lines (1.5 line periods)
TCP=$(free_port)
start_sim s1 "$SIM" --pty "$T/n595" --model n595
start_sim s2 "$SIM" --tcp "$TCP" --model npb290 --hr 64 --spo2 98

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[technical]
sensor_off_delay = 1s
invalid_delay = 1s

[device.c1]
driver = nellcor
port = $T/n595
poll = ${P}ms
timeout = ${TO}ms

[device.c2]
driver = nellcor
port = tcp://127.0.0.1:$TCP
poll = ${P}ms
timeout = ${TO}ms

[bed.b1]
devices = c1
[bed.b2]
devices = c2
CONF
start_daemon "$T/vitalsd.conf"

value_seen() {
  [ "$(sql "select count(*) from readings where device='$1' and vital='$2' and value=$3")" -gt 0 ]
}
wait_for 6 "c1 SpO2 97 over a pty (N-595)" value_seen c1 spo2 97
wait_for 2 "c1 pulse 72" value_seen c1 pr 72
wait_for 6 "c2 SpO2 98 over TCP (NPB-290)" value_seen c2 spo2 98
wait_for 2 "c2 pulse 64" value_seen c2 pr 64
pass "N-595 over a pty, NPB-290 over TCP: SpO2 and pulse stored"

flag_seen() {
  [ "$(sql "select count(*) from readings where device='$1' and vital='spo2' and $2")" -gt 0 ]
}
sim_cmd s2 probe_off 4
sim_cmd s1 motion 3
wait_for 6 "c2 SO PS: no value, sensor off and searching" \
  flag_seen c2 "value is null and flags&35=35"
wait_for 5 "c2 sensor_off alert" more_than "alerts_of c2 sensor_off" 0
wait_for 5 "c1 MO: a value flagged artifact" flag_seen c1 "value=97 and flags&4 and not flags&3"
sim_cmd s1 lost 2
wait_for 6 "c1 LP: no value, searching" \
  flag_seen c1 "value is null and flags&32 and not flags&2"
pass "status codes SO PS, MO, LP stored as flags; dashes as no value"

# The 2 s gap between lines is no failure: no comms_loss so far.
[ "$(alerts_of c1 comms_loss)" -eq 0 ] && [ "$(alerts_of c2 comms_loss)" -eq 0 ] \
  || fail "comms_loss raised while the monitors printed every 2 s"
pass "a line every 2 s, polled every ${P} ms: no comms_loss"

# Garbled lines on c1 (every poll for 4 lines) while c2 goes silent for 10 s.
n0=$(alerts_of c2 comms_loss)
t0=$(now_ms)
sim_cmd s2 silent 10
sim_cmd s1 badsum 4
wait_for 12 "c1 comms_degraded" more_than "alerts_of c1 comms_degraded" 0
pass "c1: repeated garbled lines raised comms_degraded"
wait_for 10 "c2 comms_loss raised" more_than "alerts_of c2 comms_loss" "$n0"
raised=$(last_alert_raised c2 comms_loss)
# The last line came at most one period before the silence; the driver waits GAP after it, then
# two failed polls (each waiting the timeout) make comms_loss: bound GAP + 3P + TO.
[ $((raised - t0)) -le $((GAP + 3 * P + TO)) ] \
  || fail "c2: comms_loss $((raised - t0)) ms after silence (bound $((GAP + 3 * P + TO)))"
pass "c2 silent: comms_loss $((raised - t0)) ms after the silence began" \
  "(bound $((GAP + 3 * P + TO)))"
wrong=$(sql "select count(*) from readings where device='c1' and value is not null and
             not ((vital='spo2' and value=97) or (vital='pr' and value=72))")
[ "$wrong" -eq 0 ] || fail "$wrong garbled c1 values stored"
pass "garbled lines: no wrong value stored"
wait_for 10 "c2 comms_loss cleared" alert_closed c2 comms_loss

check_unplug c1 s1 $P spo2

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "$(sql "select count(*) from readings") readings stored; database intact"
