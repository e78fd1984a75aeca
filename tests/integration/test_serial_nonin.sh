#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nonin driver against vsd-nonin-sim: DF7 over a pty, DF2 over TCP, DF8 over a pty.
# Readings and flags stored; noise, bit flips, truncated and over-long frames, bad checksums never
# stored (and repeated ones raise comms_degraded); finger out flagged then "no value"; a silent
# oximeter and a pulled cable (pty closed, TCP reset) raise comms_loss in time, the daemon does
# not spin while the link is down, and readings resume without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/nonin/vsd-nonin-sim
P=500
TCP=$(free_port)
start_sim s7 "$SIM" --pty "$T/nonin7" --format 7
start_sim s2 "$SIM" --tcp "$TCP" --format 2 --hr 64 --spo2 98
start_sim s8 "$SIM" --pty "$T/nonin8" --format 8 --hr 200 --spo2 95

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[technical]
sensor_off_delay = 1s
invalid_delay = 1s

[device.n7]
driver = nonin
port = $T/nonin7
poll = ${P}ms
timeout = 300ms

[device.n2]
driver = nonin
port = tcp://127.0.0.1:$TCP
format = 2
poll = ${P}ms
timeout = 300ms

[device.n8]
driver = nonin
port = $T/nonin8
format = 8
poll = ${P}ms
timeout = 300ms

[bed.b7]
devices = n7
[bed.b2]
devices = n2
[bed.b8]
devices = n8
CONF
start_daemon "$T/vitalsd.conf"

value_seen() { [ "$(sql "select count(*) from readings where device='$1' and vital='$2' and value=$3")" -gt 0 ]; }
wait_for 5 "n7 SpO2 97 over a pty (DF7)" value_seen n7 spo2 97
wait_for 5 "n7 pulse 72" value_seen n7 pr 72
wait_for 5 "n2 SpO2 98 over TCP (DF2)" value_seen n2 spo2 98
wait_for 5 "n2 pulse 64" value_seen n2 pr 64
wait_for 5 "n8 pulse 200 (9-bit HR, DF8)" value_seen n8 pr 200
pass "DF7 over a pty, DF2 over TCP, DF8 over a pty: SpO2 and pulse stored"

# Finger out on the DF8 oximeter: flagged with the held value, "no value" after the 10 s hold.
sim_cmd s8 probe_off 13
off_t0=$(now_ms)

# Every garbling fault on n7 while its values stay 97 / 72: no other value may be stored.
for f in "noise 40" "flip 1" "truncate 1" "overlong 1" "badsum 1" "flip 3" "noise 7"; do
  sim_cmd s7 "$f"; sleep 0.3
done
check_degraded n7 s7
grep -q "n7.*communication degraded" "$T/vitalsd.log" || fail "no degraded log line for n7"
wrong=$(sql "select count(*) from readings where device='n7' and value is not null and
             not ((vital='spo2' and value=97) or (vital='pr' and value=72))")
[ "$wrong" -eq 0 ] || fail "$wrong garbled n7 values stored: $(sql "select vital, value from readings where device='n7' and value not in (97, 72) limit 5")"
pass "noise, flips, truncated/over-long frames and bad checksums: no wrong value stored"

sim_cmd s2 value spo2 85
wait_for 5 "n2 SpO2 85 after a change" value_seen n2 spo2 85
pass "a value change reaches the store"

check_silent n2 s2 $P 300
check_unplug n7 s7 $P spo2
check_unplug n2 s2 $P spo2

# n8's finger-out, meanwhile: SENSOR_OFF with values, then no value, and the technical alert.
flagged=$(sql "select count(*) from readings where device='n8' and vital='spo2' and value=95 and flags&2")
[ "$flagged" -gt 0 ] || fail "no SpO2 reading flagged sensor-off during the hold"
wait_for $((16 - ($(now_ms) - off_t0) / 1000)) "n8 no-value readings" \
  more_than "sql \"select count(*) from readings where device='n8' and vital='pr' and value is null and flags&3=3\"" 0
[ "$(alerts_of n8 sensor_off)" -gt 0 ] || fail "no sensor_off alert for n8"
pass "finger out: $flagged flagged readings during the hold, then 'no value' (NULL, invalid+sensor off), sensor_off alert"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
nn=$(sql "select count(*) from readings where device like 'n%'")
pass "$nn readings stored; database intact"
