#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `vitalsctl probe` against the Modbus simulator: a TCP unit and an RTU unit answer (raw registers,
# decoded fields, status bits, all four orders of a 32-bit field); exceptions, silence, refusal
# and bad CRC exit 1 with the exact reason; usage and profile errors exit 78 with FILE:LINE; a
# probe of a device the daemon is polling does not disturb it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

# probe_rc EXPECTED OUTFILE ARGS...: run probe, check its exit status, keep stdout+stderr.
probe_rc() {
  local want=$1 out=$2 rc=0
  shift 2
  "$VITALSCTL" "$@" > "$out" 2>&1 || rc=$?
  [ "$rc" -eq "$want" ] || { cat "$out" >&2; fail "probe $* exited $rc, want $want"; }
}
# has OUTFILE TEXT: the output contains TEXT (fixed string).
has() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "probe output lacks: $2"; }; }

start_broker
start_mbsim --tcp "0:1=$PROFILE" --rtu "$T/rtu0:7=$PROFILE"
P1=$(mbsim_port 1)
simcmd set "$P1.1" hr 72 >/dev/null
simcmd set "$P1.1" spo2 97.5 >/dev/null
simcmd status "$P1.1" sensor_off on >/dev/null
simcmd nibp "$P1.1" 121 79 93 >/dev/null
tcp=(probe --driver modbus-tcp --host 127.0.0.1 --port "$P1" --unit 1 --profile "$PROFILE"
     --timeout 300ms)

# --- an unconfigured TCP unit answers
probe_rc 0 "$T/tcp.out" "${tcp[@]}"
has "$T/tcp.out" "request 1: holding registers 0..16 (17, FC 03): answered"
grep -qE '^ +0: 0001 0048 ' "$T/tcp.out" || fail "raw registers 0-1 not shown as 0001 0048"
grep -qE '^  hr +holding +1 +u16 +ABCD +raw 72 +-> 72 ' "$T/tcp.out" || fail "hr not decoded as 72"
grep -qE '^  spo2 .*-> 97.5 +\[sensor_off\]' "$T/tcp.out" || fail "spo2 97.5 with sensor_off"
grep -qE '^  nibp_sys .*\*CDAB=121 ' "$T/tcp.out" || fail "nibp_sys 121 in the profile's order"
has "$T/tcp.out" "sensor_off(bit 0)=1 searching(bit 1)=0"
pass "TCP unit: raw registers, decoded fields and status bits"

# --- finding the word order: the gateway sends 118.0 big-endian (ABCD), the profile says CDAB
simcmd raw "$P1.1" holding 10 0x42EC >/dev/null
simcmd raw "$P1.1" holding 11 0x0000 >/dev/null
probe_rc 0 "$T/order.out" "${tcp[@]}"
grep -E '^  nibp_sys' "$T/order.out" | grep -qE ' ABCD=118 .*\*CDAB=' \
  || fail "the four orders do not show ABCD=118: $(grep nibp_sys "$T/order.out")"
simcmd raw "$P1.1" clear >/dev/null
pass "32-bit field shown in all four orders: the right one (ABCD=118) stands out"

# --- failures: exit 1 with the exact reason
simcmd fault "$P1.1" exception 2 1 >/dev/null
probe_rc 1 "$T/exc.out" "${tcp[@]}"
has "$T/exc.out" "FAILED: exception 2 (illegal data address)"
simcmd fault "$P1.1" none >/dev/null
simcmd fault "$P1.1" silent on >/dev/null
probe_rc 1 "$T/silent.out" "${tcp[@]}"
has "$T/silent.out" "FAILED: timeout: no answer within 300 ms"
simcmd fault "$P1.1" none >/dev/null
free=$((P1 + 1))
while port_open "$free"; do free=$((free + 1)); done
probe_rc 1 "$T/refused.out" probe --driver modbus-tcp --host 127.0.0.1 --port "$free" \
  --profile "$PROFILE"
has "$T/refused.out" "connect: FAILED: Connection refused"
pass "exception, silence and refusal: exit 1 with the reason"

# --- an RTU unit on the simulated bus, then a garbled reply
rtu=(probe --driver modbus-rtu --port "$T/rtu0" --baud 19200 --unit 7 --profile "$PROFILE"
     --timeout 300ms)
probe_rc 0 "$T/rtu.out" "${rtu[@]}"
has "$T/rtu.out" "on $T/rtu0, 19200 8N1, unit 7"
has "$T/rtu.out" "answered in"
simcmd fault rtu0.7 badcrc 1 >/dev/null
probe_rc 1 "$T/crc.out" "${rtu[@]}"
has "$T/crc.out" "FAILED: bad CRC"
simcmd fault rtu0.7 none >/dev/null
pass "RTU unit answers; a bad CRC exits 1 naming it"

# --- usage and profile errors: 78
probe_rc 78 "$T/usage.out" probe --driver modbus-tcp --profile "$PROFILE"
has "$T/usage.out" "--host is required"
probe_rc 78 "$T/badprof.out" probe --driver modbus-tcp --host 127.0.0.1 \
  --profile "$SRC/tests/config/profiles/bad/scale0.conf"
has "$T/badprof.out" "bad/scale0.conf:4: [vital.rr] scale: must not be 0"
pass "usage and profile errors exit 78 with FILE:LINE"

# --- a configured device, probed while the daemon polls it
write_config "$T/vitalsd.conf"
add_mb_tcp "$T/vitalsd.conf" gw "$P1" 1 300ms 200ms
add_bed "$T/vitalsd.conf" b1 gw
probe_rc 78 "$T/nodev.out" -c "$T/vitalsd.conf" probe nosuch
has "$T/nodev.out" "no device 'nosuch'"
start_daemon "$T/vitalsd.conf"
wait_for 10 "gw polled" polled gw 3
t0=$(now_ms)
for _ in 1 2 3; do probe_rc 0 "$T/cfg.out" -c "$T/vitalsd.conf" probe gw; done
has "$T/cfg.out" "probe: device 'gw' (modbus-tcp) at 127.0.0.1:$P1, unit 1"
sleep 1
wait_for 5 "gw still polled" polled gw 3 "$t0"
[ "$(alert_count gw comms_loss)" -eq 0 ] || fail "the probe disturbed the daemon: comms_loss raised"
pass "configured device probed 3 times while polled: no alert, polling went on"
stop_daemon
