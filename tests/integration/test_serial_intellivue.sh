#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The intellivue driver against vsd-intellivue-sim: one monitor over a pty (results split into a
# linked part and the final result), one over TCP (a serial device server), one on the LAN (UDP
# datagrams, port = udp://...), one refusing its association at first. Association, the MDS
# Create Event Result, polls of numerics: HR, PR, SpO2, RR, NIBP stored with their values, the
# cuff measurement once with its time; NaN, NRes and an INVALID state stored as no value with a
# flag (never a zero); garbled frames never stored; a refused association, a silent monitor and a
# pulled cable raise comms_loss, readings resume (with a new association) without a restart; the
# daemon releases the association when it stops.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/intellivue/vsd-intellivue-sim
P=500
TCP=$(free_port)
start_sim i1 "$SIM" --pty "$T/ivue1" --linked
start_sim i2 "$SIM" --tcp "$TCP"
start_sim i3 "$SIM" --pty "$T/ivue3" --refuse
start_sim i4 "$SIM" --udp 0
UDP=$(sed -n 's/^ready port=//p' "$T/i4.out")

# ivue_device NAME PORT: a device section polled every P ms, alone in bed bNAME.
ivue_device() {
  printf '\n[device.%s]\ndriver = intellivue\nport = %s\npoll = %sms\ntimeout = 400ms\n' \
    "$1" "$2" "$P"
  printf '[bed.b%s]\ndevices = %s\n' "$1" "$1"
}
start_broker
write_config "$T/vitalsd.conf"
{
  printf '[technical]\ninvalid_delay = 1s\n'
  ivue_device i1 "$T/ivue1"
  ivue_device i2 "tcp://127.0.0.1:$TCP"
  ivue_device i3 "$T/ivue3"
  ivue_device i4 "udp://127.0.0.1:$UDP"
} >> "$T/vitalsd.conf"
t_start=$(now_ms)
start_daemon "$T/vitalsd.conf"

count() { sql "select count(*) from readings where device='$1' and $2"; }
seen() { [ "$(count "$1" "$2")" -gt 0 ]; }
wait_for 8 "i1 HR 72 over a pty" seen i1 "vital='hr' and value=72"
for v in "pr 71" "spo2 97" "rr 16" "nibp_sys 120" "nibp_dia 80" "nibp_mean 93"; do
  set -- $v
  wait_for 3 "i1 $1 $2" seen i1 "vital='$1' and value=$2 and flags=0"
done
wait_for 5 "i2 HR 72 over TCP" seen i2 "vital='hr' and value=72"
wait_for 3 "i2 NIBP 120" seen i2 "vital='nibp_sys' and value=120"
wait_for 5 "i4 HR 72 over the LAN (UDP)" seen i4 "vital='hr' and value=72"
wait_for 3 "i4 NIBP 93" seen i4 "vital='nibp_mean' and value=93"
pass "association, MDS event result, HR, PR, SpO2, RR, NIBP over a pty (linked results), TCP, UDP"

# The cuff measurement is 90 s old on the monitor's clock: stored once, with that time.
sleep 1.6
n_hr=$(count i1 "vital='hr'")
n_sys=$(count i1 "vital='nibp_sys'")
[ "$n_hr" -ge 3 ] && [ "$n_sys" -eq 1 ] || fail "i1: $n_hr HR readings, $n_sys NIBP (want >= 3, 1)"
t_sys=$(sql "select ts_ms from readings where device='i1' and vital='nibp_sys'")
age=$((t_start - t_sys))
[ "$age" -ge 85000 ] && [ "$age" -le 97000 ] \
  || fail "i1 NIBP stored at $t_sys, $age ms before the start (want about 90 s)"
pass "one cuff measurement stored once ($n_hr HR readings meanwhile), with its time ($age ms old)"

t0=$(now_ms)
sim_cmd i1 value spo2 nan
sim_cmd i1 state hr invalid
sim_cmd i2 value rr nres
none() { seen "$1" "vital='$2' and value is null and flags&1 and ts_ms>$t0"; }
wait_for 5 "i1 SpO2 NaN: no value, invalid" none i1 spo2
wait_for 3 "i1 HR INVALID state: no value" none i1 hr
wait_for 3 "i2 RR NRes: no value" none i2 rr
[ "$(count i1 "vital in ('spo2','hr') and value=0")" -eq 0 ] || fail "a zero stored for no value"
sim_cmd i1 value spo2 97
sim_cmd i1 state hr ok
sim_cmd i2 value rr 16
pass "NaN, NRes and an INVALID measurement state stored as no value flagged invalid, never 0"

# Garbled frames: a bad FCS, noise, a flipped bit: never a wrong value.
for fault in "badsum 1" "noise 40" "flip 1" "truncate 1"; do sim_cmd i1 "$fault"; sleep 0.6; done
t1=$(now_ms)
wait_for 5 "i1 readings after the garbled frames" has_readings_after i1 hr "$t1"
wrong=$(count i1 "value is not null and not ((vital='hr' and value=72) or (vital='pr' and value=71)
         or (vital='spo2' and value=97) or (vital='rr' and value=16) or vital like 'nibp%')")
[ "$wrong" -eq 0 ] || fail "$wrong garbled i1 values stored"
pass "bad FCS, noise, a flipped bit, a truncated frame: no wrong value stored"

# A monitor that refuses the association: comms_loss, the refusal named; then it accepts.
wait_for 5 "i3 comms_loss (association refused)" more_than "alerts_of i3 comms_loss" 0
grep -Eq "device 'i3' \(intellivue, bed '[^']+', port [^)]+\): not answering: Connection refused" "$T/vitalsd.log" \
  || fail "the refusal is not named in the log"
[ "$(count i3 "1")" -eq 0 ] || fail "readings stored from a refused association"
sim_cmd i3 refuse off
wait_for 5 "i3 readings once the monitor accepts" seen i3 "vital='hr' and value=72"
# The monitor aborts the association: comms_loss, then a new association and readings.
n0=$(alerts_of i2 comms_loss)
sim_cmd i2 drop_after 0
wait_for 5 "i2 comms_loss after an abort" more_than "alerts_of i2 comms_loss" "$n0"
t2=$(now_ms)
wait_for 8 "i2 readings after a new association" has_readings_after i2 hr "$t2"
pass "a refused association: comms_loss, 'Connection refused' logged; an aborted one: re-associated"

check_silent i2 i2 $P 400
check_silent i4 i4 $P 400
t_u=$(now_ms)
check_unplug i1 i1 $P hr
first=$(sql "select min(ts_ms) from readings where device='i1' and vital='hr' and ts_ms>$t_u")
resume=$((first - t_u - 5000))
[ "$resume" -le 10000 ] || fail "i1 resumed $resume ms after the replug"
pass "i1 resumed about $resume ms after the replug (a new association; the cable was out 5 s)"

sim_cmd i1 counts
grep -q "counts associations=[2-9]" "$T/i1.out" || fail "i1 was not associated again after replug"
stop_daemon
sleep 0.2
sim_cmd i1 counts
grep '^counts' "$T/i1.out" | tail -n 1 | grep -q "releases=[1-9]" \
  || fail "the daemon did not release the association when it stopped"
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "re-associated after replug; released on stop; $(sql "select count(*) from readings") readings"
