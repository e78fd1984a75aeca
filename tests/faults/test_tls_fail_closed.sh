#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/reliability.md T35: TLS to the broker fails closed. With a broker certificate that a CA
# the daemon does not trust signed, one that has expired, or one for another host name, vitalsd
# never connects (the broker sees no client, no "online" on its state topic) and says why in its
# log; `vitalsctl watch` refuses too, with an error. Positive control: the right CA and a valid
# certificate for 127.0.0.1 connect. The certificates are made here with openssl (the expired one
# signed under faketime, 10 days back). And the code never turns verification off.
. "$(dirname "$0")/../integration/lib.sh"
command -v openssl >/dev/null || fail "openssl is needed (scripts/deps)"
command -v faketime >/dev/null || fail "faketime is needed (scripts/deps)"

! grep -rnE 'mosquitto_tls_insecure_set\([^)]*(true|1)\s*\)' "$SRC/src" "$SRC/drivers" ||
  fail "mosquitto_tls_insecure_set(..., true) in the code: host name checks turned off"
! grep -rn 'mosquitto_tls_opts_set([^)]*, *0 *,' "$SRC/src" ||
  fail "mosquitto_tls_opts_set(..., 0 = SSL_VERIFY_NONE, ...) in the code"
pass "no TLS verification switched off in src/"

pki=$T/pki
mkdir -p "$pki"
ossl() { openssl "$@" >>"$T/openssl.log" 2>&1 || fail "openssl $1"; }
make_ca() { # NAME
  ossl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=vitalsd test $1" \
    -keyout "$pki/$1.key" -out "$pki/$1.pem" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
}
make_cert() { # NAME CA SAN [FAKETIME]
  ossl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$pki/$1.key" -out "$pki/$1.csr"
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$3" > "$pki/$1.ext"
  if [ -n "${4:-}" ]; then
    faketime -f "$4" openssl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" \
      -CAcreateserial -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.pem" >>"$T/openssl.log" 2>&1 ||
      fail "openssl x509 under faketime"
  else
    ossl x509 -req -in "$pki/$1.csr" -CA "$pki/$2.pem" -CAkey "$pki/$2.key" -CAcreateserial \
      -days 2 -extfile "$pki/$1.ext" -out "$pki/$1.pem"
  fi
}
make_ca ca
make_ca otherca
make_cert good ca "IP:127.0.0.1,DNS:localhost"
make_cert expired ca "IP:127.0.0.1,DNS:localhost" "-10d"
make_cert wronghost ca "DNS:broker.example.org"
openssl x509 -in "$pki/expired.pem" -noout -checkend 0 >/dev/null && fail "the expired certificate is valid"
chmod 755 "$pki"
chmod 644 "$pki"/*

# run_case NAME CERT CAFILE: a TLS broker with CERT, the daemon trusting CAFILE; sets CONNECTED
# (the broker saw the daemon's client) and leaves the daemon's log in $T/NAME.log.
run_case() {
  local name=$1 cert=$2 cafile=$3
  BROKER_EXTRA="cafile $pki/ca.pem
certfile $pki/$cert.pem
keyfile $pki/$cert.key
log_type all" start_broker
  write_config "$T/vitalsd.conf"
  sed -i "s|^\[mqtt\]|[mqtt]\ntls_ca_file = $cafile|" "$T/vitalsd.conf"
  add_sim_beds "$T/vitalsd.conf" 1
  : > "$T/vitalsd.log"
  start_daemon "$T/vitalsd.conf"
  if [ "$name" = good ]; then
    wait_for 10 "the daemon connected over TLS" grep -q "as vitalsd-test" "$T/broker.log"
  else
    sleep 2 # several connection attempts (reconnect_min 200 ms, reconnect_max 1 s)
  fi
  CONNECTED=$(grep -c "New client connected .* as vitalsd-test" "$T/broker.log" || true)
  WATCH_RC=0
  timeout 10 "$VITALSCTL" -c "$T/vitalsd.conf" watch --seconds 1 > "$T/$name.watch" 2>&1 || WATCH_RC=$?
  stop_daemon
  stop_broker
  cp "$T/vitalsd.log" "$T/$name.log"
  mv "$T/broker.log" "$T/broker-$name.log"
}

run_case good good "$pki/ca.pem"
[ "$CONNECTED" -ge 1 ] || fail "positive control: the daemon did not connect with the right CA"
[ "$WATCH_RC" -eq 0 ] || fail "positive control: vitalsctl watch failed: $(cat "$T/good.watch")"
pass "positive control: the right CA and a valid certificate connect (daemon and watch)"

# each case: the daemon's log names the cause (OpenSSL's verify reason through libmosquitto)
check_refused() { # NAME REASON-REGEX
  [ "$CONNECTED" -eq 0 ] || fail "$1: the daemon connected ($CONNECTED times)"
  grep -qiE "$2" "$T/$1.log" || fail "$1: no clear error in the daemon's log: $(grep -i mqtt "$T/$1.log" | tail -3)"
  # vitalsctl watch: libmosquitto 2.0.11's blocking connect returns before the TLS handshake, so
  # watch learns of the failure in its loop and reports the broker lost with the TLS cause,
  # showing no event.
  if [ "$WATCH_RC" -eq 0 ]; then
    grep -q "^-- lost the broker.*TLS" "$T/$1.watch" ||
      fail "$1: vitalsctl watch neither failed nor reported the TLS failure: $(cat "$T/$1.watch")"
    [ "$(grep -vc "^-- " "$T/$1.watch")" -eq 0 ] ||
      fail "$1: vitalsctl watch showed events over an untrusted broker: $(cat "$T/$1.watch")"
  else
    grep -qiE "TLS|certificate" "$T/$1.watch" || fail "$1: vitalsctl watch: no clear error: $(cat "$T/$1.watch")"
  fi
  pass "$1: refused; the daemon logs: $(grep -oiE "$2" "$T/$1.log" | head -1); watch: $(tail -n1 "$T/$1.watch")"
}
run_case wrongca good "$pki/otherca.pem"
check_refused wrongca "certificate verify failed|unable to get local issuer certificate"
run_case expired expired "$pki/ca.pem"
check_refused expired "certificate has expired|certificate verify failed"
run_case wronghost wronghost "$pki/ca.pem"
check_refused wronghost "host ?name mismatch|certificate verify failed"
echo "tls: 3 of 3 bad brokers refused (wrong CA, expired, wrong host name), 1 good one accepted"
