#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A reload with Modbus TCP devices on the event loop (issue 14): the loop's thread is kept;
# t1, unchanged, keeps its connection (the same local port before and after) and its cadence
# (no gap over 700 ms for P = 250 ms: the pause plus a period, as test_reload.sh bounds a kept
# bus thread); t2, changed (poll 250 -> 500 ms), reconnects and is polled at its new period; t3,
# added, is polled; then t3, removed, is closed and no longer polled.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lib_modbus.sh"

command -v ss >/dev/null || fail "ss (iproute2) is needed to see the daemon's connections"
P=250 TMO=200 GAP_MAX=700
start_broker
start_mbsim --tcp "0+3:1=$PROFILE"
C=$T/vitalsd.conf
# conf T2_POLL DEVICES...: the file with t1 (always), t2 at T2_POLL, and t3 when named.
conf() {
  mb_head "$C"
  add_mb_tcp "$C" t1 "$(mbsim_port 1)" 1 ${P}ms ${TMO}ms
  add_mb_tcp "$C" t2 "$(mbsim_port 2)" 1 "$1" ${TMO}ms
  [ -z "${2:-}" ] || add_mb_tcp "$C" t3 "$(mbsim_port 3)" 1 ${P}ms ${TMO}ms
  add_bed "$C" b1 t1
  add_bed "$C" b2 t2
  [ -z "${2:-}" ] || add_bed "$C" b3 t3
}
# lport PORT: the daemon's local port of its connection to the simulator's PORT
lport() { ss -tnH state established "dport = :$1" | awk '{print $3}' | sed 's/.*://' | head -1; }
conf ${P}ms
start_daemon "$C"
both_polled() { polled t1 3 && polled t2 3; }
wait_for 10 "t1 and t2 polled" both_polled
grep -q "event loop: 2 network devices on one thread" "$T/vitalsd.log" ||
  fail "t1 and t2 are not on the event loop"
l1=$(lport "$(mbsim_port 1)") l2=$(lport "$(mbsim_port 2)")
[ -n "$l1" ] && [ -n "$l2" ] || fail "no connection to the simulator seen (t1 '$l1', t2 '$l2')"

conf 500ms t3
t_r=$(now_ms)
ctl reload > "$T/out" || fail "reload refused: $(cat "$T/out")"
grep -q "bus threads: 1 kept, 0 stopped, 0 started" "$T/out" ||
  fail "the event loop's thread was not kept: $(cat "$T/out")"
wait_for 5 "t3 polled" polled t3 2 "$t_r"
sleep 3
t_e=$(now_ms)
[ "$(lport "$(mbsim_port 1)")" = "$l1" ] || fail "t1, unchanged, reconnected over the reload"
[ "$(lport "$(mbsim_port 2)")" != "$l2" ] || fail "t2, changed, kept its old link"
read -r gap < <(sql "select max(d) from (select ts_ms - lag(ts_ms) over (order by ts_ms) as d
  from (select distinct ts_ms from readings where device='t1' and vital='hr' and ts_source=0
        and ts_ms >= $t_r - 2000 and ts_ms < $t_e))")
[ "$gap" -lt $GAP_MAX ] || fail "t1's polls stopped for $gap ms over the reload"
read -r avg < <(sql "select cast(avg(d) as integer) from (select ts_ms - lag(ts_ms) over
  (order by ts_ms) as d from (select distinct ts_ms from readings where device='t2'
  and vital='hr' and ts_source=0 and ts_ms >= $t_r + 1000 and ts_ms < $t_e))")
[ "$avg" -ge 450 ] && [ "$avg" -le 560 ] || fail "t2 polled every $avg ms after the reload, not 500"
pass "reload: loop kept; t1 kept its link (port $l1), largest gap $gap ms;" \
  "t2 now every $avg ms; t3 polled"

conf 500ms
ctl reload > "$T/out" || fail "second reload refused: $(cat "$T/out")"
sleep 1
n3=$(polls t3)
sleep 1.5
[ "$(polls t3)" -eq "$n3" ] || fail "t3, removed, is still polled"
[ -z "$(lport "$(mbsim_port 3)")" ] || fail "t3's connection is still open after its removal"
t_x=$(now_ms)
sleep 1
polled t1 2 "$t_x" || fail "t1 no longer polled after t3's removal"
grep -c "event loop: " "$T/vitalsd.log" | grep -qx 1 || fail "the event loop was restarted"
stop_daemon
pass "removed t3 closed and no longer polled; t1 polled on; one event loop throughout"
