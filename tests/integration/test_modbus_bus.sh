#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A simulated RS-485 bus: three Modbus RTU units on one pty, one bus thread in the daemon.
# T09 one unit dead: the other two keep their period within +20 % (measured from the stored
# readings' times), the dead one raises comms_loss, stays alarmed, is polled at a reduced rate and
# is picked up again when it answers. T03 the line unplugged (pty closed, link gone) for 6 s:
# comms_loss for every unit within 2P, daemon CPU under 5 % during the outage (no EIO spin),
# polling resumes without a restart once the line is back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

P=500
TR=200
start_broker
start_mbsim --rtu "$T/rtu0:1=$PROFILE,2=$PROFILE,3=$PROFILE"
mb_head "$T/vitalsd.conf"
for i in 1 2 3; do
  add_mb_rtu "$T/vitalsd.conf" "u$i" "$T/rtu0" "$i" ${P}ms ${TR}ms
  add_bed "$T/vitalsd.conf" "b$i" "u$i"
done
start_daemon "$T/vitalsd.conf"
all_polled() { polled u1 4 && polled u2 4 && polled u3 4; }
wait_for 10 "readings from the three units" all_polled

# period DEVICE FROM TO: "average max" interval between stored polls, ms.
period() {
  sql "with t as (select distinct ts_ms from readings where device='$1' and vital='hr'
                  and ts_source=0 and ts_ms>=$2 and ts_ms<$3),
            d as (select ts_ms - lag(ts_ms) over (order by ts_ms) as dt from t)
       select cast(avg(dt) as integer)||' '||max(dt) from d where dt is not null"
}

# --- T09: unit 2 dead for 8 s
t_s=$(now_ms) q0=$(simstat rtu0.2 requests)
simcmd fault rtu0.2 silent on >/dev/null
wait_for 5 "comms_loss for the dead unit" has_alert u2 comms_loss
sleep 7
t_e=$(now_ms) q1=$(simstat rtu0.2 requests)
[ "$(alert_count u2 comms_loss 'and cleared_ms is null')" -eq 1 ] || fail "the dead unit's alert did not stay raised"
for d in u1 u3; do
  read -r avg max < <(period $d $((t_s + 1000)) "$t_e")
  [ -n "$avg" ] || fail "$d: no readings while unit 2 was dead"
  [ "$avg" -le $((P * 12 / 10)) ] || fail "$d: period $avg ms while unit 2 was dead (want <= $((P * 12 / 10)))"
  [ "$(alert_count $d comms_loss)" -eq 0 ] || fail "$d: comms_loss while only unit 2 was dead"
  pass "T09 $d: period $avg ms on average (max interval $max ms) while unit 2 was dead, P = $P ms"
done
dead_polls=$((q1 - q0)) normal=$(((t_e - t_s) / P))
[ "$dead_polls" -le $((normal * 6 / 10)) ] || fail "the dead unit was polled $dead_polls times in $((t_e - t_s)) ms (normal rate: $normal)"
pass "T09: the dead unit was polled $dead_polls times in $((t_e - t_s)) ms (at its normal rate: $normal) and stayed alarmed"
t_b=$(now_ms)
simcmd fault rtu0.2 silent off >/dev/null
wait_for 10 "the dead unit picked up again" has_cleared u2 comms_loss
lat=$(($(sql "select cleared_ms from alerts where device='u2' and code='comms_loss'") - t_b))
[ "$lat" -le $((5 * P + 500)) ] || fail "unit 2 picked up ${lat} ms after it answered again"
pass "T09: unit 2 picked up ${lat} ms after it answered again"

# --- T03: the line unplugged for 6 s
t_u=$(now_ms)
simcmd down rtu0 6s >/dev/null
lost() { [ "$(sql "select count(*) from alerts where code='comms_loss' and raised_ms>=$t_u")" -eq 3 ]; }
wait_for 5 "comms_loss for the three units of the unplugged line" lost
lat=$(($(sql "select max(raised_ms) from alerts where code='comms_loss' and raised_ms>=$t_u") - t_u))
[ "$lat" -le $((2 * P + 300)) ] || fail "unplug detected ${lat} ms later (want <= 2P)"
pass "T03: unplugged line: comms_loss for all three units within ${lat} ms"
hz=$(getconf CLK_TCK)
c0=$(cpu_ticks "$DAEMON_PID") w0=$(now_ms)
sleep 3
c1=$(cpu_ticks "$DAEMON_PID") w1=$(now_ms)
pct=$(((c1 - c0) * 100000 / hz / (w1 - w0)))
[ "$pct" -lt 5 ] || fail "daemon used ${pct} % CPU while the line was unplugged"
[ "$(($(now_ms) - t_u))" -lt 6000 ] || fail "the CPU sample ran past the outage; the test is too slow here"
pass "T03: daemon CPU ${pct} % ($((c1 - c0)) ticks in $((w1 - w0)) ms) while the line was unplugged"
back() { [ "$(sql "select count(*) from alerts where code='comms_loss' and raised_ms>=$t_u and cleared_ms is not null")" -eq 3 ]; }
wait_for 10 "the three units answering again after replug" back
lat=$(($(sql "select max(cleared_ms) from alerts where code='comms_loss' and raised_ms>=$t_u") - t_u - 6000))
[ "$lat" -le $((P + 1000 + 500)) ] || fail "polling resumed ${lat} ms after the line came back"
for d in u1 u2 u3; do wait_for 5 "$d readings after replug" polled $d 1 $((t_u + 6000)); done
kill -0 "$DAEMON_PID" || fail "vitalsd died"
pass "T03: all three units answering ${lat} ms after the line came back, no restart"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
