#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The contec driver against vsd-contec-sim: the legacy stream (19200 8-O-1 by default) over a
# pty, the new protocol over TCP (the daemon starts the stream and keeps it alive past the
# simulator's 10 s cut-off, and starts it again after a silence). Readings stored; a pulse above
# 127 (its 8th bit elsewhere); noise, flips, truncated and over-long packets and broken sync
# never stored as values (repeated ones raise comms_degraded); finger out and searching stored
# as "no value" with their flags, and the sensor_off alert; a silent oximeter and a pulled cable
# raise comms_loss in time and readings resume without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/contec/vsd-contec-sim
P=500
TCP=$(free_port)
start_sim s1 "$SIM" --pty "$T/contec1"
start_sim s2 "$SIM" --tcp "$TCP" --protocol new --hr 64 --spo2 98
# Control for the keep-alive check: s3 gets one start command and nothing after it.
TCP3=$(free_port)
start_sim s3 "$SIM" --tcp "$TCP3" --protocol new
exec {s3fd}<>"/dev/tcp/127.0.0.1/$TCP3"
printf '\x7d\x81\xa1\x80\x80\x80\x80\x80\x80' >&"$s3fd"

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[technical]
sensor_off_delay = 1s
invalid_delay = 1s

[device.c1]
driver = contec
port = $T/contec1
poll = ${P}ms
timeout = 300ms

[device.c2]
driver = contec
port = tcp://127.0.0.1:$TCP
protocol = new
poll = ${P}ms
timeout = 300ms

[bed.b1]
devices = c1
[bed.b2]
devices = c2
CONF
start_daemon "$T/vitalsd.conf"
t_start=$(now_ms)

value_seen() { [ "$(sql "select count(*) from readings where device='$1' and vital='$2' and value=$3")" -gt 0 ]; }
wait_for 5 "c1 SpO2 97 (legacy, pty)" value_seen c1 spo2 97
wait_for 5 "c1 pulse 72" value_seen c1 pr 72
wait_for 5 "c2 SpO2 98 (new protocol, TCP)" value_seen c2 spo2 98
wait_for 5 "c2 pulse 64" value_seen c2 pr 64
grep -q '^rx start' "$T/s2.out" || fail "the new-protocol oximeter got no start command"
# The legacy defaults reached the port: 19200 baud, odd parity, 1 stop bit. (Linux ptys force
# 8 bits and clear PARENB whatever is asked; PARODD and the speed stay as the daemon set them.)
line=$(stty -F "$T/contec1" -a) || fail "stty on c1's pty"
for want in "speed 19200 baud" " parodd " " -cstopb "; do
  [[ " ${line//$'\n'/ } " == *"$want"* ]] || fail "c1's port lacks '$want': $line"
done
pass "legacy over a pty (port set to 19200 baud, odd parity), new protocol over TCP (started by the daemon): SpO2 and pulse stored"

# c2: searching for a pulse, meanwhile.
sim_cmd s2 searching 2
# Every garbling fault on c1 while its values stay 97 / 72: no other value may be stored.
for f in "noise 40" "flip 1" "truncate 1" "overlong 1" "badsum 1" "flip 3" "noise 7"; do
  sim_cmd s1 "$f"; sleep 0.3
done
check_degraded c1 s1
wrong=$(sql "select count(*) from readings where device='c1' and value is not null and
             not ((vital='spo2' and value=97) or (vital='pr' and value=72))")
[ "$wrong" -eq 0 ] || fail "$wrong garbled c1 values stored: $(sql "select vital, value from readings where device='c1' and value not in (97, 72) limit 5")"
pass "noise, flips, truncated/over-long packets and broken sync: no wrong value stored"

searching=$(sql "select count(*) from readings where device='c2' and vital='spo2' and value is null and flags&33=33")
[ "$searching" -gt 0 ] || fail "no 'no value' reading flagged searching on c2"
pass "searching: $searching readings stored as no value, flagged invalid+searching"

sim_cmd s1 value hr 130
wait_for 5 "c1 pulse 130 (8th bit in byte 3)" value_seen c1 pr 130
sim_cmd s1 finger_out 3
wait_for 5 "c1 finger-out readings" \
  more_than "sql \"select count(*) from readings where device='c1' and vital='spo2' and value is null and flags&3=3\"" 0
wait_for 5 "c1 sensor_off alert" more_than "alerts_of c1 sensor_off" 0
wait_for 8 "c1 SpO2 after the finger is back" has_readings_after c1 spo2 "$(now_ms)"
pass "pulse 130 stored; finger out: no value (NULL, invalid+sensor off) and the sensor_off alert"

# The new protocol's stream stops 10 s after the last command: the keep-alives carry it on.
wait_for 12 "11 s of c2" more_than "echo \$(( \$(now_ms) - $t_start ))" 11000
! grep -q '^stream stopped' "$T/s2.out" || fail "c2's stream stopped: no keep-alive in time"
grep -q '^rx keepalive' "$T/s2.out" || fail "no keep-alive command reached the oximeter"
wait_for 3 "control: s3's stream stopped without keep-alives" grep -q '^stream stopped' "$T/s3.out"
exec {s3fd}>&-
t=$(now_ms)
wait_for 3 "c2 readings after 11 s" has_readings_after c2 spo2 "$t"
pass "keep-alives: $(grep -c '^rx keepalive' "$T/s2.out") sent, c2's stream still running after $(( ($(now_ms) - t_start) / 1000 )) s (the control's stopped)"

check_silent c2 s2 $P 300
check_unplug c1 s1 $P spo2

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "$(sql "select count(*) from readings where device like 'c%'") readings stored; database intact"
