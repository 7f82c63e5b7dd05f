#!/bin/sh
# Installs Shardkeeper for the current user, no root needed: the program in
# ~/.local/bin, a menu entry and its icon. Run it from the unpacked folder
# (double-click "Run" in most file managers, or `sh install.sh`).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin

mkdir -p "$bin" "$data/applications" "$data/icons/hicolor/256x256/apps"
install -m 0755 "$here/shardkeeper" "$bin/shardkeeper"
sed "s|^Exec=shardkeeper|Exec=$bin/shardkeeper|" "$here/org.shardkeeper.app.desktop" \
  > "$data/applications/org.shardkeeper.app.desktop"
install -m 0644 "$here/org.shardkeeper.app.png" "$data/icons/hicolor/256x256/apps/org.shardkeeper.app.png"
install -m 0755 "$here/uninstall.sh" "$bin/shardkeeper-uninstall"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$data/applications" 2>/dev/null || true

echo "Installed Shardkeeper in $bin/shardkeeper; find it in your applications menu."
if ! command -v git-annex >/dev/null 2>&1; then
  echo "Shardkeeper needs git-annex, which is not installed yet:"
  if command -v apt-get >/dev/null 2>&1; then
    echo "  sudo apt-get install git-annex"
  elif command -v dnf >/dev/null 2>&1; then
    echo "  sudo dnf install git-annex"
  else
    echo "  see https://git-annex.branchable.com/install/"
  fi
fi
case ":$PATH:" in
  *":$bin:"*) ;;
  *) echo "Note: $bin is not on your PATH; the menu entry works anyway." ;;
esac
