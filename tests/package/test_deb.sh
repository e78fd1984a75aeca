#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian package, as a clinic's IT gets it: cpack builds the .deb from the (already built)
# build folder; its control data names Debian's packages as dependencies, marks every file under
# /etc as a conffile and carries the maintainer scripts; dpkg -x unpacks it into a scratch root
# where every file is checked in its FHS place with its mode, the postinst's steps (sysusers,
# tmpfiles) run against that root, and the installed vitalsd checks the installed example
# configuration and every installed Modbus profile, and names its version and commit.
. "$VSD_SOURCE_DIR/tests/integration/lib.sh"

# 1. Build the package (into the scratch folder: the build folder gets no _CPack_Packages).
(cd "$BUILD" && cpack -G DEB -B "$T/cpack" > "$T/cpack.log" 2>&1) ||
  fail "cpack failed: $(tail -n 5 "$T/cpack.log")"
version=$(sed -n 's/^project(vitalsd VERSION \([0-9.]*\).*/\1/p' "$SRC/CMakeLists.txt")
deb=$T/cpack/vitalsd_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || fail "no $deb: $(ls "$T/cpack")"
pass "cpack built $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# 2. Depends: the Debian package of every library the programs link directly (NEEDED).
depends=$(dpkg-deb -f "$deb" Depends)
for bin in "$BUILD/vitalsd" "$BUILD/vitalsctl"; do
  for soname in $(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
    path=$(ldd "$bin" | awk -v s="$soname" '$1 == s { print $3 }')
    [ -n "$path" ] || fail "$soname of $bin not found by ldd"
    echo "$path"
  done
done | sort -u > "$T/libs"
# One dpkg -S for all (it is slow); with merged /usr a library may be known by its /usr path.
dpkg -S $(cat "$T/libs") $(sed 's|^/lib|/usr/lib|' "$T/libs") 2>/dev/null > "$T/owners" || true
n=0
while read -r path; do
  pkg=$(grep -m1 -e ": $path\$" -e ": /usr$path\$" "$T/owners" | cut -d: -f1) ||
    fail "no Debian package owns $path"
  [[ ", $depends," == *", $pkg "* || ", $depends," == *", $pkg,"* ]] ||
    fail "Depends lacks $pkg ($path): $depends"
  n=$((n + 1))
done < "$T/libs"
for pkg in libsqlite3-0 libmosquitto1 libcjson1 libinih1 libsystemd0 libssl3 libmodbus5 \
           libserialport0; do
  [[ ", $depends," == *", $pkg"[\ ,]* ]] || fail "Depends lacks $pkg: $depends"
done
[[ $depends != *-dev* ]] || fail "Depends names a -dev package: $depends"
pass "Depends names the Debian package of each of $n linked libraries: $depends"

# 3. Control files: conffiles (every file under /etc), the maintainer scripts.
dpkg-deb -e "$deb" "$T/control"
mkdir -p "$T/root"
dpkg-deb -x "$deb" "$T/root"
R=$T/root
(cd "$R" && find etc -type f | sed 's|^|/|' | sort) > "$T/etc-files"
sort "$T/control/conffiles" > "$T/conffiles"
grep -qx /etc/vitalsd/vitalsd.conf "$T/conffiles" || fail "vitalsd.conf is not a conffile"
diff "$T/etc-files" "$T/conffiles" > "$T/conffiles.diff" ||
  fail "files under /etc and conffiles differ: $(cat "$T/conffiles.diff")"
grep -q '^ *systemd-sysusers vitalsd.conf' "$T/control/postinst" || fail "postinst: no sysusers"
grep -q '^ *systemd-tmpfiles --create vitalsd.conf' "$T/control/postinst" ||
  fail "postinst: no tmpfiles"
# (quoted text left out: a message may tell the administrator to restart)
! sed "s/'[^']*'//g; s/\"[^\"]*\"//g" "$T/control/postinst" |
  grep -Eq 'systemctl[^|]*(start|enable|restart)' ||
  fail "postinst starts or enables the service (its alarm limits are placeholders)"
for s in postinst prerm postrm; do
  [ "$(stat -c %a "$T/control/$s")" = 755 ] || fail "$s is not mode 755"
  sh -n "$T/control/$s" || fail "$s: shell syntax"
done
pass "conffiles: $(wc -l < "$T/conffiles") files, all of /etc;" \
  "postinst runs sysusers and tmpfiles, starts nothing"

# 4. The layout: each file in its FHS place, with its mode, owned by root.
[ -f "$SRC/dashboard/vendor/mqtt.min.js" ] ||
  fail "dashboard/vendor/mqtt.min.js is missing: the packaged dashboard cannot connect" \
    "(scripts/deps copies it)"
while read -r mode path; do
  [ -e "$R/$path" ] || fail "missing /$path"
  got=$(stat -c %a "$R/$path")
  [ "$got" = "$mode" ] || fail "/$path has mode $got, not $mode"
done <<'LAYOUT'
755 usr/bin/vitalsd
755 usr/bin/vitalsctl
644 etc/vitalsd/vitalsd.conf
644 etc/vitalsd/profiles/generic-gateway.conf
644 etc/vitalsd/profiles/dfrobot-sen0344.conf
644 usr/lib/systemd/system/vitalsd.service
644 usr/lib/systemd/system/vitalsd-failed.service
644 usr/lib/sysusers.d/vitalsd.conf
644 usr/lib/tmpfiles.d/vitalsd.conf
644 usr/share/vitalsd/dashboard/index.html
644 usr/share/vitalsd/dashboard/app.js
644 usr/share/vitalsd/dashboard/vendor/mqtt.min.js
644 usr/share/man/man8/vitalsd.8
644 usr/share/man/man1/vitalsctl.1
644 usr/share/man/man5/vitalsd.conf.5
644 usr/share/man/man5/vitalsd-profiles.5
644 usr/share/doc/vitalsd/README.md
644 usr/share/doc/vitalsd/docs/configuration.md
644 usr/share/doc/vitalsd/examples/mosquitto/mosquitto.conf
644 usr/share/doc/vitalsd/examples/mosquitto/acl
644 usr/share/doc/vitalsd/examples/mosquitto/mosquitto.service.d/mosquitto-hardening.conf
LAYOUT
[ "$(ls "$R")" = "$(printf 'etc\nusr')" ] || fail "top-level folders: $(ls "$R" | tr '\n' ' ')"
[ "$(ls "$R/usr")" = "$(printf 'bin\nlib\nshare')" ] || fail "usr/: $(ls "$R/usr" | tr '\n' ' ')"
writable=$(find "$R" -perm /022 -type f)
[ -z "$writable" ] || fail "group/world-writable: $writable"
! dpkg-deb -c "$deb" | awk '$2 != "root/root"' | grep -q . || fail "a file not owned by root"
[ -z "$(find "$R" -name demo-accounts)" ] || fail "the demo's broker accounts are in the package"
pass "layout: $(find "$R" -type f | wc -l) files in FHS places, modes as expected, owned by root"

# 5. The postinst's steps against the scratch root: the account and /etc/vitalsd's group.
systemd-sysusers --root="$R" > "$T/sysusers.log" 2>&1 || fail "sysusers: $(cat "$T/sysusers.log")"
grep -q '^vitalsd:x:[0-9]*:[0-9]*:[^:]*:/var/lib/vitalsd:/usr/sbin/nologin$' "$R/etc/passwd" ||
  fail "no vitalsd account: $(cat "$R/etc/passwd")"
grep -q '^dialout:x:[0-9]*:.*vitalsd' "$R/etc/group" || fail "vitalsd not in dialout"
systemd-tmpfiles --root="$R" --create > "$T/tmpfiles.log" 2>&1 ||
  fail "tmpfiles: $(cat "$T/tmpfiles.log")"
gid=$(awk -F: '$1 == "vitalsd" { print $3 }' "$R/etc/group")
[ "$(stat -c '%a %u %g' "$R/etc/vitalsd")" = "750 0 $gid" ] ||
  fail "/etc/vitalsd is $(stat -c '%a %u %g' "$R/etc/vitalsd"), not 750 root vitalsd($gid)"
pass "sysusers and tmpfiles: account vitalsd (nologin, in dialout), /etc/vitalsd 0750 root:vitalsd"

# 6. The installed daemon on the installed example, as it is (its paths are the live system's:
# the database folder is only checked when the daemon starts, so none is rewritten).
out=$("$R/usr/bin/vitalsd" --check-config "$R/etc/vitalsd/vitalsd.conf" 2>&1) ||
  fail "the installed example does not check: $out"
[[ $out == *": ok (2 beds, 2 devices)" ]] || fail "check-config said: $out"
pass "installed vitalsd --check-config installed vitalsd.conf: ${out##*: }"
# Each installed profile, through a copy of the example with one Modbus/TCP device more; a
# relative profile name is looked up in VITALSD_PROFILE_DIR, here the scratch root's folder.
for p in "$R"/etc/vitalsd/profiles/*.conf; do
  cp "$R/etc/vitalsd/vitalsd.conf" "$T/modbus.conf"
  printf '[device.chair-9]\ndriver = modbus-tcp\nhost = 10.1.2.30\nunit_id = 1\nprofile = %s\n' \
    "$(basename "$p")" >> "$T/modbus.conf"
  printf '[bed.chair-9]\ndevices = chair-9\n' >> "$T/modbus.conf"
  out=$(VITALSD_PROFILE_DIR=$R/etc/vitalsd/profiles \
        "$R/usr/bin/vitalsd" --check-config "$T/modbus.conf" 2>&1) ||
    fail "installed profile $(basename "$p"): $out"
  [[ $out == *": ok (3 beds, 3 devices)" ]] || fail "profile $(basename "$p"): $out"
done
# ...and a profile that is not installed is refused (the check above can fail).
sed -i 's/^profile = .*/profile = no-such-profile.conf/' "$T/modbus.conf"
! VITALSD_PROFILE_DIR=$R/etc/vitalsd/profiles "$R/usr/bin/vitalsd" --check-config "$T/modbus.conf" \
  > /dev/null 2>&1 || fail "a missing profile was accepted"
pass "every installed profile loads with the example; a missing one is refused"

# 7. Version and commit.
commit=unknown
if [ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$(realpath "$SRC")" ]; then
  commit=$(git -C "$SRC" rev-parse --short=12 HEAD)
fi
for prog in vitalsd vitalsctl; do
  out=$("$R/usr/bin/$prog" --version)
  [[ $out =~ ^$prog\ $version\ \(commit\ $commit(-dirty)?\)$ ]] ||
    fail "$prog --version: '$out', expected $version and commit $commit"
done
pass "--version: $out"
