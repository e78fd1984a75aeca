#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T15: a long auditor export while the ward is monitored. A session holding
# 300,000 readings (generated with the sqlite3 shell) is exported as FHIR to a slow reader (its
# first read 3 s late, so the export holds its read transaction at least that long) while 20
# simulated beds poll every 200 ms (P). Asserted: no monitor's readings stored during the export are more than 2P
# apart (the poll loop and the writer keep their pace while the export's read transaction is
# open); an alert raised during the export reaches MQTT within 500 ms of its raise (and within 2 s
# of the command that set the limit it crosses); no SQLITE_BUSY surfaces (no
# failed commit); after the export a checkpoint completes (every WAL frame written back) within
# 60 s; the WAL meanwhile stays under journal_size_limit (64 MiB). The export is bounded to 60 s.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_faults.sh"

N=${VSD_T15_READINGS:-300000}
start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 20
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session S-15 --by "Nurse A" >/dev/null
stop_daemon
# an old visit of the session's bed: N readings a second apart, before the session started
sql "insert into readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags)
     with recursive n(i) as (select 1 union all select i + 1 from n where i < $N)
     select (select started_ms from sessions where session_id='S-15') - 1000 * ($N - i + 1) + 1,
            0, 'b1', 'm1', 'S-15', 'hr', 60 + i % 40, 0 from n"
[ "$(sql "select count(*) from readings where session_id='S-15'")" -ge "$N" ] || fail "pre-fill"
wal_bytes() { stat -c %s "$T/vitalsd.db-wal" 2>/dev/null || echo 0; }

stamped alerts mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -t 'vitals/test/bed/+/alert'
sleep 0.3
start_daemon "$T/vitalsd.conf"
sleep 2
t0=$(($(date +%s%N) / 1000000))
# The export goes to a reader that starts 3 s late (an auditor's slow link): the exporter blocks
# on a full pipe with its read transaction open, whatever the machine's speed (300,000 rows
# alone take well under a second since the export writes its JSON directly).
mkfifo "$T/export.fifo"
(sleep 3; cat) <"$T/export.fifo" >"$T/export.json" &
PIDS+=("$!")
timeout 60 "$VITALSCTL" -c "$T/vitalsd.conf" export --format fhir --session S-15 \
  --by "Auditor" >"$T/export.fifo" 2>"$T/export.out" &
EXPORT_PID=$!
PIDS+=("$EXPORT_PID")
sleep 1
kill -0 "$EXPORT_PID" 2>/dev/null || fail "the export ended within 1 s: too short to test anything"
set_ms=$(($(date +%s%N) / 1000000))
ctl limits set --session S-15 --vital spo2 --band "below 100 high" --by "Dr Lee" >/dev/null
spo2_raised() { # the first "raised" SpO2 line: "ARRIVAL_MS JSON"
  local ts json
  while read -r ts json; do
    echo "$json" | jq -e 'select(.event=="raised" and .vital=="spo2")' >/dev/null &&
      { echo "$ts $json"; return; }
  done <"$T/alerts.txt"
}
raised() { [ -n "$(spo2_raised)" ]; }
wait_for 5 "the SpO2 alert during the export" raised
# latency: the event's own time (when the engine raised it) to its arrival at the subscriber
line=$(spo2_raised)
raised_ms=${line%% *}
event_ms=$(date -d "$(echo "${line#* }" | jq -r .time)" +%s%3N)
max_wal=0
while kill -0 "$EXPORT_PID" 2>/dev/null; do
  w=$(wal_bytes); [ "$w" -gt "$max_wal" ] && max_wal=$w
  sleep 0.2
done
rc=0
wait "$EXPORT_PID" || rc=$?
t1=$(($(date +%s%N) / 1000000))
[ $rc -eq 0 ] || fail "the export failed ($rc): $(cat "$T/export.out")"
export_ms=$((t1 - t0))
lat=$((raised_ms - event_ms))
[ "$lat" -le 500 ] || fail "an alert raised during the export took $lat ms to reach MQTT"
e2e=$((raised_ms - set_ms)) # the command, its commit, the next poll past the limit, MQTT
[ "$e2e" -le 2000 ] || fail "the limit set during the export raised its alert after $e2e ms"
[ "$max_wal" -le 67108864 ] || fail "the WAL grew to $max_wal bytes during the export"
checkpointed() { # busy 0 and every WAL frame checkpointed
  sql "pragma wal_checkpoint(PASSIVE)" | awk -F'|' '$1 == 0 && $2 == $3 { ok = 1 } END { exit !ok }'
}
wait_for 60 "a complete checkpoint after the export" checkpointed
ckpt_ms=$(($(date +%s%N) / 1000000 - t1))
sleep 0.5
gap=$(sql "select max(d) from (select ts_ms - lag(ts_ms) over (partition by device
           order by ts_ms) as d from readings where vital='hr' and ts_ms between $t0 and $t1)")
stop_daemon
[ "$gap" -le 400 ] || fail "a monitor's readings were $gap ms apart during the export (2P = 400)"
! grep -q "commit failed" "$T/vitalsd.log" || fail "a commit failed during the export"
exported=$(grep -o '"resourceType":"Observation"' "$T/export.json" | wc -l)
[ "$exported" -ge "$N" ] || fail "the export holds $exported observations, not $N"
echo "export: $exported readings as FHIR in $export_ms ms while 20 beds polled:" \
  "longest poll gap ${gap} ms (2P 400), alert latency ${lat} ms (${e2e} ms from the command)," \
  "WAL at most $max_wal bytes," \
  "checkpoint complete ${ckpt_ms} ms after"
