#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The nurses' dashboard in a real browser (Debian's chromium, headless, driven by playwright-core)
# against the broker as config/mosquitto/ configures it and vitalsd with simulated chairs:
#   chair-1  calm                      chair-2  desaturation at 40 s (SpO2 84 %: medium, then high)
#   chair-3  monitor silent from 70 s  chair-4  a short desaturation at 86 s: its high alert latches
#   chair-5  no visit (the page starts and ends one)
# dashboard.js walks through it: sign-in, values, trend, the alarm's colour, icon, text and
# sound, the pause, acknowledging, visits, stale values, the daemon's death and the broker's
# loss, with screenshots at 1920x1080 and 1024x768 in the build folder.
. "$(dirname "$0")/lib.sh"
need_tools
start_dash_broker
LATCHING=high ESCALATE_AFTER=20s ESCALATE_AGAIN=40s dash_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF

[technical]
comms_loss_priority = high

[alarm.spo2]
band = below 93 medium
low = 90
low_priority = high
hysteresis = 1

[device.mon-1]
driver = sim
seed = 11
hr = 68

[device.mon-2]
driver = sim
seed = 12
hr = 76
event = desaturation at=40s for=60s value=84

[device.mon-3]
driver = sim
seed = 13
event = silent at=70s for=200s

[device.mon-4]
driver = sim
seed = 14
event = desaturation at=86s for=9s value=85

[device.mon-5]
driver = sim
seed = 15
CONF
for i in 1 2 3 4 5; do printf '[bed.chair-%d]\ndevices = mon-%d\n' "$i" "$i" >> "$T/vitalsd.conf"; done
start_daemon "$T/vitalsd.conf"
date +%s%3N > "$T/daemon-started-ms"
for i in 1 2 3 4; do ctl session start --bed chair-$i --session S-T$i --by "$ME" >/dev/null; done
run_node dashboard.js
