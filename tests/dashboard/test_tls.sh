#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TLS on the dashboard's listener (docs/dashboard.md): a CA and a server certificate made here
# with openssl, the broker set up by scripts/dashboard-broker with TLS_CERT/TLS_KEY. MQTT goes
# over wss:// to a chromium that trusts only that CA (an NSS database in its own HOME), from the
# page installed on the station (opened from its files: Debian's mosquitto 2.0.11 cannot serve
# the page itself to a browser over https, see docs/dashboard.md); clients without the CA, and
# plain ws:// or http://, get nowhere.
. "$(dirname "$0")/lib.sh"
need_tools
command -v certutil >/dev/null || fail "certutil is missing: run scripts/deps (libnss3-tools)"

pki=$T/pki
mkdir -p "$pki"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vitalsd test CA" \
  -keyout "$pki/ca.key" -out "$pki/ca.pem" -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$T/openssl.log" || fail "openssl CA"
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$pki/server.key" \
  -out "$pki/server.csr" 2>>"$T/openssl.log" || fail "openssl CSR"
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$pki/ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial \
  -days 2 -extfile "$pki/ext" -out "$pki/server.pem" 2>>"$T/openssl.log" || fail "openssl sign"
chmod 755 "$pki"
chmod 644 "$pki"/*
mkdir -p "$T/home/.pki/nssdb"
certutil -d "sql:$T/home/.pki/nssdb" -N --empty-password || fail "certutil -N"
certutil -d "sql:$T/home/.pki/nssdb" -A -t "C,," -n "vitalsd test CA" -i "$pki/ca.pem" ||
  fail "certutil -A"
pass "a CA, a server certificate for localhost and 127.0.0.1, and a browser profile trusting the CA"

TLS_CERT=$pki/server.pem TLS_KEY=$pki/server.key start_dash_broker
grep -q "^certfile $pki/server.pem" "$T/broker/mosquitto.conf" || fail "no certfile in the config"
dash_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
start_daemon "$T/vitalsd.conf"

url=https://localhost:$WS_PORT/
curl -sf --http1.1 --cacert "$pki/ca.pem" "$url" | grep -q 'vitalsd' || fail "https with the CA: no page"
curl -sf --http1.1 "$url" >/dev/null 2>&1 && fail "https without the CA was accepted"
curl -sf "http://127.0.0.1:$WS_PORT/" >/dev/null 2>&1 && fail "plain http on the TLS listener"
pass "the listener speaks TLS only, with a certificate the CA vouches for (HTTP/1.1 client)"
VSD_CA=$pki/ca.pem VSD_HOME=$T/home run_node tls.js
