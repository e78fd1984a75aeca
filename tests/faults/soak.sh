#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T29, the soak: `DURATION=3600 tests/faults/soak.sh` (seconds; default 3600).
# BEDS (default 10) simulated beds polled every 100 ms (ten times the 1 s of a typical monitor's
# output), a session open with limits that raise and clear alerts, and a fault every FAULT_EVERY
# seconds (default 300), in turn: a device silent 3 s (T01), probe off 3 s, the broker stopped
# 5 s and restarted (T19), the disk "full" 3 s (a file-size limit with prlimit, as in
# tests/integration/test_storage_failing.sh). Every SAMPLE seconds (default 60) the daemon's RSS,
# open descriptors and WAL size are sampled ($T/soak.csv). Fails when, after the warm-up (WARMUP
# seconds, default a third of DURATION), RSS grows by RSS_PCT % or more (default 5) between the
# first sample after the warm-up and the last, the descriptor count moves by more than FD_SLACK
# (default 2: a broker reconnect may hold a socket for a moment), or the WAL passes 64 MiB (the
# journal_size_limit); or when the daemon exits, or a monitor's readings outside the fault
# windows are more than 2P apart (LATE_MAX such gaps allowed, default 0, none over GAP_MAX ms).
. "$(dirname "$0")/../integration/lib.sh"

DURATION=${DURATION:-3600}
SAMPLE=${SAMPLE:-60}
WARMUP=${WARMUP:-$((DURATION / 3))}
FAULT_EVERY=${FAULT_EVERY:-300}
RSS_PCT=${RSS_PCT:-5}
FD_SLACK=${FD_SLACK:-2}
BEDS=${BEDS:-10}
LATE_MAX=${LATE_MAX:-0}   # polls allowed to come more than 2P after the one before
GAP_MAX=${GAP_MAX:-200}   # and the longest gap allowed (ms)
command -v prlimit >/dev/null || fail "prlimit (util-linux) is needed"

start_broker
write_config "$T/vitalsd.conf"
for i in $(seq 1 "$BEDS"); do
  printf '[device.m%d]\ndriver = sim\npoll = 100ms\ntimeout = 80ms\n' "$i" >>"$T/vitalsd.conf"
  # every 20 s on each monitor, an HR excursion past the session's limit: alerts raised and cleared
  for at in $(seq $((5 + i)) 20 "$DURATION"); do
    echo "event = tachycardia at=${at}s for=3s value=150" >>"$T/vitalsd.conf"
  done
  printf '[bed.b%d]\ndevices = m%d\n' "$i" "$i" >>"$T/vitalsd.conf"
done
cat >>"$T/vitalsd.conf" <<'CONF'
[alarm.hr]
high = 120
high_priority = medium
CONF
# sim faults are scheduled in the configuration (tests/sim/README.md: driver events)
faults=() n=0
for at in $(seq "$FAULT_EVERY" "$FAULT_EVERY" $((DURATION - 10))); do
  case $((n % 4)) in
    0) sed -i "/^\[device.m1\]/a event = silent at=${at}s for=3s" "$T/vitalsd.conf" ;;
    1) sed -i "/^\[device.m2\]/a event = probe_off at=${at}s for=3s" "$T/vitalsd.conf" ;;
  esac
  faults+=("$at:$((n % 4))"); n=$((n + 1))
done
mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -t 'vitals/test/bed/+/alert' >/dev/null 2>&1 &
PIDS+=("$!")
start_daemon "$T/vitalsd.conf"
t0=$SECONDS t0_ms=$(($(date +%s%N) / 1000000))
for i in 1 2 3; do ctl session start --bed "b$i" --session "S-29-$i" --by "Nurse A" >/dev/null; done

