#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every relative Markdown link in README.md and the docs resolves, and so does every repository
# path written in backquotes (`src/store/store.c`, `tests/sim/`), so that a file that moves cannot
# leave its documentation pointing at nothing.
set -euo pipefail
SRC=${VSD_SOURCE_DIR:?VSD_SOURCE_DIR not set}
cd "$SRC"
bad=0
checked=0

mapfile -t docs < <({ ls README.md; find docs bench tests/sim -name '*.md'; } | sort -u)
for doc in "${docs[@]}"; do
  dir=$(dirname "$doc")
  # [text](target): relative targets only (no scheme, no pure #anchor).
  while IFS=: read -r line target; do
    target=${target%%#*}
    [ -n "$target" ] || continue
    checked=$((checked + 1))
    [ -e "$dir/$target" ] || { echo "$doc:$line: link to '$target' resolves to nothing"; bad=1; }
  done < <(grep -n -o '\](\([^)]*\))' "$doc" | sed -E 's/^([0-9]+):\]\(([^) ]*).*$/\1:\2/' |
           grep -v -E '^[0-9]+:([a-z]+:|#|$)' || true)
  # `path` naming a file or folder of the repository (placeholders and globs are not paths).
  while IFS=: read -r line path; do
    path=${path%%:*}
    [[ $path =~ [\<\>\*\{\}\ \$] ]] && continue
    checked=$((checked + 1))
    [ -e "$path" ] || { echo "$doc:$line: path '$path' does not exist"; bad=1; }
  done < <(grep -n -o -E '`(src|drivers|include|tests|docs|scripts|config|systemd|bench|dashboard)/[^`]*`' "$doc" |
           sed -E 's/^([0-9]+):`([^`]*)`$/\1:\2/' || true)
done
[ $checked -gt 20 ] || { echo "FAIL: only $checked links and paths found: the scan itself is broken"; exit 1; }
[ $bad -eq 0 ] || { echo "FAIL: broken links or paths above"; exit 1; }
echo "ok: $checked links and paths in ${#docs[@]} documents resolve"
