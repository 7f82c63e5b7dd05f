#!/bin/bash
# Every benchmark, one after another, each timed: `make bench` (full) and
# `make bench-smoke` (smoke: one small iteration of each, so none rots; CI
# runs it). Each step's output goes to $OUT/STEP.out (figures, stdout) and
# $OUT/STEP.err (progress); $OUT/summary.md lists the steps, their times
# and the machine.
#
# With --record (make bench), the run is also written into
# docs/benchmarks.md, between its "make bench: begin" and "make bench: end"
# markers: the machine, the commit, the command, each step's time and its
# figures. Everything else in that file is prose about earlier runs.
#
#   scripts/bench-all.sh full --record      (make bench)
#   scripts/bench-all.sh smoke              (make bench-smoke)
#   scripts/bench-all.sh full verify fill   (only these steps, not recorded)
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
MODE=${1:?usage: scripts/bench-all.sh full|smoke [--record] [STEP...]}
shift
RECORD=""
if [ "${1:-}" = --record ]; then RECORD=1 && shift; fi
OUT=${OUT:-$ROOT/out/bench-$MODE}
mkdir -p "$OUT"
# Each script's binaries are built once for all of them.
export BENCH_BIN=$OUT/bin
rm -rf "$BENCH_BIN"
GUI=${BENCH_GUI-$ROOT/bin/shardkeeper}
[ -x "$GUI" ] || GUI=""
PKGS=$(grep -rl --include='*_test.go' '^func Benchmark' . | xargs -r -n1 dirname | sort -u)
# make bench runs each Go benchmark once (-benchtime 1x: their fixtures are
# built once per package, and a run is seconds), except hub/store's
# per-operation ones (milliseconds each), which run for a second.
GO_BENCH="CGO_ENABLED=0 go test -tags nogui -run '^\$'"
GO_FULL="$GO_BENCH -bench . -benchtime 1x $(echo "$PKGS" | grep -vx ./hub/store | xargs)"
if echo "$PKGS" | grep -qx ./hub/store; then
	GO_FULL="$GO_FULL && $GO_BENCH -bench ColdShard -benchtime 1x ./hub/store && $GO_BENCH -bench 'Register|PushHealth' -benchtime 1s ./hub/store"
fi

# steps MODE: one line a step, "NAME<TAB>COMMAND"; the sizes are here.
steps() {
	if [ "$1" = full ]; then
		cat <<EOF
go	$GO_FULL
vs-git-annex	BENCH_N=5000 scripts/bench-vs-git-annex.sh
health	scripts/bench-health-vs-git-annex.sh
restore	scripts/bench-restore.sh
footprint	BENCH_GUI=$GUI scripts/bench-footprint.sh
fill	scripts/bench-fill.sh
verify	scripts/bench-verify.sh
spread	BENCH_KEYS=100000 scripts/bench-spread.sh
branchsim	CGO_ENABLED=0 go run ./hub/compact/sim/branchsim -keys 5000 -months 24 -clone-every 6
EOF
	else
		cat <<EOF
go	CGO_ENABLED=0 go test -tags nogui -short -run '^\$' -bench . -benchtime 1x $(echo $PKGS)
vs-git-annex	BENCH_N=50 scripts/bench-vs-git-annex.sh
health	BENCH_N=200 scripts/bench-health-vs-git-annex.sh
restore	BENCH_FILES=3 BENCH_SIZE=65536 scripts/bench-restore.sh
footprint	BENCH_N=500 BENCH_IDLE=2 BENCH_GUI=$GUI scripts/bench-footprint.sh
fill	BENCH_LARGE_FILES=1 BENCH_LARGE_SIZE=1048576 BENCH_SMALL_FILES=20 BENCH_BASELINE_FILES=10 BENCH_LIMIT_FILES=1 BENCH_LIMIT_KBPS=1024 scripts/bench-fill.sh
verify	BENCH_FILES=4 BENCH_SIZE=1048576 BENCH_VERIFY_KBPS=1024 scripts/bench-verify.sh
spread	BENCH_KEYS=500 BENCH_DONORS=6 scripts/bench-spread.sh
scale	N=2000 PROFILE_SECONDS=1 OUT=$OUT/scale scripts/bench-scale.sh
branchsim	CGO_ENABLED=0 go run ./hub/compact/sim/branchsim -keys 200 -months 1 -audit
EOF
	fi
}

