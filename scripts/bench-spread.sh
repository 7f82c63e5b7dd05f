#!/bin/sh
# Replication efficiency with the agent's real planner, in simulated time
# (scripts/spreadsim): donors with mixed budgets and bandwidths join over
# time and fill one shard to the target; prints the bytes downloaded
# against the ideal (no copy beyond the target) and the files
# over-replicated, for the agent's order and for a plain shuffle.
#
#   scripts/bench-spread.sh                    # 100,000 files, 30 donors
#   BENCH_KEYS=2000 BENCH_DONORS=10 scripts/bench-spread.sh
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(mktemp -d "${TMPDIR:-/tmp}/bench-spread.XXXXXX")
trap 'rm -rf "$BIN"' EXIT INT TERM
(cd "$ROOT" && CGO_ENABLED=0 go build -tags nogui -o "$BIN/spreadsim" ./scripts/spreadsim)
"$BIN/spreadsim" -keys "${BENCH_KEYS:-100000}" -donors "${BENCH_DONORS:-30}" -target "${BENCH_TARGET:-3}"
