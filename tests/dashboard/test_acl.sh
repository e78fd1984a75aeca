#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The broker's ACL (config/mosquitto/acl) against a nurse's own credentials, used from the
# browser with the dashboard's MQTT library: she cannot publish an alert, a retained alert list,
# readings, a device status, the daemon's state or a reply, nor a command on another nurse's
# topic, nor read another nurse's replies; her own command is answered (positive control). A
# watcher with the daemon's account sees that none of it reached the broker's subscribers.
. "$(dirname "$0")/lib.sh"
need_tools
start_dash_broker
dash_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 2
start_daemon "$T/vitalsd.conf"
run_node acl.js
grep -q FAKE "$T/vitalsd.log" && fail "a refused message reached vitalsd: $(grep FAKE "$T/vitalsd.log")"
[ "$(sql "select count(*) from sessions where session_id like 'FAKE%'")" -eq 0 ] ||
  fail "a command on another nurse's topic was acted on"
pass "nothing refused by the broker reached vitalsd or its database"
