#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Alerts are never lost on the way to the nurses: (1) the broker stopped for 10 s while alerts
# are raised: every alert event recorded is delivered after it returns; (2) vitalsd killed with
# -9 while the broker is down: the database is intact and the unacknowledged alerts are re-sent
# after restart with the same alert ids.
. "$(dirname "$0")/lib.sh"

undelivered() { sql 'select count(*) from outbox where delivered_ms is null'; }
outbox_empty() { [ "$(undelivered)" -eq 0 ]; }
undelivered_at_least() { [ "$(undelivered)" -ge "$1" ]; }

mkdir -m 777 "$T/persist"
# A durable subscriber: its queue survives the broker restart (a clean shutdown saves it).
BROKER_EXTRA="persistence true
persistence_location $T/persist/
autosave_interval 1"
start_broker

write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<'CONF'
[technical]
sensor_off_delay = 0s

[alarm.hr]
high = 120
high_priority = medium

[device.m1]
driver = sim
poll = 200ms
timeout = 100ms
event = probe_off at=4s for=2s
event = tachycardia at=7s for=2s value=140
event = probe_off at=10s for=1s
event = silent at=12s for=1s

[bed.b1]
devices = m1
CONF

mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -c -i vsd-it-sub -v -t 'vitals/test/bed/+/alert' \
  -t 'vitals/test/daemon/alert' \
  > "$T/alerts.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
sleep 0.3
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-9 --by "Nurse B" >/dev/null

sleep 3
stop_broker
down_ms=$(($(date +%s%N) / 1000000))
sleep 10
up_ms=$(($(date +%s%N) / 1000000))
start_broker "$PORT"
sleep 6

during=$(sql "select count(*) from alert_events where ts_ms>$down_ms and ts_ms<$up_ms")
[ "$during" -ge 4 ] || fail "only $during alert events were raised while the broker was down"
wait_for 15 "outbox drained" outbox_empty
path=$(sql "select count(*) from alerts where code='alert_path_down' and state='cleared'")
[ "$path" -eq 1 ] || fail "the broker outage was not recorded as one 'alert path down' alert ($path)"
grep -q "alert_path_down.* raised" "$T/vitalsd.log" || fail "alert path down not logged"
expected=$(sql "select alert_id||' '||event from alert_events order by seq" | sort -u)
received=$(payloads "$T/alerts.txt" | jq -r '.alert_id+" "+.event' | sort -u)
[ "$expected" = "$received" ] || fail "delivered events differ from recorded:
recorded:
$expected
received:
$received"
pass "broker down 10 s: $during events raised meanwhile, all $(echo "$expected" | wc -l) delivered by id"
grep -q "alert path down" "$T/vitalsd.log" || fail "the alert path being down was not logged"
pass "alert path down logged"
stop_daemon

# (2) kill -9 with alerts the broker never acknowledged.
stop_broker
sed -i 's/^event = .*//' "$T/vitalsd.conf"
sed -i 's/^\[device.m1\]/[device.m1]\nevent = tachycardia at=1s for=30s value=150\nevent = probe_off at=2s for=30s/' "$T/vitalsd.conf"
start_daemon "$T/vitalsd.conf"
wait_for 10 "two undelivered alerts" undelivered_at_least 2
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
sed -i 's/vitalsd ready/vitalsd was ready/' "$T/vitalsd.log"
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check after kill -9"
pending=$(sql "select json_extract(payload,'$.alert_id')||' '||json_extract(payload,'$.event') from outbox where delivered_ms is null" | sort -u)
pass "kill -9: database intact, $(echo "$pending" | wc -l) alert events waiting in the outbox"

start_broker "$PORT"
start_daemon "$T/vitalsd.conf"
wait_for 15 "outbox drained after restart" outbox_empty
while read -r id ev; do
  wait_for 5 "alert $id $ev re-sent" grep -q "\"alert_id\":\"$id\".*\"event\":\"$ev\"\\|\"event\":\"$ev\".*\"alert_id\":\"$id\"" "$T/alerts.txt"
done <<< "$pending"
pass "after restart every unacknowledged alert was re-sent with its alert id"
stop_daemon
