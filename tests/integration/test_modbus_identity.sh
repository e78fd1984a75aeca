#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Device identity over Modbus TCP (docs/modbus.md, "Device identity"): the gateway profile plus an
# [identity] section (serial number as text in holding registers 100..104). The unit reports the
# configured serial: readings count for the session. Another unit answers behind the same
# address (its serial written into the registers): wrong_device at once, its readings kept
# flagged for no session; the right one back: it ends. vitalsctl probe shows the text read.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

IDPROFILE=$T/gateway-identity.conf
{ cat "$PROFILE"; printf '\n[identity]\nserial_address = 100\nserial_registers = 5\n'; } > "$IDPROFILE"
start_broker
start_mbsim --tcp "0:1=$IDPROFILE"
U=$(mbsim_port 1).1
# set_serial TEXT: the unit's serial registers (two characters each, high byte first, NUL-padded).
set_serial() {
  local text=$1 i hi lo
  for i in 0 1 2 3 4; do
    hi=$(printf '%d' "'${text:$((2 * i)):1}") lo=$(printf '%d' "'${text:$((2 * i + 1)):1}")
    simcmd raw "$U" holding $((100 + i)) $(((hi << 8) | lo)) >/dev/null
  done
}
set_serial GW-0042
mb_head "$T/vitalsd.conf"
add_mb_tcp "$T/vitalsd.conf" mon "$(mbsim_port 1)" 1 250ms 200ms
sed -i "s|^profile = $PROFILE\$|profile = $IDPROFILE\nserial = GW-0042|" "$T/vitalsd.conf"
add_bed "$T/vitalsd.conf" b1 mon
start_daemon "$T/vitalsd.conf"
ctl session start --bed b1 --session V-9 --by "Nurse A" >/dev/null || fail "session start"

count() { sql "select count(*) from readings where device='mon' and $1"; }
more_than() { [ "$(eval "$1")" -gt "$2" ]; }
wait_for 5 "readings for V-9" more_than "count \"session_id='V-9'\"" 3
ctl status --json | jq -e '.devices[0] | .identity=="expected" and .serial=="GW-0042"' >/dev/null ||
  fail "status: $(ctl status --json | jq -c '.devices[0]')"
[ "$(alert_count mon wrong_device)" = 0 ] || fail "wrong_device for the configured serial"
pass "the unit reports serial GW-0042 as configured: readings for V-9, identity expected"

t0=$(now_ms)
set_serial GW-0099
wait_for 3 "wrong_device once another unit answers" has_alert mon wrong_device "and state='raised'"
raised=$(sql "select raised_ms from alerts where device='mon' and code='wrong_device'")
[ $((raised - t0)) -le 750 ] || fail "wrong_device $((raised - t0)) ms after the swap (bound 3P)"
wait_for 3 "flagged readings" more_than "count \"flags&128 and session_id is null and ts_ms>$raised\"" 2
[ "$(count "session_id='V-9' and ts_ms>$raised")" = 0 ] || fail "a reading after the swap counted for V-9"
pass "serial GW-0099: wrong_device $((raised - t0)) ms after the swap; readings flagged, for no session"

set_serial GW-0042
wait_for 3 "wrong_device ends with the right unit back" \
  bash -c "[ \"\$(sqlite3 -cmd '.timeout 5000' '$T/vitalsd.db' \"select count(*) from alerts where device='mon' and code='wrong_device' and state='raised'\")\" = 0 ]"
t1=$(now_ms)
wait_for 3 "readings for V-9 again" more_than "count \"session_id='V-9' and ts_ms>$t1\"" 0
[ "$(sql "select count(*) from audit where action='device_identity'")" = 2 ] ||
  fail "audit rows: $(sql "select detail from audit where action='device_identity'")"
pass "the right unit back: wrong_device ends, readings count again; two audit rows"

ctl probe --driver modbus-tcp --host 127.0.0.1 --port "$(mbsim_port 1)" --unit 1 \
  --profile "$IDPROFILE" > "$T/probe.txt" || fail "probe: $(cat "$T/probe.txt")"
grep -q "^identity: model '-', serial 'GW-0042'" "$T/probe.txt" || fail "probe: $(cat "$T/probe.txt")"
pass "vitalsctl probe shows the serial text read"
stop_daemon
