#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Export speed: N readings (default 1,000,000 and 10,000,000) to CSV and FHIR with vitalsctl,
# beside `sqlite3 -csv` running the same query in the same run; rows/s and the ratio.
# Usage: bench/export.sh [BUILD_DIR] [N...]     (e.g. bench/export.sh build 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
ctl="$build/vitalsctl"
[ -x "$ctl" ] || { echo "bench: $ctl not built (scripts/build $build)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/vsd-bench-export.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# A database shaped like the daemon's (schema from a real vitalsd store), filled with N readings
# of one session: 5 vitals per second-tick, 7 % flagged, 1 % without a value.
make_db() {
  local n=$1 db=$tmp/bench-$1.db
  sqlite3 "$db" <<SQL >/dev/null
PRAGMA journal_mode=WAL;
$(sqlite3 "$SCHEMA_DB" .schema)
PRAGMA user_version=$(sqlite3 "$SCHEMA_DB" 'PRAGMA user_version');
WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < $n - 1)
INSERT INTO readings (ts_ms, ts_source, bed, device, session_id, vital, value, flags)
SELECT 1795300000000 + (k / 5) * 1000, 0, 'b1', 'm1', 'S-BENCH',
       CASE k % 5 WHEN 0 THEN 'hr' WHEN 1 THEN 'spo2' WHEN 2 THEN 'rr' WHEN 3 THEN 'pr'
                  ELSE 'nibp_sys' END,
       CASE WHEN k % 100 = 7 THEN NULL ELSE 60 + (k % 37) + 0.5 END,
       CASE WHEN k % 100 = 7 THEN 3 WHEN k % 14 = 0 THEN 4 ELSE 0 END
FROM i;
SQL
  echo "$db"
}

# The store's own schema, taken from its source (schema_v1 in src/store/store_schema.c).
SCHEMA_DB=$tmp/schema.db
sqlite3 "$SCHEMA_DB" "$(sed -n '/^static const char schema_v1\[\] =/,/;$/p' src/store/store_schema.c |
  sed '1d; s/"//g' | tr -d '\n')" 2>/dev/null ||
  { echo "bench: cannot build the schema" >&2; exit 1; }

query="SELECT ts_ms, session_id, bed, device, vital, value, flags FROM readings
  WHERE session_id = 'S-BENCH' ORDER BY ts_ms, id"
secs() { local s=$1 e=$2; awk -v s="$s" -v e="$e" 'BEGIN { printf "%.2f", e - s }'; }
now() { date +%s.%N; }

printf '%-10s %-8s %10s %12s %14s %8s\n' rows format seconds rows/s "sqlite3 rows/s" ratio
for n in "${sizes[@]}"; do
  db=$(make_db "$n")
  t0=$(now); sqlite3 -csv "$db" "$query" > "$tmp/ref.csv"; t1=$(now)
  ref=$(secs "$t0" "$t1")
  for fmt in csv fhir; do
    t0=$(now)
    "$ctl" --db "$db" export --session S-BENCH --format "$fmt" > "$tmp/out.$fmt" 2>/dev/null
    t1=$(now)
    s=$(secs "$t0" "$t1")
    awk -v n="$n" -v s="$s" -v r="$ref" -v f="$fmt" 'BEGIN {
      printf "%-10d %-8s %10.2f %12.0f %14.0f %8.2f\n", n, f, s, n / s, n / r, r / s }'
  done
  rm -f "$db" "$tmp/out."* "$tmp/ref.csv"
done
echo "ratio = sqlite3 time / vitalsctl time (> 1: vitalsctl faster). FHIR groups BP rows into panels."
