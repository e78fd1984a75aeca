#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T29, the short form of tests/faults/soak.sh run by scripts/test: 150 s, 20
# beds polled every 100 ms (about 1,000 readings a second), a fault every 20 s (a silent device,
# probe off, the broker restarted, the disk "full"), samples every 5 s. The daemon's RSS climbs
# for its first minute or two while SQLite's page cache (2 MiB by default) and the allocator's
# arenas fill, then stays flat (measured: +0.2 % over the 100 s after that in a 4-minute run at
# 10 beds); so growth is judged over the last 60 s only, and must stay under 3 %: a leak of even
# 10 bytes per reading would add 600 KiB (4 %) in that window. Descriptors may move by 2 (a
# broker reconnect), the WAL stays under 64 MiB. Outside the fault windows at most 40 of the
# about 30,000 polls (0.13 %) may come more than 2P (200 ms) after the one before, none more than
# 5P: scripts/test runs on 2 cores shared with the other tests' processes, and runs here on a
# machine loaded so (load average 2.5) saw one late poll (227 ms), and once every monitor late at
# the same instant (18 gaps of 266-275 ms: every bus at once, so the process or the machine
# stalled, not one bus); the hour-long soak.sh allows none by default.
export DURATION=${VSD_SOAK_SECONDS:-150} BEDS=20 SAMPLE=5 FAULT_EVERY=20 RSS_PCT=3 FD_SLACK=2
export LATE_MAX=40 GAP_MAX=500
export WARMUP=$((DURATION - 60))
exec bash "$(dirname "$0")/soak.sh"
