# SPDX-License-Identifier: MIT
# Shared set-up of the dashboard's browser tests: the broker as config/mosquitto/ configures it
# (written by scripts/dashboard-broker: loopback listener for vitalsd, websockets listener serving
# the page, passwords, ACL) on free loopback ports, vitalsd logged in with its own account, and
# the helpers of tests/integration/lib.sh (fail, pass, wait_for, start_daemon, sql...).
# Everything started is stopped by PID. A missing tool fails the test: it never skips itself.
. "${VSD_SOURCE_DIR:?VSD_SOURCE_DIR not set}/tests/integration/lib.sh"

DASH_TESTS=$SRC/tests/dashboard
ARTIFACTS=$BUILD/dashboard-artifacts
WS_PORT=""
mkdir -p "$ARTIFACTS"

need_tools() {
  [ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing: run scripts/deps (Debian's chromium)"
  command -v node >/dev/null || fail "node is missing: run scripts/deps"
  [ -f "$DASH_TESTS/node_modules/playwright-core/package.json" ] &&
    [ -f "$DASH_TESTS/node_modules/mqtt/package.json" ] ||
    fail "tests/dashboard/node_modules is missing: run scripts/deps (npm ci in tests/dashboard)"
  "$SRC/scripts/dashboard-vendor" || fail "scripts/dashboard-vendor failed"
}

# start_dash_broker: write the configuration into $T/broker and start mosquitto with it; sets
# PORT (the daemon's listener) and WS_PORT (the dashboard's). TLS_CERT/TLS_KEY pass through.
start_dash_broker() {
  for _ in $(seq 1 10); do
    PORT=$(free_port)
    WS_PORT=$(free_port)
    [ "$PORT" != "$WS_PORT" ] || continue
    MQTT_PORT=$PORT WS_PORT=$WS_PORT "$SRC/scripts/dashboard-broker" "$T/broker" ||
      fail "scripts/dashboard-broker failed"
    mosquitto -c "$T/broker/mosquitto.conf" 2>>"$T/broker.log" &
    BROKER_PID=$!
    PIDS+=("$BROKER_PID")
    for _ in $(seq 1 50); do
      port_open "$PORT" && port_open "$WS_PORT" && return 0
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$BROKER_PID" 2>/dev/null || true
    wait "$BROKER_PID" 2>/dev/null || true
  done
  fail "the broker did not start (see $T/broker.log)"
}

# dash_config FILE: the daemon's configuration with its own broker account.
dash_config() {
  write_config "$1"
  sed -i "s|^\[mqtt\]|[mqtt]\nusername = vitalsd\npassword_file = $T/broker/vitalsd-mqtt-password|" "$1"
}

# run_node SCRIPT: a node test script (in tests/dashboard/ unless a path) with what it needs
# to know in its environment.
# Processes the script starts itself are written to $T/pids, and stopped here too.
run_node() {
  local script=$1 rc=0
  case $script in /*) ;; *) script=$DASH_TESTS/$script ;; esac
  VSD_WS_PORT=$WS_PORT VSD_MQTT_PORT=$PORT VSD_TMP=$T VSD_ARTIFACTS=$ARTIFACTS \
    VSD_DAEMON_PID=${DAEMON_PID:-} VSD_BROKER_PID=${BROKER_PID:-} \
    NODE_PATH=$DASH_TESTS/node_modules node "$script" || rc=$?
  if [ -f "$T/pids" ]; then
    while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done < "$T/pids"
  fi
  return $rc
}
