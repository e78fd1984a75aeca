#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The accutorr driver against vsd-accutorr-sim: a monitor with SpO2 over a pty, one without over
# TCP. SpO2, pulse and NIBP stored; one cuff measurement stored once with its measurement time
# however many polls show it (the age field advancing), a new one stored anew; status bytes
# become quality flags; garbled answers never stored (repeated ones raise comms_degraded); a
# silent monitor and a pulled cable raise comms_loss in time, readings resume without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/accutorr/vsd-accutorr-sim
P=500
TCP=$(free_port)
# --minute 1: the age field counts one "minute" a second, so ages advance within the test.
start_sim a1 "$SIM" --pty "$T/acc1" --nibp 120/93/80 --minute 1
start_sim a2 "$SIM" --tcp "$TCP" --no-spo2 --nibp 118/90/76

# accutorr_device NAME PORT [KEY=VALUE]: a device section polled every P ms, alone in bed bNAME.
accutorr_device() {
  printf '\n[device.%s]\ndriver = accutorr\nport = %s\npoll = %sms\ntimeout = 400ms\n%s\n' \
    "$1" "$2" "$P" "${3:-}"
  printf '[bed.b%s]\ndevices = %s\n' "$1" "$1"
}
start_broker
write_config "$T/vitalsd.conf"
{
  printf '[technical]\nsensor_off_delay = 1s\ninvalid_delay = 1s\n'
  accutorr_device a1 "$T/acc1"
  accutorr_device a2 "tcp://127.0.0.1:$TCP" "spo2 = false"
} >> "$T/vitalsd.conf"
t_start=$(now_ms)
start_daemon "$T/vitalsd.conf"

count() { sql "select count(*) from readings where device='$1' and $2"; }
seen() { [ "$(count "$1" "$2")" -gt 0 ]; }
wait_for 5 "a1 SpO2 97 over a pty" seen a1 "vital='spo2' and value=97"
wait_for 5 "a1 pulse 72" seen a1 "vital='pr' and value=72"
wait_for 5 "a1 NIBP 120/80, mean 93" seen a1 "vital='nibp_mean' and value=93"
seen a1 "vital='nibp_sys' and value=120" || fail "a1 systolic 120 missing"
seen a1 "vital='nibp_dia' and value=80" || fail "a1 diastolic 80 missing"
wait_for 5 "a2 pulse over TCP" seen a2 "vital='pr' and value=72"
wait_for 5 "a2 NIBP 118" seen a2 "vital='nibp_sys' and value=118"
[ "$(count a2 "vital='spo2'")" -eq 0 ] || fail "a2 (spo2 = false) stored SpO2"
pass "NIBP, SpO2 and pulse over a pty; NIBP and pulse over TCP, no SpO2 from a model without it"

# One measurement, many polls: its age advances by a "minute" a second meanwhile.
sleep 2
polls=$(count a1 "vital='spo2'")
[ "$polls" -ge 3 ] || fail "only $polls SpO2 readings of a1 so far"
n_sys=$(count a1 "vital='nibp_sys'")
[ "$n_sys" -eq 1 ] || fail "a1's cuff measurement stored $n_sys times"
t120=$(sql "select ts_ms from readings where device='a1' and vital='nibp_sys' and ts_source=1")
[ -n "$t120" ] && [ "$t120" -ge $((t_start - 1000)) ] && [ "$t120" -le "$(now_ms)" ] \
  || fail "a1 NIBP time '$t120' is not the measurement's (start $t_start)"
pass "one cuff measurement stored once (with its measurement time) while $polls SpO2 readings were"

sim_cmd a1 nibp 130 98 85
wait_for 5 "a1 new measurement 130" seen a1 "vital='nibp_sys' and value=130"
sleep 1
[ "$(count a1 "vital='nibp_sys' and value=130")" -eq 1 ] \
  || fail "new measurement stored more than once"
seen a1 "vital='nibp_sys' and value=130 and ts_source=1 and ts_ms>$t120" \
  || fail "new measurement's time not after the first"
pass "a new cuff measurement stored once, after the first"

sim_cmd a1 status 0 0 2
sim_cmd a1 nibp 125 95 82
wait_for 5 "a1 NIBP motion artifact flag" seen a1 "vital='nibp_sys' and value=125 and flags&4"
sim_cmd a1 status 0 0 0
sim_cmd a1 probe_off 3
wait_for 5 "a1 sensor off: no SpO2 value, flagged" \
  seen a1 "vital='spo2' and value is null and flags&2"
wait_for 5 "a1 sensor_off alert" more_than "alerts_of a1 sensor_off" 0
pass "status bytes: NIBP motion artifact and SpO2 sensor off stored as flags"

# One garbled answer every other poll: never five polls in a row without a usable answer.
for f in "noise 30" "flip 1" "truncate 1" "overlong 1"; do
  sim_cmd a1 "$f"; sleep 1.1
done
# Three garbled answers in a row: comms_degraded, but not yet comms_loss (five).
sim_cmd a1 badsum 3
wait_for 5 "a1 comms_degraded" more_than "alerts_of a1 comms_degraded" 0
sleep 1
[ "$(alerts_of a1 comms_loss)" -eq 0 ] || fail "a1: garbled answers raised comms_loss"
pass "a1: three garbled answers in a row raised comms_degraded, not comms_loss"
wrong=$(count a1 "value is not null and not ((vital='spo2' and value=97)
             or (vital='pr' and value=72) or vital like 'nibp%')")
nibp_wrong=$(count a1 "vital='nibp_sys' and value not in (120, 130, 125)")
[ "$wrong" -eq 0 ] && [ "$nibp_wrong" -eq 0 ] \
  || fail "$wrong + $nibp_wrong garbled a1 values stored"
pass "noise, flips, truncated/over-long answers, garbled digits: no wrong value stored"

check_silent a2 a2 $P 400
check_unplug a1 a1 $P spo2

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "$(sql "select count(*) from readings") readings stored; database intact"
