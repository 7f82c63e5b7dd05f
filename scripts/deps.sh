#!/usr/bin/env bash
# Installs what Shardkeeper needs on a Debian or Ubuntu machine, and only
# what is missing: git-annex (the engine), the C libraries Fyne's desktop
# build links against, and Xvfb, ImageMagick, xdotool and DBus for the
# headless GUI tests, and the packaging tools: mingw-w64 (the Windows
# cross build), NSIS, osslsigncode and wine (the Windows installer and its
# test), dpkg-dev, lintian, appstream and desktop-file-utils (the .deb),
# dosfstools (the fault suite's vfat storage test), PostgreSQL (the hub
# store's tests run on it too: scripts/postgres-test.sh starts it),
# and headless Chromium with a font (the hub dashboard's browser test).
# Does nothing, quickly, when all is there.
set -euo pipefail

packages=(
  git git-annex make gcc pkg-config
  libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
  libxi-dev libxxf86vm-dev libwayland-dev libxkbcommon-dev
  xvfb xauth imagemagick x11-utils xdotool dbus dbus-x11 desktop-file-utils
  gcc-mingw-w64-x86-64 nsis osslsigncode openssl wine wine64
  dpkg-dev lintian appstream man-db
  dosfstools
  postgresql
  chromium fonts-dejavu-core
)

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed. Install Go 1.26 or newer from https://go.dev/dl/ and run this again." >&2
  exit 1
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
  if command -v git-annex >/dev/null 2>&1; then
    echo "deps: not a Debian-based system; git-annex is present. Install the Fyne build libraries (see https://docs.fyne.io/started/) yourself." >&2
    exit 0
  fi
  echo "deps: not a Debian-based system. Install git-annex (https://git-annex.branchable.com/install/) and the Fyne build libraries (https://docs.fyne.io/started/), then run this again." >&2
  exit 1
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "deps: these packages are missing and sudo is not available: ${missing[*]}. Install them as root." >&2
    exit 1
  fi
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
