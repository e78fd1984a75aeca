#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T19: the broker is stopped for 60 s during an alert storm (10 beds, an SpO2
# dip every 7 s each). While it is down: polling and storage keep their pace (within 10 %), the
# "alert path down" alert is raised within 2 poll periods of detection and logged at critical
# priority, and `vitalsctl status` shows the path down. After it is back, every alert event
# recorded meanwhile is delivered, by id and event (alerts raised = alerts delivered), in
# seq order per bed.
. "$(dirname "$0")/lib.sh"

BEDS=10
OUTAGE=${VSD_T19_SECONDS:-60}
# The subscriber's session must outlive the broker's restart, or what the daemon sends before
# the subscriber is back would be lost to it (not to the broker): a persistent broker.
mkdir -m 777 "$T/mq" # mosquitto started as root writes as user mosquitto
BROKER_EXTRA="persistence true
persistence_location $T/mq/"
start_broker
write_config "$T/vitalsd.conf"
printf '[alarm.spo2]\nlow = 90\nlow_priority = high\n' >> "$T/vitalsd.conf"
for i in $(seq 1 $BEDS); do
  {
    printf '[device.m%d]\ndriver = sim\npoll = 500ms\ntimeout = 200ms\nseed = %d\n' "$i" "$i"
    for k in $(seq 0 $(((OUTAGE + 20) / 7))); do
      printf 'event = desaturation at=%dms for=3s value=84\n' $((2000 + k * 7000 + i * 300))
    done
    printf '[bed.b%d]\ndevices = m%d\n' "$i" "$i"
  } >> "$T/vitalsd.conf"
done

mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -c -i vsd-t19 -v -t 'vitals/test/bed/+/alert' \
  -t 'vitals/test/daemon/alert' > "$T/alerts.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
sleep 0.3
start_daemon "$T/vitalsd.conf"
sleep 5
stop_broker
down_ms=$(($(date +%s%N) / 1000000))
wait_for 5 "alert path down logged" grep -q "<2>.*alert_path_down alert .* raised" "$T/vitalsd.log"
ctl status --json | jq -e '.alert_path.state == "down"' >/dev/null || fail "status does not show the path down"
ctl status | grep -q "^alert path: DOWN (the dashboard is not getting alerts)" || fail "status text: $(ctl status)"
sleep "$OUTAGE"
up_ms=$(($(date +%s%N) / 1000000))
start_broker "$PORT"
drained() { [ "$(sql "select count(*) from outbox where delivered_ms is null")" -eq 0 ]; }
wait_for 30 "outbox drained" drained

raised=$(sql "select ts_ms from alert_events where event='raised' and alert_id in
              (select alert_id from alerts where code='alert_path_down')")
[ $((raised - down_ms)) -le 1000 ] || fail "alert path down raised $((raised - down_ms)) ms after the broker stopped (2P = 1000 ms)"
during=$(sql "select count(*) from alert_events where ts_ms > $down_ms and ts_ms < $up_ms")
[ "$during" -ge $((BEDS * OUTAGE / 7)) ] || fail "only $during alert events during the outage"

sleep 1 # the subscriber has the last QoS 1 messages
expected=$(sql "select alert_id||' '||event from alert_events order by seq" | sort -u)
received=$(payloads "$T/alerts.txt" | jq -r '.alert_id+" "+.event' | sort -u)
[ "$expected" = "$received" ] || fail "delivered differs from recorded: $(diff <(echo "$expected") <(echo "$received") | head -n 5 | tr "\n" " ")"
n=$(wc -l <<<"$expected")
pass "$during alert events raised during a ${OUTAGE}s outage; all $n recorded events delivered by id"

# Per bed, the first delivery of each event comes in seq order.
for i in 1 5 10; do
  grep "^vitals/test/bed/b$i/alert " "$T/alerts.txt" | payloads /dev/stdin | jq -r '.seq' |
    awk '!seen[$1]++' > "$T/seq$i"
  sort -n "$T/seq$i" | cmp -s - "$T/seq$i" || fail "bed b$i: events not delivered in seq order"
done
pass "events of each bed arrived in seq order"

# Polling and storage kept their pace: readings per second of bed b1, before vs during.
rate() { sql "select count(*) * 1000.0 / ($2 - $1) from readings where device='m1' and vital='hr' and ts_ms >= $1 and ts_ms < $2"; }
before=$(rate $((down_ms - 4000)) "$down_ms")
while_down=$(rate $((down_ms + 2000)) $((up_ms - 2000)))
awk -v a="$before" -v b="$while_down" 'BEGIN { d = (b - a) / a; exit !(d < 0.1 && d > -0.1) }' ||
  fail "reading rate changed during the outage: $before/s before, $while_down/s during"
pass "reading rate $before/s before, $while_down/s during the outage (within 10 %)"
stop_daemon
