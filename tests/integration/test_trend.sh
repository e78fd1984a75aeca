#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The dashboard's trend lines: the "trend" command answers each bed's last 30 minutes, one point
# per 10 s, from memory, over MQTT; after a restart the lines are there at once (read back from
# the database), not empty for 30 minutes.
. "$(dirname "$0")/lib.sh"

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
subscribe 'vitals/test/reply/nurse1' "$T/replies.txt"
start_daemon "$T/vitalsd.conf"

ask() { # ask REQUEST: send it over MQTT and print the answer (the next reply line)
  local n=$(($(wc -l < "$T/replies.txt") + 1))
  mosquitto_pub -h 127.0.0.1 -p "$PORT" -q 1 -t vitals/test/command/nurse1 -m "$1"
  wait_for 5 "answer $n" bash -c "[ \$(wc -l < '$T/replies.txt') -ge $n ]"
  sed -n "${n}p" "$T/replies.txt" | cut -d' ' -f2-
}
points() { jq "[.beds[\"$2\"].$3 // [] | length] | add" <<<"$1"; }

wait_for 10 "a reading stored" bash -c "[ \$(sqlite3 '$T/vitalsd.db' 'select count(*) from readings') -gt 0 ]"
sleep 1
r=$(ask '{"cmd":"trend"}')
jq -e '.ok == true and .minutes == 30 and (.beds | keys) == ["b1","b2"]' <<<"$r" >/dev/null ||
  fail "trend of every bed: $r"
[ "$(points "$r" b1 hr)" -ge 1 ] && [ "$(points "$r" b2 spo2)" -ge 1 ] || fail "no points: $r"
jq -e '[.beds.b1.hr[] | (.[0] | type) == "number" and (.[1] | type) == "number"] | all' <<<"$r" \
  >/dev/null || fail "points are not [ts_ms, value]: $r"
pass "trend over MQTT: every bed, [ts_ms, value] points ($(points "$r" b1 hr) hr points at b1)"

r=$(ask '{"cmd":"trend","bed":"b2","minutes":5}')
jq -e '.ok == true and .minutes == 5 and (.beds | keys) == ["b2"]' <<<"$r" >/dev/null ||
  fail "one bed: $r"
r=$(ask '{"cmd":"trend","minutes":45}')
jq -e '.ok == false and (.error | test("1 to 30"))' <<<"$r" >/dev/null || fail "45 minutes: $r"
r=$(ask '{"cmd":"trend","bed":"b9"}')
jq -e '.ok == false and (.error | test("no bed"))' <<<"$r" >/dev/null || fail "unknown bed: $r"
pass "one bed, a shorter window; a window over 30 minutes and an unknown bed refused"

# Over 10 s the line gains a point per slot: one per 10 s, not one per reading (5 a second).
sleep 11
r=$(ask '{"cmd":"trend","bed":"b1"}')
hr=$(points "$r" b1 hr)
stored=$(sql "select count(*) from readings where bed='b1' and vital='hr'")
[ "$hr" -ge 2 ] && [ "$hr" -le 4 ] || fail "$hr hr points after ~13 s ($stored readings)"
pass "$hr points for $stored heart-rate readings: one per 10-s slot"

stop_daemon
start_daemon "$T/vitalsd.conf"
r=$(ask '{"cmd":"trend","bed":"b1"}')
after=$(points "$r" b1 hr)
[ "$after" -ge "$hr" ] || fail "after a restart the line has $after points, before it had $hr"
pass "after a restart the trend is there at once ($after points), read back from the database"
stop_daemon
