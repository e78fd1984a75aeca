#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T13 (storage failing): the database cannot grow (a file-size limit on the
# daemon, set and lifted with prlimit, stands in for a full disk). The "storage failing" technical
# alert reaches MQTT directly, without the database, within a second or two; a physiological alert
# raised while the disk is full reaches a subscriber within 1 s, from memory, and is in the
# database, sent once and marked delivered, when space returns; readings are held in RAM
# meanwhile and written without duplicates; the alert clears and the database is intact.
. "$(dirname "$0")/lib.sh"

command -v prlimit >/dev/null || fail "prlimit (util-linux) is needed"
start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 4
subscribe 'vitals/test/daemon/alerts' "$T/daemon.txt"
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-13 --by "Nurse A" >/dev/null
sleep 2
size=$(( $(stat -c %s "$T/vitalsd.db") + $(stat -c %s "$T/vitalsd.db-wal" 2>/dev/null || echo 0) ))
prlimit --pid "$DAEMON_PID" --fsize=$((size / 2)):unlimited || fail "prlimit"
limited_ms=$(($(date +%s%N) / 1000000))

storage_alert() { has_events "$T/daemon.txt" '.alerts | map(.code) | index("storage_failing")'; }
wait_for 10 "storage alert on MQTT" storage_alert
alert_ms=$(($(date +%s%N) / 1000000))
grep -q "commit failed" "$T/vitalsd.log" || fail "the failed commit was not logged"
pass "storage_failing on vitals/test/daemon/alerts $((alert_ms - limited_ms)) ms after the disk filled"

# A limit every SpO2 reading crosses, set while nothing can be committed (the command's reply
# waits for a commit that cannot happen: it runs in the background).
raised() { has_events "$T/alerts.txt" '.event=="raised" and .vital=="spo2"'; }
raised && fail "an SpO2 alert before the limit was set"
ctl limits set --session S-13 --vital spo2 --band "below 100 high" --by "Dr Lee" \
  >"$T/limits.out" 2>&1 &
PIDS+=("$!")
set_ms=$(($(date +%s%N) / 1000000))
wait_for 3 "the SpO2 alert on MQTT while the disk is full" raised
raised_ms=$(($(date +%s%N) / 1000000))
[ $((raised_ms - set_ms)) -le 1000 ] ||
  fail "the alert took $((raised_ms - set_ms)) ms to reach the subscriber (at most 1000 ms)"
grep -q "commit failed" "$T/vitalsd.log" || fail "no failed commit: the disk was not full"
pass "an SpO2 alert raised while the disk is full reached the subscriber in $((raised_ms - set_ms)) ms"
sleep 2
prlimit --pid "$DAEMON_PID" --fsize=unlimited:unlimited || fail "prlimit (lift)"
cleared() { [ "$(payloads "$T/daemon.txt" | tail -n1 | jq '.alerts | length')" -eq 0 ]; }
wait_for 15 "storage alert cleared" cleared
stop_daemon

[ "$(sql "pragma integrity_check")" = ok ] || fail "integrity check"
spo2_id=$(payloads "$T/alerts.txt" | jq -r 'select(.event=="raised" and .vital=="spo2") | .alert_id' | head -n1)
[ "$(sql "select count(*) from alert_events where alert_id='$spo2_id' and event='raised'")" = 1 ] ||
  fail "the alert raised while the disk was full is not in the database"
[ "$(sql "select count(*) from outbox where payload like '%$spo2_id%raised%' and delivered_ms is not null")" = 1 ] ||
  fail "its outbox row was not marked delivered"
[ "$(payloads "$T/alerts.txt" | jq -c "select(.alert_id==\"$spo2_id\" and .event==\"raised\")" | wc -l)" = 1 ] ||
  fail "the raised event reached the subscriber more than once"
pass "the alert is in the database once writing resumed, its outbox row delivered, sent once"
dups=$(sql "select count(*) from (select device, vital, ts_ms from readings group by 1,2,3 having count(*) > 1)")
[ "$dups" -eq 0 ] || fail "$dups duplicated readings"
# 4 monitors at 5 Hz, 4 vitals (+ NIBP now and then): no gap in b1's heart rate while held in RAM
gap=$(sql "select max(d) from (select ts_ms - lag(ts_ms) over (order by ts_ms) as d from readings
           where device='m1' and vital='hr')")
[ "$gap" -le 600 ] || fail "a ${gap} ms hole in the readings: readings were lost"
[ "$(sql "select count(*) from alert_events e join alerts a using (alert_id) where a.code='storage_failing'")" -ge 2 ] ||
  fail "the storage alert's raise and clear were not recorded afterwards"
pass "readings held while the disk was full were written without loss or duplicates; alert cleared"
