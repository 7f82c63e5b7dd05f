#!/bin/bash
# Verification (issue 11, goal 5): `shardkeeper verify` (the agent reads and
# hashes every held file, and reports) against `sha256sum` of the same objects,
# then the same verification with an I/O limit (settings --verify-kbps): its
# measured rate against the limit. One shard of BENCH_FILES random files of
# BENCH_SIZE bytes, served by `shardhub serve --origin` on loopback, held
# by a fresh donor (empty HOME, no git identity).
#
#   scripts/bench-verify.sh                          # 16 x 16 MiB, limit 8192 KiB/s
#   BENCH_FILES=4 BENCH_SIZE=1048576 BENCH_VERIFY_KBPS=1024 scripts/bench-verify.sh   (smoke)
#   BENCH_SAMPLES=DIR also keeps the verifications' read samples there (time, rchar).
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

# sample_io PID OUT: until killed, appends "<unix time> <bytes read>" of
# process PID (/proc/PID/io rchar: `shardkeeper verify` reads the objects
# itself) to OUT ten times a second (bash builtins only, so that sampling
# keeps up under load).
sample_io() {
	local k v
	while :; do
		while read -r k v; do
			if [ "$k" = rchar: ]; then echo "$EPOCHREALTIME $v" >>"$2"; break; fi
		done 2>/dev/null <"/proc/$1/io" || true # it may have ended
		sleep 0.1
	done
}
# reading_rate OUT: bytes a second while the verification read the files'
# content: from the last sample before its reads passed 256 KiB to the
# first that came within 256 KiB of its total, leaving out its start (the
# agent, the list of keys) and its end (its records, the report), which
# read little but take time. The limit is kept per chunk read, the last
# one included, so the whole window counts.
reading_rate() {
	awk -v m=262144 '{ t[NR] = $1; b[NR] = $2 } END {
		for (i = 1; i <= NR && b[i] < b[1] + m; i++) s = i
		for (j = NR; j >= 1 && b[j] > b[NR] - m; j--) e = j
		if (s && e > s && t[e] > t[s]) printf "%.0f", (b[e] - b[s]) / (t[e] - t[s]); else print 0 }' "$1"
}
# peak_rate OUT: the highest rate over any second (or a little more: the
# samples' spacing) within the same window: the limit caps each second.
peak_rate() {
	awk -v m=262144 '{ t[NR] = $1; b[NR] = $2 } END {
		for (i = 1; i <= NR && b[i] < b[1] + m; i++) s = i
		for (j = NR; j >= 1 && b[j] > b[NR] - m; j--) e = j
		p = 0
		for (i = s; i < e; i++) { for (j = i; j <= e && t[j] < t[i] + 1; j++); if (j <= e && (b[j] - b[i]) / (t[j] - t[i]) > p) p = (b[j] - b[i]) / (t[j] - t[i]) }
		printf "%.0f", p }' "$1"
}

# verify_sampled OUT: one verification with its reads sampled into OUT;
# sets vs_start, vs_end and vs_rate (bytes a second while checking).
verify_sampled() {
	: >"$1" # a verification faster than the first sample leaves it empty: rate 0
	vs_start=$(now)
	"$WORK/shardkeeper" --home "$WORK/d-v/home" verify >"$WORK/d-v/verify.log" 2>&1 &
	local pid=$!
	sample_io "$pid" "$1" &
	local sampler=$!
	BG_PIDS+=("$sampler")
	wait "$pid" || { cat "$WORK/d-v/verify.log" >&2; echo "$NAME: verify failed" >&2; exit 1; }
	vs_end=$(now)
	kill "$sampler" 2>/dev/null || true
	vs_rate=$(reading_rate "$1")
}
find "$(shard_repo v)/.git/annex/objects" -type f -print0 >"$WORK/objects"
t0=$(now)
xargs -0 sha256sum <"$WORK/objects" >/dev/null
verify_sampled "$WORK/free.samples"
t1=$vs_start t2=$vs_end free_rate=$vs_rate
"$WORK/shardkeeper" --home "$WORK/d-v/home" settings --verify-kbps "$KBPS" >/dev/null
verify_sampled "$WORK/limited.samples"
t3=$vs_start t4=$vs_end rate=$vs_rate peak=$(peak_rate "$WORK/limited.samples")

echo "$NAME: $FILES files, $(mib "$TOTAL") MiB ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  sha256sum:                         $(secs "$t0" "$t1") s  $(mbps "$TOTAL" "$t0" "$t1") MiB/s"
echo "  shardkeeper verify:                $(secs "$t1" "$t2") s  $(mbps "$TOTAL" "$t1" "$t2") MiB/s; read $((free_rate / 1024)) KiB/s while checking files"
ratio "  verify / sha256sum throughput:     " "$t0" "$t1" "$t1" "$t2"
# Where the unlimited run's time went: before its reads of the objects
# began (the CLI, the agent's start, listing the keys), reading and
# hashing them, after (re-stating the keys, the report to the hub).
awk -v a="$t1" -v b="$t2" -v m=262144 '{ t[NR] = $1; r[NR] = $2 } END {
	for (i = 1; i < NR && r[i + 1] < r[1] + m; i++);
	for (j = NR; j > 1 && r[j - 1] > r[NR] - m; j--);
	if (NR > 1) printf "    of which: %.2f s before reading, %.2f s reading and hashing, %.2f s after it (to 0.1 s)\n", t[i] - a, t[j] - t[i], b - t[j] }' "$WORK/free.samples"
echo "  with --verify-kbps $KBPS:           $(secs "$t3" "$t4") s; read $((rate / 1024)) KiB/s while checking files"
# BENCH_SAMPLES=DIR keeps the read samples ("<unix time> <rchar>") there, and the
# times of the runs (sha256sum start, verify start and end, paced start and end).
[ -z "${BENCH_SAMPLES:-}" ] || { mkdir -p "$BENCH_SAMPLES" && cp "$WORK"/*.samples "$BENCH_SAMPLES/" && echo "$t0 $t1 $t2 $t3 $t4" >"$BENCH_SAMPLES/times"; }
awk -v r="$peak" -v l="$KBPS" 'BEGIN { printf "  highest one-second rate:           %.0f KiB/s: %.2f of the limit\n", r / 1024, r / 1024 / l }'
awk -v r="$rate" -v l="$KBPS" 'BEGIN { printf "  rate / limit:                      %.2f (goal 0.9 to 1.1; while reading the files)\n", r / 1024 / l }'
