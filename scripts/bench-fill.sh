#!/usr/bin/env bash
# Fill from an HTTP origin on loopback, and verification, each against a
# baseline run here:
#  - large files: a fresh donor's agent (join, then `agent --until-idle`)
#    against one `curl --parallel` (as many at a time as the agent's
#    downloads, 4) of the same URLs from the same server;
#  - verification: `shardkeeper verify` of the large files held against
#    `sha256sum` of the same objects;
#  - small files: the agent against `git annex get -J8` in a clone of the
#    same shard: the agent fetches all of them, git-annex a sample of them
#    ($BENCH_BASELINE_FILES, 2,000 by default) in two halves; its time for
#    all is the first half's (with git-annex's start-up) plus the second
#    half's per file for the rest (BENCH_BASELINE_REST=1 also gets the other
#    files in the same clone, timed, to check that; docs/benchmarks.md);
#  - with a bandwidth limit set (`settings --bandwidth`), the rate the
#    agent fetched at against that limit.
# The origin is shardhub's own (`serve --origin`), the shards are built by
# `shardhub build --from-dir`, the agent is the headless build, and every
# donor runs as a fresh account (empty HOME, no git identity).
#
#   scripts/bench-fill.sh                       # 8 x 256 MiB, 10,000 x 16 KiB
#   BENCH_BASELINE_FILES=10000 scripts/bench-fill.sh   # git-annex gets all of them
#   BENCH_LARGE_FILES=2 BENCH_LARGE_SIZE=8388608 BENCH_SMALL_FILES=200 scripts/bench-fill.sh
#   BENCH_ONLY=large scripts/bench-fill.sh       # only the large files' fill
set -euo pipefail

LARGE_FILES=${BENCH_LARGE_FILES:-8}
LARGE_SIZE=${BENCH_LARGE_SIZE:-268435456}
SMALL_FILES=${BENCH_SMALL_FILES:-10000}
SMALL_SIZE=${BENCH_SMALL_SIZE:-16384}
LIMIT_KBPS=${BENCH_LIMIT_KBPS:-8192}
LIMIT_FILES=${BENCH_LIMIT_FILES:-1}
BASELINE_FILES=${BENCH_BASELINE_FILES:-2000}
[ "$BASELINE_FILES" -le "$SMALL_FILES" ] || BASELINE_FILES=$SMALL_FILES
NAME=bench-fill
. "$(dirname "$0")/bench-lib.sh"
need curl split
build_shardkeeper
. "$ROOT/scripts/bench-fill-lib.sh"

# Space: the collection, curl's copy, the agent's copy and the limited
# donor's, plus the small files three times. Scale down when short.
avail=$(df -P -B1 "$WORK" | awk 'NR == 2 { print $4 }')
need() { echo $((LARGE_FILES * LARGE_SIZE * 3 + LIMIT_FILES * LARGE_SIZE + SMALL_FILES * (SMALL_SIZE + 8192) * 3 + (1 << 30))); }
while [ "$(need)" -gt "$avail" ] && [ "$LARGE_FILES" -gt 1 ]; do
	LARGE_FILES=$((LARGE_FILES / 2))
	echo "$NAME: only $((avail >> 20)) MiB free in $WORK: scaled down to $LARGE_FILES large files"
done

# The collections: large and small files of random bytes, one shard each.
mkdir -p "$WORK/large/items" "$WORK/small/items"
for ((i = 0; i < LARGE_FILES; i++)); do head -c "$LARGE_SIZE" /dev/urandom >"$WORK/large/items/file-$i.bin"; done
[ "${BENCH_ONLY:-}" = large ] || head -c $((SMALL_FILES * SMALL_SIZE)) /dev/urandom | (cd "$WORK/small/items" && split -a 6 -d -b "$SMALL_SIZE" - f-)
LARGE_TOTAL=$((LARGE_FILES * LARGE_SIZE))
SMALL_TOTAL=$((SMALL_FILES * SMALL_SIZE))
start_origin large $((20000 + $$ % 20000))
[ "${BENCH_ONLY:-}" = large ] || start_origin small $((20001 + $$ % 20000))

