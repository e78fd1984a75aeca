#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The central view (dashboard/?central=1, docs/deployment.md) in a real browser: two areas' vitalsd
# publish to one broker, as areas bridged to a central broker do. The page shows both areas'
# chairs and alerts, offers no command (acknowledgement stays at the area), and says so when an
# area's link is lost or its vitalsd stops.
. "$(dirname "$0")/lib.sh"
need_tools
start_dash_broker
for area in a b; do
  dash_config "$T/$area.conf"
  sed -i -e "s|^area = test|area = $area|" -e "s|^database = .*|database = $T/$area.db|" \
    -e "s|^control_socket = .*|control_socket = $T/$area.sock|" "$T/$area.conf"
  cat >> "$T/$area.conf" <<CONF
[alarm.spo2]
low = 90
delay = 1s
[device.m1]
driver = sim
poll = 500ms
timeout = 200ms
$([ "$area" = a ] && echo "event = desaturation at=2s for=120s value=84")
[bed.b1]
devices = m1
CONF
  "$VITALSD" -c "$T/$area.conf" 2>>"$T/vitalsd-$area.log" &
  PIDS+=("$!")
  echo $! > "$T/$area.pid"
  wait_for 10 "vitalsd of area $area ready" grep -q "vitalsd ready" "$T/vitalsd-$area.log"
done
VSD_PID_B=$(cat "$T/b.pid") run_node central.js
