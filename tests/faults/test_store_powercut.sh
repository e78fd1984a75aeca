#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T12: power loss below SQLite. store_driver (tests/faults/store_driver.c) runs
# the real store over a VFS that logs what each write overwrites (tests/faults/powercut_vfs.c);
# the power goes after a random number of writes (1-120: inside commits and checkpoints), and every
# write no xSync covered is undone, as the disk would hold the files after the cut. 100 cuts with
# synchronous=FULL (50 losing every unsynced write, 50 "torn": a random half of them): integrity
# ok, no committed reading, alert event, outbox or audit row lost, and the audit hash chain
# verifies (vitalsctl audit verify). Then synchronous=NORMAL, 20
# cuts: integrity ok, and committed rows ARE lost (the positive control: the checker sees a loss
# when there is one, and NORMAL is not durable across a power cut; its RPO is measured with
# VSD_FAULT_FULL=1, cut on a 30 s timer: at most the 10 s between the writer's forced
# checkpoints, which sync the WAL).
. "$(dirname "$0")/../integration/lib.sh"

. "$(dirname "$0")/lib_faults.sh"
undone() { sed -n 's/.*; \([0-9]*\) unsynced writes undone.*/\1/p' "$T/driver.out"; }

run_driver "^powercut: 50/50 integrity ok, 0 committed rows lost" powercut "$T/full.db" 50 full
[ "$(undone)" -gt 0 ] || fail "no cut undid a write: the power cut was not simulated"
run_driver "^powercut: 50/50 integrity ok, 0 committed rows lost" powercut "$T/torn.db" 50 full torn
for db in full torn; do
  "$VITALSCTL" audit verify --db "$T/$db.db" >"$T/verify.out" 2>&1 ||
    fail "the audit chain after the cuts: $(cat "$T/verify.out")"
done
pass "synchronous=FULL: 100 power cuts, no committed row lost, the audit chain verifies"

run_driver "^powercut: 20/20 integrity ok, [1-9][0-9]* committed rows lost" \
  powercut "$T/normal.db" 20 normal
pass "synchronous=NORMAL: the database survives a power cut intact;" \
  "committed rows are lost (as expected)"

if [ -n "${VSD_FAULT_FULL:-}" ]; then
  CUT_MS=30000 run_driver "^powercut: 4/4 integrity ok" powercut "$T/rpo.db" 4 normal
  rpo=$(sed -n 's/.*RPO \([0-9]*\) ms.*/\1/p' "$T/driver.out")
  [ "$rpo" -le 10500 ] || fail "synchronous=NORMAL lost $rpo ms of readings (at most 10 s + 500 ms)"
  CUT_MS=30000 run_driver "^powercut: 2/2 integrity ok, 0 committed rows lost" \
    powercut "$T/rpo-full.db" 2 full
fi
