#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The man pages (man/): each renders without a single groff or man warning and has the sections
# a reader looks for; vitalsd-profiles(5) documents exactly the keys the profile loader accepts,
# section by section (the keys[] lists of drivers/modbus/profile.c and profile_identity.c); vitalsctl(1) has exactly
# one COMMANDS entry per command of vitalsctl's dispatch (run_command in src/ctl/vitalsctl.c);
# vitalsd(8) names every long option of vitalsd. vitalsd.conf(5) against the configuration
# schema: tests/unit/config/test_man_pages.c.
. "$VSD_SOURCE_DIR/tests/integration/lib.sh"
M=$SRC/man
pages=(vitalsd.8 vitalsctl.1 vitalsd.conf.5 vitalsd-profiles.5)
[ "$(cd "$M" && ls | sort)" = "$(printf '%s\n' "${pages[@]}" | sort)" ] ||
  fail "man/ holds $(ls "$M" | tr '\n' ' '), expected ${pages[*]}"

# 1. Rendering: groff with every warning, and man(1) as a reader runs it.
for p in "${pages[@]}"; do
  out=$(groff -man -ww -z "$M/$p" 2>&1) || fail "groff failed on $p: $out"
  [ -z "$out" ] || fail "groff warns on $p: $out"
  out=$(MANWIDTH=80 man --warnings -l "$M/$p" 2>&1 >"$T/$p.txt") || fail "man -l $p: $out"
  [ -z "$out" ] || fail "man -l warns on $p: $out"
  for s in NAME SYNOPSIS DESCRIPTION FILES EXAMPLES "SEE ALSO"; do
    grep -q "^$s\$" "$T/$p.txt" || fail "$p has no $s section"
  done
done
for p in vitalsd.8 vitalsctl.1; do
  grep -q '^EXIT STATUS$' "$T/$p.txt" || fail "$p has no EXIT STATUS section"
done
pass "${#pages[@]} pages render without warnings, each with NAME ... SEE ALSO"

# keys_in_page PAGE: "SECTION KEY" per entry (".TP" then "\fBkey\fR") under SECTIONS, SECTION
# being the heading's first word inside the brackets ("[vital.NAME]" -> vital).
keys_in_page() {
  awk '/^\.SH/ { on = ($2 == "SECTIONS") }
       on && /^\.SS/ { s = $0; sub(/^[^[]*\[/, "", s); sub(/[].].*$/, "", s) }
       on && tp && /^\\fB/ { k = $0; sub(/^\\fB/, "", k); sub(/\\.*$/, "", k); print s, k }
       { tp = /^\.TP/ }' "$1" | sort -u
}

# 2. Profile keys: each loader's keys[] list, named by the section it loads.
awk '/^static int load_field/ { s = "vital" } /^static int load_status/ { s = "status" }
     /^static int load_stamp/ { s = "nibp_stamp" } /^static int load_header/ { s = "profile" }
     /^int vsd_mbp_load_identity/ { s = "identity" }
     /static const char \*const keys\[\]/ { on = s != "" }
     on { line = $0; while (match(line, /"[a-z_]+"/)) {
            print s, substr(line, RSTART + 1, RLENGTH - 2)
            line = substr(line, RSTART + RLENGTH) } }
     on && /NULL/ { on = 0; s = "" }' "$SRC/drivers/modbus/profile.c" \
  "$SRC/drivers/modbus/profile_identity.c" | sort -u > "$T/profile-keys"
loaders=$(cut -d' ' -f1 "$T/profile-keys" | sort -u | tr '\n' ' ')
[ "$loaders" = "identity nibp_stamp profile status vital " ] ||
  fail "profile.c's loaders not all found: $loaders"
keys_in_page "$M/vitalsd-profiles.5" > "$T/profile-page"
diff "$T/profile-keys" "$T/profile-page" > "$T/profile.diff" ||
  fail "profile keys (<) and vitalsd-profiles(5) (>) differ: $(cat "$T/profile.diff")"
pass "vitalsd-profiles(5) documents the $(wc -l < "$T/profile-keys") keys of profile.c's" \
  "5 sections, no more"

# 3. vitalsctl's commands: its dispatch against the COMMANDS headings.
sed -n '/^static int run_command/,/^}/p' "$SRC/src/ctl/vitalsctl.c" |
  sed -n 's/.*strcmp(cmd, "\([a-z-]*\)").*/\1/p' | sort -u > "$T/commands"
[ "$(wc -l < "$T/commands")" -ge 10 ] || fail "vitalsctl's dispatch not found: $(cat "$T/commands")"
awk '/^\.SH/ { on = ($2 == "COMMANDS") } on && /^\.SS/ { c = $2; gsub(/["\\]/, "", c); print c }' \
  "$M/vitalsctl.1" | sort -u > "$T/commands-page"
diff "$T/commands" "$T/commands-page" > "$T/commands.diff" ||
  fail "vitalsctl's commands (<) and vitalsctl(1) (>) differ: $(cat "$T/commands.diff")"
pass "vitalsctl(1) has one entry per command: $(tr '\n' ' ' < "$T/commands")"

# 4. vitalsd's long options in vitalsd(8).
opts=$(sed -n 's/.*{"\([a-z-]*\)", *[a-z_]*_argument.*/\1/p' "$SRC/src/main.c")
[ -n "$opts" ] || fail "no long options found in src/main.c"
for o in $opts; do
  grep -q "\\\\-\\\\-${o//-/\\\\-}" "$M/vitalsd.8" || fail "vitalsd(8) lacks --$o"
done
pass "vitalsd(8) names --$(echo $opts | sed 's/ / --/g')"
