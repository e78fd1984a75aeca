#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The shipped units (systemd/) as systemd reads them, without systemd as PID 1:
#  - systemd-analyze verify finds nothing to say about vitalsd.service and vitalsd-failed.service,
#    with the installed programs and man pages (cmake --install into a scratch root; the units'
#    /usr/bin paths rewritten to it, the only change), and the unit OnFailure= names is shipped;
#    a misspelt key in a copy is reported (the check can fail);
#  - systemd-analyze security --offline=true: vitalsd.service's overall exposure is at most 2.0
#    (the bar of docs/reliability.md, T40), vitalsd-failed.service's too; Debian's own
#    mosquitto.service with the shipped drop-in (config/mosquitto/mosquitto-hardening.conf) at
#    most 2.5 (measured 2.3: it starts as root, as that package wants), and above 9 without it.
. "$VSD_SOURCE_DIR/tests/integration/lib.sh"
R=$T/root
DESTDIR=$R cmake --install "$BUILD" --prefix /usr > "$T/install.log" 2>&1 ||
  fail "cmake --install: $(tail -n 5 "$T/install.log")"
units=(vitalsd.service vitalsd-failed.service)
mkdir -p "$T/units"
for u in "${units[@]}"; do
  [ -f "$R/usr/lib/systemd/system/$u" ] || fail "$u is not installed"
  sed "s|/usr/bin/|$R/usr/bin/|g" "$R/usr/lib/systemd/system/$u" > "$T/units/$u"
done

# verify: prints each problem (unknown keys, missing programs or man pages) and may still exit 0.
verify() { MANPATH=$R/usr/share/man systemd-analyze verify "$@" 2>&1; }
out=$(verify "${units[@]/#/$T/units/}") || fail "systemd-analyze verify failed: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
on_failure=$(sed -n 's/^OnFailure=//p' "$T/units/vitalsd.service")
[ "$on_failure" = vitalsd-failed.service ] || fail "vitalsd.service: OnFailure=$on_failure"
[ -f "$T/units/$on_failure" ] || fail "OnFailure=$on_failure is not shipped"
sed 's/^ProtectSystem=/ProtectSistem=/' "$T/units/vitalsd.service" > "$T/bad.service"
verify "$T/bad.service" | grep -q "Unknown key 'ProtectSistem'" ||
  fail "verify does not report a misspelt key: $(verify "$T/bad.service")"
pass "systemd-analyze verify: ${units[*]} clean, OnFailure=$on_failure shipped;" \
  "a misspelt key is reported"

# exposure UNITFILE: the overall exposure level, e.g. 1.4.
exposure() {
  systemd-analyze security --offline=true "$1" 2>/dev/null |
    sed -n 's/^→ Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
}
# at_most VALUE BOUND
at_most() { awk -v v="$1" -v b="$2" 'BEGIN { exit !(v != "" && v <= b) }'; }
for u in "${units[@]}"; do
  e=$(exposure "$SRC/systemd/$u")
  at_most "$e" 2.0 || fail "$u: overall exposure '$e' above 2.0"
  echo "exposure $u: $e"
done
debian=/lib/systemd/system/mosquitto.service
[ -f "$debian" ] || fail "$debian missing: Debian's mosquitto package (scripts/deps) is needed"
cat "$debian" "$SRC/config/mosquitto/mosquitto-hardening.conf" > "$T/mosquitto.service"
without=$(exposure "$debian") with=$(exposure "$T/mosquitto.service")
at_most "$with" 2.5 || fail "mosquitto.service with the drop-in: exposure '$with' above 2.5"
! at_most "$without" 9.0 || fail "mosquitto.service without the drop-in scored $without (<= 9.0)"
out=$(verify "$T/mosquitto.service" | grep -v "mosquitto.conf(5)\|mosquitto(8)") || true
[ -z "$out" ] || fail "verify, mosquitto.service with the drop-in: $out"
pass "exposure: vitalsd.service $(exposure "$SRC/systemd/vitalsd.service") (<= 2.0)," \
  "mosquitto.service $without without the drop-in, $with with it"

# The drop-in's capability bounding set and no_new_privs are enough for Debian's start: as root,
# mosquitto drops to its user and serves (setpriv applies them as systemd would; the namespace
# settings need systemd itself).
if [ "$(id -u)" -ne 0 ]; then
  echo "NOT CHECKED (needs root): mosquitto under the drop-in's capabilities"
else
  caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$SRC/config/mosquitto/mosquitto-hardening.conf" |
         tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
  [[ $caps == +*setuid*setgid* ]] || fail "drop-in capabilities not parsed: '$caps'"
  port=$((20000 + RANDOM % 20000))
  printf 'listener %s 127.0.0.1\nallow_anonymous true\nuser mosquitto\nlog_dest stderr\n' "$port" \
    > "$T/mq.conf"
  chmod 755 "$T"
  setpriv --bounding-set=-all,"$caps" --no-new-privs mosquitto -c "$T/mq.conf" 2>"$T/mq.log" &
  PIDS+=($!)
  wait_for 5 "mosquitto listening under the drop-in's capabilities" port_open "$port"
  [ "$(ps -o user= -p "${PIDS[-1]}")" = mosquitto ] ||
    fail "mosquitto runs as $(ps -o user= -p "${PIDS[-1]}"), not mosquitto"
  mosquitto_pub -h 127.0.0.1 -p "$port" -t t -m m -q 1 || fail "no publish: $(cat "$T/mq.log")"
  pass "mosquitto starts as root with only $caps and no_new_privs, drops to user mosquitto, serves"
fi
