#!/usr/bin/env bash
# Builds the Debian package of the desktop app from a finished build:
# /usr/bin/shardkeeper, its menu entry, hicolor icons (PNG 48-512 and SVG),
# AppStream metainfo and the Debian docs. No root needed (dpkg-deb
# --root-owner-group). scripts/deb-test.sh checks and installs the result.
# Usage: scripts/build-deb.sh BINARY VERSION OUTDIR   (prints the .deb's path)
# DEB_MAINTAINER overrides the Maintainer field.
set -euo pipefail
bin=$1 version=$2 outdir=$3
cd "$(dirname "$0")/.."
arch=$(dpkg --print-architecture)
maint=${DEB_MAINTAINER:-"Shardkeeper project <shardkeeper@users.noreply.github.com>"}
when=$(git log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH=$when
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
fill() { # fill TEMPLATE: the packaging templates' @NAME@ placeholders
  sed -e "s|@VERSION@|$version|g" -e "s|@ARCH@|$arch|g" -e "s|@MAINTAINER@|$maint|g" \
      -e "s|@DATE@|$(date -u -d "@$when" +%F)|g" -e "s|@RFC2822DATE@|$(date -u -R -d "@$when")|g" "$1"
}

install -D -m 0755 "$bin" "$root/usr/bin/shardkeeper"
install -D -m 0644 packaging/linux/org.shardkeeper.app.desktop "$root/usr/share/applications/org.shardkeeper.app.desktop"
mkdir -p "$root/usr/share/metainfo" "$root/usr/share/doc/shardkeeper" "$root/DEBIAN"
fill packaging/linux/org.shardkeeper.app.metainfo.xml > "$root/usr/share/metainfo/org.shardkeeper.app.metainfo.xml"
go run ./assets/gen -package "$tmp/icons" >/dev/null
mkdir -p "$root/usr/share/icons"
cp -r "$tmp/icons/hicolor" "$root/usr/share/icons/"
install -m 0644 packaging/deb/copyright "$root/usr/share/doc/shardkeeper/copyright"
fill packaging/deb/changelog | gzip -9n > "$root/usr/share/doc/shardkeeper/changelog.gz"
mkdir -p "$root/usr/share/man/man1"
gzip -9n < packaging/deb/shardkeeper.1 > "$root/usr/share/man/man1/shardkeeper.1.gz"
find "$root/usr" -type d -exec chmod 0755 {} +
find "$root/usr/share" -type f -exec chmod 0644 {} +

# The C libraries the cgo build links against, as Debian names them.
mkdir -p "$tmp/src/debian" && touch "$tmp/src/debian/control"
shlibs=$(cd "$tmp/src" && dpkg-shlibdeps -O "$root/usr/bin/shardkeeper" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build-deb: dpkg-shlibdeps found no libraries for $bin" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
fill packaging/deb/control | sed -e "s|@SHLIBS@|$shlibs|" -e "s|@SIZE@|$size|" > "$root/DEBIAN/control"
find "$root" -newermt "@$when" -exec touch -h -d "@$when" {} +

mkdir -p "$outdir"
deb=$outdir/shardkeeper_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