# Large files: curl, then a fresh donor's agent.
awk -v hub="${HUBS[large]}" -v dir="$WORK/curl" '{ printf "url = \"%s/origin/%s\"\noutput = \"%s/%s\"\n", hub, $0, dir, $0 }' \
	< <(cd "$WORK/large" && find items -type f | sort) >"$WORK/curl.cfg"
t0=$(now)
curl -sSf --no-progress-meter --create-dirs --parallel --parallel-max 4 -K "$WORK/curl.cfg"
t1=$(now)
[ "$(du -sb "$WORK/curl" | cut -f1)" -ge "$LARGE_TOTAL" ] || { echo "$NAME: curl fetched less than $LARGE_TOTAL bytes" >&2; exit 1; }
rm -rf "$WORK/curl"

donor_machine
join_donor large large $((LARGE_TOTAL * 2))
t2=$(now)
run_agent large
t3=$(now)
held_check large "$LARGE_FILES"
# The large files' lines of the report.
report_large() {
	echo "$NAME: fill from an HTTP origin on loopback ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
	echo "  $LARGE_FILES large files, $(mib "$LARGE_TOTAL") MiB:"
	echo "    curl --parallel-max 4:           $(secs "$t0" "$t1") s  $(mbps "$LARGE_TOTAL" "$t0" "$t1") MiB/s"
	echo "    agent (until idle):              $(secs "$t2" "$t3") s  $(mbps "$LARGE_TOTAL" "$t2" "$t3") MiB/s"
	ratio "    agent / curl throughput:         " "$t0" "$t1" "$t2" "$t3"
}
[ "${BENCH_ONLY:-}" != large ] || { report_large; exit 0; }

# Verification of what the large donor holds: sha256sum, then the agent's
# (`shardkeeper verify`: git annex fsck of every held file).
find "$(shard_repo large)/.git/annex/objects" -type f -print0 >"$WORK/objects"
tv0=$(now)
xargs -0 sha256sum <"$WORK/objects" >/dev/null
tv1=$(now)
"$WORK/shardkeeper" --home "$WORK/d-large/home" verify >"$WORK/d-large/verify.log" 2>&1 ||
	{ cat "$WORK/d-large/verify.log" >&2; echo "$NAME: verify failed" >&2; exit 1; }
tv2=$(now)

# Small files: git annex get -J8 in a clone of the shard, then the agent.
join_donor small small $((SMALL_TOTAL * 4))
url=$(git -C "$(shard_repo small)" remote get-url origin)
as_user baseline_clone "$url" "$WORK/annex-small"
git -C "$WORK/annex-small" ls-files >"$WORK/small.paths"
# A sample: every (SMALL_FILES / BASELINE_FILES)th file (all of the same
# size), got in two halves: git-annex's time for all of them is the first
# half's (its start-up in it) and the second half's per file for the rest.
[ "$BASELINE_FILES" -ge 2 ] || BASELINE_FILES=$SMALL_FILES
H1=$((BASELINE_FILES / 2)) H2=$((BASELINE_FILES - BASELINE_FILES / 2))
annex_get() { (cd "$WORK/annex-small" && as_user xargs -a "$1" -d '\n' -s 1000000 -x git annex get -J8 --quiet --); }
if [ "$BASELINE_FILES" -lt "$SMALL_FILES" ]; then
	awk -v n="$SMALL_FILES" -v k="$BASELINE_FILES" 'int(NR * k / n) > int((NR - 1) * k / n)' "$WORK/small.paths" >"$WORK/sample.paths"
	head -n "$H1" "$WORK/sample.paths" >"$WORK/sample1.paths"
	tail -n +$((H1 + 1)) "$WORK/sample.paths" >"$WORK/sample2.paths"
	t4=$(now)
	annex_get "$WORK/sample1.paths"
	ta=$(now)
	annex_get "$WORK/sample2.paths"
	t5=$(now)
else
	t4=$(now)
	as_user git -C "$WORK/annex-small" annex get -J8 --quiet .
	t5=$(now)
