#!/bin/sh
# The hub at a collection's real size: generates a thousand-dir MD5 table of
# N files, builds it (shards of 100k files), then serves it and times the
# start-up, the health pages and a restart. Prints one "figure: value" line
# each and keeps the pprof profiles (build CPU and allocations, hub heap,
# hub CPU during the health pages) in $OUT (out/bench-scale by default).
#
#   make bench-scale N=2000000
#   N=20000 scripts/bench-scale.sh       (a smoke run)
#   DATA=/path/to/built scripts/bench-scale.sh  (serve a data directory built
#                                        before: no generation, no build; a
#                                        copy is served, the original is kept)
set -eu

N=${N:-${BENCH_N:-2000000}}
NAME=bench-scale
. "$(dirname "$0")/bench-lib.sh"
OUT=${OUT:-$ROOT/out/bench-scale}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HUB="$WORK/shardhub"
RESULTS="$OUT/results.txt"
: >"$RESULTS"

say() { echo "$1: $2" | tee -a "$RESULTS"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# md5table N FILE: id,md5,size,extension of N made-up files (no content is
# ever fetched); sizes average ~48 MB, as the comics collection's do.
md5table() {
	awk -v n="$1" 'BEGIN {
		print "id,md5,size,extension"
		for (i = 0; i < n; i++)
			printf "%d,%08x%024x,%d,cbz\n", i, (i * 2654435761) % 4294967296, i, 1000000 + (i * 7919) % 97000000
	}' >"$2"
}

# timed FILE CMD...: runs CMD under /usr/bin/time -v, its report in FILE.
timed() {
	out=$1
	shift
	/usr/bin/time -v -o "$out" "$@"
}
field() { awk -F': ' -v f="$1" 'index($0, f) { print $2 }' "$2"; }

echo "bench-scale: $N files on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))" | tee -a "$RESULTS"
if [ -n "${DATA:-}" ]; then
	cp -a "$DATA" "$WORK/data"
	rm -f "$WORK/data/hub.db" "$WORK/data/hub.db-wal" "$WORK/data/hub.db-shm"
	say "data directory (MB), built before" "$(du -sm "$WORK/data" | cut -f1)"
else
	t0=$(now)
	md5table "$N" "$WORK/table.csv"
	say "generate table (s)" "$(secs "$t0" "$(now)")"

	t0=$(now)
	SHARDHUB_CPUPROFILE="$OUT/build.cpu.pprof" SHARDHUB_MEMPROFILE="$OUT/build.allocs.pprof" \
		timed "$WORK/build.time" "$HUB" build --md5-table "$WORK/table.csv" \
		--url-template 'https://archive.example/repository/{dir}/{id}.{ext}' --out "$WORK/data" --json >"$WORK/build.json"
	t1=$(now)
	shards=$(ls "$WORK/data/shards" | grep -c '\.git$')
	say "build shards" "$shards"
	say "build time (s)" "$(secs "$t0" "$t1")"
	say "build files/s" "$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", n / (b - a) }')"
	say "build peak RSS (MB)" "$(($(field 'Maximum resident set size (kbytes)' "$WORK/build.time") / 1024))"
	say "data directory (MB)" "$(du -sm "$WORK/data" | cut -f1)"
fi

port() { awk 'BEGIN { srand(); print 20000 + int(rand() * 30000) }'; }
PORT=$(port)
PPROF=127.0.0.1:$((PORT + 1))
URL=http://127.0.0.1:$PORT

# serve: starts the hub; sets PID, and UP to the seconds until it answered.
serve() {
	t0=$(now)
	SHARDHUB_PPROF=$PPROF "$HUB" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" >>"$WORK/serve.log" 2>&1 &
	PID=$!
	until curl -fsS -o /dev/null "$URL/api/v1/config" 2>/dev/null; do
		kill -0 "$PID" 2>/dev/null || { echo "bench-scale: the hub stopped; its log:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
		sleep 0.05
	done
	UP=$(secs "$t0" "$(now)")
}
stop() { kill "$PID" && wait "$PID" || true; }
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM
rss() { awk '/^VmRSS/ { print int($2 / 1024) }' "/proc/$PID/status"; }
hwm() { awk '/^VmHWM/ { print int($2 / 1024) }' "/proc/$PID/status"; }
# page PATH: seconds to the first byte and to the last, and the bytes.
page() { curl -fsS -o "$WORK/page" -w '%{time_starttransfer} %{time_total} %{size_download}' "$URL$1"; }

serve
say "hub start-up to serving, first start (s)" "$UP"
say "hub RSS after start (MB)" "$(rss)"
curl -fsS -o "$OUT/hub.cpu.pprof" "http://$PPROF/debug/pprof/profile?seconds=${PROFILE_SECONDS:-20}" &
CPU=$!
for p in /api/v1/health /health /health/at-risk.csv; do
	set -- $(page "$p")
	say "GET $p (s, first byte / whole, bytes)" "$1 / $2 / $3"
done
wait "$CPU" || true
for p in /api/v1/health /health; do
	set -- $(page "$p")
	say "GET $p again (s)" "$2"
done
curl -fsS -o "$OUT/hub.heap.pprof" "http://$PPROF/debug/pprof/heap?gc=1"
say "hub RSS after the pages (MB)" "$(rss)"
say "hub peak RSS (MB)" "$(hwm)"
stop

serve
say "hub start-up to serving, restart (s)" "$UP"
say "hub RSS after restart (MB)" "$(rss)"
set -- $(page /api/v1/health)
say "GET /api/v1/health after restart (s)" "$2"
say "hub peak RSS after restart (MB)" "$(hwm)"
stop
echo "profiles: $OUT (go tool pprof -top $OUT/shardhub $OUT/hub.heap.pprof)"
cp "$HUB" "$OUT/shardhub"
