#!/bin/sh
# Prints the version every build and package uses: the VERSION file, as is
# when the checkout is the tag v<VERSION> with no local changes, else with
# git's commit added ("0.1.0+g485524c", ".dirty" for local changes), so a
# development build never passes for the release. Outside git: VERSION.
set -eu
cd "$(dirname "$0")/.."
base=$(tr -d ' \n' < VERSION)
if ! git rev-parse --git-dir >/dev/null 2>&1; then
  echo "$base"; exit 0
fi
dirty=
git diff --quiet HEAD -- 2>/dev/null || dirty=.dirty
if [ -z "$dirty" ] && [ "$(git describe --tags --exact-match 2>/dev/null)" = "v$base" ]; then
  echo "$base"; exit 0
fi
echo "$base+g$(git rev-parse --short=7 HEAD)$dirty"
