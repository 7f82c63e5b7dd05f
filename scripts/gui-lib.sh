# Shared by scripts/gui-smoke.sh and scripts/tray-test.sh (source it):
# a display (the caller's, or a fresh Xvfb), the app run in its own process
# group, cleanup of only what was started here, and screenshot checks.
#
# The sourcing script sets $tag (message prefix) and $outdir first.

die() {
	echo "$tag: $*" >&2
	exit 1
}

xvfb_pid=""
app_pid=""

gui_cleanup() {
	# Only what this script started, by PID.
	if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
		kill -TERM -- "-$app_pid" 2>/dev/null || kill -TERM "$app_pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL -- "-$app_pid" 2>/dev/null || kill -KILL "$app_pid" 2>/dev/null || true
	fi
	if [[ -n $xvfb_pid ]]; then
		kill -TERM "$xvfb_pid" 2>/dev/null || true
		wait "$xvfb_pid" 2>/dev/null || true
	fi
	if [[ -n ${donor_home:-} ]]; then rm -rf "$donor_home"; fi
}

need_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || die "$tool is missing (apt-get install xvfb xdotool imagemagick dbus)"
	done
}

# use_display uses the caller's display if it answers; otherwise it starts
# Xvfb (1280x800, the smallest screen the window must read well on) on the
# first free display number from :97 on (a display is taken when its lock
# exists), and exports DISPLAY.
use_display() {
	if [[ -n ${DISPLAY:-} ]] && xdotool getdisplaygeometry >/dev/null 2>&1; then
		echo "$tag: using DISPLAY=$DISPLAY"
		return
	fi
	command -v Xvfb >/dev/null || die "no usable DISPLAY and Xvfb is missing (apt-get install xvfb)"
	local n started=""
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
	echo "$tag: started Xvfb on $DISPLAY"
}

# start_app LOG COMMAND... runs COMMAND in its own process group (setsid),
# so cleanup reaches its children too.
start_app() {
	local log=$1
	shift
	setsid "$@" >"$log" 2>&1 &
	app_pid=$!
	echo "$tag: started $* (pid $app_pid), log in $log"
}

app_alive() { kill -0 "$app_pid" 2>/dev/null; }

# wait_window NAME SECONDS LOG prints the id of the first visible window
# whose name contains NAME.
wait_window() {
	local name=$1 wait_s=$2 log=$3 deadline=$((SECONDS + $2)) wid
	until wid=$(xdotool search --onlyvisible --name "$name" 2>/dev/null | head -n 1) && [[ -n $wid ]]; do
		if ! app_alive; then
			tail -n 20 "$log" >&2 || true
			die "the command exited before a \"$name\" window appeared"
		fi
		((SECONDS < deadline)) || {
			tail -n 20 "$log" >&2 || true
			die "no window named \"$name\" after ${wait_s}s"
		}
		sleep 0.5
	done
	echo "$wid"
}

# check_not_blank PNG fails when a screenshot is black or one colour: real
# text and widgets give many colours and a spread of brightness.
check_not_blank() {
	local shot=$1 colours spread
	colours=$(identify -format '%k' "$shot") || die "can't read $shot"
	spread=$(identify -format '%[fx:standard_deviation]' "$shot")
	echo "$tag: $shot has $colours colours, standard deviation $spread"
	((colours >= 16)) || die "screenshot looks blank: only $colours colours in $shot"
	awk -v s="$spread" 'BEGIN { exit !(s > 0.02) }' || die "screenshot looks blank: standard deviation $spread in $shot"
}

# differ A B fails when two screenshots are the same picture.
differ() {
	local ae
	ae=$(compare -metric AE "$1" "$2" null: 2>&1) || true
	[[ $ae != 0 ]]
}

# donor_machine runs the rest as a donor's fresh account would: an empty
# HOME, no system or global git config and no git identity (our machines
# have one, which once hid a bug that stopped every new donor). Go's caches
# stay where they were, so `go test` does not start cold.
donor_machine() {
	export GOCACHE=${GOCACHE:-$(go env GOCACHE 2>/dev/null || true)}
	export GOMODCACHE=${GOMODCACHE:-$(go env GOMODCACHE 2>/dev/null || true)}
	export GOPATH=${GOPATH:-$(go env GOPATH 2>/dev/null || true)}
	donor_home=$(mktemp -d "${TMPDIR:-/tmp}/donor-home.XXXXXX")
	export HOME=$donor_home XDG_CONFIG_HOME=$donor_home/.config
	export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
	unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL GIT_CONFIG_COUNT
	echo "$tag: running as a fresh account (HOME=$HOME, no git identity)"
}
