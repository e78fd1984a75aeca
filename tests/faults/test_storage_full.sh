#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T13: a real full disk. The database lives on a 4 MiB tmpfs mounted in a
# private mount namespace (unshare -m as root, else unshare -rm in a user namespace; the test
# fails, never skips, when neither works). 8 simulated beds poll every 500 ms (P) with a real
# broker; a file then fills the disk. Asserted: SQLite reports the disk full ("database or disk is
# full" in the log) within 2 s of the disk filling (the commit interval is 100 ms; the rest is
# slack for a loaded machine); the storage_failing technical alert reaches MQTT within P of the
# first failed commit; readings wait in the bounded queue (queue_depth 16: 256 readings) and the
# overflow is counted (status: readings_dropped > 0; the queue_overflow alert); when the filler is
# deleted, writing resumes by itself, the alert clears, readings held during the outage are
# written, none twice; PRAGMA integrity_check is ok.
set -euo pipefail
if [ -z "${VSD_T13_NS:-}" ]; then
  export VSD_T13_NS=1
  if [ "$(id -u)" -eq 0 ] && unshare -m true 2>/dev/null; then
    exec unshare -m bash "$0" "$@"
  elif unshare -rm true 2>/dev/null; then
    exec unshare -rm bash "$0" "$@"
  fi
  echo "FAIL: neither 'unshare -m' (root) nor 'unshare -rm' (user namespace) works here" >&2
  exit 1
fi
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_faults.sh"

mkdir "$T/disk"
mount -t tmpfs -o size=4m,mode=0755 tmpfs "$T/disk" || fail "mount tmpfs"
# umount before lib.sh's cleanup removes $T (the namespace ends with the test anyway)
trap 'rc=$?; umount -l "$T/disk" 2>/dev/null || true; exit $rc' ERR
start_broker
write_config "$T/vitalsd.conf"
sed -i -e "s|^database = .*|database = $T/disk/vitalsd.db|" \
  -e "s|^\[daemon\]|[daemon]\nqueue_depth = 16|" "$T/vitalsd.conf"
for i in $(seq 1 8); do
  printf '[device.m%d]\ndriver = sim\npoll = 500ms\ntimeout = 200ms\n[bed.b%d]\ndevices = m%d\n' \
    "$i" "$i" "$i" >>"$T/vitalsd.conf"
done
sql() { sqlite3 -cmd ".timeout 5000" "$T/disk/vitalsd.db" "$@"; }
stamped daemon mosquitto_sub -h 127.0.0.1 -p "$PORT" -q 1 -v -t 'vitals/test/daemon/alerts'
sleep 0.3
start_daemon "$T/vitalsd.conf"
stamped log tail -n0 -F "$T/vitalsd.log"
sleep 0.2
ctl session start --bed b1 --session S-13 --by "Nurse A" >/dev/null
sleep 3
before=$(sql "select count(*) from readings")
[ "$before" -gt 0 ] || fail "no readings before the disk filled"

dd if=/dev/zero of="$T/disk/filler" bs=64k 2>/dev/null || true # until ENOSPC
full_ms=$(($(date +%s%N) / 1000000))
[ "$(df --output=avail "$T/disk" | tail -n1 | tr -d ' ')" -lt 64 ] || fail "the disk did not fill"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
first_fail_ms="" alert_ms=""
while [ "$(now_ms)" -lt $((full_ms + 15000)) ]; do
  [ -z "$first_fail_ms" ] && grep -q "commit failed" "$T/vitalsd.log" && first_fail_ms=$(now_ms)
  [ -z "$alert_ms" ] && grep -q '"storage_failing"' "$T/daemon.txt" && alert_ms=$(now_ms)
  [ -n "$first_fail_ms" ] && [ -n "$alert_ms" ] && break
  sleep 0.02
done
[ -n "$first_fail_ms" ] || fail "no failed commit within 15 s of the disk filling"
grep -q "commit failed.*database or disk is full" "$T/vitalsd.log" ||
  fail "SQLITE_FULL not reported"
[ $((first_fail_ms - full_ms)) -le 2000 ] ||
  fail "the first failed commit came $((first_fail_ms - full_ms)) ms after the disk filled (2000)"
[ -n "$alert_ms" ] || fail "no storage_failing alert on MQTT"
# the times the lines arrived, not when the loop above saw them
first_fail_ms=$(grep -m1 "commit failed" "$T/log.txt" | cut -d' ' -f1)
alert_ms=$(grep -m1 '"storage_failing"' "$T/daemon.txt" | cut -d' ' -f1)
delay=$((alert_ms - first_fail_ms))
[ "$delay" -le 500 ] ||
  fail "storage_failing reached MQTT $delay ms after the first failed commit (P = 500)"
pass "SQLITE_FULL $((first_fail_ms - full_ms)) ms after the disk filled;" \
  "storage_failing on MQTT ${delay} ms after the first failed commit (P 500 ms)"

dropped() { ctl status --json | jq -e '.store.readings_dropped > 0'; }
wait_for 20 "readings dropped from the full queue, counted" dropped
wait_for 5 "queue_overflow alert" grep -q '"queue_overflow"' "$T/daemon.txt"
held_from=$(now_ms)
sleep 1
rm -f "$T/disk/filler"
freed_ms=$(now_ms)
cleared() {
  [ "$(tail -n1 "$T/daemon.txt" | cut -d' ' -f3- |
       jq '[.alerts[] | select(.code=="storage_failing")] | length')" -eq 0 ]
}
wait_for 15 "storage_failing cleared" cleared
after_free() { [ "$(sql "select count(*) from readings where ts_ms > $freed_ms + 1000")" -gt 0 ]; }
wait_for 10 "readings written after space returned" after_free
drops=$(ctl status --json | jq '.store.readings_dropped')
errors=$(ctl status --json | jq '.store.commit_errors')
stop_daemon
held=$(sql "select count(*) from readings where ts_ms > $full_ms and ts_ms < $freed_ms")
[ "$held" -gt 0 ] || fail "no reading taken while the disk was full was written afterwards"
dups=$(sql "select count(*) from (select device, vital, ts_ms from readings group by 1, 2, 3
            having count(*) > 1)")
[ "$dups" -eq 0 ] || fail "$dups duplicated readings"
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity check"
umount -l "$T/disk" 2>/dev/null || true
echo "storage-full: SQLITE_FULL after $((first_fail_ms - full_ms)) ms, alert after ${delay} ms," \
  "$errors failed commits, $held readings held and written, $drops overflow drops counted," \
  "0 duplicates, integrity ok, writing resumed"
