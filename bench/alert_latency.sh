#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: alert latency from the poll result that crossed a limit to an MQTT subscriber,
# with the outbox committed with fsync (synchronous=FULL) and without (NORMAL), beside raw
# mosquitto QoS 1 (mosquitto_pub -l at a low rate -> mosquitto_sub) measured in the same run.
# Usage: bench/alert_latency.sh [DEVICES] [SECONDS]   (defaults 20 devices, 30 s). Not a test.
. "$(dirname "$0")/lib.sh"
devices=${1:-20}
secs=${2:-30}
start_broker

raw_baseline() {
  mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t bench/raw -F '%U %p' > "$T/raw.txt" &
  local sub=$!
  sleep 0.3
  for _ in $(seq 1 500); do date +%s.%N; sleep 0.02; done |
    mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -t bench/raw -l
  sleep 0.5
  kill "$sub"
  awk '{printf "%.3f\n", ($1 - $2) * 1000}' "$T/raw.txt" > "$T/raw.ms"
  echo "raw mosquitto QoS 1 publish -> subscriber: $(stats < "$T/raw.ms")"
}

run_daemon() { # run_daemon full|normal
  local sync=$1 conf="$T/$1.conf"
  rm -f "$T/$sync.db"*
  {
    printf '[daemon]\narea = bench\ndatabase = %s\ncontrol_socket = %s\nsynchronous = %s\nlog_level = warning\n' \
      "$T/$sync.db" "$T/$sync.sock" "$sync"
    printf '[mqtt]\nport = %s\n[technical]\nsensor_off_delay = 0s\n' "$port"
    for d in $(seq 1 "$devices"); do
      printf '[device.m%d]\ndriver = sim\npoll = 200ms\ntimeout = 100ms\nseed = %d\n' "$d" "$d"
      for t in $(seq 2 2 $((secs - 2))); do
        printf 'event = probe_off at=%dms for=1s\n' $((t * 1000 + d * 37 % 1000))
      done
      printf '[bed.b%d]\ndevices = m%d\n' "$d" "$d"
    done
  } > "$conf"
  mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'vitals/bench/bed/+/alert' -F '%U %p' > "$T/$sync.txt" &
  local sub=$!
  sleep 0.3
  "$B"/vitalsd -c "$conf" 2>"$T/$sync.log" &
  local daemon=$!
  sleep "$secs"
  kill -TERM "$daemon"; wait "$daemon" || true
  kill "$sub"
  # "time" in the event is the wall time the poll result was taken (ms); %U is receive time.
  while read -r recv payload; do
    sent=$(jq -r .time <<< "$payload")
    echo "$recv $(date -d "$sent" +%s.%N)"
  done < "$T/$sync.txt" | awk '{printf "%.3f\n", ($1 - $2) * 1000}' > "$T/$sync.ms"
  echo "vitalsd alert path, synchronous=$sync ($devices beds, poll 200 ms): $(stats < "$T/$sync.ms")"
}

echo "alert latency, $(date -u +%FT%TZ), $(nproc) cores"
raw_baseline
run_daemon full
run_daemon normal
echo "note: alert times are stamped in ms, so vitalsd figures carry up to 1 ms of rounding."
