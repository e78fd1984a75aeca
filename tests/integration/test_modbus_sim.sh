#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Modbus simulator on its own, byte for byte, without the daemon: it answers the worked example
# of docs/devices/dfrobot-sen0344.md (DFRobot SEN0344, unit 0x20: SpO2 97, HR 72) exactly over a
# pty and over TCP; it stays quiet for a request with a bad CRC and for another unit on the bus; a
# gateway answers a request for a unit it does not serve with exception 0x0B; the wrong-unit,
# bad-CRC and exception faults change the bytes they should; "down" removes the pty link and brings
# a new pty back.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

SEN=$SRC/config/profiles/dfrobot-sen0344.conf
start_mbsim --rtu "$T/rtu0:32=$SEN" --tcp "0:1=$SEN"
PT=$(mbsim_port 1)
simcmd set '*' spo2 97 >/dev/null
simcmd set '*' pr 72 >/dev/null

# hex: od's hex bytes on one line. rtu_ask HEX: send HEX on the pty (socat, raw), print the
# reply bytes that arrive within 0.5 s (socat's input stays open that long: at its end socat
# closes the pty).
hex() { od -An -v -tx1 | tr -s ' \n' ' ' | sed 's/^ //; s/ $//'; }
rtu_ask() {
  { printf "$(echo "$1" | sed 's/\([0-9a-f][0-9a-f]\) */\\x\1/g')"; sleep 0.5; } |
    socat -t 0.1 - "FILE:$T/rtu0,raw,echo=0" | hex
}
tcp_ask() {
  exec 4<>"/dev/tcp/127.0.0.1/$PT"
  printf "$(echo "$1" | sed 's/\([0-9a-f][0-9a-f]\) */\\x\1/g')" >&4
  timeout 0.5 head -c "$2" <&4 | hex || true
  exec 4>&-
}

got=$(rtu_ask "20 03 00 06 00 04 a2 b9")
[ "$got" = "20 03 08 61 00 00 00 00 48 00 00 7d 19" ] || fail "SEN0344 data reply: got '$got'"
pass "RTU: the SEN0344 worked example reply (docs/devices/dfrobot-sen0344.md), byte for byte: $got"
got=$(rtu_ask "20 03 00 06 00 04 a2 b8")
[ -z "$got" ] || fail "a request with a bad CRC was answered: '$got'"
got=$(rtu_ask "21 03 00 06 00 04 a3 68")
[ -z "$got" ] || fail "a request for unit 0x21 (not on this bus) was answered: '$got'"
pass "RTU: no answer to a bad CRC or to another unit's request"

got=$(tcp_ask "00 07 00 00 00 06 01 03 00 06 00 04" 17)
[ "$got" = "00 07 00 00 00 0b 01 03 08 61 00 00 00 00 48 00 00" ] || fail "TCP data reply: got '$got'"
got=$(tcp_ask "12 34 00 00 00 06 05 03 00 06 00 04" 9)
[ "$got" = "12 34 00 00 00 03 05 83 0b" ] || fail "TCP request for unit 5: got '$got'"
pass "TCP: the same image in an MBAP reply; unit 5 gets exception 0x0B (gateway target)"

# Faults, read over TCP (the same code builds RTU replies; only the CRC differs).
tcp_ask_unit1() { tcp_ask "00 09 00 00 00 06 01 03 00 06 00 04" "${1:-17}"; }
simcmd fault "$PT.1" wrong-unit 5 1 >/dev/null
got=$(tcp_ask_unit1)
[ "$got" = "00 09 00 00 00 0b 05 03 08 2c 00 00 00 00 dd 00 00" ] || fail "wrong-unit reply: got '$got'"
simcmd fault "$PT.1" none >/dev/null
simcmd fault "$PT.1" badcrc 1 >/dev/null
got=$(tcp_ask_unit1)
case $got in "00 09 00 00 00 0b 01 03 08 2c 00 00 00 00 dd 00 00") fail "bad-CRC fault left the frame intact" ;;
  "00 "??" 00 00 00 0b 01 03 08 2c 00 00 00 00 dd 00 00") ;; *) fail "bad-CRC (TCP: transaction id) reply: got '$got'" ;; esac
simcmd fault "$PT.1" none >/dev/null
simcmd fault "$PT.1" exception 2 1 >/dev/null
got=$(tcp_ask_unit1 9)
[ "$got" = "00 09 00 00 00 03 01 83 02" ] || fail "exception reply: got '$got'"
simcmd fault "$PT.1" none >/dev/null
[ "$(tcp_ask_unit1)" = "00 09 00 00 00 0b 01 03 08 61 00 00 00 00 48 00 00" ] || fail "no clean reply after the faults"
pass "faults: unit 5 named in a valid reply, a flipped transaction-id bit, exception 2; the first two carry marker values (SpO2 44, HR 221)"

pts=$(readlink "$T/rtu0")
simcmd down rtu0 1s >/dev/null
[ ! -e "$T/rtu0" ] || fail "the link stayed while the line is unplugged"
wait_for 5 "the line back" test -e "$T/rtu0"
[ "$(rtu_ask "20 03 00 06 00 04 a2 b9")" = "20 03 08 61 00 00 00 00 48 00 00 7d 19" ] \
  || fail "no answer on the replugged line"
pass "down: link removed for 1 s, back on $(readlink "$T/rtu0") (was $pts), answering"
