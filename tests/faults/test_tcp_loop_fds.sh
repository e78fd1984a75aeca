#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# More than 1,024 descriptors: select(2) cannot wait on a descriptor of 1,024 or more, and
# libmosquitto's mosquitto_loop() waits with select(), so the daemon's MQTT socket must stay below
# that however many devices the event loop serves (it puts its sockets at 1,024 and above).
# 1,100 Modbus TCP devices (one simulator port each, polled every second) hold 1,100 sockets;
# then the broker restarts, so the daemon opens its MQTT socket again while they are open.
# Accept: every device polled; the daemon holds more than 1,024 descriptors (the case is real)
# and the loop's sockets are all at 1,024 and above; after the restart the daemon says "online" again on the
# broker from a socket below 1,024, a device's comms loss reaches the broker as an alert, the
# control socket answers, and the devices go on being polled.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lib_modbus.sh"

N=1100
[ "$(ulimit -Hn)" = unlimited ] || [ "$(ulimit -Hn)" -ge $((N + 200)) ] ||
  fail "this case needs $((N + 200)) descriptors; the hard limit is $(ulimit -Hn) (ulimit -Hn)"
ulimit -n "$(ulimit -Hn)"

start_broker
start_mbsim --tcp "0+$N:1=$PROFILE"
write_config "$T/vitalsd.conf"
for i in $(seq 1 $N); do
  add_mb_tcp "$T/vitalsd.conf" "t$i" "$(mbsim_port "$i")" 1 1s 500ms
  add_bed "$T/vitalsd.conf" "b$i" "t$i"
done
start_daemon "$T/vitalsd.conf"
devices_polled() { [ "$(sql "select count(distinct device) from readings where vital='hr'
                             and ts_ms >= $1")" -ge $N ]; }
t0=$(now_ms)
wait_for 15 "all $N devices polled" devices_polled "$t0"
fds=$(find "/proc/$DAEMON_PID/fd" -mindepth 1 -printf '%f\n')
total=$(wc -l <<<"$fds")
high=$(awk '$1 >= 1024' <<<"$fds" | wc -l)
[ "$total" -gt 1024 ] || fail "the daemon holds only $total descriptors: the case is void"
[ "$high" -ge $((N - 50)) ] || # a few may be reconnecting on a loaded machine
  fail "only $high of the loop's $N sockets at 1,024 and above: they take the low descriptors"

# mqtt_fd: the daemon's descriptor of its connection to the broker (ss -p), empty if none.
mqtt_fd() {
  ss -tnpH state established "dport = :$PORT" 2>/dev/null |
    sed -n "s/.*pid=$DAEMON_PID,fd=\([0-9]*\).*/\1/p" | head -1
}
stop_broker
start_broker "$PORT"
subscribe vitals/test/daemon/state "$T/state.txt"
subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
wait_for 10 "the daemon online again" grep -qx "vitals/test/daemon/state online" "$T/state.txt"
fd=$(mqtt_fd)
[ -n "$fd" ] || fail "no MQTT connection of the daemon found (ss -p)"
[ "$fd" -lt 1024 ] || fail "the daemon's MQTT socket is descriptor $fd: select() cannot take it"
simcmd fault "$(mbsim_port 7).1" silent on >/dev/null
wait_for 15 "t7's comms_loss alert on the broker" \
  has_events "$T/alerts.txt" '.code == "comms_loss" and .device == "t7"'
ctl status > "$T/status.txt" || fail "the control socket did not answer"
grep -q . "$T/status.txt" || fail "empty status"
simcmd fault "$(mbsim_port 7).1" silent off >/dev/null
t1=$(now_ms)
wait_for 10 "devices polled after the broker's restart" devices_polled "$t1"
stop_daemon
pass "$N devices, $high loop sockets at 1,024 and above, MQTT back on descriptor $fd"
