#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: N simulated Modbus TCP devices (one port each, generic-gateway profile) polled at
# 1 Hz by vitalsd, then by collectd's modbus plugin reading the same registers from the same
# simulator in the same run. Prints for each: CPU seconds per 1000 polls, peak RSS, missed polls
# (vitalsd: polls stored in SQLite; collectd: reads written by its csv plugin; both against
# N x seconds), poll-interval jitter p99 (interval between a device's successive polls minus the
# period), and the ratio vitalsd / collectd (and vitalsd / minimal poller). Not a test.
# Usage: bench/modbus_poll.sh [N...]  (default 10 100 500); BENCH_SECONDS (default 60) per run;
# BENCH_POLLERS (default "vitalsd collectd"; add "minimal" for bench_min_poller, the baseline a
# few dozen lines of libmodbus make); BENCH_COLLECTD_MAX: collectd is not run above this many
# devices (a "skipped" row says so). Several simulators share the ports (BENCH_PER_SIM each).
# BENCH_STARTUP=N first times vitalsd with N devices from exec to READY (sd_notify through a
# NOTIFY_SOCKET of the script's own) and `vitalsd --check-config` on the same file.
. "$(dirname "$0")/lib.sh"
secs=${BENCH_SECONDS:-60}
warm=3
pollers=${BENCH_POLLERS:-vitalsd collectd}
collectd_max=${BENCH_COLLECTD_MAX:-1000000}
per_sim=${BENCH_PER_SIM:-500} # ports a simulator (at most 2048); fewer make shorter poll() sets
ulimit -n "$(ulimit -Hn)" # 5,000 connections on each side
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 500)
sim=$B/tests/sim/modbus/vsd-modbus-sim
profile=$PWD/config/profiles/generic-gateway.conf
[ -x "$sim" ] || cmake --build "$B" --target vsd-modbus-sim >/dev/null
[ -x "$B/bench_min_poller" ] || cmake --build "$B" --target bench_min_poller >/dev/null
command -v collectd >/dev/null || { echo "collectd is missing (apt-get install collectd-core)"; exit 1; }
[ -f /usr/lib/collectd/modbus.so ] || { echo "collectd's modbus plugin is missing"; exit 1; }
hz=$(getconf CLK_TCK)
start_broker

