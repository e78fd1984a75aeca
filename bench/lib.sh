# SPDX-License-Identifier: MIT
# Shared set-up for the benchmark scripts: dependencies, a build, a scratch folder, a private
# broker on loopback, latency statistics. Everything started is stopped by PID on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps
B=${VSD_BENCH_BUILD:-build} # an existing build folder skips the build
[ -n "${VSD_BENCH_BUILD:-}" ] || scripts/build build >/dev/null
T=$(mktemp -d /tmp/vsd-bench.XXXXXX)
chmod 755 "$T"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$T"' EXIT

# start_broker: mosquitto on a random loopback port, in $port.
start_broker() {
  port=$((20000 + RANDOM % 20000))
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n' \
    "$port" > "$T/mosquitto.conf"
  mosquitto -c "$T/mosquitto.conf" 2>"$T/broker.log" &
  pids+=("$!")
  sleep 0.5
}

# stats: p50, p99 and max of one number (ms) a line on stdin.
stats() {
  sort -n | awk 'function at(q,  i) { i = int(NR * q) + 1; if (i > NR) i = NR; return v[i] }
    { v[NR] = $1 }
    END { if (NR == 0) { print "no samples"; exit }
          printf "n=%d p50=%.2f ms p99=%.2f ms max=%.2f ms\n", NR, at(0.5), at(0.99), v[NR] }'
}
