#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark (docs/reliability.md T15): does a long auditor export slow the daemon? vitalsd polls
# BEDS simulated monitors at 200 ms with a probe-off alert every 2 s per bed, on a database
# pre-filled with ROWS readings; a FHIR export of all of them (one long read transaction) runs in
# the middle. Prints poll intervals and alert latency (poll -> subscriber) outside and during the
# export.
# Usage: bench/export_during_poll.sh [BEDS] [ROWS]  (defaults 20 and 2000000). Not a test.
. "$(dirname "$0")/lib.sh"
beds=${1:-20}
rows=${2:-2000000}
start_broker
{
  printf '[daemon]\narea = bench\ndatabase = %s\ncontrol_socket = %s\nlog_level = warning\n' \
    "$T/v.db" "$T/v.sock"
  printf '[mqtt]\nport = %s\n[technical]\nsensor_off_delay = 0s\n' "$port"
  for d in $(seq 1 "$beds"); do
    printf '[device.m%d]\ndriver = sim\npoll = 200ms\ntimeout = 100ms\nseed = %d\n' "$d" "$d"
    for t in $(seq 2 2 58); do printf 'event = probe_off at=%dms for=1s\n' $((t * 1000 + d * 37)); done
    printf '[bed.b%d]\ndevices = m%d\n' "$d" "$d"
  done
} > "$T/v.conf"

# The schema comes from vitalsd itself; then ROWS old readings of one session.
"$B"/vitalsd -c "$T/v.conf" 2>"$T/v.log" & d=$!; sleep 1; kill -TERM $d; wait $d
sqlite3 "$T/v.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<$rows)
  INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags)
  SELECT 1790000000000 + i*250, 0, 'old', 'old', 'S-OLD', 'hr', 60 + i % 40, 0 FROM n;"

mosquitto_sub -h 127.0.0.1 -p "$port" -q 1 -t 'vitals/bench/bed/+/alert' -F '%U %p' > "$T/alerts.txt" &
pids+=("$!")
sleep 0.3
start=$(date +%s%3N)
"$B"/vitalsd -c "$T/v.conf" 2>>"$T/v.log" &
daemon=$!
pids+=("$daemon")
sleep 10
ex0=$(date +%s%3N)
"$B"/vitalsctl --db "$T/v.db" export --session S-OLD --format fhir -o "$T/old.ndjson" --force \
  2>"$T/export.log" # --force: this benchmark times the export, not its audit record
ex1=$(date +%s%3N)
sleep 10
kill -TERM "$daemon"; wait "$daemon"

intervals() { # intervals WHERE: gaps between consecutive polls of each monitor, by the later poll
  sqlite3 "$T/v.db" "SELECT gap FROM (SELECT ts_ms, ts_ms - lag(ts_ms) OVER (PARTITION BY device
    ORDER BY ts_ms) AS gap FROM readings WHERE vital='hr' AND device != 'old'
    AND ts_ms > $start + 2000) WHERE gap IS NOT NULL AND $1"
}
latency() { # latency FROM TO: alerts whose poll time lies in [FROM, TO)
  while read -r recv payload; do
    sent=$(date -d "$(jq -r .time <<< "$payload")" +%s%3N)
    [ "$sent" -ge "$1" ] && [ "$sent" -lt "$2" ] && awk -v r="$recv" -v s="$sent" 'BEGIN {printf "%.3f\n", r*1000 - s}'
  done < "$T/alerts.txt"
}
echo "export of $rows readings to FHIR took $((ex1 - ex0)) ms ($(grep -m1 exported "$T/export.log"))"
echo "poll intervals (want 200 ms), outside the export: $(intervals "(ts_ms < $ex0 OR ts_ms > $ex1)" | stats)"
echo "poll intervals (want 200 ms), during the export:  $(intervals "ts_ms BETWEEN $ex0 AND $ex1" | stats)"
echo "alert latency outside the export: $(latency "$start" "$ex0" | stats)"
echo "alert latency during the export:  $(latency "$ex0" "$ex1" | stats)"
echo "readings dropped by the daemon: $(grep -c dropped "$T/v.log" || true) log lines; wal now $(stat -c %s "$T/v.db-wal" 2>/dev/null || echo 0) bytes"
