#!/bin/sh
# Times the hub's answer to "which files lack copies" against git-annex's
# own (`git annex find --not --copies=3` in a clone), on one shard of N
# files, from cold, and checks that both count the same files. N is
# $BENCH_N, 100000 by default.
#
#   scripts/bench-health-vs-git-annex.sh
#   BENCH_N=20000 scripts/bench-health-vs-git-annex.sh
set -eu

N=${BENCH_N:-100000}
NAME=bench-health
. "$(dirname "$0")/bench-lib.sh"
manifest "$N" "$WORK/manifest.csv"
"$WORK/shardhub" build "$WORK/manifest.csv" --item-depth 2 --files-per-shard "$N" --out "$WORK/data" >/dev/null 2>&1

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t0=$(now)
hub=$("$WORK/shardhub" health --data "$WORK/data" --json | tr -d ' \n' | sed 's/.*"copies":{"0":\([0-9]*\).*/\1/')
t1=$(now)

git clone -q "$WORK/data/shards/shard-0001.git" "$WORK/donor"
cd "$WORK/donor"
git annex init -q bench
t2=$(now)
annex=$(git annex find --not --copies=3 --format='${key}\n' | wc -l)
t3=$(now)

echo "files lacking copies in a $N-file shard, from cold:"
echo "  shardhub health:                    $(secs "$t0" "$t1") s  ($hub files at 0 donor copies)"
echo "  git annex find --not --copies=3:    $(secs "$t2" "$t3") s  ($annex files)"
if [ "$hub" != "$annex" ]; then
	echo "bench-health: the two disagree ($hub against $annex files)" >&2
	exit 1
fi
