#!/bin/sh
# Times `shardhub build` against git-annex's own way of making the same
# shard (fromkey --batch, registerurl --batch, then commit) on the same N
# keys, and prints both. N is $BENCH_N, 20000 by default.
#
#   scripts/bench-vs-git-annex.sh
#   BENCH_N=100000 scripts/bench-vs-git-annex.sh
set -eu

N=${BENCH_N:-20000}
NAME=bench-vs-git-annex
. "$(dirname "$0")/bench-lib.sh"
manifest "$N" "$WORK/manifest.csv"
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(now)
"$WORK/shardhub" build "$WORK/manifest.csv" --item-depth 2 --out "$WORK/data" >/dev/null 2>&1
t1=$(now)

# The same keys, files and URLs, from shardhub's index of what it built.
for f in "$WORK"/data/index/*.tsv; do tail -n +2 "$f"; done >"$WORK/files.tsv"
awk -F '\t' '{ print $2 " " $1 }' "$WORK/files.tsv" >"$WORK/fromkey.txt"
awk -F '\t' '{ print $2 " " $3 }' "$WORK/files.tsv" >"$WORK/registerurl.txt"

git init -q "$WORK/annex"
cd "$WORK/annex"
git annex init -q bench
t2=$(now)
git annex fromkey --force --batch <"$WORK/fromkey.txt" >/dev/null
t3=$(now)
git annex registerurl --batch <"$WORK/registerurl.txt" >/dev/null
t4=$(now)
git annex merge -q
t5=$(now)
git commit -q -m "$N files"
t6=$(now)

files=$(git ls-files | wc -l)
[ "$files" -eq "$N" ] || { echo "bench-vs-git-annex: git-annex made $files files, want $N" >&2; exit 1; }
# One shard holds them all: its main branch must be git-annex's, to the bit.
if [ -d "$WORK/data/shards/shard-0001.git" ] && [ ! -d "$WORK/data/shards/shard-0002.git" ]; then
	ours=$(git -C "$WORK/data/shards/shard-0001.git" rev-parse main^{tree})
	theirs=$(git rev-parse HEAD^{tree})
	[ "$ours" = "$theirs" ] || { echo "bench-vs-git-annex: shardhub's tree $ours differs from git-annex's $theirs" >&2; exit 1; }
fi

echo "bench-vs-git-annex: $N files ($(nproc) cores)"
echo "  shardhub build:                    $(secs "$t0" "$t1") s"
echo "  git-annex fromkey + registerurl:   $(secs "$t2" "$t6") s (fromkey $(secs "$t2" "$t3"), registerurl $(secs "$t3" "$t4"), merge $(secs "$t4" "$t5"), commit $(secs "$t5" "$t6"))"
awk -v a="$(secs "$t0" "$t1")" -v b="$(secs "$t2" "$t6")" 'BEGIN { if (a > 0) printf "  shardhub is %.0fx faster\n", b / a }'
