#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T04, re-enumeration: a USB adapter that comes back under another device
# node. The device is configured by a stable name, a symbolic link as udev makes under
# /dev/serial/by-id/, to a Masimo simulator's pty (the node: ttyUSB0). The adapter is pulled:
# its pty disappears and the link dangles. Accept: comms_loss in time, and a log line a
# technician can act on, naming the device, its bed, its port and each reason (the broken link,
# then the port that no longer exists). The adapter comes back as another node (a new pty, the
# stable link re-pointed, as udev does): readings resume without a restart and comms_loss ends.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lib_serial.sh"

SIM=$BUILD/tests/sim/masimo/vsd-masimo-sim
BYID=$T/by-id/usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0
mkdir -p "$T/by-id"
start_sim usb0 "$SIM" --pty "$T/ttyUSB0" --model radical7
ln -s "$T/ttyUSB0" "$BYID"

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[device.m1]
driver = masimo
port = $BYID
poll = 500ms
timeout = 400ms

[bed.chair-3]
devices = m1
CONF
start_daemon "$T/vitalsd.conf"
wait_for 5 "readings through the stable name" more_than "readings_after m1 spo2 0" 0
pass "m1 read through $(basename "$BYID") -> ttyUSB0"

# Pulled: the simulator (and its pty) gone, the stable link dangling, as udev leaves nothing.
t0=$(now_ms)
kill "${SIM_PID[usb0]}"
wait "${SIM_PID[usb0]}" 2>/dev/null || true
rm -f "$BYID"
wait_for 5 "comms_loss after the adapter was pulled" more_than "alerts_of m1 comms_loss" 0
raised=$(last_alert_raised m1 comms_loss)
[ $((raised - t0)) -le 1500 ] || fail "comms_loss $((raised - t0)) ms after the pull (bound 3P = 1500 ms)"
wait_for 5 "the reason logged: the port no longer exists" \
  grep -q "device 'm1' (masimo, bed 'chair-3', port $BYID): still not answering: No such file or directory" "$T/vitalsd.log"
grep -q "device 'm1' (masimo, bed 'chair-3', port $BYID): not answering: " "$T/vitalsd.log" ||
  fail "no first log line naming device, bed and port: $(grep "device 'm1'" "$T/vitalsd.log")"
pass "pulled: comms_loss after $((raised - t0)) ms; the log names device, bed, port and each reason"

# Back under another node, the stable name re-pointed to it.
start_sim usb1 "$SIM" --pty "$T/ttyUSB1" --model radical7 --spo2 95
ln -s "$T/ttyUSB1" "$BYID"
back=$(now_ms)
wait_for 5 "readings from the new node" bash -c \
  "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/vitalsd.db' \"select count(*) from readings where device='m1' and vital='spo2' and value=95 and ts_ms>$back\")\" -gt 0 ]"
wait_for 5 "comms_loss ended" alert_closed m1 comms_loss
[ "$(grep -c "vitalsd ready" "$T/vitalsd.log")" = 1 ] || fail "the daemon restarted"
pass "back as ttyUSB1: readings resumed $(( $(sql "select min(ts_ms) from readings where device='m1' and ts_ms>$back") - back )) ms after, comms_loss ended, no restart"
stop_daemon
