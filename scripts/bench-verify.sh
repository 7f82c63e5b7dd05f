#!/bin/bash
# Verification (issue 11, goal 5): `shardkeeper verify` (git annex fsck of
# every held file, and its report) against `sha256sum` of the same objects,
# then the same verification with an I/O limit (settings --verify-kbps): its
# measured rate against the limit. One shard of BENCH_FILES random files of
# BENCH_SIZE bytes, served by `shardhub serve --origin` on loopback, held
# by a fresh donor (empty HOME, no git identity).
#
#   scripts/bench-verify.sh                          # 16 x 16 MiB, limit 8192 KiB/s
#   BENCH_FILES=4 BENCH_SIZE=1048576 BENCH_VERIFY_KBPS=1024 scripts/bench-verify.sh   (smoke)
#   BENCH_SAMPLES=DIR also keeps fsck's read samples there (time, rchar).
set -euo pipefail

FILES=${BENCH_FILES:-16}
SIZE=${BENCH_SIZE:-16777216}
KBPS=${BENCH_VERIFY_KBPS:-8192}
NAME=bench-verify
GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
export GOMODCACHE GOCACHE
. "$(dirname "$0")/bench-lib.sh"
build_shardkeeper
. "$ROOT/scripts/bench-fill-lib.sh"

mkdir -p "$WORK/files/items"
for ((i = 0; i < FILES; i++)); do head -c "$SIZE" /dev/urandom >"$WORK/files/items/file-$i.bin"; done
TOTAL=$((FILES * SIZE))
start_origin files $((22000 + $$ % 20000))
donor_machine
join_donor v files $((TOTAL * 2 + (64 << 20)))
run_agent v
held_check v "$FILES"

# sample_fsck REPO OUT: until killed, appends "<unix time> <bytes read>"
# of the git-annex fsck running in REPO (/proc/PID/io rchar) to OUT ten
# times a second (bash builtins only, so that sampling keeps up under load).
sample_fsck() {
	local p="" q k v
	while :; do
		if [ -z "$p" ] || [ ! -e "/proc/$p/io" ]; then
			p=""
			for q in $(pgrep -x git-annex); do
				if [ "$(readlink "/proc/$q/cwd" 2>/dev/null)" = "$1" ] && tr '\0' ' ' <"/proc/$q/cmdline" 2>/dev/null | grep -q ' fsck '; then p=$q; fi
			done
		fi
		if [ -n "$p" ]; then
			while read -r k v; do
				if [ "$k" = rchar: ]; then echo "$EPOCHREALTIME $v" >>"$2"; break; fi
			done <"/proc/$p/io" 2>/dev/null || p=""
		fi
		sleep 0.1
	done
}
# reading_rate OUT [FILE_SIZE]: bytes a second while fsck read the files'
# content: from the last sample before its reads passed 256 KiB to the
# first that came within 256 KiB of its total, leaving out its start
# (configuration, the branch) and its end (its records), which read little
# but take time. With FILE_SIZE, the window ends where the last file began
# instead: whole periods of "read a file, then held until it is paid for"
# (the last file is never held: fsck ends), so a short paced run is not
# credited with its unpaid last file.
reading_rate() {
	awk -v m=262144 -v f="${2:-0}" '{ t[NR] = $1; b[NR] = $2 } END {
		for (i = 1; i <= NR && b[i] < b[1] + m; i++) s = i
		for (j = NR; j >= 1 && b[j] > b[NR] - m; j--) e = j
		if (f > 0) { end = b[e] - f; for (j = e; j >= 1 && b[j] > end; j--) e = j - 1 }
		if (s && e > s && t[e] > t[s]) printf "%.0f", (b[e] - b[s]) / (t[e] - t[s]); else print 0 }' "$1"
}

verify() {
	"$WORK/shardkeeper" --home "$WORK/d-v/home" verify >"$WORK/d-v/verify.log" 2>&1 ||
		{ cat "$WORK/d-v/verify.log" >&2; echo "$NAME: verify failed" >&2; exit 1; }
}
# verify_sampled OUT: one verification with fsck's reads sampled into
# OUT; sets vs_start, vs_end and vs_rate (bytes a second while checking).
verify_sampled() {
	: >"$1" # a verification faster than the first sample leaves it empty: rate 0
	sample_fsck "$(shard_repo v)" "$1" &
	local sampler=$!
	BG_PIDS+=("$sampler")
	vs_start=$(now)
	verify
	vs_end=$(now)
	kill "$sampler"
	vs_rate=$(reading_rate "$1")
}
find "$(shard_repo v)/.git/annex/objects" -type f -print0 >"$WORK/objects"
t0=$(now)
xargs -0 sha256sum <"$WORK/objects" >/dev/null
verify_sampled "$WORK/fsck-free.samples"
t1=$vs_start t2=$vs_end free_rate=$vs_rate
"$WORK/shardkeeper" --home "$WORK/d-v/home" settings --verify-kbps "$KBPS" >/dev/null
verify_sampled "$WORK/fsck.samples"
t3=$vs_start t4=$vs_end rate=$(reading_rate "$WORK/fsck.samples" "$SIZE") window_rate=$vs_rate

echo "$NAME: $FILES files, $(mib "$TOTAL") MiB ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  sha256sum:                         $(secs "$t0" "$t1") s  $(mbps "$TOTAL" "$t0" "$t1") MiB/s"
echo "  shardkeeper verify:                $(secs "$t1" "$t2") s  $(mbps "$TOTAL" "$t1" "$t2") MiB/s; fsck read $((free_rate / 1024)) KiB/s while checking files"
ratio "  verify / sha256sum throughput:     " "$t0" "$t1" "$t1" "$t2"
# Where the unlimited run's time went: before fsck's first sample (the
# request, the agent starting fsck), fsck's life, after its last sample
# (recording the verification times, the report, the CLI's poll).
awk -v a="$t1" -v b="$t2" 'NR == 1 { f0 = $1 } { f1 = $1 } END { if (NR) printf "    of which: %.2f s before fsck, %.2f s fsck, %.2f s after it\n", f0 - a, f1 - f0, b - f1 }' "$WORK/fsck-free.samples"
echo "  with --verify-kbps $KBPS:           $(secs "$t3" "$t4") s; fsck read $((rate / 1024)) KiB/s while checking files"
# BENCH_SAMPLES=DIR keeps fsck's read samples ("<unix time> <rchar>") there, and the
# times of the runs (sha256sum start, verify start and end, paced start and end).
[ -z "${BENCH_SAMPLES:-}" ] || { mkdir -p "$BENCH_SAMPLES" && cp "$WORK"/fsck*.samples "$BENCH_SAMPLES/" && echo "$t0 $t1 $t2 $t3 $t4" >"$BENCH_SAMPLES/times"; }
awk -v r="$window_rate" -v l="$KBPS" 'BEGIN { printf "  same, to the end of the last file: %.0f KiB/s: %.2f of the limit (its last file unpaid)\n", r / 1024, r / 1024 / l }'
awk -v r="$rate" -v l="$KBPS" 'BEGIN { printf "  rate / limit:                      %.2f (goal 0.9 to 1.1; from the first file to the start of the last)\n", r / 1024 / l }'
