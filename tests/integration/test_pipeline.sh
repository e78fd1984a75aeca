#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End to end on real parts: sim monitors -> vitalsd -> SQLite + a real mosquitto.
# Readings arrive and are stored against the session; a desaturation raises an SpO2 alert within
# delay + 2 poll periods and clears; probe off and a silent monitor raise technical alerts that
# clear; a bed without a session keeps its readings with no session; a cuff measurement is
# stored once; SIGTERM exits 0 with an intact database.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[technical]
sensor_off_delay = 1s
invalid_delay = 1s

[alarm.spo2]
low = 90
low_priority = high
delay = 2s
hysteresis = 1

[alarm.nibp_sys]
high = 160
high_priority = medium

[device.m1]
driver = sim
poll = 250ms
timeout = 100ms
seed = 11
event = desaturation at=3s for=9s value=84

[device.m2]
driver = sim
poll = 250ms
timeout = 100ms
seed = 12
event = probe_off at=3s for=3s
event = silent at=8s for=3s

[device.m3]
driver = sim
poll = 250ms
timeout = 100ms
seed = 13
event = hypertension at=2s for=6s value=190

[bed.b1]
devices = m1

[bed.b2]
devices = m2

[bed.b3]
devices = m3
CONF

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
subscribe 'vitals/test/bed/b1/readings' "$T/readings.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-1 --by "Nurse A" >/dev/null
ctl session start --bed b2 --session S-2 --by "Nurse A" >/dev/null

wait_for 5 "readings of b1 with session S-1" grep -q '"session":"S-1"' "$T/readings.txt"
pass "live readings arrive with the session id"

has_event() { has_events "$T/alerts.txt" "$1"; }
wait_for 15 "SpO2 low alert raised" has_event '.code=="low" and .vital=="spo2" and .event=="raised"'
raised=$(payloads "$T/alerts.txt" | jq -c 'select(.code=="low" and .vital=="spo2" and .event=="raised")' | head -n1)
echo "$raised" | jq -e '.bed=="b1" and .session=="S-1" and .limit==90 and .value<90 and .priority=="high"
  and (.alert_id|length)==32 and .seq>0 and .kind=="physiological"' >/dev/null \
  || fail "alert payload lacks value/limit/session: $raised"
pass "SpO2 alert carries value, limit, priority, session: $raised"

# Latency: from the first stored SpO2 reading below the limit, the alert must follow within
# delay (2000 ms) + 2 poll periods (500 ms). The engine times the delay on the monotonic clock;
# the stored times are wall-clock milliseconds read at other instants, so the difference can
# fall a few ms short of 2000 (NTP may slew the wall clock by up to 500 ppm, and each stored
# time is truncated to the ms). A CI run saw 1999 ms. 1990 still proves the delay was honoured.
id=$(echo "$raised" | jq -r .alert_id)
first_low=$(sql "select min(ts_ms) from readings where device='m1' and vital='spo2' and value<90")
raised_ms=$(sql "select raised_ms from alerts where alert_id='$id'")
lat=$((raised_ms - first_low))
[ "$lat" -ge 1990 ] && [ "$lat" -le 2500 ] || fail "alert raised ${lat} ms after the first low reading (want 1990..2500)"
pass "alert raised ${lat} ms after the first low reading (delay 2000 + 2P 500)"

wait_for 15 "SpO2 alert cleared" has_event ".alert_id==\"$id\" and .event==\"cleared\""
has_event ".alert_id==\"$id\" and .event==\"cleared\" and .value>=91" \
  || fail "cleared before value reached limit + hysteresis"
pass "SpO2 alert cleared after recovery past the hysteresis"

wait_for 10 "sensor off raised" has_event '.bed=="b2" and .code=="sensor_off" and .event=="raised"'
wait_for 10 "sensor off cleared" has_event '.bed=="b2" and .code=="sensor_off" and .event=="cleared"'
pass "probe off raised and cleared a technical alert"
wait_for 10 "comms loss raised" has_event '.bed=="b2" and .code=="comms_loss" and .event=="raised"'
wait_for 10 "comms loss cleared" has_event '.bed=="b2" and .code=="comms_loss" and .event=="cleared"'
pass "silent monitor raised and cleared communication lost"

wait_for 10 "NIBP high alert for b3" has_event '.bed=="b3" and .code=="high" and .vital=="nibp_sys"'
[ "$(count_events "$T/alerts.txt" '.bed=="b3" and .session!=null')" -eq 0 ] \
  || fail "b3 has no session but its alert names one"
pass "hypertension at a bed without a session raises an alert with no session"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"

# Stored against the session; never attributed to another one.
started=$(sql "select started_ms from sessions where session_id='S-1'")
n=$(sql "select count(*) from readings where bed='b1' and session_id='S-1'")
[ "$n" -gt 20 ] || fail "only $n readings stored for S-1"
wrong=$(sql "select count(*) from readings where bed='b1' and ts_source=0 and ts_ms>$started+50 and session_id is not 'S-1'")
[ "$wrong" -eq 0 ] || fail "$wrong readings at b1 after session start not attributed to S-1"
other=$(sql "select count(*) from readings where bed='b3' and session_id is not null")
[ "$other" -eq 0 ] || fail "$other readings of the session-less bed b3 carry a session"
nb3=$(sql "select count(*) from readings where bed='b3'")
[ "$nb3" -gt 20 ] || fail "readings of the session-less bed were not kept ($nb3)"
pass "$n readings stored against S-1; b3's $nb3 readings kept with no session"

dups=$(sql "select count(*) from (select 1 from readings where device='m3' and vital='nibp_sys' group by ts_ms having count(*)>1)")
cuffs=$(sql "select count(*) from readings where device='m3' and vital='nibp_sys'")
[ "$dups" -eq 0 ] && [ "$cuffs" -ge 2 ] && [ "$cuffs" -le 4 ] || fail "NIBP stored $cuffs times with $dups duplicates"
pass "each cuff measurement stored once ($cuffs measurements)"

# No reading is stored for the polls the silent monitor did not answer: a gap, not a repeat.
read -r lost_ms back_ms < <(sql -separator ' ' "select raised_ms, cleared_ms from alerts where bed='b2' and code='comms_loss'")
gap=$(sql "select count(*) from readings where device='m2' and ts_source=0 and ts_ms>$lost_ms and ts_ms<$back_ms")
[ "$gap" -eq 0 ] || fail "$gap readings stored while m2 was silent"
pass "no reading stored while the monitor was silent ($((back_ms - lost_ms)) ms gap)"

audit=$(sql "select count(*) from audit where action='session_start' and actor='$ME' and json_extract(detail,'$.by_note')='Nurse A'")
[ "$audit" -eq 2 ] || fail "audit has $audit session_start rows by $ME noted 'Nurse A'"
pass "session commands audited with their verified actor and the typed name as a note"
