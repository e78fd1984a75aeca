#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T14: random I/O errors. vitalsd runs under fiu-run (Debian fiu-utils): each
# pwrite/pwrite64 (how SQLite writes its files) and each fsync/fdatasync fails with probability
# 0.02 (EIO-like errors from libfiu's POSIX preload). A positive control first: the same preload
# with probability 1 makes the sqlite3 shell fail ("disk I/O error"), so the failure points do
# reach SQLite's writes. Then 4 simulated beds until 3 commits have failed (8-40 s): the daemon
# never exits; the failed commits are counted in `vitalsctl status` (the error counter); failed
# transactions are retried (no reading lost: no hole longer than 2P in a monitor's heart rate);
# writing goes on; after the stop PRAGMA integrity_check is ok.
. "$(dirname "$0")/../integration/lib.sh"

command -v fiu-run >/dev/null || fail "fiu-run (Debian fiu-utils, scripts/deps) is needed"
P=${VSD_FIU_P:-0.02}
# Enabled once vitalsd is ready, through fiu-ctrl: a failed write during start-up (schema check,
# migration) makes vitalsd refuse to start, as it should (T17), which is not this case.
FAULTS=(-c "enable_random name=posix/io/rw/pwrite,probability=$P"
        -c "enable_random name=posix/io/sync/fsync,probability=$P"
        -c "enable_random name=posix/io/sync/fdatasync,probability=$P")

# positive control: SQLite's writes go through the failure point
if fiu-run -x -f "" -c "enable name=posix/io/rw/pwrite" sqlite3 "$T/control.db" \
  "pragma journal_mode=wal; create table t(x); insert into t values (1);" \
  >"$T/control.out" 2>&1; then
  fail "fiu-run with pwrite failing always: sqlite3 still wrote (the preload does not reach SQLite)"
fi
# libfiu fails the call with an errno it picks among the ones pwrite may return: EIO reads as
# "disk I/O error", ENOSPC as "database or disk is full".
grep -qE "disk I/O error|database or disk is full" "$T/control.out" ||
  fail "positive control: $(cat "$T/control.out")"
pass "positive control: with pwrite failing, sqlite3 reports the write error"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 4
fiu-run -x -f "$T/fiu" "$VITALSD" -c "$T/vitalsd.conf" 2>>"$T/vitalsd.log" &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
wait_for 10 "vitalsd ready" grep -q "vitalsd ready" "$T/vitalsd.log"
ctl session start --bed b1 --session S-14 --by "Nurse A" >/dev/null
fiu-ctrl -f "$T/fiu" "${FAULTS[@]}" "$DAEMON_PID" ||
  fail "fiu-ctrl could not enable the failure points"
start_ms=$(($(date +%s%N) / 1000000))
status() { ctl status --json; }
# at least 8 s, until 3 commits have failed (about 10 s at p = 0.02; at most 40 s)
errors=0 secs=0
while [ $secs -lt 40 ] && { [ $secs -lt 8 ] || [ "$errors" -lt 3 ]; }; do
  sleep 1
  secs=$((secs + 1))
  kill -0 "$DAEMON_PID" 2>/dev/null || fail "vitalsd exited under random I/O errors"
  errors=$(status | jq '.store.commit_errors')
done
written=$(status | jq '.store.readings_written')
[ "$errors" -ge 3 ] ||
  fail "only $errors commits failed in 40 s: were I/O errors injected (p = $P)?"
grep -q "commit failed" "$T/vitalsd.log" || fail "the failed commits were not logged"
# Writing goes on between the failures. A failure right now is a back-off before the retry,
# doubling from 250 ms to at most 5 s (BACKOFF_MIN_MS, BACKOFF_MAX_MS in src/store/store.c), and
# at p = 0.02 a retry can fail again: a few failures in a row add up to more than 10 s (a fresh
# run timed out at 10 s once), so 30 s, room for several full back-offs.
more_written() { [ "$(status | jq '.store.readings_written')" -gt "$written" ]; }
wait_for 30 "writing to go on between the failures" more_written
end_ms=$(($(date +%s%N) / 1000000))
fiu-ctrl -f "$T/fiu" -c "disable name=posix/io/rw/pwrite" -c "disable name=posix/io/sync/fsync" \
  -c "disable name=posix/io/sync/fdatasync" "$DAEMON_PID" || fail "fiu-ctrl disable"
sleep 1
# libfiu's remote-control thread (fiu-ctrl) does not block SIGTERM, so the signal may end the
# process by its default action (143) instead of vitalsd's signalfd: accept either; what was
# committed is checked below.
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
[ $rc -eq 0 ] || [ $rc -eq 143 ] || fail "vitalsd exited $rc"
raised=$(grep -c "storage_failing alert .* raised" "$T/vitalsd.log" || true)
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity check"
gap=$(sql "select max(d) from (select ts_ms - lag(ts_ms) over (order by ts_ms) as d from readings
           where device='m1' and vital='hr' and ts_ms between $start_ms and $end_ms)")
[ "$gap" -le 400 ] || fail "a $gap ms hole in m1's heart rate: a failed transaction was not retried"
n=$(sql "select count(*) from readings where ts_ms between $start_ms and $end_ms")
echo "ioerr: p=$P on pwrite/fsync/fdatasync for $secs s: vitalsd alive, $errors failed commits" \
  "counted and retried, storage_failing raised $raised times, $n readings written, longest hole" \
  "${gap} ms, integrity ok"
