#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The database holds the clinical record: vitalsd creates it closed to other accounts, closes an
# existing one that is open to every account (and says so), and refuses one that belongs to
# another account (it could rewrite the record behind the daemon's back).
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || fail "this test gives a file to 'nobody' and needs root"
start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1

umask 000 # the daemon must not depend on the umask it is started with
start_daemon "$T/vitalsd.conf"
stop_daemon
mode=$(stat -c %a "$T/vitalsd.db")
[ $((8#$mode & 8#007)) -eq 0 ] || fail "a new database is open to every account: mode $mode"
pass "a new database is created closed to other accounts (mode $mode) even under umask 000"

chmod 0666 "$T/vitalsd.db"
start_daemon "$T/vitalsd.conf"
grep -q "vitalsd.db was open to every account (mode 0666): now 0660" "$T/vitalsd.log" ||
  fail "no warning for a world-writable database"
[ "$(stat -c %a "$T/vitalsd.db")" = 660 ] || fail "mode not tightened: $(stat -c %a "$T/vitalsd.db")"
stop_daemon
pass "an existing database open to every account is closed (0666 -> 0660), with a warning"

chown nobody "$T/vitalsd.db"
rc=0
timeout 10 "$VITALSD" -c "$T/vitalsd.conf" 2>>"$T/vitalsd.log" || rc=$?
[ $rc -ne 0 ] || fail "vitalsd started on a database owned by another account"
grep -q "vitalsd.db belongs to uid $(id -u nobody), not to this daemon's account" "$T/vitalsd.log" ||
  fail "no clear reason: $(tail -n 3 "$T/vitalsd.log")"
pass "a database owned by another account is refused (exit $rc) with the reason"
