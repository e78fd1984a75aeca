#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Modbus RTU replies that must never become readings, against the simulator over a pty.
# Every such reply carries the simulator's marker values, so one stored marker is a failure.
# T02 late RTU replies (every 4th after the timeout, before the next request; the simulator gives
# each late reply the marker values): none stored, every stored poll is one clean reply (HR = PR),
# and, as positive controls, the simulator counted the late replies it sent and the daemon logged
# the timeout of each request they answered (the reply it then flushed);
# T05 bad CRC, truncated replies and noise: never stored, polling goes on, and garbled replies in
# a row raise comms_degraded; T06 exception responses (code logged) and replies naming the wrong
# unit id: never stored (the TCP side of T06 is test_modbus_exceptions.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

# Timings with room for a loaded 2-core machine: a late reply must land after the 100 ms timeout
# and before the next request (300 ms), so it leaves at 200 ms, 100 ms from either edge; RTU has no
# transaction id, so one that slips into the next exchange is caught only by the 20 ms guard of
# drivers/modbus/link.c (test_modbus_late.sh tests that case on purpose).
P=300
start_broker
start_mbsim --rtu "$T/rtu0:1=$PROFILE"
mb_head "$T/vitalsd.conf"
add_mb_rtu "$T/vitalsd.conf" rtu "$T/rtu0" 1 ${P}ms 100ms
add_bed "$T/vitalsd.conf" b1 rtu

start_daemon "$T/vitalsd.conf"
wait_for 10 "RTU readings" polled rtu 3

# --- T02: every 4th reply 200 ms late, until 8 were sent (about 10 s)
timeouts() {
  tail -n +"$1" "$T/vitalsd.log" | grep -c "device 'rtu' (modbus): reading .*: Connection timed out"
}
log0=$(($(wc -l < "$T/vitalsd.log") + 1))
t0=$(now_ms)
simcmd seq rtu0.1 on >/dev/null
simcmd fault rtu0.1 late 200ms 4 >/dev/null
r0=$(simstat rtu0.1 replies)
enough_late() { [ "$(simstat rtu0.1 late)" -ge 8 ]; }
wait_for 30 "8 late replies sent" enough_late
sleep 0.5 # the last late reply's timeout and flush
simcmd fault rtu0.1 none >/dev/null
simcmd seq rtu0.1 off >/dev/null
t1=$(now_ms)
late=$(simstat rtu0.1 late) clean=$(($(simstat rtu0.1 replies) - r0)) tmo=$(timeouts "$log0")
[ "$(markers rtu)" -eq 0 ] || fail "$(markers rtu) readings from late replies were stored"
# Positive control: the requests the late replies answered timed out in the daemon (logged once per
# change of error: each late reply follows a clean poll). A clean reply that a loaded machine
# delays past the timeout right after a late one is not logged again, hence 3/4.
[ "$tmo" -ge $((late * 3 / 4)) ] ||
  fail "the daemon logged $tmo timeouts for $late late replies: were they really late?"
n=$(polls rtu "$t0" "$t1")
# one poll of slack: a reply counted just before r0 may be stored just after t0
[ "$n" -le $((clean + 1)) ] || fail "$n polls stored from $clean clean replies: something else was stored"
# a loaded machine may time out a clean reply too: 70 % of them stored is the floor
[ "$n" -ge $((clean * 7 / 10)) ] || fail "only $n polls stored from $clean clean replies"
split=$(sql "select count(*) from readings h join readings p on p.device=h.device and p.ts_ms=h.ts_ms
             and p.vital='pr' where h.device='rtu' and h.vital='hr' and h.ts_ms>=$t0 and h.ts_ms<$t1
             and h.value<>p.value")
[ "$split" -eq 0 ] || fail "$split polls stored HR and PR from different replies"
seqbad=$(sql "select count(*) from readings where device='rtu' and vital='hr' and ts_ms>=$t0+300
              and ts_ms<$t1 and (cast(value as integer)-60)%4=0")
[ "$seqbad" -eq 0 ] || fail "$seqbad stored HR values belong to requests that were answered late"
echo "late replies: $late sent, $tmo timeouts logged, 0 stored; $n polls stored from $clean clean replies"
pass "T02: late replies sent and discarded, none stored; every stored poll one clean reply"

# --- T05: garbled RTU replies, one kind at a time, every 3rd reply
for kind in badcrc truncate noise; do
  c0=$(simstat rtu0.1 corrupt) t0=$(now_ms)
  simcmd fault rtu0.1 "$kind" 3 >/dev/null
  sleep 3
  simcmd fault rtu0.1 none >/dev/null
  c=$(($(simstat rtu0.1 corrupt) - c0)) n=$(polls rtu "$t0" "$(now_ms)")
  [ "$c" -ge 3 ] || fail "$kind: only $c garbled replies sent"
  # 10 polls in 3 s, 2 in 3 clean; 4 is the floor on a loaded machine
  [ "$n" -ge 4 ] || fail "$kind: polling stalled ($n polls stored in 3 s)"
  [ "$(markers rtu)" -eq 0 ] || fail "$kind: $(markers rtu) garbled replies were stored"
  pass "T05 $kind: $c garbled replies, none stored, $n good polls stored meanwhile"
done

# Garbled replies in a row: communication degraded.
simcmd fault rtu0.1 badcrc 1 >/dev/null
wait_for 5 "comms_degraded for the garbling unit" has_alert rtu comms_degraded
simcmd fault rtu0.1 none >/dev/null
wait_for 10 "comms_degraded cleared" has_cleared rtu comms_degraded
[ "$(markers rtu)" -eq 0 ] || fail "$(markers rtu) garbled replies were stored"
pass "T05: bad CRCs in a row raised comms_degraded, clean replies cleared it"

# --- T06 on RTU: exception responses, then replies from the wrong unit id
t0=$(now_ms)
simcmd fault rtu0.1 exception 2 3 >/dev/null
sleep 2
simcmd fault rtu0.1 none >/dev/null
simcmd fault rtu0.1 wrong-unit 9 3 >/dev/null
sleep 2
simcmd fault rtu0.1 none >/dev/null
[ "$(simstat rtu0.1 exceptions)" -ge 2 ] || fail "no exception responses were sent"
[ "$(simstat rtu0.1 wrong_unit)" -ge 2 ] || fail "no wrong-unit replies were sent"
[ "$(markers rtu)" -eq 0 ] || fail "$(markers rtu) replies from the wrong unit were stored"
# 13 polls in 4 s, 2 in 3 clean: 5 is the floor on a loaded machine
[ "$(polls rtu "$t0" "$(now_ms)")" -ge 5 ] || fail "RTU polling stalled during exceptions"
grep -qi "illegal data address" "$T/vitalsd.log" || fail "the exception code (2, illegal data address) was not logged"
pass "T06 RTU: exception responses logged by name, wrong-unit replies not stored"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