sample() {
  local rss fds wal
  rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$DAEMON_PID/status")
  fds=$(ls "/proc/$DAEMON_PID/fd" | wc -l)
  wal=$(stat -c %s "$T/vitalsd.db-wal" 2>/dev/null || echo 0)
  echo "$((SECONDS - t0)),$rss,$fds,$wal" >>"$T/soak.csv"
}
echo "t_s,rss_kib,fds,wal_bytes" >"$T/soak.csv"
windows=() next_fault=0 next_sample=0
while [ $((SECONDS - t0)) -lt "$DURATION" ]; do
  kill -0 "$DAEMON_PID" 2>/dev/null || fail "vitalsd exited during the soak"
  el=$((SECONDS - t0))
  if [ "$el" -ge "$next_sample" ]; then sample; next_sample=$((next_sample + SAMPLE)); fi
  if [ "$next_fault" -lt ${#faults[@]} ] && [ "$el" -ge "${faults[$next_fault]%%:*}" ]; then
    kind=${faults[$next_fault]##*:}
    w0=$(($(date +%s%N) / 1000000))
    case $kind in
      2) stop_broker; sleep 5; start_broker "$PORT" ;;
      3) prlimit --pid "$DAEMON_PID" --fsize=1:unlimited; sleep 3
         prlimit --pid "$DAEMON_PID" --fsize=unlimited:unlimited ;;
    esac
    windows+=("$w0 $(($(date +%s%N) / 1000000 + 4000))")
    next_fault=$((next_fault + 1))
  fi
  sleep 1
done
sample
t1_ms=$(($(date +%s%N) / 1000000))
stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity check"

# growth after the warm-up
read -r rss0 fd0 < <(awk -F, -v w="$WARMUP" 'NR > 1 && $1 >= w { print $2, $3; exit }' \
  "$T/soak.csv")
read -r rss1 fdmin fdmax walmax < <(awk -F, -v w="$WARMUP" 'NR > 1 && $1 >= w {
  last = $2; if (min == "" || $3 < min) min = $3; if ($3 > max) max = $3; if ($4 > wal) wal = $4 }
  END { print last, min, max, wal + 0 }' "$T/soak.csv")
[ -n "$rss0" ] || fail "no sample after the warm-up"
growth=$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
awk -v g="$growth" -v m="$RSS_PCT" 'BEGIN { exit !(g < m) }' ||
  fail "RSS grew $growth % after the warm-up ($rss0 -> $rss1 KiB; limit $RSS_PCT %)"
[ $((fdmax - fdmin)) -le "$FD_SLACK" ] || fail "open descriptors moved from $fdmin to $fdmax"
[ "$walmax" -le 67108864 ] || fail "the WAL reached $walmax bytes"
# poll gaps outside the fault windows (and the first 2 s)
excl="ts_ms < $((t0_ms + 2000))"
for w in "${windows[@]}"; do excl="$excl or ts_ms between ${w% *} and ${w#* }"; done
gaps="select ts_ms, ts_ms - lag(ts_ms) over (partition by device order by ts_ms) as d
      from readings where vital='hr' and ts_ms between $t0_ms and $t1_ms"
gap=$(sql "select coalesce(max(d), 0) from ($gaps) where not ($excl)")
late=$(sql "select count(*) from ($gaps) where d > 200 and not ($excl)")
[ "$late" -le "$LATE_MAX" ] ||
  fail "$late times a monitor's readings were more than 2P (200 ms) apart outside the faults"
[ "$gap" -le "$GAP_MAX" ] || fail "a monitor's readings were $gap ms apart outside the faults"
rows=$(sql "select count(*) from readings")
echo "soak: ${DURATION} s at $BEDS beds x 100 ms, ${#faults[@]} faults:" \
  "RSS $rss0 -> $rss1 KiB ($growth %, limit $RSS_PCT %), fds $fdmin..$fdmax," \
  "WAL at most $walmax bytes, longest poll gap ${gap} ms outside faults ($late over 2P)," \
  "$rows readings," \
  "integrity ok"
[ -z "${KEEP_SOAK_CSV:-}" ] || cp "$T/soak.csv" "$KEEP_SOAK_CSV"
