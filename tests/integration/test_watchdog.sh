#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The watchdog pings only while every thread makes progress (T26). A fake systemd: a Unix
# datagram socket as NOTIFY_SOCKET with WATCHDOG_USEC=1 s (vitalsd pings every 500 ms), each
# message stamped on arrival. Two simulated monitors; m2's driver hangs inside a poll from 3 s
# after it opened, for 9 s, far beyond its 100 ms timeout.
#   positive control: READY=1, then WATCHDOG=1 every ~500 ms while both buses poll;
#   the hang: the pings stop within the bound (below), the log names m2's bus thread, critical,
#   and no ping comes while it is stuck;
#   a reload meanwhile is refused, naming the stuck thread (it cannot park for the reload);
#   recovery: the hang ends, pings resume; SIGTERM still stops it cleanly.
# Bound: the hung thread promised its next beat within 2 x timeout + 2 s = 2.2 s of the poll's
# start; the main loop checks every 500 ms; +0.8 s for a loaded 2-core machine under ASan.
. "$(dirname "$0")/lib.sh"

HANG_AT=3 HANG_FOR=9 BOUND=3.5

python3 - "$T/notify.sock" "$T/notify.txt" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        msg = s.recv(4096).decode(errors="replace")
        for line in msg.splitlines():
            out.write("%.3f %s\n" % (time.monotonic(), line))
PY
PIDS+=("$!")
wait_for 5 "notify listener" test -S "$T/notify.sock"
now() { python3 -c 'import time; print("%.3f" % time.monotonic())'; }

start_broker
write_config "$T/vitalsd.conf"
cat >> "$T/vitalsd.conf" <<CONF
[device.m1]
driver = sim
poll = 200ms
timeout = 100ms
[bed.b1]
devices = m1
[device.m2]
driver = sim
poll = 200ms
timeout = 100ms
event = hang at=${HANG_AT}s for=${HANG_FOR}s
[bed.b2]
devices = m2
CONF

NOTIFY_SOCKET=$T/notify.sock WATCHDOG_USEC=1000000 start_daemon "$T/vitalsd.conf"
ready=$(awk '$2 == "READY=1" {print $1; exit}' "$T/notify.txt")
[ -n "$ready" ] || fail "no READY=1 on NOTIFY_SOCKET"
pass "READY=1 received"

# Positive control: pings while both threads poll (until just before the hang).
sleep $((HANG_AT - 1))
before=$(awk -v r="$ready" '$2 == "WATCHDOG=1" && $1 >= r' "$T/notify.txt" | wc -l)
[ "$before" -ge 2 ] || fail "only $before WATCHDOG=1 in the first $((HANG_AT - 1)) s"
pass "$before WATCHDOG=1 in the first $((HANG_AT - 1)) s while every thread polls"

wait_for 8 "the stuck thread logged" grep -q "watchdog: thread bus of device 'm2' is stuck" \
  "$T/vitalsd.log"
grep "watchdog: thread" "$T/vitalsd.log" | head -1
[ "$(grep -c "watchdog: thread bus of device 'm2' is stuck" "$T/vitalsd.log")" -eq 1 ] ||
  fail "the stuck thread was logged more than once"
last=$(awk '$2 == "WATCHDOG=1" {t = $1} END {print t}' "$T/notify.txt")
# The hang began HANG_AT s after the device opened, which is just before READY=1 (the buses
# start last): the last ping must come within BOUND s of the hang's start.
awk -v l="$last" -v r="$ready" -v a="$HANG_AT" -v b="$BOUND" 'BEGIN {exit !(l - (r + a) <= b)}' ||
  fail "pings went on $(awk -v l="$last" -v r="$ready" -v a="$HANG_AT" \
    'BEGIN {printf "%.1f", l - r - a}') s into the hang (bound ${BOUND} s)"
pass "last WATCHDOG=1 $(awk -v l="$last" -v r="$ready" -v a="$HANG_AT" \
  'BEGIN {printf "%.1f", l - r - a}') s after the hang began (bound ${BOUND} s)"

sleep 1.5
after=$(awk -v l="$last" '$2 == "WATCHDOG=1" && $1 > l' "$T/notify.txt" | wc -l)
[ "$after" -eq 0 ] || fail "$after WATCHDOG=1 while a bus thread is stuck"
pass "no WATCHDOG=1 for $(awk -v s="$(now)" -v l="$last" 'BEGIN {printf "%.1f", s - l}') s while m2's bus thread is stuck"

# A reload needs every bus thread parked: refused after the exchange bound, naming the thread.
rc=0; ctl reload > "$T/out" 2> "$T/err" || rc=$?
[ $rc -ne 0 ] || fail "a reload went through while a bus thread is stuck"
grep -q "thread bus of device 'm2' did not finish its exchange in time" "$T/err" ||
  fail "the refusal does not name the stuck thread: $(cat "$T/err")"
pass "a reload while m2's bus thread is stuck is refused, naming it"

# Recovery: the driver call returns when the hang ends; pings resume.
wait_for $((HANG_FOR + 3)) "pings resume" grep -q "pinging resumes" "$T/vitalsd.log"
wait_for 3 "a ping after the hang" awk -v l="$last" \
  '$2 == "WATCHDOG=1" && $1 > l {f = 1} END {exit !f}' "$T/notify.txt"
pass "pings resume when the thread makes progress again"
stop_daemon
pass "watchdog"
