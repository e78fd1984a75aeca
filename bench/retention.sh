#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Retention at scale: OLD readings (default 1,000,000) older than 90 days in the database while
# BEDS simulated monitors (default 10) poll every second; `vitalsctl archive` exports them and
# vitalsd deletes them in steps. Prints the archive time, the deletion time and rate, the longest
# writer stall a step caused (vitalsd's own measure), and the longest gap between two stored
# readings of one monitor during the run beside the same figure before it (same run).
# Usage: bench/retention.sh [OLD] [BEDS]
. "$(dirname "$0")/lib.sh"
old=${1:-1000000}
beds=${2:-10}
start_broker
mkdir "$T/archive"
{
  printf '[daemon]\narea = bench\ndatabase = %s/v.db\ncontrol_socket = %s/c.sock\n' "$T" "$T"
  printf 'commit_interval = 250ms\n[mqtt]\nport = %s\n' "$port"
  printf '[retention]\nreadings_days = 90\narchive_dir = %s/archive\n' "$T"
  for i in $(seq 1 "$beds"); do
    printf '[device.m%d]\ndriver = sim\npoll = 1s\n[bed.b%d]\ndevices = m%d\n' "$i" "$i" "$i"
  done
} > "$T/v.conf"
run_daemon() {
  "$B/vitalsd" -c "$T/v.conf" 2>>"$T/vitalsd.log" &
  daemon=$!
  pids+=("$daemon")
  for _ in $(seq 1 100); do grep -q "vitalsd ready" "$T/vitalsd.log" && return; sleep 0.1; done
  echo "bench: vitalsd did not start" >&2
  exit 1
}
run_daemon
kill -TERM "$daemon"
wait "$daemon" || true
sed -i 's/vitalsd ready/vitalsd was ready/' "$T/vitalsd.log"
now=$(($(date +%s) * 1000))
sqlite3 "$T/v.db" "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < $old - 1)
  INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags)
  SELECT $now - 100 * 86400000 + (k / 6) * 1000, 0, 'b1', 'm1', 'S-OLD',
         CASE k % 6 WHEN 0 THEN 'hr' WHEN 1 THEN 'spo2' WHEN 2 THEN 'pr' WHEN 3 THEN 'rr'
                    WHEN 4 THEN 'nibp_sys' ELSE 'nibp_dia' END, 60 + k % 37, 0 FROM i;"
run_daemon
sleep 10
t0=$(date +%s.%N)
"$B/vitalsctl" -c "$T/v.conf" archive 2>"$T/archive.out" || { cat "$T/archive.out"; exit 1; }
t1=$(date +%s.%N)
sleep 2
# The longest gap between consecutive receive times of one monitor's hr: before and during.
gap() {
  sqlite3 "$T/v.db" "SELECT max(d) FROM (SELECT ts_ms - lag(ts_ms) OVER (ORDER BY id) AS d
    FROM readings WHERE device = 'm2' AND vital = 'hr' AND ts_ms BETWEEN $1 AND $2);"
}
start_ms=$(printf '%.0f' "$(echo "$t0 * 1000" | bc)")
end_ms=$(printf '%.0f' "$(echo "$t1 * 1000" | bc)")
kill -TERM "$daemon"
wait "$daemon" || true
grep -h "archived\|deletes" "$T/archive.out"
grep -o "retention run over: .*" "$T/vitalsd.log"
printf 'archive + deletion: %.1f s for %d readings\n' "$(echo "$t1 - $t0" | bc)" "$old"
echo "longest gap between m2's hr readings: before the run $(gap $((start_ms - 9000)) "$start_ms") ms, during it $(gap "$start_ms" "$end_ms") ms (poll 1 s)"
ls -l "$T/archive" | awk 'NR > 1 { print "archive file: " $5 " bytes  " $9 }'