now_ms() { date +%s%3N; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
simcmd() { printf '%s\n' "${*:2}" | socat -t 5 - "UNIX-CONNECT:$T/sim$1.sock"; }
requests() { # summed over the simulators
  local k
  for k in "${!sim_pids[@]}"; do simcmd "$k" stats '*'; done |
    tr ' ' '\n' | sed -n 's/^requests=//p' | awk '{n += $1} END {print n + 0}'
}
stop_sims() {
  local p
  for p in "${sim_pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  sim_pids=()
}

# sim_up K FIRST COUNT: simulator K serving COUNT ports from FIRST; fails if it does not start.
sim_up() {
  rm -f "$T/sim$1.out"
  "$sim" --control "$T/sim$1.sock" --tcp "$2+$3:1=$profile" > "$T/sim$1.out" 2>"$T/sim$1.log" &
  sim_pids+=("$!")
  pids+=("$!")
  for _ in $(seq 1 200); do
    grep -qx ready "$T/sim$1.out" 2>/dev/null && return 0
    kill -0 "${sim_pids[-1]}" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_sim N: simulators serving N consecutive ports from a random base ($per_sim each);
# sets $base and $sim_pids.
start_sim() {
  local k first count
  sim_pids=()
  for _ in $(seq 1 20); do # below the ephemeral ports (32768-), retried on a clash
    base=$((10000 + RANDOM % (22000 - $1)))
    for ((k = 0; k * per_sim < $1; k++)); do
      first=$((base + k * per_sim)) count=$(($1 - k * per_sim))
      [ "$count" -le "$per_sim" ] || count=$per_sim
      sim_up "$k" "$first" "$count" || break
    done
    [ $((k * per_sim)) -ge "$1" ] && return 0
    stop_sims
  done
  echo "no free range of $1 ports for the simulator"; exit 1
}

vitalsd_conf() {
  printf '[daemon]\narea = bench\ndatabase = %s\ncontrol_socket = %s\nlog_level = warning\n' \
    "$T/v$1.db" "$T/v.sock"
  printf '[mqtt]\nport = %s\n' "$port"
  for i in $(seq 1 "$1"); do
    printf '[device.d%d]\ndriver = modbus-tcp\nhost = 127.0.0.1\nport = %d\nunit_id = 1\n' \
      "$i" $((base + i - 1))
    printf 'profile = %s\npoll = 1s\ntimeout = 500ms\n[bed.b%d]\ndevices = d%d\n' "$profile" "$i" "$i"
  done
}

# The same values vitalsd decodes: HR, PR, SpO2, RR (u16), NIBP sys/dia/mean (f32, low word
# first = collectd's FloatLE), the status word and the NIBP counter: collectd reads each with a
# request of its own.
collectd_conf() {
  cat <<CONF
Hostname "bench"
FQDNLookup false
BaseDir "$T/collectd"
PIDFile "$T/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin csv
LoadPlugin modbus
<Plugin csv>
  DataDir "$T/csv"
  StoreRates false
</Plugin>
<Plugin modbus>
CONF
  local d
  for d in status:0:Uint16 hr:1:Uint16 pr:2:Uint16 spo2:3:Uint16 rr:4:Uint16 \
    nibp_sys:10:FloatLE nibp_dia:12:FloatLE nibp_mean:14:FloatLE nibp_count:16:Uint16; do
    IFS=: read -r name reg type <<<"$d"
    printf '  <Data "%s">\n    RegisterBase %s\n    RegisterCmd ReadHolding\n' "$name" "$reg"
    printf '    RegisterType %s\n    Type gauge\n    Instance "%s"\n  </Data>\n' "$type" "$name"
  done
  for i in $(seq 1 "$1"); do
    printf '  <Host "d%d">\n    Address "127.0.0.1"\n    Port "%d"\n    Interval 1\n' "$i" $((base + i - 1))
    printf '    <Slave 1>\n      Instance "m"\n'
    for name in status hr pr spo2 rr nibp_sys nibp_dia nibp_mean nibp_count; do
      printf '      Collect "%s"\n' "$name"
    done
    printf '    </Slave>\n  </Host>\n'
  done
  echo "</Plugin>"
}

# measure PID: after the warm-up, CPU ticks and simulator requests over $secs; sets
# cpu_ticks, req, t0, t1 (ms) and rss_kb; fails if the process died.
measure() {
  sleep "$warm"
  kill -0 "$1" 2>/dev/null || return 1
  local c0 q0
  c0=$(ticks "$1") q0=$(requests) t0=$(now_ms)
  sleep "$secs"
  kill -0 "$1" 2>/dev/null || return 1
  cpu_ticks=$(($(ticks "$1") - c0)) req=$(($(requests) - q0)) t1=$(now_ms)
  rss_kb=$(hwm_kb "$1")
}

# report NAME N POLLS JITTER: one line; sets cpu1000 (s per 1000 polls), missed, rss_mb.
report() {
  local expect=$(($2 * secs)) polls=$(($3 > 0 ? $3 : 1))
  missed=$((expect > $3 ? expect - $3 : 0))
  cpu1000=$(calc "$cpu_ticks / $hz * 1000 / $polls")
  rss_mb=$(calc "$rss_kb / 1024")
  printf '%6d  %-9s %8d %8d %8d %10.3f %9.1f %9.1f %10s\n' "$2" "$1" "$3" "$missed" "$req" \
    "$cpu1000" "$rss_mb" "$(calc "$req / $polls")" "$4"
}

# p99 of one number a line on stdin ("-" for none).
p99() { sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99) + 1; if (i > NR) i = NR;
  if (NR) printf "%.1f", v[i]; else print "-"}'; }

run_vitalsd() {
  vitalsd_conf "$1" > "$T/v.conf"
  "$B"/vitalsd -c "$T/v.conf" 2>"$T/v$1.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do grep -q "vitalsd ready" "$T/v$1.log" && break; sleep 0.1; done
  if ! measure "$pid"; then # e.g. libmodbus's select() past 1,024 descriptors
    wait "$pid" || true
    printf '%6d  %-9s died: %s\n' "$1" vitalsd "$(grep -v '^<' "$T/v$1.log" | tail -1)"
    v_cpu=- v_rss=- v_missed=-
    return 0
  fi
  kill -TERM "$pid"
  wait "$pid" || true
  local polls
  polls=$(sqlite3 "$T/v$1.db" "select count(*) from (select distinct device, ts_ms from readings
            where vital='hr' and ts_source=0 and ts_ms>=$t0 and ts_ms<$t1)")
  report vitalsd "$1" "$polls" "$(sqlite3 "$T/v$1.db" "select ts_ms - lag(ts_ms) over
      (partition by device order by ts_ms) - 1000 from readings
      where vital='hr' and ts_source=0 and ts_ms>=$t0 and ts_ms<$t1" | grep . | p99)"
  v_cpu=$cpu1000 v_rss=$rss_mb v_missed=$missed
}

run_collectd() {
  rm -rf "$T/csv" "$T/collectd"
  mkdir -p "$T/collectd"
  collectd_conf "$1" > "$T/collectd.conf"
  collectd -C "$T/collectd.conf" -f > "$T/collectd$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  if ! measure "$pid"; then
    wait "$pid" || true
    printf '%6d  %-9s died: %s\n' "$1" collectd "$(tail -1 "$T/collectd$1.log")"
    c_cpu=- c_rss=- c_missed=-
    return 0
  fi
  kill -TERM "$pid"
  wait "$pid" || true
  local polls
  polls=$(find "$T/csv" -name 'gauge-hr-*' -print0 2>/dev/null | xargs -0 -r cat |
    awk -F, -v a="$t0" -v b="$t1" '$1 ~ /^[0-9]/ && $1 * 1000 >= a && $1 * 1000 < b {n++} END {print n + 0}')
  report collectd "$1" "$polls" "$(find "$T/csv" -name 'gauge-hr-*' -print0 2>/dev/null |
    xargs -0 -r -n 1 awk -F, -v a="$t0" -v b="$t1" '$1 ~ /^[0-9]/ && $1 * 1000 >= a &&
      $1 * 1000 < b { if (p) printf "%.1f\n", ($1 - p - 1) * 1000; p = $1 }' | p99)"
  c_cpu=$cpu1000 c_rss=$rss_mb c_missed=$missed
}

# run_minimal N: bench_min_poller, which counts its own polls, misses, CPU and jitter.
run_minimal() {
  "$B"/bench_min_poller 127.0.0.1 "$base" "$1" "$secs" "$warm" > "$T/min$1.out" &
  local pid=$! q0
  pids+=("$pid")
  sleep "$warm"
  q0=$(requests)
  sleep "$secs"
  req=$(($(requests) - q0))
  wait "$pid"
  local kv
  kv=$(cat "$T/min$1.out")
  val() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p" <<<"$kv"; }
  local polls
  polls=$(val polls)
  m_cpu=$(val cpu_s_per_1k) m_rss=$(val rss_mb) m_missed=$(($1 * secs - polls))
  printf '%6d  %-9s %8d %8d %8d %10.3f %9.1f %9.1f %10s\n' "$1" minimal "$polls" "$m_missed" \
    "$req" "$m_cpu" "$m_rss" "$(calc "$req / ($polls > 0 ? $polls : 1)")" "$(val jitter_p99_ms)"
}

# startup N: exec -> READY=1 on our own NOTIFY_SOCKET, then --check-config on the same file.
startup() {
  start_sim "$1"
  vitalsd_conf "$1" > "$T/s.conf"
  rm -f "$T/notify.sock" "$T/ready.ns"
  (socat -u UNIX-RECV:"$T/notify.sock" - 2>/dev/null |
    { IFS= read -r -N 7 _; date +%s%N > "$T/ready.ns"; }) &
  pids+=("$!")
  for _ in $(seq 1 50); do [ -S "$T/notify.sock" ] && break; sleep 0.1; done
  local t0 c0 c1 pid
  t0=$(date +%s%N)
  NOTIFY_SOCKET=$T/notify.sock "$B"/vitalsd -c "$T/s.conf" 2>"$T/s.log" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 1 600); do [ -s "$T/ready.ns" ] && break; sleep 0.05; done
  kill -TERM "$pid"
  wait "$pid" || true
  c0=$(date +%s%N)
  "$B"/vitalsd --check-config "$T/s.conf" > /dev/null 2>&1
  c1=$(date +%s%N)
  printf 'startup %d devices: exec -> READY %s ms, --check-config %.1f ms\n' "$1" \
    "$([ -s "$T/ready.ns" ] && printf %.1f "$(calc "($(cat "$T/ready.ns") - $t0) / 1e6")" ||
      echo none)" "$(calc "($c1 - $c0) / 1e6")"
  rm -f "$T/v$1.db"*
  stop_sims
}

