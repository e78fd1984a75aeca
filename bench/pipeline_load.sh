#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: the whole pipeline under load. N simulated monitors polled at P for S seconds
# through bus threads, core, store and MQTT; prints readings stored per second, daemon CPU
# seconds per 1000 polls, peak RSS and drops. Then the store's writer against a plain
# prepared-insert loop (bench_store_ingest), the baseline, in the same run.
# Usage: bench/pipeline_load.sh [DEVICES] [POLL_MS] [SECONDS]  (defaults 100 200 30). Not a test.
. "$(dirname "$0")/lib.sh"
devices=${1:-100}
poll=${2:-200}
secs=${3:-30}
start_broker
{
  printf '[daemon]\narea = bench\ndatabase = %s\ncontrol_socket = %s\nlog_level = warning\n' \
    "$T/v.db" "$T/v.sock"
  printf '[mqtt]\nport = %s\n' "$port"
  for d in $(seq 1 "$devices"); do
    printf '[device.m%d]\ndriver = sim\npoll = %dms\ntimeout = 100ms\nseed = %d\n' "$d" "$poll" "$d"
    printf '[bed.b%d]\ndevices = m%d\n' "$d" "$d"
  done
} > "$T/v.conf"
"$B"/vitalsd -c "$T/v.conf" 2>"$T/v.log" &
daemon=$!
pids+=("$daemon")
sleep "$secs"
ticks=$(getconf CLK_TCK)
read -r utime stime < <(awk '{print $14, $15}' "/proc/$daemon/stat")
rss=$(awk '/VmHWM/ {print $2, $3}' "/proc/$daemon/status")
kill -TERM "$daemon"; wait "$daemon" || true
rows=$(sqlite3 "$T/v.db" "select count(*) from readings")
polls=$((devices * secs * 1000 / poll))
cpu=$(echo "($utime + $stime) / $ticks" | bc -l)
printf 'pipeline: %d monitors, poll %d ms, %d s: %d readings stored (%.0f/s), ~%d polls,\n' \
  "$devices" "$poll" "$secs" "$rows" "$(echo "$rows / $secs" | bc -l)" "$polls"
printf '          daemon CPU %.2f s = %.1f ms per 1000 polls, peak RSS %s, drops: %s\n' \
  "$cpu" "$(echo "$cpu * 1000000 / $polls" | bc -l)" "$rss" \
  "$(grep -c 'dropped' "$T/v.log" || true) log lines"
echo "store writer vs plain prepared-insert loop (same rows, same durability):"
"$B"/bench_store_ingest 300000
