#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# T06 over Modbus TCP: a gateway that answers every 3rd request with an exception (code 4, slave
# device failure) and every 4th with a complete, valid reply naming unit 7 instead of unit 1
# (carrying the simulator's marker values). Exceptions are logged by name and never stored;
# a reply from the wrong unit is never stored (libmodbus 3.1.6 does not check the unit id of a
# TCP reply: the driver must); polling goes on without a comms_loss.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

start_broker
start_mbsim --tcp "0:1=$PROFILE"
U=$(mbsim_port 1).1
mb_head "$T/vitalsd.conf"
add_mb_tcp "$T/vitalsd.conf" tcp "$(mbsim_port 1)" 1 200ms 150ms
add_bed "$T/vitalsd.conf" b1 tcp
simcmd fault "$U" exception 4 3 >/dev/null
simcmd fault "$U" wrong-unit 7 4 >/dev/null
start_daemon "$T/vitalsd.conf"
wait_for 15 "20 polls stored" polled tcp 20
stop_daemon

exc=$(simstat "$U" exceptions) wrong=$(simstat "$U" wrong_unit) clean=$(simstat "$U" replies)
[ "$exc" -ge 5 ] || fail "only $exc exception responses were sent"
[ "$wrong" -ge 5 ] || fail "only $wrong wrong-unit replies were sent"
grep -qi "slave device or server failure" "$T/vitalsd.log" || fail "the exception code (4) was not logged by name"
pass "$exc exception responses (code 4) logged by name"
[ "$(markers tcp)" -eq 0 ] || fail "$(markers tcp) readings from replies naming unit 7 were stored"
n=$(polls tcp)
[ "$n" -le "$clean" ] || fail "$n polls stored from $clean clean replies"
[ "$(alert_count tcp comms_loss)" -eq 0 ] || fail "isolated exceptions raised comms_loss"
pass "$wrong replies from the wrong unit, none stored; $n polls stored from $clean clean replies"
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
