#!/usr/bin/env bash
# Checks the .deb as Debian would (lintian with no errors, the menu entry
# with desktop-file-validate, the AppStream metainfo with appstreamcli),
# then installs it with dpkg, checks what landed, runs the installed
# program, purges it and checks that nothing is left. Installing needs
# root (CI runs as root); elsewhere it runs the unpacked program instead.
# Usage: scripts/deb-test.sh PACKAGE.deb
set -euo pipefail
deb=$(realpath "$1")
tmp=$(mktemp -d)
fail() { echo "deb-test: $*" >&2; exit 1; }
installed=false
cleanup() {
  if $installed; then dpkg --purge shardkeeper >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

dpkg-deb -f "$deb" Depends | grep -qE '(^|, )git-annex(,|$| )' || fail "the package does not depend on git-annex"
version=$(dpkg-deb -f "$deb" Version)
want=(/usr/bin/shardkeeper /usr/share/applications/org.shardkeeper.app.desktop
      /usr/share/metainfo/org.shardkeeper.app.metainfo.xml
      /usr/share/icons/hicolor/scalable/apps/org.shardkeeper.app.svg
      /usr/share/doc/shardkeeper/copyright)
for n in 48 64 128 256 512; do want+=("/usr/share/icons/hicolor/${n}x${n}/apps/org.shardkeeper.app.png"); done
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$tmp/contents"
for f in "${want[@]}"; do grep -qx "$f" "$tmp/contents" || fail "the package lacks $f"; done

lintian_ok=true
lintian --fail-on error --tag-display-limit 0 "$deb" >"$tmp/lintian.log" 2>&1 || lintian_ok=false
grep -v 'running with root privileges' "$tmp/lintian.log" || true
$lintian_ok || fail "lintian reports errors (above)"
dpkg-deb -x "$deb" "$tmp/x"
desktop-file-validate "$tmp/x/usr/share/applications/org.shardkeeper.app.desktop" || fail "invalid desktop entry"
appstreamcli validate --no-net "$tmp/x/usr/share/metainfo/org.shardkeeper.app.metainfo.xml" >"$tmp/as.log" 2>&1 \
  || { cat "$tmp/as.log"; fail "invalid AppStream metainfo"; }

if [ "$(id -u)" -ne 0 ]; then
  "$tmp/x/usr/bin/shardkeeper" --version | grep -qx "shardkeeper version $version" || fail "the packaged program does not run"
  echo "deb-test: ok ($(basename "$deb") is clean; not root, so not installed with dpkg)"
  exit 0
fi
if dpkg-query -W -f='${Status}' shardkeeper 2>/dev/null | grep -q 'install ok'; then
  fail "a shardkeeper package is already installed here; this test would remove it (dpkg --purge shardkeeper first)"
fi
installed=true
dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg -i failed"; }
for f in "${want[@]}"; do [ -e "$f" ] || fail "dpkg did not install $f"; done
out=$(HOME=$tmp/home /usr/bin/shardkeeper --version) || fail "the installed program does not run"
[ "$out" = "shardkeeper version $version" ] || fail "shardkeeper --version says \"$out\", want version $version"
dpkg --purge shardkeeper >"$tmp/dpkg.log" 2>&1 || { cat "$tmp/dpkg.log"; fail "dpkg --purge failed"; }
installed=false
left=$(grep -v '/$' "$tmp/contents" | while read -r f; do [ ! -e "$f" ] || echo "$f"; done)
[ -z "$left" ] || fail "purging left files behind: $left"
for d in /usr/share/doc/shardkeeper /var/lib/dpkg/info/shardkeeper.list; do
  [ ! -e "$d" ] || fail "purging left $d behind"
done
dpkg-query -W shardkeeper >/dev/null 2>&1 && fail "dpkg still knows the package after the purge"
echo "deb-test: ok ($(basename "$deb"): lintian clean of errors, installs, runs, purges without a trace)"
