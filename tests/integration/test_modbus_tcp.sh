#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Modbus TCP link faults against the simulator, three gateways on three ports, one daemon run:
# T01 a silent unit raises comms_loss within 2P + Tr, stores nothing while silent (a gap, never a
# repeated value) and clears within 2P of answering again; T08 a gateway power-cycle (connections
# reset, then refused) raises comms_loss and recovers without a restart; T10 a slow but healthy
# unit answering at 0.8 x its timeout raises no alert during the whole run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_modbus.sh"

P=400 # poll period, ms
TR=250
start_broker
start_mbsim --tcp "0:1=$PROFILE" --tcp "0:1=$PROFILE" --tcp "0:1=$PROFILE"
PA=$(mbsim_port 1) PB=$(mbsim_port 2) PC=$(mbsim_port 3)
mb_head "$T/vitalsd.conf"
add_mb_tcp "$T/vitalsd.conf" silent "$PA" 1 ${P}ms ${TR}ms
add_mb_tcp "$T/vitalsd.conf" slow "$PB" 1 200ms 150ms
add_mb_tcp "$T/vitalsd.conf" gateway "$PC" 1 ${P}ms ${TR}ms
add_bed "$T/vitalsd.conf" b1 silent
add_bed "$T/vitalsd.conf" b2 slow
add_bed "$T/vitalsd.conf" b3 gateway
simcmd fault "$PB.1" delay 120ms >/dev/null # 0.8 x its 150 ms timeout

subscribe 'vitals/test/bed/+/alert' "$T/alerts.txt"
start_daemon "$T/vitalsd.conf"
t_start=$(now_ms)
all_polled() { polled silent 3 && polled slow 3 && polled gateway 3; }
wait_for 10 "readings from all three gateways" all_polled
pass "three Modbus TCP units polled"

# --- T01: silent unit
t_sil=$(now_ms)
simcmd fault "$PA.1" silent on >/dev/null
wait_for 5 "comms_loss for the silent unit" has_alert silent comms_loss
raised=$(sql "select raised_ms from alerts where device='silent' and code='comms_loss'")
lat=$((raised - t_sil))
[ "$lat" -le $((2 * P + TR + 300)) ] || fail "comms_loss ${lat} ms after the unit fell silent (want <= 2P + Tr)"
pass "silent unit: comms_loss ${lat} ms after it fell silent (2P + Tr = $((2 * P + TR)))"
sleep 2
[ "$(alert_count silent comms_loss 'and cleared_ms is null')" -eq 1 ] || fail "comms_loss cleared while the unit is still silent"
t_back=$(now_ms)
simcmd fault "$PA.1" silent off >/dev/null
wait_for 5 "comms_loss cleared" has_cleared silent comms_loss
cleared=$(sql "select cleared_ms from alerts where device='silent' and code='comms_loss'")
lat=$((cleared - t_back))
[ "$lat" -le $((2 * P + 300)) ] || fail "comms_loss cleared ${lat} ms after the unit answered again (want <= 2P)"
pass "comms_loss cleared ${lat} ms after the unit answered again"
gap=$(polls silent $((t_sil + 100)) "$t_back")
[ "$gap" -eq 0 ] || fail "$gap polls stored while the unit was silent"
wait_for 5 "readings after the silence" polled silent 1 "$cleared"
pass "no reading stored during the $((t_back - t_sil)) ms of silence"

# --- T08: gateway power-cycle: connections reset, then refused for 4 s, then back
t_down=$(now_ms)
simcmd down "$PC" 4s >/dev/null
wait_for 5 "comms_loss for the power-cycled gateway" has_alert gateway comms_loss
raised=$(sql "select raised_ms from alerts where device='gateway' and code='comms_loss'")
lat=$((raised - t_down))
[ "$lat" -le $((2 * P + 300)) ] || fail "gateway comms_loss ${lat} ms after the reset (want <= 2P)"
pass "gateway reset: comms_loss ${lat} ms later"
if port_open "$PC"; then fail "the powered-off gateway still accepts connections"; fi
pass "the powered-off gateway refuses connections"
wait_for 10 "gateway comms_loss cleared" has_cleared gateway comms_loss
cleared=$(sql "select cleared_ms from alerts where device='gateway' and code='comms_loss'")
lat=$((cleared - (t_down + 4000)))
[ "$lat" -le 2500 ] || fail "gateway picked up ${lat} ms after it came back (want <= max(P, 1 s) + P)"
kill -0 "$DAEMON_PID" || fail "vitalsd died"
wait_for 5 "readings after the power-cycle" polled gateway 1 "$cleared"
pass "gateway picked up ${lat} ms after it came back, without a restart"

# --- T10: the slow unit ran the whole time at 0.8 x its timeout; give it 150 polls in all
wait_for 40 "150 polls of the slow unit" polled slow 150
t_end=$(now_ms)
[ "$(alert_count slow comms_loss)" -eq 0 ] || fail "false comms_loss for the slow but healthy unit"
[ "$(alert_count slow comms_degraded)" -eq 0 ] || fail "false comms_degraded for the slow unit"
stored=$(polls slow) replies=$(simstat "$PB.1" replies)
expect=$(((t_end - t_start) / 200))
[ "$stored" -ge $((expect * 85 / 100)) ] || fail "slow unit: $stored polls stored, expected about $expect"
pass "slow unit (reply after 120 ms, timeout 150 ms): $stored polls stored of $replies replies, no alert"

# MQTT saw the same alerts.
has_events "$T/alerts.txt" '.bed=="b1" and .code=="comms_loss" and .event=="raised"' || fail "no comms_loss raised on MQTT"
has_events "$T/alerts.txt" '.bed=="b1" and .code=="comms_loss" and .event=="cleared"' || fail "no comms_loss cleared on MQTT"
has_events "$T/alerts.txt" '.bed=="b3" and .code=="comms_loss" and .event=="cleared"' || fail "gateway recovery not on MQTT"
[ "$(count_events "$T/alerts.txt" '.bed=="b2"')" -eq 0 ] || fail "alert events for the slow unit on MQTT"
pass "comms_loss raised and cleared on MQTT for b1 and b3, nothing for b2"

stop_daemon
[ "$(sql 'pragma integrity_check')" = ok ] || fail "integrity_check"
