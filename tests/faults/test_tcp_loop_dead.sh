#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T09 on the event loop: every Modbus TCP device is served by one event-loop
# thread, so a slow or dead gateway must never delay another. 50 healthy devices (one simulator
# port each, polled every 250 ms) share the loop with three bad gateways, polled every 3 s with a
# timeout of 2 s (one blocking wait would stall the loop for 8 polls of every other device): a
# server that accepts and never answers, a unit behind it whose connect is never completed
# (listen backlog full), and a closed port (refused, reopened with back-off). Accept: the
# healthy devices keep their period (average within 10 %, no interval as long as 2 periods, p99
# of |interval - P| under 100 ms on a loaded 2-core machine), none raises comms_loss, and every
# bad one does. Positive control: the log shows the 53 devices on one event loop.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lib_modbus.sh"

command -v python3 >/dev/null || fail "python3 is needed for the stalled gateway (scripts/deps)"
GOOD=50 P=250 TMO=200 SECS=12
# A gateway that takes connections into its backlog and never reads nor answers.
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1]); time.sleep(3600)' "$T/stall.port" &
PIDS+=("$!")
wait_for 10 "stalled gateway listening" test -s "$T/stall.port"
STALL=$(cat "$T/stall.port")
CLOSED=$(free_port)

start_broker
start_mbsim --tcp "0+$GOOD:1=$PROFILE"
mb_head "$T/vitalsd.conf"
for i in $(seq 1 $GOOD); do
  add_mb_tcp "$T/vitalsd.conf" "t$i" "$(mbsim_port "$i")" 1 ${P}ms ${TMO}ms
  add_bed "$T/vitalsd.conf" "b$i" "t$i"
done
add_mb_tcp "$T/vitalsd.conf" mute "$STALL" 1 3s 2s
add_mb_tcp "$T/vitalsd.conf" queued "$STALL" 2 3s 2s
add_mb_tcp "$T/vitalsd.conf" refused "$CLOSED" 1 3s 2s
printf '[bed.bx]\ndevices = mute, queued, refused\n\n' >> "$T/vitalsd.conf"
start_daemon "$T/vitalsd.conf"
grep -q "event loop: $((GOOD + 3)) network devices on one thread" "$T/vitalsd.log" ||
  wait_for 5 "the event loop started" grep -q "event loop: $((GOOD + 3)) network devices" \
    "$T/vitalsd.log"
for i in $(seq 1 $GOOD); do wait_for 10 "device t$i polled" polled "t$i" 1; done
t0=$(now_ms)
sleep $SECS
t1=$(now_ms)
# intervals between stored polls of every healthy device: average, max, p99 of |dt - P|
read -r avg max p99 n < <(sql "
  with t as (select distinct device, ts_ms from readings where vital='hr' and ts_source=0
             and device like 't%' and ts_ms>=$t0 and ts_ms<$t1),
       d as (select ts_ms - lag(ts_ms) over (partition by device order by ts_ms) as dt from t),
       j as (select dt, abs(dt - $P) as jit from d where dt is not null),
       r as (select jit, row_number() over (order by jit) as k, count(*) over () as c from j)
  select (select cast(avg(dt) as integer) from j), (select max(dt) from j),
         (select min(jit) from r where k >= 0.99 * c), (select count(*) from j)" | tr '|' ' ')
loss_good=$(sql "select count(*) from alerts where code='comms_loss' and device like 't%'")
echo "healthy: $n intervals, average $avg ms, max $max ms, jitter p99 $p99 ms (P $P ms)"
[ "$n" -ge $((GOOD * SECS * 1000 / P * 9 / 10)) ] || fail "only $n poll intervals stored"
[ "$avg" -ge $((P * 95 / 100)) ] && [ "$avg" -le $((P * 110 / 100)) ] ||
  fail "healthy devices polled every $avg ms on average, not $P ms"
[ "$max" -lt $((2 * P)) ] || fail "a healthy device waited $max ms between polls: delayed"
[ "$p99" -lt 100 ] || fail "poll-interval jitter p99 $p99 ms"
[ "$loss_good" -eq 0 ] || fail "$loss_good comms_loss alerts for healthy devices"
for d in mute queued refused; do
  has_alert "$d" comms_loss || fail "no comms_loss for the dead gateway device $d"
done
stop_daemon
pass "T09 on the event loop: 3 dead gateways (2 s timeouts) never delayed $GOOD healthy devices"
