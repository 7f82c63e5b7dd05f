#!/usr/bin/env bash
# Smoke-test a real Shardkeeper window: run COMMAND on an X display (a fresh
# Xvfb unless DISPLAY already works), wait for a window named "Shardkeeper",
# screenshot the screen and check the picture is not blank.
#
# usage: scripts/gui-smoke.sh OUTDIR -- COMMAND [ARGS...]
#
# Writes OUTDIR/window.png (the screenshot) and OUTDIR/app.log (COMMAND's
# output). Needs Xvfb, xdotool and ImageMagick (import, identify); runs
# COMMAND under dbus-run-session when it exists so the tray can register.
# Environment: SMOKE_WAIT (seconds to wait for the window, default 60),
# SMOKE_SETTLE (seconds to let it draw, default 3), SMOKE_WINDOW (window name
# to look for, default Shardkeeper).
set -euo pipefail

die() {
	echo "gui-smoke: $*" >&2
	exit 1
}

[[ $# -ge 3 && $2 == "--" ]] || die "usage: $0 OUTDIR -- COMMAND [ARGS...]"
outdir=$1
shift 2
mkdir -p "$outdir"
shot=$outdir/window.png
log=$outdir/app.log
wait_s=${SMOKE_WAIT:-60}
settle_s=${SMOKE_SETTLE:-3}
name=${SMOKE_WINDOW:-Shardkeeper}

for tool in xdotool import identify; do
	command -v "$tool" >/dev/null || die "$tool is missing (apt-get install xdotool imagemagick)"
done

xvfb_pid=""
app_pid=""
cleanup() {
	# Only what this script started, by PID.
	if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
		kill -TERM -- "-$app_pid" 2>/dev/null || kill -TERM "$app_pid" 2>/dev/null || true
		for _ in $(seq 20); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$app_pid" 2>/dev/null || kill -KILL "$app_pid" 2>/dev/null || true
	fi
	if [[ -n $xvfb_pid ]]; then
		kill -TERM "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Use the caller's display if it answers; otherwise start Xvfb on the first
# free display number from :97 on (a display is taken when its lock exists).
if [[ -n ${DISPLAY:-} ]] && xdotool getdisplaygeometry >/dev/null 2>&1; then
	echo "gui-smoke: using DISPLAY=$DISPLAY"
else
	command -v Xvfb >/dev/null || die "no usable DISPLAY and Xvfb is missing (apt-get install xvfb)"
	started=""
	for n in $(seq 97 120); do
		[[ -e /tmp/.X$n-lock || -e /tmp/.X11-unix/X$n ]] && continue
		Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$outdir/xvfb.log" 2>&1 &
		xvfb_pid=$!
		for _ in $(seq 50); do
			if DISPLAY=":$n" xdotool getdisplaygeometry >/dev/null 2>&1; then
				started=":$n"
				break
			fi
			kill -0 "$xvfb_pid" 2>/dev/null || break
			sleep 0.1
		done
		[[ -n $started ]] && break
		kill "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
		xvfb_pid=""
	done
	[[ -n $started ]] || die "could not start Xvfb on any display from :97 to :120 (see $outdir/xvfb.log)"
	export DISPLAY=$started
	echo "gui-smoke: started Xvfb on $DISPLAY"
fi

# setsid gives the command its own process group, so cleanup reaches
# dbus-run-session's children too.
runner=()
command -v dbus-run-session >/dev/null && runner=(dbus-run-session --)
setsid "${runner[@]}" "$@" >"$log" 2>&1 &
app_pid=$!
echo "gui-smoke: started $* (pid $app_pid), log in $log"

deadline=$((SECONDS + wait_s))
until xdotool search --onlyvisible --name "$name" >/dev/null 2>&1; do
	if ! kill -0 "$app_pid" 2>/dev/null; then
		tail -n 20 "$log" >&2 || true
		die "the command exited before a \"$name\" window appeared"
	fi
	((SECONDS < deadline)) || {
		tail -n 20 "$log" >&2 || true
		die "no window named \"$name\" after ${wait_s}s"
	}
	sleep 0.5
done
echo "gui-smoke: window \"$(xdotool search --onlyvisible --name "$name" getwindowname | head -n 1)\" is up"
sleep "$settle_s"
kill -0 "$app_pid" 2>/dev/null || die "the command exited while drawing its window (see $log)"

import -window root "$shot" || die "screenshot failed"
# A window that failed to draw leaves a black or single-colour screen;
# real text and widgets give many colours and a spread of brightness.
colours=$(identify -format '%k' "$shot") || die "can't read $shot"
spread=$(identify -format '%[fx:standard_deviation]' "$shot")
echo "gui-smoke: $shot has $colours colours, standard deviation $spread"
((colours >= 16)) || die "screenshot looks blank: only $colours colours in $shot"
awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || die "screenshot looks blank: standard deviation $spread in $shot"
echo "gui-smoke: ok"
