#!/usr/bin/env bash
# Test the real app's tray menu over DBus: on an X display (a fresh Xvfb
# unless DISPLAY already works) and in a private DBus session, run the Go
# test in test/tray against BIN demo. A StatusNotifierWatcher stand-in reads
# the menu (com.canonical.dbusmenu), checks "Protecting N files" against
# `status --json`, clicks Pause ▸ 30 minutes and waits for `status` to say
# paused.
#
# usage: scripts/tray-test.sh [OUTDIR] [BIN]    (defaults: out/tray bin/shardkeeper)
#
# BIN must be the GUI build (it is not rebuilt here: one cgo build per run).
# The test itself is pure Go (CGO_ENABLED=0). Writes OUTDIR/test.log and
# OUTDIR/app.log. Needs Xvfb, xdotool, dbus-run-session and Go.
set -euo pipefail

tag=tray-test
. "$(dirname "$0")/gui-lib.sh"

outdir=${1:-out/tray}
bin=${2:-bin/shardkeeper}
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
[[ -x $bin ]] || die "$bin is not an executable: build the desktop app first (make gui)"
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
need_tools xdotool dbus-run-session go

trap gui_cleanup EXIT
trap 'exit 130' INT TERM
use_display
donor_machine

cd "$(dirname "$0")/.."
echo "$tag: testing $bin's tray in a private DBus session"
# The test starts the app itself, inside the same session; it runs the
# app in its own process group and stops it at the end.
if dbus-run-session -- env SHARDKEEPER_TRAY_TEST=1 SHARDKEEPER_BIN="$bin" SHARDKEEPER_TRAY_OUT="$outdir" \
	CGO_ENABLED=0 go test -tags nogui -count=1 -v -timeout 5m ./test/tray/ >"$outdir/test.log" 2>&1; then
	grep -E '^(=== RUN|--- |    tray_test)' "$outdir/test.log" || true
	echo "$tag: ok"
else
	tail -n 40 "$outdir/test.log" >&2
	die "failed (see $outdir/test.log and $outdir/app.log)"
fi
