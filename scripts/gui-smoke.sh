#!/usr/bin/env bash
# Smoke-test a real Shardkeeper window: run COMMAND on an X display (a fresh
# Xvfb unless DISPLAY already works), wait for a window named "Shardkeeper",
# open each tab with its keyboard shortcut (Ctrl+1 … Ctrl+5), screenshot it
# and check the pictures are not blank and that the tabs differ.
#
# usage: scripts/gui-smoke.sh OUTDIR -- COMMAND [ARGS...]
#
# Writes OUTDIR/TAB.png for each tab (overview, space, browse, activity,
# settings), OUTDIR/window.png (the overview, as before) and OUTDIR/app.log
# (COMMAND's output). Needs Xvfb, xdotool and ImageMagick (import, identify,
# compare); runs COMMAND under dbus-run-session when it exists so the tray
# can register. Environment: SMOKE_WAIT (seconds to wait for the window,
# default 60), SMOKE_SETTLE (seconds to let it draw and the demo fetch,
# default 5), SMOKE_WINDOW (window name to look for, default Shardkeeper),
# SMOKE_TABS (tabs to shoot, in shortcut order, default all five; an empty
# name skips that shortcut).
set -euo pipefail

tag=gui-smoke
. "$(dirname "$0")/gui-lib.sh"

[[ $# -ge 3 && $2 == "--" ]] || die "usage: $0 OUTDIR -- COMMAND [ARGS...]"
outdir=$1
shift 2
mkdir -p "$outdir"
log=$outdir/app.log
wait_s=${SMOKE_WAIT:-60}
settle_s=${SMOKE_SETTLE:-5}
name=${SMOKE_WINDOW:-Shardkeeper}
read -r -a tabs <<<"${SMOKE_TABS-overview space browse activity settings}"

need_tools xdotool import identify compare
trap gui_cleanup EXIT
trap 'exit 130' INT TERM
use_display
donor_machine

runner=()
command -v dbus-run-session >/dev/null && runner=(dbus-run-session --)
start_app "$log" "${runner[@]}" "$@"

wid=$(wait_window "$name" "$wait_s" "$log")
echo "$tag: window \"$(xdotool getwindowname "$wid")\" ($wid) is up"
sleep "$settle_s"
app_alive || die "the command exited while drawing its window (see $log)"

# With no window manager, focus the window ourselves so the key presses
# (XTEST, like a real keyboard) reach it.
xdotool windowfocus "$wid" 2>/dev/null || true
shots=()
for i in "${!tabs[@]}"; do
	tab=${tabs[$i]}
	[[ -n $tab ]] || continue
	xdotool key --clearmodifiers "ctrl+$((i + 1))"
	sleep 1
	app_alive || die "the command exited after Ctrl+$((i + 1)) (see $log)"
	import -window root "$outdir/$tab.png" || die "screenshot of $tab failed"
	check_not_blank "$outdir/$tab.png"
	shots+=("$outdir/$tab.png")
done
((${#shots[@]} > 0)) || die "SMOKE_TABS names no tab"
cp "${shots[0]}" "$outdir/window.png"

# Each shortcut must have shown a different screen.
for ((i = 1; i < ${#shots[@]}; i++)); do
	differ "${shots[$((i - 1))]}" "${shots[$i]}" ||
		die "${shots[$i]} looks the same as ${shots[$((i - 1))]}: the tab shortcut did not switch tabs"
done
echo "$tag: ok (${#shots[@]} screens in $outdir)"