has() { [[ " $pollers " == *" $1 "* ]]; }

calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "-" && b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "modbus_poll: N Modbus TCP devices at 1 Hz for ${secs} s each (after ${warm} s warm-up),"
echo "vitalsd then collectd $(collectd -h | sed -n 's/^collectd \([^,]*\),.*/\1/p') against the same simulator"
[ -z "${BENCH_STARTUP:-}" ] || startup "$BENCH_STARTUP"
printf '%6s  %-9s %8s %8s %8s %10s %9s %9s %10s\n' devices daemon polls missed requests \
  'cpu_s/1k' 'rss_MB' 'req/poll' 'jitter_p99'
for n in "${sizes[@]}"; do
  start_sim "$n"
  ! has vitalsd || run_vitalsd "$n"
  if has collectd && [ "$n" -le "$collectd_max" ]; then
    run_collectd "$n"
    ! has vitalsd || printf '%6d  %-9s %8s %8s %8s %10s %9s\n' "$n" 'v/c' '' \
      "$v_missed/$c_missed" '' "$(ratio "$v_cpu" "$c_cpu")" "$(ratio "$v_rss" "$c_rss")"
  elif has collectd; then
    printf '%6d  %-9s skipped: more than BENCH_COLLECTD_MAX=%s devices\n' "$n" collectd \
      "$collectd_max"
  fi
  if has minimal; then
    run_minimal "$n"
    ! has vitalsd || printf '%6d  %-9s %8s %8s %8s %10s %9s\n' "$n" 'v/m' '' \
      "$v_missed/$m_missed" '' "$(ratio "$v_cpu" "$m_cpu")" "$(ratio "$v_rss" "$m_rss")"
  fi
  stop_sims
done
echo "cpu_s/1k: CPU seconds per 1000 polls (one poll = one device read once: vitalsd sends one"
echo "request for the whole register block, collectd one request per value: req/poll)."
echo "jitter_p99: ms, a device's interval between successive polls minus the 1 s period."
