#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmark: N simulated Modbus TCP devices (one port each, generic-gateway profile) polled at
# 1 Hz by vitalsd, then by collectd's modbus plugin reading the same registers from the same
# simulator in the same run. Prints for each: CPU seconds per 1000 polls, peak RSS, missed polls
# (vitalsd: polls stored in SQLite; collectd: reads written by its csv plugin; both against
# N x seconds), and the ratio vitalsd / collectd. Not a test.
# Usage: bench/modbus_poll.sh [N...]  (default 10 100 500); BENCH_SECONDS (default 60) per run.
. "$(dirname "$0")/lib.sh"
secs=${BENCH_SECONDS:-60}
warm=3
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 100 500)
sim=$B/tests/sim/modbus/vsd-modbus-sim
profile=$PWD/config/profiles/generic-gateway.conf
[ -x "$sim" ] || cmake --build "$B" --target vsd-modbus-sim >/dev/null
command -v collectd >/dev/null || { echo "collectd is missing (apt-get install collectd-core)"; exit 1; }
[ -f /usr/lib/collectd/modbus.so ] || { echo "collectd's modbus plugin is missing"; exit 1; }
hz=$(getconf CLK_TCK)
start_broker

now_ms() { date +%s%3N; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
simcmd() { printf '%s\n' "$*" | socat -t 5 - "UNIX-CONNECT:$T/sim.sock"; }
requests() { simcmd stats '*' | tr ' ' '\n' | sed -n 's/^requests=//p'; }

# start_sim N: one simulator serving N ports from a random base; sets $base and $sim_pid.
start_sim() {
  for _ in 1 2 3 4 5; do
    base=$((20000 + RANDOM % 30000))
    rm -f "$T/sim.out"
    "$sim" --control "$T/sim.sock" --tcp "$base+$1:1=$profile" > "$T/sim.out" 2>"$T/sim.log" &
    sim_pid=$!
    for _ in $(seq 1 100); do
      grep -qx ready "$T/sim.out" 2>/dev/null && { pids+=("$sim_pid"); return 0; }
      kill -0 "$sim_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
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
# cpu_ticks, req, t0, t1 (ms) and rss_kb.
measure() {
  sleep "$warm"
  local c0 q0
  c0=$(ticks "$1") q0=$(requests) t0=$(now_ms)
  sleep "$secs"
  cpu_ticks=$(($(ticks "$1") - c0)) req=$(($(requests) - q0)) t1=$(now_ms)
  rss_kb=$(hwm_kb "$1")
}

# report NAME N POLLS: one line; sets cpu1000 (s per 1000 polls), missed, rss_mb.
report() {
  local expect=$(($2 * secs)) polls=$(($3 > 0 ? $3 : 1))
  missed=$((expect > $3 ? expect - $3 : 0))
  cpu1000=$(calc "$cpu_ticks / $hz * 1000 / $polls")
  rss_mb=$(calc "$rss_kb / 1024")
  printf '%6d  %-9s %8d %8d %8d %10.3f %9.1f %9.1f\n' "$2" "$1" "$3" "$missed" "$req" \
    "$cpu1000" "$rss_mb" "$(calc "$req / $polls")"
}

run_vitalsd() {
  vitalsd_conf "$1" > "$T/v.conf"
  "$B"/vitalsd -c "$T/v.conf" 2>"$T/v$1.log" &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 100); do grep -q "vitalsd ready" "$T/v$1.log" && break; sleep 0.1; done
  measure "$pid"
  kill -TERM "$pid"
  wait "$pid" || true
  local polls
  polls=$(sqlite3 "$T/v$1.db" "select count(*) from (select distinct device, ts_ms from readings
            where vital='hr' and ts_source=0 and ts_ms>=$t0 and ts_ms<$t1)")
  report vitalsd "$1" "$polls"
  v_cpu=$cpu1000 v_rss=$rss_mb v_missed=$missed
}

run_collectd() {
  rm -rf "$T/csv" "$T/collectd"
  mkdir -p "$T/collectd"
  collectd_conf "$1" > "$T/collectd.conf"
  collectd -C "$T/collectd.conf" -f > "$T/collectd$1.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  measure "$pid"
  kill -TERM "$pid"
  wait "$pid" || true
  local polls
  polls=$(find "$T/csv" -name 'gauge-hr-*' -print0 2>/dev/null | xargs -0 -r cat |
    awk -F, -v a="$t0" -v b="$t1" '$1 ~ /^[0-9]/ && $1 * 1000 >= a && $1 * 1000 < b {n++} END {print n + 0}')
  report collectd "$1" "$polls"
  c_cpu=$cpu1000 c_rss=$rss_mb c_missed=$missed
}

calc() { awk "BEGIN { printf \"%.4f\", $1 }"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo "modbus_poll: N Modbus TCP devices at 1 Hz for ${secs} s each (after ${warm} s warm-up),"
echo "vitalsd then collectd $(collectd -h | sed -n 's/^collectd \([^,]*\),.*/\1/p') against the same simulator"
printf '%6s  %-9s %8s %8s %8s %10s %9s %9s\n' devices daemon polls missed requests \
  'cpu_s/1k' 'rss_MB' 'req/poll'
for n in "${sizes[@]}"; do
  start_sim "$n"
  run_vitalsd "$n"
  run_collectd "$n"
  printf '%6d  %-9s %8s %8s %8s %10s %9s\n' "$n" 'v/c' '' \
    "$v_missed/$c_missed" '' "$(ratio "$v_cpu" "$c_cpu")" "$(ratio "$v_rss" "$c_rss")"
  kill "$sim_pid"
  wait "$sim_pid" 2>/dev/null || true
done
echo "cpu_s/1k: CPU seconds per 1000 polls (one poll = one device read once: vitalsd sends one"
echo "request for the whole register block, collectd one request per value: req/poll)."