fi
got=$(find "$WORK/annex-small/.git/annex/objects" -type f | wc -l)
[ "$got" -eq "$BASELINE_FILES" ] || { echo "$NAME: git annex get fetched $got of $BASELINE_FILES files" >&2; exit 1; }
if [ -n "${BENCH_BASELINE_REST:-}" ] && [ "$BASELINE_FILES" -lt "$SMALL_FILES" ]; then
	tr0=$(now)
	as_user git -C "$WORK/annex-small" annex get -J8 --quiet .
	tr1=$(now)
fi
rm -rf "$WORK/annex-small"
if [ "$BASELINE_FILES" -lt "$SMALL_FILES" ]; then
	tb=$t5
	t5=$(awk -v a="$t4" -v m="$ta" -v b="$tb" -v h1="$H1" -v h2="$H2" -v n="$SMALL_FILES" 'BEGIN { printf "%.3f", m + (b - m) * (n - h1) / h2 }')
fi
t6=$(now)
run_agent small
t7=$(now)
held_check small "$SMALL_FILES"

# A bandwidth limit: a second donor with room for LIMIT_FILES large files.
join_donor limited large $((LIMIT_FILES * LARGE_SIZE + LARGE_SIZE / 2))
"$WORK/shardkeeper" --home "$WORK/d-limited/home" settings --bandwidth "$LIMIT_KBPS" >/dev/null
sample_bytes "$WORK/d-limited/store" "$WORK/limited.samples" &
sampler=$!
BG_PIDS+=("$sampler")
t8=$(now)
run_agent limited
t9=$(now)
kill "$sampler"
held_check limited "$LIMIT_FILES"
limited_rate=$(steady_rate "$WORK/limited.samples")

report_large
echo "  verifying the $LARGE_FILES large files held:"
echo "    sha256sum:                       $(secs "$tv0" "$tv1") s  $(mbps "$LARGE_TOTAL" "$tv0" "$tv1") MiB/s"
echo "    shardkeeper verify:              $(secs "$tv1" "$tv2") s  $(mbps "$LARGE_TOTAL" "$tv1" "$tv2") MiB/s"
ratio "    verify / sha256sum throughput:   " "$tv0" "$tv1" "$tv1" "$tv2"
echo "  $SMALL_FILES small files, $(mib "$SMALL_TOTAL") MiB:"
if [ "$BASELINE_FILES" -lt "$SMALL_FILES" ]; then
	echo "    git annex get -J8 of a sample:   $H1 files $(secs "$t4" "$ta") s, then $H2 files $(secs "$ta" "$tb") s (1 file in $((SMALL_FILES / BASELINE_FILES)))"
	[ -z "${tr1:-}" ] || echo "    then the other $((SMALL_FILES - BASELINE_FILES)) (BENCH_BASELINE_REST): $(secs "$tr0" "$tr1") s  $(fps $((SMALL_FILES - BASELINE_FILES)) "$tr0" "$tr1") files/s"
	echo "    git annex get -J8 (from the sample): $(secs "$t4" "$t5") s  $(fps "$SMALL_FILES" "$t4" "$t5") files/s, for all $SMALL_FILES: the first $H1 files' time, the next $H2's per file for the rest"
else
	echo "    git annex get -J8:               $(secs "$t4" "$t5") s  $(fps "$SMALL_FILES" "$t4" "$t5") files/s"
fi
echo "    agent (until idle):              $(secs "$t6" "$t7") s  $(fps "$SMALL_FILES" "$t6" "$t7") files/s"
ratio "    agent / git-annex throughput:    " "$t4" "$t5" "$t6" "$t7"
limited_bytes=$((LIMIT_FILES * LARGE_SIZE))
echo "  bandwidth limit (settings --bandwidth) $LIMIT_KBPS KiB/s, $LIMIT_FILES large files:"
echo "    agent run, start to exit:        $(secs "$t8" "$t9") s  $(awk -v n="$limited_bytes" -v a="$t8" -v b="$t9" 'BEGIN { printf "%.0f", n / (b - a) / 1024 }') KiB/s"
echo "    while downloading (du, 5/s):     $((limited_rate / 1024)) KiB/s"
awk -v r="$limited_rate" -v l="$LIMIT_KBPS" 'BEGIN { printf "    rate / limit:                    %.2f\n", r / 1024 / l }'
