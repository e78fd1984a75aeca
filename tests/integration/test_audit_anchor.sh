#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The audit chain anchored outside the database (T39): after each change vitalsd publishes the
# chain head retained on vitals/<area>/audit/head and logs "audit head N HASH". Deleting the
# newest rows, or rewriting the whole chain with recomputed hashes, passes the chain walk alone;
# `audit verify --expect-head` (the published head) and `--manifest` (an export's head) catch both.
. "$(dirname "$0")/lib.sh"

# recompute DB: rewrite every prev_hash and hash from the genesis the way vitalsd computes them
# (src/store/audit_hash.c), as someone with write access to the database and the code could.
recompute() {
  cat > "$T/recompute.js" <<'JS'
const crypto = require("crypto");
const text = require("fs").readFileSync(0, "utf8").trim();
const rows = text ? JSON.parse(text) : [];
const field = (s) => { const b = Buffer.from(String(s), "utf8");
  return Buffer.concat([Buffer.from(b.length + ":"), b, Buffer.from("\n")]); };
let prev = "0".repeat(64);
const out = ["BEGIN;"];
for (const r of rows) {
  const h = crypto.createHash("sha256").update(Buffer.concat([Buffer.from(prev + "\n"),
    field(r.id), field(r.ts_ms), field(r.actor), field(r.action),
    r.detail === null ? Buffer.from("-\n") : field(r.detail)])).digest("hex");
  out.push(`UPDATE audit SET prev_hash='${prev}', hash='${h}' WHERE id=${r.id};`);
  prev = h;
}
out.push("COMMIT;");
console.log(out.join("\n"));
JS
  sqlite3 -json "$1" "select id, ts_ms, actor, action, detail from audit order by id" |
    node "$T/recompute.js" | sqlite3 "$1"
}

# verify_fails NAME DB ARGS... PATTERN: verify must exit 1 and print PATTERN.
verify_fails() {
  local name=$1 db=$2 pattern=${*: -1} rc=0 out
  out=$("$VITALSCTL" audit verify --db "$db" "${@:3:$#-3}") || rc=$?
  [ $rc -eq 1 ] || fail "$name: verify exited $rc, want 1: $out"
  grep -q "$pattern" <<<"$out" || fail "$name: want /$pattern/ in: $out"
  pass "$name detected: $(grep "$pattern" <<<"$out" | head -n1)"
}

start_broker
write_config "$T/vitalsd.conf"
add_sim_beds "$T/vitalsd.conf" 1
start_daemon "$T/vitalsd.conf"

# --- the head is published, retained, and logged, after every change
heads() { mosquitto_sub -h 127.0.0.1 -p "$PORT" -t vitals/test/audit/head -C 1 -W 3 -F '%r %p'; }
ctl session start --bed b1 --session V-1 --by "Nurse A" >/dev/null || fail "session start"
ctl session end --bed b1 --session V-1 --by "Nurse A" >/dev/null || fail "session end"
n=$(sql "select max(id) from audit")
h=$(sql "select hash from audit where id=$n")
published() { heads | grep -q "^1 {\"id\":$n,\"hash\":\"$h\",\"time\":\"[0-9T:.-]*Z\"}$"; }
wait_for 5 "head $n published retained" published
grep -q "audit head $n $h" "$T/vitalsd.log" || fail "no journal line 'audit head $n $h'"
pass "head $n published retained on vitals/test/audit/head and logged"

# --- an export's manifest names the head at export time; then the chain grows
ctl export --what audit --format csv -o "$T/audit.csv" --by "Auditor Q" 2>/dev/null ||
  fail "export -o"
m_id=$(jq -r .audit_chain_head.id "$T/audit.csv.manifest.json")
ctl session start --bed b1 --session V-2 --by "Nurse A" >/dev/null || fail "session start V-2"
n=$(sql "select max(id) from audit")
h=$(sql "select hash from audit where id=$n")
wait_for 5 "new head $n published" published
anchor=$(heads | sed 's/^1 //' | jq -r .hash)
[ "$anchor" = "$h" ] || fail "retained head $anchor is not row $n's hash $h"
stop_daemon
n=$(sql "select max(id) from audit")
h=$(sql "select hash from audit where id=$n")
grep -q "audit head $n $h" "$T/vitalsd.log" || fail "the final head $n is not in the log"
pass "a new subscriber gets the latest head; the final head is logged at shutdown"

# --- intact: every anchor holds
out=$("$VITALSCTL" audit verify --db "$T/vitalsd.db" --expect-head "$anchor" \
  --manifest "$T/audit.csv.manifest.json") || fail "intact: verify exited $?: $out"
grep -q "^expected head ok: row [0-9]* of the verified chain" <<<"$out" || fail "intact: $out"
grep -q "^manifest .* head ok: row $m_id of the verified chain" <<<"$out" || fail "intact: $out"
grep -q "the manifest itself is recorded at audit row" <<<"$out" || fail "manifest row: $out"
cp "$T/vitalsd.db" "$T/same.db"
recompute "$T/same.db"
[ "$(sql "select group_concat(hash) from audit")" = \
  "$(sqlite3 "$T/same.db" "select group_concat(hash) from audit")" ] ||
  fail "the test's recomputation does not match vitalsd's hashes"
pass "intact chain: the published head and the manifest's head hold"

# --- the newest rows deleted: the walk passes, the published head is gone
cp "$T/vitalsd.db" "$T/cut.db"
sqlite3 "$T/cut.db" "delete from audit where id > $m_id"
out=$("$VITALSCTL" audit verify --db "$T/cut.db") || true
grep -q "^audit chain ok" <<<"$out" ||
  fail "cut chain: the walk alone should pass (that is the weakness anchored here): $out"
verify_fails "newest rows deleted (--expect-head)" "$T/cut.db" --expect-head "$anchor" \
  "^expected head NOT IN THE CHAIN: no row of the chain has hash $anchor: rows were deleted"
sqlite3 "$T/cut.db" "delete from audit where id >= $m_id"
verify_fails "manifest head deleted (--manifest)" "$T/cut.db" \
  --manifest "$T/audit.csv.manifest.json" "head NOT IN THE CHAIN: row $m_id is not in the chain"

# --- the whole chain rewritten (an edited actor, every hash recomputed)
cp "$T/vitalsd.db" "$T/forged.db"
sqlite3 "$T/forged.db" "update audit set actor='Someone Else' where id=2"
recompute "$T/forged.db"
out=$("$VITALSCTL" audit verify --db "$T/forged.db") || true
grep -q "^audit chain ok" <<<"$out" ||
  fail "forged chain: the walk alone should pass (that is the weakness anchored here): $out"
verify_fails "recomputed chain (--expect-head)" "$T/forged.db" --expect-head "$anchor" \
  "^expected head NOT IN THE CHAIN: .*rewritten"
verify_fails "recomputed chain (--manifest)" "$T/forged.db" \
  --manifest "$T/audit.csv.manifest.json" "head CHANGED: row $m_id now has hash"

# --- what an auditor types wrong is a usage error, not a verdict
rc=0; "$VITALSCTL" audit verify --db "$T/vitalsd.db" --expect-head nothex 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "a malformed --expect-head exited $rc, want 2"
rc=0; "$VITALSCTL" audit verify --db "$T/vitalsd.db" --manifest "$T/none.json" 2>/dev/null || rc=$?
[ $rc -eq 2 ] || fail "a missing manifest exited $rc, want 2"
pass "malformed hash and missing manifest: exit 2"
