#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: alert latency from the poll result that crossed a limit to an MQTT subscriber,
# with the outbox committed with fsync (synchronous=FULL) and without (NORMAL), beside the raw
# broker round trip measured in the same run: bench_raw_rtt (libmosquitto, QoS 1, TCP_NODELAY,
# BENCH_RAW_N messages, default 1000, at BENCH_RAW_RATE a second, default 100).
# Usage: bench/alert_latency.sh [DEVICES] [SECONDS]   (defaults 40 devices, 30 s: over 1,000
# alerts each). Not a test.
. "$(dirname "$0")/lib.sh"
devices=${1:-40}
secs=${2:-30}
start_broker

# mosquitto_pub -l drops messages under load: the baseline is a libmosquitto program.
raw_baseline() {
  [ -x "$B/bench_raw_rtt" ] || cmake --build "$B" --target bench_raw_rtt >/dev/null
  echo "raw mosquitto QoS 1 publish -> subscriber (bench_raw_rtt):" \
    "$("$B"/bench_raw_rtt "$port" "${BENCH_RAW_N:-1000}" "${BENCH_RAW_RATE:-100}")"
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
  cut -d' ' -f2- "$T/$sync.txt" | jq -r .time | date -f - +%s.%N |
    paste -d' ' <(cut -d' ' -f1 "$T/$sync.txt") - |
    awk '{printf "%.3f\n", ($1 - $2) * 1000}' > "$T/$sync.ms"
  echo "vitalsd alert path, synchronous=$sync ($devices beds, poll 200 ms): $(stats < "$T/$sync.ms")"
}

echo "alert latency, $(date -u +%FT%TZ), $(nproc) cores"
raw_baseline
run_daemon full
run_daemon normal
echo "note: alert times are stamped in ms, so vitalsd figures carry up to 1 ms of rounding."
