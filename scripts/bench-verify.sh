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
set -euo pipefail

FILES=${BENCH_FILES:-16}
SIZE=${BENCH_SIZE:-16777216}
KBPS=${BENCH_VERIFY_KBPS:-8192}
NAME=bench-verify
GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
export GOMODCACHE GOCACHE
. "$(dirname "$0")/bench-lib.sh"
gobuild shardkeeper . nogui
. "$ROOT/scripts/bench-fill-lib.sh"

mkdir -p "$WORK/files/items"
for ((i = 0; i < FILES; i++)); do head -c "$SIZE" /dev/urandom >"$WORK/files/items/file-$i.bin"; done
TOTAL=$((FILES * SIZE))
start_origin files $((22000 + $$ % 20000))
donor_machine
join_donor v files $((TOTAL * 2 + (64 << 20)))
run_agent v
held_check v "$FILES"

verify() {
	"$WORK/shardkeeper" --home "$WORK/d-v/home" verify >"$WORK/d-v/verify.log" 2>&1 ||
		{ cat "$WORK/d-v/verify.log" >&2; echo "$NAME: verify failed" >&2; exit 1; }
}
find "$(shard_repo v)/.git/annex/objects" -type f -print0 >"$WORK/objects"
t0=$(now)
xargs -0 sha256sum <"$WORK/objects" >/dev/null
t1=$(now)
verify
t2=$(now)
"$WORK/shardkeeper" --home "$WORK/d-v/home" settings --verify-kbps "$KBPS" >/dev/null
t3=$(now)
verify
t4=$(now)

echo "$NAME: $FILES files, $(mib "$TOTAL") MiB ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo "  sha256sum:                         $(secs "$t0" "$t1") s  $(mbps "$TOTAL" "$t0" "$t1") MiB/s"
echo "  shardkeeper verify:                $(secs "$t1" "$t2") s  $(mbps "$TOTAL" "$t1" "$t2") MiB/s"
ratio "  verify / sha256sum throughput:     " "$t0" "$t1" "$t1" "$t2"
# The limited run's rate: the bytes over its time, less the unlimited run's
# time beyond hashing at sha256sum's speed (start-up, fsck's scan of the
# branch, the report): what is left is the time spent reading.
awk -v n="$TOTAL" -v l="$KBPS" -v a="$t0" -v b="$t1" -v c="$t1" -v d="$t2" -v e="$t3" -v f="$t4" 'BEGIN {
	fixed = (d - c) - (b - a); if (fixed < 0) fixed = 0
	wall = n / (f - e) / 1024; net = n / ((f - e) - fixed) / 1024
	printf "  with --verify-kbps %d:          %.2f s, %.0f KiB/s (%.2f of the limit); less fixed costs (%.2f s): %.0f KiB/s (%.2f)\n",
		l, f - e, wall, wall / l, fixed, net, net / l }'
