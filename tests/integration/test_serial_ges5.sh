#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ge-s5 driver against vsd-ges5-sim over a pty and over TCP at once (one daemon, two beds).
# The simulator runs its clock 10x fast (one monitor second = 100 ms), so the 5 s minimum
# transmission interval becomes 500 ms = the poll period. Covers: the start request, readings
# and flags stored (a byte-stuffed value included), NIBP stored once per cuff measurement,
# invalid codes never stored as values, probe off, frames with line noise / a flipped bit /
# truncated / over-long / a bad checksum counted and never stored, persistent noise ->
# comms_degraded, a silent monitor -> comms_loss, an unplugged cable -> comms_loss, no CPU spin,
# resumed without a restart.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_serial.sh"

SIM=$BUILD/tests/sim/ge_s5/vsd-ges5-sim
P=500 # poll period, ms

start_broker
start_sim gp "$SIM" --pty "$T/s5.pty" --second-ms 100 --nibp-every 20
start_sim gt "$SIM" --tcp 0 --second-ms 100 --nibp-every 20
TCP_PORT=$(sed -n 's/^ready port=//p' "$T/gt.out")
[ "$TCP_PORT" -gt 0 ] || fail "TCP simulator has no port"

write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[technical]
sensor_off_delay = 1s
invalid_delay = 1s

[device.gp]
driver = ge-s5
port = $T/s5.pty
poll = ${P}ms
timeout = 300ms

[device.gt]
driver = ge-s5
port = tcp://127.0.0.1:$TCP_PORT
poll = ${P}ms
timeout = 300ms

[bed.b1]
devices = gp

[bed.b2]
devices = gt
CONF
start_daemon "$T/vitalsd.conf"

# --- the request, and readings arriving ---------------------------------------------------
for s in gp gt; do
  wait_for 5 "$s: start request" grep -q '^request type=1 tx_ival=5 classes=0x0' "$T/$s.out"
done
pass "the driver asks for displayed basic values every 5 s (the monitor's minimum)"

# sql_gt QUERY N: the query's number is greater than N (re-evaluated on every wait_for try).
sql_gt() { [ "$(sql "$1")" -gt "$2" ]; }
n_alerts() { sql "select count(*) from alerts where device='$1' and code='$2'"; }
alert_raised() { [ "$(n_alerts "$1" "$2")" -gt "${3:-0}" ]; }

val() { sql "select value from readings where device='$1' and vital='$2' and value is not null order by id desc limit 1"; }
is_val() { [ "$(val "$1" "$2")" = "$3" ]; }
for d in gp gt; do
  wait_for 5 "$d: HR" is_val $d hr 72.0
  wait_for 2 "$d: SpO2" is_val $d spo2 97.0
  wait_for 2 "$d: PR" is_val $d pr 71.0
  wait_for 2 "$d: RR" is_val $d rr 14.0
done
pass "HR 72, SpO2 97 %, PR 71, RR 14 stored from both links"

# HR 126 is 7E 00 on the wire: only byte stuffing gets it through.
sim_cmd gp value hr 126
sim_cmd gt value hr 126
wait_for 3 "gp: stuffed HR" is_val gp hr 126.0
wait_for 3 "gt: stuffed HR" is_val gt hr 126.0
sim_cmd gp value hr 72
sim_cmd gt value hr 72
pass "a value that needs byte stuffing (HR 126 = 7E 00) arrives intact"

# --- invalid codes -------------------------------------------------------------------------
t0=$(now_ms)
sim_cmd gp code hr -32767 1.5
sim_cmd gp code spo2 -32764 1.5
wait_for 3 "invalid HR flagged" sql_gt "select count(*) from readings where device='gp' and vital='hr' and value is null and flags&1 and ts_ms>$t0" 0
wait_for 3 "invalid SpO2 flagged" sql_gt "select count(*) from readings where device='gp' and vital='spo2' and value is null and flags&1 and ts_ms>$t0" 0
wait_for 5 "invalid alert" alert_raised gp invalid
wait_for 5 "HR back" has_readings_after gp hr "$(now_ms)"
pass "invalid codes stored as flagged gaps (value NULL) and raised the 'invalid' technical alert"

# --- probe off -----------------------------------------------------------------------------
sim_cmd gt probe_off 2
wait_for 4 "gt sensor_off" alert_raised gt sensor_off
wait_for 6 "gt sensor_off cleared" alert_closed gt sensor_off
n=$(sql "select count(*) from readings where device='gt' and vital='spo2' and flags&2 and value is null")
[ "$n" -gt 0 ] || fail "no sensor-off SpO2 readings"
pass "probe off: $n SpO2 readings flagged sensor off, sensor_off raised and cleared"

# --- single faulted frames: counted, never stored ------------------------------------------
# "tag N" marks the faulted record alone with HR N; none of those may reach the database.
# A clean record between two faults keeps the link from counting as down or degraded here.
for fault in badsum flip truncate overlong noise; do
  case $fault in badsum) v=91 ;; flip) v=92 ;; truncate) v=93 ;; overlong) v=94 ;; noise) v=95 ;; esac
  for s in gp gt; do
    sim_cmd $s tag $v
    if [ $fault = noise ]; then sim_cmd $s noise 40; else sim_cmd $s $fault 1; fi
  done
  sleep 1.1
done
for d in gp gt; do
  bad=$(sql "select group_concat(value) from readings where device='$d' and vital='hr' and value between 91 and 94")
  [ -z "$bad" ] || fail "$d: faulted frames stored: HR $bad"
  n95=$(sql "select count(*) from readings where device='$d' and vital='hr' and value=95")
  [ "$n95" -eq 1 ] || fail "$d: the frame after line noise was stored $n95 times (want 1)"
