#!/usr/bin/env bash
# Installs the Linux package into a throwaway HOME as a donor would, checks
# what landed where, runs the installed program, and uninstalls.
# Usage: scripts/package-test.sh PACKAGE.tar.gz
set -euo pipefail
pkg=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "package-test: $*" >&2; exit 1; }

tar -xzf "$pkg" -C "$tmp"
dir=$(find "$tmp" -maxdepth 1 -mindepth 1 -type d | head -1)
[ -n "$dir" ] || fail "$pkg has no top folder"
export HOME=$tmp/home XDG_DATA_HOME=
mkdir -p "$HOME"
sh "$dir/install.sh" > "$tmp/install.log" || fail "install.sh failed: $(cat "$tmp/install.log")"
for f in .local/bin/shardkeeper .local/bin/shardkeeper-uninstall \
         .local/share/applications/org.shardkeeper.app.desktop \
         .local/share/icons/hicolor/256x256/apps/org.shardkeeper.app.png; do
  [ -e "$HOME/$f" ] || fail "install.sh did not create ~/$f"
done
grep -q "^Exec=$HOME/.local/bin/shardkeeper$" "$HOME/.local/share/applications/org.shardkeeper.app.desktop" \
  || fail "the menu entry does not run the installed program"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$HOME/.local/share/applications/org.shardkeeper.app.desktop" || fail "invalid desktop entry"
fi
"$HOME/.local/bin/shardkeeper" --version | grep -q '^shardkeeper version' || fail "the installed program does not run"
sh "$HOME/.local/bin/shardkeeper-uninstall" > /dev/null || fail "uninstall failed"
[ ! -e "$HOME/.local/bin/shardkeeper" ] || fail "uninstall left the program behind"
echo "package-test: ok ($(basename "$pkg") installs, runs and uninstalls)"
