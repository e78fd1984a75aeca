#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# T07: "no value" sentinels (0xFFFF, 0x7FFF), NaN floats and implausible values from a Modbus unit
# are stored flagged (invalid / implausible), raise the persistent-invalid technical alert, and
# never raise, clear or hold back a threshold alert: an implausible HR of 350 does not raise HR
# high, a sentinel SpO2 does not raise SpO2 low, NaN NIBP does not raise NIBP low; while an SpO2
# low alert is active, sentinel and implausible SpO2 values do not clear it; a valid value does.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

start_broker
start_mbsim --tcp "0:1=$PROFILE"
U=$(mbsim_port 1).1
mb_head "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[alarm.spo2]
low = 90
low_priority = high

[alarm.hr]
high = 120
high_priority = medium

[alarm.nibp_sys]
low = 85
high = 250
low_priority = high

CONF
add_mb_tcp "$T/vitalsd.conf" mon "$(mbsim_port 1)" 1 200ms 150ms
add_bed "$T/vitalsd.conf" b1 mon
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"
wait_for 10 "readings" polled mon 3

# --- values that must not raise anything: implausible HR, sentinel SpO2, NaN cuff values
t0=$(now_ms)
simcmd set "$U" hr 350 >/dev/null
simcmd raw "$U" holding 3 0x7FFF >/dev/null # SpO2's second "no value" code
simcmd nibp "$U" nan nan nan >/dev/null     # f32 NaN, a new measurement (the counter moves)
wait_for 5 "invalid technical alert for SpO2" has_alert mon invalid "and vital='spo2'"
wait_for 5 "invalid technical alert for HR" has_alert mon invalid "and vital='hr'"
sleep 1
t1=$(now_ms)
[ "$(alert_count mon high)" -eq 0 ] || fail "an implausible HR of 350 raised HR high"
[ "$(alert_count mon low)" -eq 0 ] || fail "a sentinel SpO2 or a NaN cuff value raised a low alert"
hr=$(sql "select count(*) from readings where device='mon' and vital='hr' and ts_ms>$t0+300 and ts_ms<$t1
          and not (value=350 and flags&8)")
[ "$hr" -eq 0 ] || fail "$hr HR readings of 350 stored without the implausible flag"
spo2=$(sql "select count(*) from readings where device='mon' and vital='spo2' and ts_ms>$t0+300 and ts_ms<$t1
            and not (value is null and flags&1)")
[ "$spo2" -eq 0 ] || fail "$spo2 SpO2 readings with the sentinel 0x7FFF not stored as invalid without a value"
nan=$(sql "select count(*) from readings where device='mon' and vital='nibp_sys' and value is null and flags&1")
[ "$nan" -eq 1 ] || fail "the NaN cuff measurement is stored $nan times flagged invalid (want once)"
zero=$(sql "select count(*) from readings where device='mon' and value=0")
[ "$zero" -eq 0 ] || fail "$zero readings stored as 0 instead of no value"
pass "HR 350 stored flagged implausible, SpO2 0x7FFF and NaN NIBP stored invalid; invalid alerts raised, no threshold alert"

simcmd set "$U" hr 0 >/dev/null
sleep 1
[ "$(sql "select count(*) from readings where device='mon' and vital='hr' and value=0 and flags&8=0")" -eq 0 ] \
  || fail "HR 0 stored without the implausible flag"
simcmd set "$U" hr 72 >/dev/null
simcmd raw "$U" clear >/dev/null
pass "HR 0 stored flagged implausible"

# --- an active SpO2 low alert is neither cleared nor held by unusable values
simcmd set "$U" spo2 85 >/dev/null
wait_for 5 "SpO2 low raised" has_alert mon low "and vital='spo2'"
simcmd raw "$U" holding 3 0xFFFF >/dev/null
sleep 1.5
simcmd raw "$U" clear >/dev/null
simcmd set "$U" spo2 105 >/dev/null
sleep 1.5
[ "$(alert_count mon low "and vital='spo2' and cleared_ms is null")" -eq 1 ] \
  || fail "a sentinel or an implausible SpO2 cleared the SpO2 low alert"
[ "$(sql "select count(*) from readings where device='mon' and vital='spo2' and value=105 and flags&8=0")" -eq 0 ] \
  || fail "SpO2 105 stored without the implausible flag"
pass "SpO2 low stays active through sentinel and implausible (105) values"
simcmd set "$U" spo2 97 >/dev/null
wait_for 5 "SpO2 low cleared by a valid value" has_cleared mon low "and vital='spo2'"
has_events "$T/alerts.txt" '.code=="low" and .vital=="spo2" and .event=="cleared" and .value==97' \
  || fail "SpO2 low cleared by something other than the valid 97"
pass "a valid SpO2 of 97 cleared it"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
