#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Modbus RTU replies that must never become readings, against the simulator over a pty.
# Every such reply carries the simulator's marker values, so one stored marker is a failure.
# T02 late RTU replies (every 4th after the timeout, before the next request) with values that
# follow the request count: none stored, every stored poll is one clean reply (HR = PR);
# T05 bad CRC, truncated replies and noise: never stored, polling goes on, and garbled replies in
# a row raise comms_degraded; T06 exception responses (code logged) and replies naming the wrong
# unit id: never stored (the TCP side of T06 is test_modbus_exceptions.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

P=200
start_broker
start_mbsim --rtu "$T/rtu0:1=$PROFILE"
mb_head "$T/vitalsd.conf"
add_mb_rtu "$T/vitalsd.conf" rtu "$T/rtu0" 1 ${P}ms 100ms
add_bed "$T/vitalsd.conf" b1 rtu

start_daemon "$T/vitalsd.conf"
wait_for 10 "RTU readings" polled rtu 3

# --- T02: every 4th reply 150 ms late: after the 100 ms timeout, before the next request
t0=$(now_ms)
simcmd seq rtu0.1 on >/dev/null
simcmd fault rtu0.1 late 150ms 4 >/dev/null
r0=$(simstat rtu0.1 replies)
sleep 10
simcmd fault rtu0.1 none >/dev/null
simcmd seq rtu0.1 off >/dev/null
t1=$(now_ms)
late=$(simstat rtu0.1 late) clean=$(($(simstat rtu0.1 replies) - r0))
[ "$late" -ge 8 ] || fail "only $late late replies were sent"
[ "$(markers rtu)" -eq 0 ] || fail "$(markers rtu) readings from late replies were stored"
n=$(polls rtu "$t0" "$t1")
# one poll of slack: a reply counted just before r0 may be stored just after t0
[ "$n" -le $((clean + 1)) ] || fail "$n polls stored from $clean clean replies: something else was stored"
[ "$n" -ge $((clean * 8 / 10)) ] || fail "only $n polls stored from $clean clean replies"
split=$(sql "select count(*) from readings h join readings p on p.device=h.device and p.ts_ms=h.ts_ms
             and p.vital='pr' where h.device='rtu' and h.vital='hr' and h.ts_ms>=$t0 and h.ts_ms<$t1
             and h.value<>p.value")
[ "$split" -eq 0 ] || fail "$split polls stored HR and PR from different replies"
seqbad=$(sql "select count(*) from readings where device='rtu' and vital='hr' and ts_ms>=$t0+300
              and ts_ms<$t1 and (cast(value as integer)-60)%4=0")
[ "$seqbad" -eq 0 ] || fail "$seqbad stored HR values belong to requests that were answered late"
pass "T02: $late late replies, none stored; $n polls stored from $clean clean replies, all consistent"

# --- T05: garbled RTU replies, one kind at a time, every 3rd reply
for kind in badcrc truncate noise; do
  c0=$(simstat rtu0.1 corrupt) t0=$(now_ms)
  simcmd fault rtu0.1 "$kind" 3 >/dev/null
  sleep 3
  simcmd fault rtu0.1 none >/dev/null
  c=$(($(simstat rtu0.1 corrupt) - c0)) n=$(polls rtu "$t0" "$(now_ms)")
  [ "$c" -ge 3 ] || fail "$kind: only $c garbled replies sent"
  [ "$n" -ge 5 ] || fail "$kind: polling stalled ($n polls stored in 3 s)"
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
[ "$(polls rtu "$t0" "$(now_ms)")" -ge 8 ] || fail "RTU polling stalled during exceptions"
grep -qi "illegal data address" "$T/vitalsd.log" || fail "the exception code (2, illegal data address) was not logged"
pass "T06 RTU: exception responses logged by name, wrong-unit replies not stored"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