done
for d in gp gt; do
  [ "$(n_alerts $d comms_loss)" -eq 0 ] && [ "$(n_alerts $d comms_degraded)" -eq 0 ] \
    || fail "$d: a single bad frame now and then raised a technical alert"
done
pass "bad checksum, bit flip, truncated and over-long frames never stored; noise before a frame skipped, the frame kept"

# --- persistent line noise: communication degraded ------------------------------------------
sim_cmd gp noisy 8
wait_for 6 "gp comms_degraded" alert_raised gp comms_degraded
[ "$(alerts_of gp comms_loss)" -eq 0 ] || fail "noise around good frames raised comms_loss"
wait_for 10 "gp comms_degraded cleared" alert_closed gp comms_degraded
pass "noise in every poll raised comms_degraded (device kept answering) and it cleared"

# --- NIBP: each cuff measurement stored once -------------------------------------------------
sim_cmd gp records
cycles=$(sed -n 's/^records [0-9]* cycles //p' "$T/gp.out" | tail -n1)
nibp=$(sql "select count(*) from readings where device='gp' and vital='nibp_sys'")
distinct=$(sql "select count(distinct ts_ms) from readings where device='gp' and vital='nibp_sys'")
dups=$(sql "select count(*) from (select 1 from readings where device='gp' and vital in ('nibp_sys','nibp_dia','nibp_mean') group by vital, ts_ms having count(*)>1)")
[ "$cycles" -ge 2 ] || fail "only $cycles cuff cycles simulated"
[ "$dups" -eq 0 ] && [ "$nibp" -eq "$distinct" ] || fail "NIBP duplicates: $nibp rows, $distinct times"
[ "$nibp" -ge $((cycles - 1)) ] && [ "$nibp" -le "$cycles" ] || fail "$nibp NIBP rows for $cycles cuff cycles"
src=$(sql "select min(ts_source) from readings where device='gp' and vital like 'nibp%'")
[ "$src" = 1 ] || fail "NIBP not stamped with the monitor's time"
pass "NIBP: $nibp rows for $cycles cuff measurements (repeated in every record), stamped with the monitor's time"

# --- silent monitor, unplugged cable ------------------------------------------------------------
# silent DEVICE: the monitor stops sending for 3 s: comms_loss within timeout + 2P of the last
# record, no reading in the gap, cleared when it talks again.
silent() {
  local d=$1 n0 t0 last raised back
  n0=$(n_alerts "$d" comms_loss)
  t0=$(now_ms)
  sim_cmd "$d" silent 3
  wait_for 4 "$d comms_loss raised" alert_raised "$d" comms_loss "$n0"
  raised=$(sql "select max(raised_ms) from alerts where device='$d' and code='comms_loss'")
  last=$(sql "select max(ts_ms) from readings where device='$d' and vital='hr' and ts_ms<$raised")
  [ $((raised - last)) -le $((2 * P + 300 + 100)) ] \
    || fail "$d: comms_loss $((raised - last)) ms after the last record (2P + timeout = $((2 * P + 300)))"
  wait_for 6 "$d comms_loss cleared" alert_closed "$d" comms_loss
  back=$(sql "select cleared_ms from alerts where device='$d' and code='comms_loss' and raised_ms=$raised")
  [ "$(sql "select count(*) from readings where device='$d' and ts_source=0 and ts_ms>$raised and ts_ms<$back")" -eq 0 ] \
    || fail "$d: readings stored while the monitor was silent"
  pass "$d silent: comms_loss $((raised - last)) ms after the last record, $((raised - t0)) ms after the command; no reading in the gap; cleared"
}

# unplug DEVICE: the cable is pulled for 4 s (pty closed / TCP reset): comms_loss within 2P,
# reopen attempts at most once a second with under 5 % of a core, readings resume.
unplug() {
  local d=$1 n0 t0 raised cpu back
  n0=$(n_alerts "$d" comms_loss)
  t0=$(now_ms)
  sim_cmd "$d" unplug 4
  wait_for 3 "$d comms_loss after unplug" alert_raised "$d" comms_loss "$n0"
  raised=$(sql "select max(raised_ms) from alerts where device='$d' and code='comms_loss'")
  [ $((raised - t0)) -le $((2 * P)) ] || fail "$d: unplug noticed after $((raised - t0)) ms (2P = $((2 * P)))"
  cpu=$(cpu_percent "$DAEMON_PID" 2)
  [ "$cpu" -lt 5 ] || fail "$d: daemon used ${cpu}% of a core while unplugged"
  wait_for 6 "$d replugged" grep -q replug "$T/$d.log"
  back=$(now_ms)
  wait_for 6 "$d readings after replug" has_readings_after "$d" hr "$back"
  wait_for 6 "$d comms_loss cleared" alert_closed "$d" comms_loss
  pass "$d unplugged: comms_loss after $((raised - t0)) ms (2P = $((2 * P))), daemon CPU ${cpu}% while out, readings $(( $(sql "select min(ts_ms) from readings where device='$d' and ts_ms>$back") - back )) ms after the replug"
}
silent gp
silent gt
unplug gp
unplug gt
n=$(grep -c '^request type=1 tx_ival=5' "$T/gp.out")
[ "$n" -ge 2 ] || fail "gp: no new start request after the replug ($n)"
pass "after the replug the driver sent the start request again ($n requests in all)"

# --- never a special code as a value ---------------------------------------------------------
stop_daemon
n=$(sql "select count(*) from readings where value <= -32001")
[ "$n" -eq 0 ] || fail "$n special codes stored as values"
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
pass "no special code (<= -32001) stored as a value; database intact"
