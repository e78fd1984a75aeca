#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T32: a hostile Modbus/TCP server (hostile_modbus_server.py: wrong
# transaction ids, unit ids, protocol id, function, MBAP lengths short, long and huge, byte counts
# past the frame, truncated frames, an undefined exception code, an empty PDU, endless bytes, a
# slow drip, a late reply), each kind three times in a row (a slow one twice) between good replies. The daemon must
# not crash or hang, must raise a technical alert, must never store a value from a bad frame
# (they carry the marker values HR 222 / SpO2 44), and must store the good replies in between.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/../integration/lib_modbus.sh"

command -v python3 >/dev/null || fail "python3 is needed for the hostile server (scripts/deps)"
cat > "$T/hostile.conf" <<'PROF'
[profile]
name = hostile
description = two registers: HR and SpO2
[vital.hr]
table = holding
address = 0
type = u16
[vital.spo2]
table = holding
address = 1
type = u16
PROF
python3 "$(dirname "$0")/hostile_modbus_server.py" "$T/hostile.port" "$T/hostile.stats" \
  2>>"$T/hostile.log" &
PIDS+=("$!")
wait_for 10 "hostile server listening" test -s "$T/hostile.port"
HPORT=$(cat "$T/hostile.port")
stat_of() { tr ' ' '\n' < "$T/hostile.stats" | sed -n "s/^$1=//p"; }

start_broker
mb_head "$T/vitalsd.conf"
printf '[device.hx]\ndriver = modbus-tcp\nhost = 127.0.0.1\nport = %s\nunit_id = 1\nprofile = %s\npoll = 250ms\ntimeout = 200ms\n\n' \
  "$HPORT" "$T/hostile.conf" >> "$T/vitalsd.conf"
add_bed "$T/vitalsd.conf" b1 hx
start_daemon "$T/vitalsd.conf"
t_start=$SECONDS
plan_done() { [ "$(stat_of done)" = 1 ]; }
wait_for 90 "the hostile plan to run through" plan_done
sleep 1 # the last good replies stored
kill -0 "$DAEMON_PID" || fail "vitalsd died under hostile replies"
ctl status >/dev/null || fail "vitalsd does not answer its control socket after hostile replies"

hr_markers=$(sql "select count(*) from readings where device='hx' and
                  ((vital='hr' and value=222) or (vital='spo2' and value=44))")
[ "$hr_markers" -eq 0 ] || fail "$hr_markers readings from hostile frames were stored"
strange=$(sql "select count(*) from readings where device='hx' and
               ((vital='hr' and (value<60 or value>75)) or (vital='spo2' and value<>97))")
[ "$strange" -eq 0 ] || fail "$strange stored readings are not values of a good reply"
good=$(stat_of good)
stored=$(sql "select count(distinct ts_ms) from readings where device='hx' and vital='hr'")
# Positive control: after every hostile kind the daemon recovers and stores a good reply (a good
# reply's HR is 60 + the number of hostile kinds before it).
for phase in $(seq 0 15); do
  [ "$(sql "select count(*) from readings where device='hx' and vital='hr' and value=60+$phase")" \
    -ge 1 ] || fail "no good reply stored after hostile kind $phase (HR $((60 + phase)))"
done
bad=0
for k in wrong_tid wrong_unit wrong_proto wrong_fc len_long len_short len_huge count_past \
         count_odd truncated exception_odd empty_pdu endless drip late; do
  n=$(stat_of "$k")
  [ "$n" -ge 1 ] || fail "the hostile kind $k was never sent"
  bad=$((bad + n))
done
has_alert hx comms_degraded || fail "no comms_degraded alert for the hostile device"
errors=$(grep -c "device 'hx' (modbus): reading" "$T/vitalsd.log" || true)
[ "$errors" -ge 10 ] || fail "only $errors failed reads logged for $bad hostile replies"
stop_daemon
echo "hostile modbus: $bad hostile replies of 15 kinds, 0 stored; $stored of $good good replies" \
  "stored, one at least after every kind; $errors read errors logged; comms_degraded raised; $((SECONDS - t_start)) s"
pass "T32: the daemon survived a hostile Modbus server and stored only good replies"
