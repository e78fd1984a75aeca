#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T30: wall-clock steps. vitalsd runs under libfaketime (Debian faketime)
# with FAKETIME_DONT_FAKE_MONOTONIC=1 (libfaketime fakes CLOCK_MONOTONIC too by default), its
# offset read from a file the test rewrites: +1 h, then -1 h, then +1 month (30 days), each step
# during a run of polls, the first two while an alarm's 2 s delay is running. Times are taken by
# a subscriber outside faketime (mosquitto_sub's %U: real Unix time). Accept: every alarm comes
# 2 s (its delay, on the monotonic clock) after the first low reading, neither hurried by +1 h nor
# stalled by -1 h; polls keep their period (no burst, no stall); stored readings carry the new
# wall time; the daemon logs each step.
. "$(dirname "$0")/../integration/lib.sh"
LIBFT=$(ls /usr/lib/*/faketime/libfaketimeMT.so.1 2>/dev/null | head -n1)
[ -n "$LIBFT" ] || fail "libfaketime is missing: run scripts/deps (Debian package faketime)"

P=250 DELAY=2
start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF

[alarm.spo2]
low = 90
low_priority = high
delay = ${DELAY}s
hysteresis = 1

[device.m1]
driver = sim
poll = ${P}ms
timeout = 100ms
seed = 30
event = desaturation at=3s for=4s value=84
event = desaturation at=10s for=4s value=84

[bed.b1]
devices = m1
CONF
mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -F '%U %t %p' -t 'vitals/test/bed/b1/readings' \
  -t 'vitals/test/bed/b1/alert' > "$T/events.txt" 2>>"$T/sub.log" &
PIDS+=("$!")
sleep 0.3

step() { echo "$1" > "$T/faketime.new" && mv "$T/faketime.new" "$T/faketime"; }
step "+0"
env LD_PRELOAD="$LIBFT" FAKETIME_TIMESTAMP_FILE="$T/faketime" FAKETIME_CACHE_DURATION=1 \
  FAKETIME_DONT_FAKE_MONOTONIC=1 "$VITALSD" -c "$T/vitalsd.conf" 2>>"$T/vitalsd.log" &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_for 10 "vitalsd ready" grep -q "vitalsd ready" "$T/vitalsd.log"
t_ready=$(date +%s%N)
at() { # wait until S seconds after ready
  local left=$(($1 * 1000 - ($(date +%s%N) - t_ready) / 1000000))
  [ $left -le 0 ] || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
}
# libfaketime reads the file at most once a second (FAKETIME_CACHE_DURATION): a step written
# 0.3 s into a low run takes effect 0.3 to 1.3 s into the alarm's 2 s delay
at 3; sleep 0.3; step "+1h"    # desaturation 1 from ~3 s: its delay runs until ~5 s
at 8; real_h=$(date +%s%3N)     # readings now carry real time + 1 h
at 10; sleep 0.3; step "+0"    # -1 h, during desaturation 2's delay
at 14; step "+30d"             # +1 month
at 17; real_m=$(date +%s%3N)
stop_daemon

# the alarms: 2 s after the first low reading, whatever the wall clock did
readings() { awk '$2 ~ /readings$/' "$T/events.txt"; }
# the start of each low run: a reading with SpO2 < 90 after one without
low_starts=$(readings | while read -r ts _ p; do
  if jq -e '[.readings[] | select(.vital == "spo2") | .value] | any(. < 90)' <<<"$p" >/dev/null
  then echo "$ts low"; else echo "$ts ok"; fi; done |
  awk '$2 == "low" && last != "low" {print $1} {last = $2}')
raised=$(awk '$2 ~ /alert$/' "$T/events.txt" | while read -r ts _ p; do
  jq -e '.event == "raised" and .vital == "spo2" and .code == "low"' <<<"$p" >/dev/null && echo "$ts" || true; done)
[ "$(wc -l <<<"$raised")" -eq 2 ] || fail "expected 2 SpO2 alarms, got: $(wc -l <<<"$raised")"
[ "$(wc -l <<<"$low_starts")" -eq 2 ] || fail "expected 2 low runs, got: $low_starts"
k=0
for a in $raised; do
  k=$((k + 1))
  first=$(sed -n "${k}p" <<<"$low_starts")
  awk -v a="$a" -v f="$first" 'BEGIN { exit !(f < a) }' || fail "alarm $k before its low run"
  ms=$(awk -v a="$a" -v f="$first" 'BEGIN { printf "%d", (a - f) * 1000 }')
  # delay 2000 ms, timed on the monotonic clock from the first low reading's poll. Early by up to
  # 300 ms: the readings message may leave late on a loaded machine while the alert's does not;
  # an alarm the +1 h step hurried comes at the step, at most 1.3 s in. Late by at most 2 poll
  # periods + 1 s of load; the -1 h step would stall it for an hour.
  [ "$ms" -ge $((DELAY * 1000 - 300)) ] || fail "alarm $k came $ms ms after the first low reading: hurried by the clock step"
  [ "$ms" -le $((DELAY * 1000 + 2 * P + 1000)) ] || fail "alarm $k came $ms ms after the first low reading: stalled by the clock step"
  lat[$k]=$ms
done

# poll cadence in real time: no burst, no stall
n=$(readings | wc -l)
span=$(readings | awk 'NR == 1 {f = $1} {l = $1} END {printf "%d", (l - f) * 1000}')
gap=$(readings | awk 'NR > 1 {d = $1 - p; if (d > m) m = d} {p = $1} END {printf "%d", m * 1000}')
burst=$(readings | awk '{t[NR] = $1} END {m = 0; j = 1; for (i = 1; i <= NR; i++) {
  while (t[i] - t[j] > 1.0) j++; if (i - j + 1 > m) m = i - j + 1 }; print m}')
expect=$((span / P + 1))
[ "$n" -le $((expect + 2)) ] && [ "$n" -ge $((expect * 9 / 10)) ] ||
  fail "$n readings in $span ms at a $P ms period (expected about $expect)"
[ "$gap" -le $((3 * P + 1000)) ] || fail "polling stalled: $gap ms without a reading"
[ "$burst" -le $((1000 / P + 2)) ] || fail "a burst of polls: $burst readings within 1 s"

# stored readings carry the stepped wall time
hour=$(sql "select count(*) from readings where ts_ms between $real_h + 3590000 and $real_h + 3610000")
month=$(sql "select count(*) from readings where ts_ms between $real_m + 2592000000 - 10000
            and $real_m + 2592000000 + 10000")
[ "$hour" -gt 0 ] || fail "no stored reading carries the +1 h time"
[ "$month" -gt 0 ] || fail "no stored reading carries the +1 month time"

# the daemon logged each step (give or take a second of the tick)
for s in '\+(3599|3600|3601)' '-(3599|3600|3601)' '\+(2591999|2592000|2592001)'; do
  grep -qE "wall clock stepped by $s s" "$T/vitalsd.log" ||
    fail "no log line for the wall-clock step $s s: $(grep 'wall clock' "$T/vitalsd.log")"
done
echo "clock steps: +1 h, -1 h, +1 month; alarms ${lat[1]} and ${lat[2]} ms after the first low" \
  "reading (delay ${DELAY} s); $n polls in $span ms (period $P ms), longest gap $gap ms," \
  "at most $burst in 1 s; readings stamped +1 h ($hour) and +1 month ($month); 3 steps logged"
pass "T30: clock steps neither hurry nor stall polls and alarms"
