#!/bin/sh
# Removes what install.sh put in place. The files you hold and your donor
# settings stay (delete your storage folder yourself, after
# `shardkeeper leave` has given your space back to the archive).
set -eu
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
"$bin/shardkeeper" service uninstall >/dev/null 2>&1 || true
rm -f "$bin/shardkeeper" "$bin/shardkeeper-uninstall" \
  "$data/applications/org.shardkeeper.app.desktop" \
  "$data/icons/hicolor/256x256/apps/org.shardkeeper.app.png"
echo "Removed Shardkeeper. Your storage folder and settings were kept."
