#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two observation areas and a central broker on loopback, configured from the shipped files:
# each area a vitalsd with its own broker (scripts/dashboard-broker) bridged to the centre by
# config/mosquitto/bridge.conf.example over TLS; the centre from central.conf.example and
# central-acl.example. Asserts (docs/deployment.md):
#  - a central reader receives both areas' alerts, each area's in seq order, and each link's state;
#  - an alert raised while area a's link is down (a TCP relay stopped) reaches the centre once the
#    link is back, exactly once, while area b's alerts kept arriving (the reader was connected);
#  - one area's bridge account cannot publish into another area's topics at the centre, and what
#    an area's own broker holds outside vitals/<area>/ is not forwarded (each with a positive
#    control from the same account).
# VSD_CENTRAL=rabbitmq runs the same case with RabbitMQ's MQTT plugin as the central broker
# (Debian rabbitmq-server, installed by this test; plain MQTT on loopback, topic permissions in
# place of the ACL file): a documented command, not part of scripts/test (docs/deployment.md).
. "$(dirname "$0")/lib.sh"
CENTRAL=${VSD_CENTRAL:-mosquitto}

pki=$T/pki
mkdir -p "$pki"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=vitalsd test CA" -keyout "$pki/ca.key" -out "$pki/ca.pem" \
  -addext "basicConstraints=critical,CA:TRUE" 2>>"$T/openssl.log" || fail "openssl CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
  -keyout "$pki/central.key" -out "$pki/central.csr" 2>>"$T/openssl.log" || fail "openssl CSR"
