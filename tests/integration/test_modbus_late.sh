#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# T02, the hard case: an RTU unit answers every 4th request 250 ms late, after the driver's 100 ms
# timeout AND after its next request (poll 200 ms) went out, then answers that next request at
# once, as a device working through its queue does. modbus_flush() before the request cannot drop
# the late reply (it has not arrived yet); RTU has no transaction id, so only a check after the
# read (more bytes arriving right behind the reply: the reply may be stale) keeps it out. Late
# replies carry marker values: none may be stored.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

start_broker
start_mbsim --rtu "$T/rtu0:1=$PROFILE"
mb_head "$T/vitalsd.conf"
add_mb_rtu "$T/vitalsd.conf" rtu "$T/rtu0" 1 200ms 100ms
add_bed "$T/vitalsd.conf" b1 rtu
start_daemon "$T/vitalsd.conf"
wait_for 10 "RTU readings" polled rtu 3
simcmd seq rtu0.1 on >/dev/null
simcmd fault rtu0.1 late 250ms 4 >/dev/null
sleep 8
simcmd fault rtu0.1 none >/dev/null
late=$(simstat rtu0.1 late)
[ "$late" -ge 6 ] || fail "only $late late replies were sent"
stored=$(markers rtu)
[ "$stored" -eq 0 ] || fail "$stored readings from $late late replies were stored as the answer to the next request (HR: $(sql "select group_concat(cast(value as int), ' ') from (select value from readings where device='rtu' and vital='hr' order by id desc limit 12)"))"
wait_for 5 "polling after the late phase" polled rtu 1 "$(now_ms)"
pass "$late replies that landed in the next exchange: none stored"
stop_daemon
