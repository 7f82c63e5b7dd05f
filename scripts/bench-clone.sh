#!/bin/sh
# Does go-git earn its place? Clones one N-file shard ($BENCH_N, 100000 by
# default) served by `shardhub serve` on loopback, with `git clone` (what
# the agent runs) and in-process with go-git (what the first-run wizard
# could run, with real progress), with and without a checkout. Figures go
# to docs/architecture.md.
#
#   scripts/bench-clone.sh
#   BENCH_N=20000 scripts/bench-clone.sh
set -eu

N=${BENCH_N:-100000}
NAME=bench-clone
. "$(dirname "$0")/bench-lib.sh"
(cd "$ROOT" && CGO_ENABLED=0 go build -o "$WORK/benchclone" ./scripts/benchclone)
manifest "$N" "$WORK/manifest.csv"
"$WORK/shardhub" build "$WORK/manifest.csv" --item-depth 2 --files-per-shard "$N" --out "$WORK/data" >/dev/null 2>&1

PORT=${BENCH_PORT:-18931}
"$WORK/shardhub" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVE=$!
trap 'kill $SERVE 2>/dev/null; rm -rf "$WORK"' EXIT INT TERM
URL="http://127.0.0.1:$PORT/git/shard-0001.git"
i=0
until git ls-remote "$URL" >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "bench-clone: the hub did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
	sleep 0.1
done

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
timed() { t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); secs "$t0" "$t1"; }

echo "cloning a $N-file shard over loopback HTTP (git smart HTTP from shardhub serve):"
echo "  git clone --no-checkout:            $(timed git clone -q --no-checkout "$URL" "$WORK/c1") s"
echo "  go-git PlainClone, NoCheckout:      $("$WORK/benchclone" -no-checkout "$URL" "$WORK/c2")"
echo "  git clone (checkout, as the agent): $(timed git clone -q "$URL" "$WORK/c3") s"
echo "  go-git PlainClone with checkout:    $("$WORK/benchclone" "$URL" "$WORK/c4")"
echo "  .git size after git clone: $(du -sh "$WORK/c3/.git" | cut -f1); after go-git: $(du -sh "$WORK/c4/.git" | cut -f1)"
