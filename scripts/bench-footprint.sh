#!/bin/bash
# Donor footprint (issue 11): builds an N-file thousand-dir shard
# ($BENCH_N, 100000 by default; 2000 for the CI smoke), joins it as a fresh
# donor (empty HOME, no git identity), and reports the storage folder's du
# after the join, du against the usage the agent reports after a small
# fill, the agent's resident memory idle with 1 and with 3 such shards, and
# its CPU over 30 idle seconds. The origin is scripts/footprint on loopback
# (each file's bytes computed from its number, so no disk is needed).
#
#   scripts/bench-footprint.sh
#   BENCH_N=2000 BENCH_IDLE=5 scripts/bench-footprint.sh     (make bench-smoke)
set -euo pipefail

N=${BENCH_N:-100000}
IDLE=${BENCH_IDLE:-30}
NAME=bench-footprint
tag=$NAME
GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
export GOMODCACHE GOCACHE
. "$(dirname "$0")/bench-lib.sh"
gobuild shardkeeper . nogui
gobuild footprint ./scripts/footprint
FP=$WORK/footprint SK=$WORK/shardkeeper
PORT=$((21000 + $$ % 20000))
HUB=http://127.0.0.1:$PORT ORIGIN=http://127.0.0.1:$((PORT + 1))
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"' EXIT INT TERM

# Three shards of N files, a hub and the origin.
"$FP" manifest $((3 * N)) "$ORIGIN" >"$WORK/manifest.csv"
"$WORK/shardhub" build "$WORK/manifest.csv" --item-depth 2 --files-per-shard "$N" --out "$WORK/data" >/dev/null 2>&1
setsid "$FP" origin "127.0.0.1:$((PORT + 1))" >"$WORK/origin.log" 2>&1 &
PIDS+=($!)
setsid "$WORK/shardhub" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/hub.log" 2>&1 &
PIDS+=($!)
until curl -sf "$HUB/api/v1/health" >/dev/null; do sleep 0.2; done

# A donor's fresh account: empty HOME, no git config, no identity.
export HOME=$WORK/donor XDG_CONFIG_HOME=$WORK/donor/.config GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL EMAIL
mkdir -p "$HOME"
kib() { du -sk "$1" | cut -f1; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k * 1024 / 1e6 }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v <= g ? "met" : "missed") }'; }

for d in 1 2 3; do
	"$SK" join --home "$WORK/home-$d" --hub "$HUB" --storage "$WORK/store-$d" --budget 1MB >/dev/null
done
JOIN=$(kib "$WORK/store-1")
echo "du of the storage folder right after join ($N-file shard): $(mb "$JOIN") (goal <= 100 MB: $(verdict $((JOIN * 1024)) 100000000))"

# A small fill: 4 MiB of content above what the budget also counts (the
# repository and its growth room, which scales with the shard).
content_budget "$SK" "$WORK/home-1" $((4 * 1024 * 1024))
BUDGET=$("$SK" status --home "$WORK/home-1" --json | tr -d ' \n' | grep -o '"budget_bytes":[0-9]*' | head -1 | cut -d: -f2)
"$SK" agent --home "$WORK/home-1" --until-idle --batch 200 >"$WORK/fill.log" 2>&1
USED=$("$SK" status --home "$WORK/home-1" --json | "$FP" used)
DU=$(($(kib "$WORK/store-1") * 1024))
awk -v u="$USED" -v d="$DU" -v b="$BUDGET" -v f="$(grep -c Fetched "$WORK/fill.log" || true)" 'BEGIN {
	diff = (u - d) / d * 100; if (diff < 0) diff = -diff
	printf "after a fill of %d files: reported %.2f MB, du %.2f MB (%.2f%% apart, goal <= 2%%: %s); budget %.2f MB (%s)\n",
		f, u / 1e6, d / 1e6, diff, diff <= 2 ? "met" : "missed", b / 1e6, d <= b ? "not exceeded" : "EXCEEDED" }'

# idle_rss HOME SECONDS: runs the agent until its first cycle is over and it
# has been idle a while, then prints its VmRSS and its CPU over SECONDS.
last_cycle() { "$SK" status --home "$1" --json 2>/dev/null | grep -o '"last_cycle": *"[^"]*"' || true; }
idle_rss() {
	local before
	before=$(last_cycle "$1")
	setsid "$SK" agent --home "$1" >"$WORK/agent.log" 2>&1 &
	local pid=$!
	PIDS+=("$pid")
	# Idle: this run's first cycle is over (a new last_cycle).
	until now=$(last_cycle "$1") && [ -n "$now" ] && [ "$now" != "$before" ]; do sleep 1; done
	sleep 5
	local rss c0 c1
	rss=$("$FP" rss "$pid")
	c0=$("$FP" cpu "$pid")
	sleep "$2"
	c1=$("$FP" cpu "$pid")
	kill -TERM -- "-$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	awk -v r="$rss" -v a="$c0" -v b="$c1" -v s="$2" 'BEGIN { printf "%d %.2f %.3f\n", r, b - a, (s > 0 ? (b - a) / s * 100 : 0) }'
}
read -r RSS1 CPUS CPUP <<<"$(idle_rss "$WORK/home-1" "$IDLE")"
echo "agent idle with 1 shard: VmRSS $(mb "$RSS1") (goal <= 40 MB: $(verdict "$RSS1" 39063))"
echo "agent idle CPU over ${IDLE}s: ${CPUS} s (${CPUP}% of one core)"
"$FP" addshards "$WORK/home-1" "$WORK/home-2" "$WORK/home-3"
# Its idle CPU is not reported, so no idle window: only the memory.
read -r RSS3 _ _ <<<"$(idle_rss "$WORK/home-1" 0)"
echo "agent idle with 3 shards: VmRSS $(mb "$RSS3") (goal <= 60 MB: $(verdict "$RSS3" 58594))"

