#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# audit verify: an intact chain passes; a row edited, deleted, inserted or reordered directly in
# SQLite is each found, with the first broken row named and exit status 1.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
start_daemon "$T/vitalsd.conf"
for n in 1 2 3; do
  ctl session start --bed b1 --session "V-$n" --by "Nurse A" >/dev/null || fail "session start V-$n"
  ctl session end --bed b1 --session "V-$n" --by "Nurse B" >/dev/null || fail "session end V-$n"
done
ctl session end --bed b1 --session V-3 --by "Nurse B" 2>/dev/null && fail "ending a closed session was accepted"
stop_daemon
rows=$(sql "select count(*) from audit")
[ "$rows" -ge 7 ] || fail "only $rows audit rows"

out=$("$VITALSCTL" audit verify --db "$T/vitalsd.db") || fail "intact chain: exit $?: $out"
grep -q "^audit chain ok: $rows rows, head row $rows hash [0-9a-f]\{64\}$" <<<"$out" ||
  fail "intact chain: unexpected output: $out"
head=$(sql "select hash from audit where id=$rows")
grep -q "$head" <<<"$out" || fail "verify does not print the head hash $head"
pass "intact chain of $rows rows verified, head $head"

# tamper NAME SQL: run SQL on a copy of the database; verify must exit 1 and name row BAD.
tamper() {
  local name=$1 bad=$2 sqltext=$3 rc=0
  cp "$T/vitalsd.db" "$T/$name.db"
  sqlite3 "$T/$name.db" "$sqltext" || fail "$name: tampering SQL failed"
  out=$("$VITALSCTL" audit verify --db "$T/$name.db") || rc=$?
  [ $rc -eq 1 ] || fail "$name: verify exited $rc, want 1: $out"
  grep -q "^audit chain BROKEN at row $bad:" <<<"$out" || fail "$name: want row $bad: $out"
  grep -q "expected" <<<"$out" && grep -q "stored" <<<"$out" ||
    fail "$name: expected/stored hashes missing: $out"
  pass "$name detected: $(echo "$out" | head -n1)"
}
tamper edited 3 "update audit set actor='Someone Else' where id=3"
tamper edited-detail 4 "update audit set detail=replace(detail,'done','refused') where id=4"
tamper deleted 4 "delete from audit where id=3"
tamper deleted-first 2 "delete from audit where id=1"
# an inserted row copying its neighbour's links: prev_hash fits, its own hash cannot
tamper inserted $((rows + 1)) "insert into audit select id+1, ts_ms, 'Intruder', action, detail,
  hash, hash from audit where id=$rows"
# insertion in the middle: shift rows 4.. up by one and put a forged row at 4
tamper inserted-middle 4 "update audit set id=-id where id>=4; update audit set id=1-id where id<0;
  insert into audit select 4, ts_ms, 'Intruder', action, detail, hash, hash from audit where id=3"
tamper reordered 2 "update audit set id=-1 where id=2; update audit set id=2 where id=3;
  update audit set id=3 where id=-1"
