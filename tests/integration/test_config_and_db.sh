#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad input stops the start with a clear message and changes nothing: a configuration with
# errors exits 78 listing FILE:LINE for each; a database that is not SQLite, or is newer than
# this vitalsd, is refused and left byte for byte as it was.
. "$(dirname "$0")/lib.sh"

cat > "$T/bad.conf" <<'CONF'
[daemon]
area = test
database = /nonexistent/x.db
colour = blue

[device.m1]
driver = nosuchdriver
poll = 5 parsecs

[bed.b1]
devices = m1, m9
CONF
rc=0; "$VITALSD" --check-config "$T/bad.conf" 2>"$T/check.err" || rc=$?
[ $rc -eq 78 ] || fail "--check-config exited $rc, want 78"
grep -q "^$T/bad.conf:4: \[daemon\] colour: unknown key" "$T/check.err" || fail "no line for colour: $(cat "$T/check.err")"
grep -q "^$T/bad.conf:7: \[device.m1\] driver: unknown driver 'nosuchdriver'" "$T/check.err" || fail "no line for the driver"
grep -q "^$T/bad.conf:8: \[device.m1\] poll: " "$T/check.err" || fail "no line for poll"
grep -q "^$T/bad.conf:11: \[bed.b1\] devices: no device 'm9'" "$T/check.err" || fail "no line for m9"
pass "--check-config lists every error with FILE:LINE and exits 78"
rc=0; "$VITALSD" -c "$T/bad.conf" 2>/dev/null || rc=$?
[ $rc -eq 78 ] || fail "vitalsd started (or exited $rc) on a bad configuration"
pass "vitalsd refuses to start on a bad configuration"
rc=0; "$VITALSD" --check-config "$SRC/config/vitalsd.conf" >/dev/null 2>"$T/example.err" || rc=$?
[ $rc -eq 0 ] || fail "the shipped example configuration has errors: $(cat "$T/example.err")"
pass "config/vitalsd.conf checks clean"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
refused() { # refused FILE WHAT: vitalsd must not start on FILE, and leave it untouched
  local before after rc=0
  before=$(sha256sum "$T/vitalsd.db")
  timeout 10 "$VITALSD" -c "$T/vitalsd.conf" 2>"$T/start.err" || rc=$?
  after=$(sha256sum "$T/vitalsd.db")
  [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "vitalsd started on $2 (rc=$rc)"
  [ "$before" = "$after" ] || fail "vitalsd modified $2"
  grep -q "$T/vitalsd.db" "$T/start.err" || fail "the message does not name the database: $(cat "$T/start.err")"
  pass "$2 refused, untouched: $(grep -m1 "vitalsd.db" "$T/start.err")"
}
head -c 4096 /dev/urandom > "$T/vitalsd.db"
refused "$T/vitalsd.db" "a file that is not SQLite"
rm -f "$T/vitalsd.db"
sqlite3 "$T/vitalsd.db" "create table x(y); pragma user_version=99;"
refused "$T/vitalsd.db" "a database of a newer schema"