load() { cut -d' ' -f1-3 /proc/loadavg; }
machine() {
	echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'))," \
		"$(awk '/MemTotal/ { printf "%.0f GB RAM", $2 / 1e6 }' /proc/meminfo)," \
		"$(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"), $(go version | cut -d' ' -f3)," \
		"git $(git --version | cut -d' ' -f3), git-annex $(git annex version --raw 2>/dev/null)"
}

SUMMARY=$OUT/summary.md
start=$(date +%s)
{
	echo "Started $(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')."
	echo "Machine: $(machine). Load average at the start: $(load)."
	echo
	echo "| step | command | time | exit |"
	echo "|---|---|---:|---|"
} >"$SUMMARY"
failed=""
while IFS=$'\t' read -r name cmd; do
	[ $# -eq 0 ] || [[ " $* " == *" $name "* ]] || continue
	echo "bench-all: $name: $cmd"
	t0=$(date +%s)
	bash -c "$cmd" >"$OUT/$name.out" 2>"$OUT/$name.err" </dev/null
	rc=$?
	t=$(($(date +%s) - t0))
	cat "$OUT/$name.out"
	if [ "$rc" != 0 ]; then
		failed="$failed $name"
		echo "bench-all: $name failed (exit $rc); its last lines:" >&2
		tail -n 20 "$OUT/$name.err" >&2
	fi
	echo "| $name | \`$cmd\` | $((t / 60)) min $((t % 60)) s | $rc |" >>"$SUMMARY"
done < <(steps "$MODE")
total=$(($(date +%s) - start))
{
	echo
	echo "Total: **$((total / 60)) min $((total % 60)) s**$([ "$MODE" = full ] && echo " (goal: 20 min or less: $([ $total -le 1200 ] && echo met || echo missed))")." \
		"Load average at the end: $(load)."
} >>"$SUMMARY"
cat "$SUMMARY"

if [ -n "$RECORD" ]; then
	section=$OUT/section.md
	{
		echo "<!-- make bench: begin (written by scripts/bench-all.sh; do not edit by hand) -->"
		echo "## The latest \`make bench\`"
		echo
		cat "$SUMMARY"
		while IFS=$'\t' read -r name _; do
			[ -s "$OUT/$name.out" ] || continue
			echo
			echo "### $name"
			echo '```'
			grep -v '^\(read\|built\) ' "$OUT/$name.out" | grep -v '^\(PASS\|goos\|goarch\|pkg\|cpu\):\?' | head -n 120
			echo '```'
		done < <(steps "$MODE")
		echo "<!-- make bench: end -->"
	} >"$section"
	doc=$ROOT/docs/benchmarks.md
	if grep -q '^<!-- make bench: begin' "$doc"; then
		awk -v f="$section" '
			/^<!-- make bench: begin/ { while ((getline l < f) > 0) print l; skip = 1; next }
			/^<!-- make bench: end/ { skip = 0; next }
			!skip' "$doc" >"$doc.new"
	else
		# The first time: right after the title and its paragraph.
		awk -v f="$section" '
			!done && /^## / { while ((getline l < f) > 0) print l; print ""; done = 1 }
			{ print }' "$doc" >"$doc.new"
	fi
	mv "$doc.new" "$doc"
	echo "bench-all: recorded in docs/benchmarks.md"
fi
[ -z "$failed" ] || { echo "bench-all: failed:$failed" >&2; exit 1; }
