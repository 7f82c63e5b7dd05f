#!/bin/sh
# Times the hub's answer to "which files lack copies" against git-annex's
# own (`git annex find --not --copies=3` in a clone), on one shard of N
# files, from cold, and checks that both count the same files. N is
# $BENCH_N, 100000 by default.
#
# git-annex answers for a sample of the shard's thousand-dirs (about
# $BENCH_BASELINE_FILES files, 20,000 by default; every dir when it is N),
# in two halves: it reads each file's location log once, so its time for
# all N is the first half's (with its start-up) plus the second half's per
# file for the rest (BENCH_BASELINE_REST=1 also times the other dirs in
# the same clone, to check that; docs/benchmarks.md).
#
#   scripts/bench-health-vs-git-annex.sh
#   BENCH_N=20000 scripts/bench-health-vs-git-annex.sh
#   BENCH_BASELINE_FILES=100000 scripts/bench-health-vs-git-annex.sh   # git-annex reads all of them
set -eu

N=${BENCH_N:-100000}
BASELINE=${BENCH_BASELINE_FILES:-20000}
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
# The sample: every kth thousand-dir, k = dirs / (BASELINE / 1000).
ls repository | sort -n >"$WORK/dirs"
dirs=$(wc -l <"$WORK/dirs")
want=$(((BASELINE + 999) / 1000))
[ "$want" -ge 1 ] && [ "$want" -le "$dirs" ] || want=$dirs
awk -v n="$dirs" -v k="$want" 'int(NR * k / n) > int((NR - 1) * k / n) { print "repository/" $0 }' "$WORK/dirs" >"$WORK/sample"
split_half() { awk -v h="$2" -v first="$3" '(NR <= h) == first' "$WORK/sample" >"$1"; }
split_half "$WORK/sample1" $((want / 2)) 1
split_half "$WORK/sample2" $((want / 2)) 0
count() { if [ -s "$1" ]; then xargs git ls-files -- <"$1" | wc -l; else echo 0; fi; }
find_lacking() { if [ -s "$1" ]; then xargs git annex find --not --copies=3 --format='${key}\n' -- <"$1" | wc -l; else echo 0; fi; }
n1=$(count "$WORK/sample1") n2=$(count "$WORK/sample2")
t2=$(now)
a1=$(find_lacking "$WORK/sample1")
tm=$(now)
a2=$(find_lacking "$WORK/sample2")
t3=$(now)
annex=$((a1 + a2)) sampled=$((n1 + n2))
if [ -n "${BENCH_BASELINE_REST:-}" ] && [ "$sampled" -lt "$N" ]; then
	sed 's|^|repository/|' "$WORK/dirs" | grep -vxF -f "$WORK/sample" >"$WORK/rest"
	tr0=$(now)
	rest=$(find_lacking "$WORK/rest")
	tr1=$(now)
fi
# git-annex's time for all N files: the first half's, then the second
# half's per file for the rest (when the sample is every dir, as measured).
t3s=$t3
if [ "$sampled" -lt "$N" ] && [ "$n1" -gt 0 ]; then
	t3s=$(awk -v m="$tm" -v b="$t3" -v n1="$n1" -v n2="$n2" -v n="$N" 'BEGIN { printf "%.3f", m + (b - m) * (n - n1) / n2 }')
fi

echo "files lacking copies in a $N-file shard, from cold:"
echo "  shardhub health:                    $(secs "$t0" "$t1") s  ($hub files at 0 donor copies)"
if [ "$sampled" -lt "$N" ]; then
	echo "  git annex find, $want of $dirs dirs:    $n1 files $(secs "$t2" "$tm") s, then $n2 files $(secs "$tm" "$t3") s ($annex of $sampled lack copies)"
	[ -z "${tr1:-}" ] || echo "  git annex find, the other dirs:     $(secs "$tr0" "$tr1") s  ($rest files; BENCH_BASELINE_REST)"
	echo "  git annex find --not --copies=3:    $(secs "$t2" "$t3s") s  (for all $N files, from the sample: the first half's time, the second's per file for the rest)"
else
	echo "  git annex find --not --copies=3:    $(secs "$t2" "$t3") s  ($annex files)"
fi
# Both say every file lacks copies: the hub of all N, git-annex of each it read.
if [ "$hub" != "$N" ] || [ "$annex" != "$sampled" ]; then
	echo "bench-health: the two disagree (the hub: $hub of $N files, git-annex: $annex of $sampled)" >&2
	exit 1
fi
