#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T22: the broker drops messages for an offline subscriber. A nurse station
# with a persistent session (clean session off, QoS 1) goes offline while an alert storm on 12
# beds makes more alert events than the broker queues for it (max_queued_messages 5 here; 1000 by
# default, mosquitto.conf(5)). The monitor docs/reliability.md describes (a subscriber to
# $SYS/broker/publish/messages/dropped; vitalsd itself does not read $SYS) sees the count grow by
# at least the events beyond the queue; the station gets back at most the queue, and the alarms
# still active are all in the retained per-bed alert lists a reconnecting dashboard reads first.
. "$(dirname "$0")/../integration/lib.sh"

QUEUE=5 BEDS=12
BROKER_EXTRA="max_queued_messages $QUEUE
sys_interval 1" start_broker
write_config "$T/vitalsd.conf"
printf '\n[alarm.spo2]\nlow = 90\nlow_priority = high\n' >> "$T/vitalsd.conf"
for i in $(seq 1 $BEDS); do
  # beds 1-3 stay low (alarms active at the end); the others dip and recover
  for_s=$([ "$i" -le 3 ] && echo 600s || echo 2s)
  printf '[device.m%d]\ndriver = sim\npoll = 250ms\ntimeout = 100ms\nseed = %d\nevent = desaturation at=3s for=%s value=84\n[bed.b%d]\ndevices = m%d\n' \
    "$i" "$i" "$for_s" "$i" "$i" >> "$T/vitalsd.conf"
done
# the monitor
mosquitto_sub -h 127.0.0.1 -p "$PORT" -v -t '$SYS/broker/publish/messages/dropped' \
  > "$T/dropped.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
# the nurse station's persistent session, then it goes offline
station() { mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -c -i station-t22 -v -t 'vitals/test/bed/+/alert' "$@"; }
station -W 1 >/dev/null 2>>"$T/sub.log" || true
start_daemon "$T/vitalsd.conf"
storm_done() {
  [ "$(sql "select count(*) from alerts where code='low'")" -ge $BEDS ] &&
    [ "$(sql "select count(*) from alerts where code='low' and cleared_ms is not null")" -ge $((BEDS - 3)) ]
}
wait_for 20 "the alert storm (a raise on every bed, a clear on $((BEDS - 3)))" storm_done
events=$(sql "select count(*) + count(cleared_ms) from alerts")
dropped() { awk '{print $2}' "$T/dropped.txt" | sort -n | tail -n1; }
enough_dropped() { [ "$(dropped)" -ge $((events - QUEUE)) ]; }
wait_for 5 "the broker's dropped count to reach $((events - QUEUE))" enough_dropped
seen=$(dropped)

# the station returns: what was queued, never more than the queue (and at least one: the session
# was kept)
station -W 2 > "$T/station.txt" 2>>"$T/sub.log" || true
got=$(grep -c . "$T/station.txt" || true)
[ "$got" -ge 1 ] && [ "$got" -le $QUEUE ] || fail "the returning station got $got queued events (queue $QUEUE)"

# every active alarm is in its bed's retained alert list
mosquitto_sub -h 127.0.0.1 -p "$PORT" -v -t 'vitals/test/bed/+/alerts' -W 2 > "$T/lists.txt" \
  2>>"$T/sub.log" || true
active=$(sql "select bed || ' ' || alert_id from alerts where cleared_ms is null")
[ "$(grep -c . <<<"$active")" -eq 3 ] || fail "expected 3 active alarms, got: $active"
while read -r bed id; do
  grep "^vitals/test/bed/$bed/alerts " "$T/lists.txt" | grep -q "$id" ||
    fail "active alarm $id of $bed is not in its retained alert list"
done <<<"$active"
stop_daemon
echo "broker drops: $events alert events to an offline station with a queue of $QUEUE:" \
  "\$SYS dropped count $seen, $got delivered on return, 3 of 3 active alarms in the retained lists"
pass "T22: drops are counted by the broker and seen; active alarms stay visible"