openssl x509 -req -in "$pki/central.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" \
  -CAcreateserial -days 2 -out "$pki/central.pem" \
  -extfile <(printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n') 2>>"$T/openssl.log" ||
  fail "openssl sign"
chmod 644 "$pki"/*

# run_broker DIR PORT: mosquitto -c DIR/mosquitto.conf, waited for on PORT; pid in DIR/pid.
run_broker() {
  mosquitto -c "$1/mosquitto.conf" 2>>"$1/broker.log" &
  PIDS+=("$!")
  echo $! > "$1/pid"
  wait_for 5 "broker of $1 on port $2" port_open "$2"
}

C=$T/central
mkdir -p "$C/persist"
CPORT=$(free_port)

# The centre, mosquitto: its configuration and ACL as shipped, for the areas a and b.
central_mosquitto() {
  local acl_in=$SRC/config/mosquitto/central-acl.example acct
  touch "$C/passwd"
  for acct in bridge-a bridge-b nurse-central; do
    mosquitto_passwd -b "$C/passwd" "$acct" "$acct-pw"
  done
  for area in a b; do sed -n '/^user bridge-@AREA@/,/^$/p' "$acl_in" | sed "s/@AREA@/$area/g"; done > "$C/acl"
  sed '/^user bridge-@AREA@/,/^$/d' "$acl_in" >> "$C/acl"
  sed -e "s|@PORT@|$CPORT|" -e "s|@PASSWORD_FILE@|$C/passwd|" -e "s|@ACL_FILE@|$C/acl|" \
      -e "s|@CERT_FILE@|$pki/central.pem|" -e "s|@KEY_FILE@|$pki/central.key|" \
      -e "s|^persistence_location .*|persistence_location $C/persist/|" \
      -e "s|^log_dest .*|log_dest stderr|" "$SRC/config/mosquitto/central.conf.example" > "$C/mosquitto.conf"
  chmod -R a+rX "$C"
  grep -q '^user bridge-a$' "$C/acl" && grep -q '^topic write vitals/b/#$' "$C/acl" || fail "central ACL"
  run_broker "$C" "$CPORT"
}

# The centre, RabbitMQ: a private node (its own ports, files and Erlang cookie) with the MQTT
# plugin; each bridge account may write only its area's routing keys (MQTT's / is RabbitMQ's .),
# the reader may only read.
central_rabbitmq() {
  command -v rabbitmq-server >/dev/null ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
  printf 'listeners.tcp.default = %s\nmqtt.listeners.tcp.default = %s\nmqtt.allow_anonymous = false\nloopback_users = none\n' \
    "$(free_port)" "$CPORT" > "$C/rabbitmq.conf"
  echo "[rabbitmq_mqtt]." > "$C/enabled_plugins"
  chown -R rabbitmq:rabbitmq "$C"
  export HOME=$C RABBITMQ_NODENAME=vsd$$@localhost RABBITMQ_CONFIG_FILE=$C/rabbitmq \
    RABBITMQ_ENABLED_PLUGINS_FILE=$C/enabled_plugins RABBITMQ_MNESIA_BASE=$C/mnesia \
    RABBITMQ_LOG_BASE=$C/log RABBITMQ_FEATURE_FLAGS_FILE=$C/feature_flags \
    RABBITMQ_PLUGINS_EXPAND_DIR=$C/plugins RABBITMQ_PID_FILE=$C/rabbit.pid \
    RABBITMQ_DIST_PORT=$(free_port)
  rabbitmq-server > "$C/broker.log" 2>&1 &
  PIDS+=("$!")
  wait_for 120 "RabbitMQ's MQTT listener" port_open "$CPORT"
  rmq() { rabbitmqctl -q -n "$RABBITMQ_NODENAME" "$@" >>"$C/rabbitmqctl.log" 2>&1; }
  for acct in bridge-a bridge-b nurse-central; do
    rmq add_user "$acct" "$acct-pw"
    rmq set_permissions -p / "$acct" '.*' '.*' '.*'
  done
  rmq set_topic_permissions -p / bridge-a amq.topic '^vitals\.a\.' '^$'
  rmq set_topic_permissions -p / bridge-b amq.topic '^vitals\.b\.' '^$'
  rmq set_topic_permissions -p / nurse-central amq.topic '^$' '^vitals\.'
}

# stop_central: RabbitMQ's server script starts the Erlang VM under its own account.
stop_central() {
  [ "$CENTRAL" = rabbitmq ] || return 0
  rabbitmqctl -q -n "$RABBITMQ_NODENAME" shutdown >/dev/null 2>&1 || true
  epmd -kill >/dev/null 2>&1 || true
}
trap 'rc=$?; stop_central; (exit $rc); cleanup' EXIT

# The options of the MQTT clients that talk to the centre.
central_opts() {
  if [ "$CENTRAL" = rabbitmq ]; then echo "-V mqttv311"; else echo "--cafile $pki/ca.pem"; fi
}

# The bridge as shipped; RabbitMQ here speaks plain MQTT 3.1.1 and no bridge extension.
bridge_conf() { # AREA RELAY-PORT
  local conf
  conf=$(sed -e "s|@AREA@|$1|g" -e "s|@CENTRAL_HOST@|127.0.0.1|" -e "s|@CENTRAL_PORT@|$2|" \
      -e "s|@BRIDGE_PASSWORD@|bridge-$1-pw|" -e "s|@CA_FILE@|$pki/ca.pem|" \
      "$SRC/config/mosquitto/bridge.conf.example")
  if [ "$CENTRAL" = rabbitmq ]; then
    echo "$conf" | sed -e '/^bridge_cafile/d' -e '/^bridge_tls_version/d' -e 's/^try_private true/try_private false/'
  else
    echo "$conf"
  fi
}

case $CENTRAL in
  mosquitto) central_mosquitto ;;
  rabbitmq) central_rabbitmq ;;
  *) fail "VSD_CENTRAL=$CENTRAL: mosquitto or rabbitmq" ;;
esac

# An area: its broker with the bridge appended, reaching the centre through a TCP relay on
# RELAY_PORT (stopping the relay is the network going down), and its vitalsd.
start_relay() { # AREA
  local port
  port=$(cat "$T/$1/relay_port")
  socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" "TCP:127.0.0.1:$CPORT" 2>>"$T/$1/relay.log" &
  PIDS+=("$!")
  echo $! > "$T/$1/relay_pid"
  # listening (a test connection would use up this one-connection relay)
  wait_for 5 "relay of area $1" bash -c "ss -ltnH 'sport = :$port' | grep -q LISTEN"
}

start_area() { # AREA EVENT-LINES
  local A=$T/$1 mport wport
  mkdir -p "$A"
  mport=$(free_port) wport=$(free_port)
  free_port > "$A/relay_port"
  MQTT_PORT=$mport WS_PORT=$wport "$SRC/scripts/dashboard-broker" "$A" >/dev/null
  bridge_conf "$1" "$(cat "$A/relay_port")" >> "$A/mosquitto.conf"
  echo "$mport" > "$A/port"
  start_relay "$1"
  run_broker "$A" "$mport"
  cat > "$A/vitalsd.conf" <<CONF
[daemon]
area = $1
database = $A/vitalsd.db
control_socket = $A/control.sock
commit_interval = 100ms
[mqtt]
host = 127.0.0.1
port = $mport
username = vitalsd
password_file = $A/vitalsd-mqtt-password
keepalive = 5s
reconnect_min = 200ms
reconnect_max = 1s
[alerts]
latching = none
escalate_after = 0
[alarm.spo2]
low = 90
delay = 1s
[alarm.nibp_sys]
high = 160
[device.m1]
driver = sim
poll = 250ms
timeout = 100ms
$2
[bed.b1]
devices = m1
CONF
  "$VITALSD" -c "$A/vitalsd.conf" 2>>"$A/vitalsd.log" &
  PIDS+=("$!")
  wait_for 10 "vitalsd of area $1 ready" grep -q "vitalsd ready" "$A/vitalsd.log"
}

csub() { # TOPIC FILE [USER]: a reader at the centre
  local user=${3:-nurse-central}
  # shellcheck disable=SC2046 # the options are words
  mosquitto_sub -h 127.0.0.1 -p "$CPORT" $(central_opts) -u "$user" -P "$user-pw" \
    -q 1 -v -t "$1" > "$2" 2>>"$C/sub.log" &
  PIDS+=("$!")
}

csub 'vitals/+/bed/+/alert' "$C/alerts.txt"
csub 'vitals/+/bridge/state' "$C/links.txt"
sleep 0.5
# Area a: a cuff reading above the limit at 2 s, then, at 9 s, a desaturation (while its link is
# down). Area b: hypertension episodes that keep coming, so the centre hears b throughout.
start_area a "$(printf 'event = hypertension at=2s for=3s value=190\nevent = desaturation at=9s for=60s value=84')"
start_area b "$(printf 'event = hypertension at=2s for=3s value=190\nevent = hypertension at=7s for=2s value=185\nevent = hypertension at=12s for=2s value=182\nevent = hypertension at=17s for=2s value=181')"

area_alert() { has_events "$C/alerts.txt" ".bed==\"b1\" and .event==\"raised\" and $1"; }
wait_for 20 "area a's first alert at the centre" grep -q '^vitals/a/bed/b1/alert ' "$C/alerts.txt"
wait_for 20 "area b's first alert at the centre" grep -q '^vitals/b/bed/b1/alert ' "$C/alerts.txt"
wait_for 10 "both links up at the centre" \
  bash -c "grep -qx 'vitals/a/bridge/state 1' '$C/links.txt' && grep -qx 'vitals/b/bridge/state 1' '$C/links.txt'"
pass "the centre receives both areas' alerts and both links' states"

# Area a's network goes down before its desaturation (at 16 s).
kill "$(cat "$T/a/relay_pid")"
wait_for 20 "area a's link down at the centre" grep -qx 'vitals/a/bridge/state 0' "$C/links.txt"
asub_file=$T/a/local_alerts.txt
mosquitto_sub -h 127.0.0.1 -p "$(cat "$T/a/port")" -u chen -P chen-demo -q 1 -v \
  -t 'vitals/a/bed/+/alert' > "$asub_file" 2>>"$T/a/sub.log" &
PIDS+=("$!")
wait_for 30 "the desaturation raised in area a (local broker)" \
  has_events "$asub_file" '.vital=="spo2" and .event=="raised"'
b_before=$(grep -c '^vitals/b/' "$C/alerts.txt")
sleep 2
area_alert '.vital=="spo2"' && fail "area a's desaturation reached the centre while its link was down"
desat_id=$(payloads "$asub_file" | jq -r 'select(.vital=="spo2" and .event=="raised") | .alert_id' | head -n1)
wait_for 20 "area b's alerts still arriving at the centre" \
  bash -c "[ \$(grep -c '^vitals/b/' '$C/alerts.txt') -gt $b_before ]"
pass "while area a's link is down its desaturation stays in the area; area b's alerts keep arriving"

start_relay a
wait_for 30 "area a's desaturation at the centre after the link is back" area_alert '.vital=="spo2"'
sleep 3 # a second copy would follow the first closely
n=$(count_events "$C/alerts.txt" ".alert_id==\"$desat_id\" and .event==\"raised\"")
[ "$n" -eq 1 ] || fail "the desaturation raised reached the centre $n times, want once"
pass "the alert raised during the outage arrived once the link was back, exactly once"

# Seq order: each area's events at the centre in the order vitalsd numbered them.
for area in a b; do
  grep "^vitals/$area/" "$C/alerts.txt" | payloads /dev/stdin | jq -s -e \
    '[.[].seq] as $s | ($s | length) > 1 and ($s == ($s | sort)) and ($s == ($s | unique))' >/dev/null ||
    fail "area $area's events at the centre out of seq order: $(grep "^vitals/$area/" "$C/alerts.txt" | payloads /dev/stdin | jq -c .seq | tr '\n' ' ')"
done
pass "each area's events arrive at the centre in seq order"

# ACL at the centre: area b's bridge account publishes into area a's topics (refused) and into
# its own (the positive control; a topic the reader sees).
# shellcheck disable=SC2046
mosquitto_pub -h 127.0.0.1 -p "$CPORT" $(central_opts) -u bridge-b -P bridge-b-pw -q 1 \
  -t vitals/a/bed/b1/alert -m '{"event":"raised","bed":"b1","vital":"spoofed","seq":999999}' 2>/dev/null || true
# shellcheck disable=SC2046
mosquitto_pub -h 127.0.0.1 -p "$CPORT" $(central_opts) -u bridge-b -P bridge-b-pw -q 1 \
  -t vitals/b/bed/b9/alert -m '{"event":"control","bed":"b9","seq":999999}'
# At area b's own broker, its daemon account publishes outside vitals/b/ (not bridged).
mosquitto_pub -h 127.0.0.1 -p "$(cat "$T/b/port")" -u vitalsd -P "$(cat "$T/b/vitalsd-mqtt-password")" \
  -q 1 -t vitals/a/bed/b1/alert -m '{"event":"raised","bed":"b1","vital":"crossed","seq":999998}'
wait_for 10 "the control message at the centre" grep -q '^vitals/b/bed/b9/alert ' "$C/alerts.txt"
sleep 1
grep -q 'spoofed\|crossed' "$C/alerts.txt" && fail "a publication into another area's topics reached the centre"
pass "an area cannot publish into another area's topics at the centre (control seen)"