# The desktop app (goal <= 90 MB): with $BENCH_GUI set to a cgo build of
# shardkeeper (make bench passes bin/shardkeeper), the window runs on its own
# Xvfb against the idle agent of the three shards, as it does beside the OS
# service, each tab is opened once (Browse lists the held files), and the
# window process's VmRSS and CPU over $IDLE seconds are reported.
desktop_rss() {
	local n disp="" xpid apid gpid wid rss c0 c1
	for n in $(seq 140 160); do
		[ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] || { disp=":$n"; break; }
	done
	[ -n "$disp" ] || { echo "desktop app: no free X display from :140 to :160" >&2; return 1; }
	Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
	xpid=$!
	PIDS+=("$xpid")
	until DISPLAY=$disp xdotool getdisplaygeometry >/dev/null 2>&1; do
		kill -0 "$xpid" 2>/dev/null || { echo "desktop app: Xvfb did not start (see $WORK/xvfb.log)" >&2; return 1; }
		sleep 0.1
	done
	local before
	before=$(last_cycle "$WORK/home-1")
	setsid "$SK" agent --home "$WORK/home-1" >"$WORK/agent-gui.log" 2>&1 &
	apid=$!
	PIDS+=("$apid")
	until now=$(last_cycle "$WORK/home-1") && [ -n "$now" ] && [ "$now" != "$before" ]; do sleep 1; done
	DISPLAY=$disp SHARDKEEPER_PPROF=127.0.0.1:$((PORT + 2)) setsid dbus-run-session -- "$BENCH_GUI" gui --home "$WORK/home-1" >"$WORK/gui.log" 2>&1 &
	gpid=$!
	PIDS+=("$gpid")
	wid=$(DISPLAY=$disp timeout 120 xdotool search --sync --name '^Shardkeeper$' | head -1) ||
		{ echo "desktop app: no window in 120 s (see $WORK/gui.log)" >&2; return 1; }
	# The window's process: in dbus-run-session's session, the one named
	# as the binary (not dbus-run-session or its dbus-daemon).
	local app
	app=$(pgrep -s "$gpid" -x "$(basename "$BENCH_GUI" | cut -c1-15)" | head -1)
	[ -n "$app" ] || { echo "desktop app: the window's process was not found" >&2; return 1; }
	DISPLAY=$disp xdotool windowfocus "$wid" 2>/dev/null || true
	for n in 1 2 3 4 5 1; do
		DISPLAY=$disp xdotool key --clearmodifiers "ctrl+$n"
		sleep 2
	done
	sleep 5
	rss=$("$FP" rss "$app")
	c0=$("$FP" cpu "$app")
	sleep "$IDLE"
	c1=$("$FP" cpu "$app")
	# Where the memory is: the Go heap is anonymous; GL (Mesa's llvmpipe
	# under Xvfb) and the libraries are mostly file-backed and shared.
	grep -E '^(RssAnon|RssFile|RssShmem):' "/proc/$app/status" | tr -s ' \t' ' ' | paste -sd, | sed 's/^/desktop app: /'
	curl -sf "http://127.0.0.1:$((PORT + 2))/debug/pprof/heap?debug=1" |
		grep -E '^# (Sys|HeapInuse|Stack(Inuse|Sys)) ' | awk '{ printf "%s %.1f MB, ", $2, $4 / 1e6 }' | sed 's/, $//; s/^/desktop app: Go runtime: /; s/$/\n/'
	if curl -sf -o "$WORK/gui.heap" "http://127.0.0.1:$((PORT + 2))/debug/pprof/heap"; then
		go tool pprof -sample_index=inuse_space -top -nodecount=6 "$BENCH_GUI" "$WORK/gui.heap" 2>/dev/null |
			sed -n '/flat%/,$p' | sed 's/^/desktop app: heap: /'
	fi
	pmap -x "$app" | grep -v '^total' | sort -k3 -n -r | awk 'NR <= 6 && $3 > 0 { printf "desktop app: %7d KiB resident  %s\n", $3, $NF }'
	kill -TERM -- "-$gpid" "-$apid" 2>/dev/null || true
	awk -v r="$rss" -v a="$c0" -v b="$c1" -v s="$IDLE" 'BEGIN {
		printf "desktop app (window and tray, beside the idle agent of 3 shards, every tab opened): VmRSS %.1f MB (goal <= 90 MB: %s); CPU over %ds: %.2f s (%.2f%% of one core)\n",
			r * 1024 / 1e6, r * 1024 <= 90e6 ? "met" : "missed", s, b - a, (b - a) / s * 100 }'
}
if [ -n "${BENCH_GUI:-}" ]; then
	desktop_rss
fi
