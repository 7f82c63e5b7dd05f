#!/bin/sh
# Restore throughput: three donors on loopback send a shard's files back
# to a running hub (`shardhub restore --all --to DIR`: poll, git-annex copy
# through git-annex-remote-shardkeeper, the hub's verification, the copy
# into DIR) against `curl --upload-file` of the same bytes to the same
# hub's PUT endpoint (three curls at a time, one per donor token), as a
# ratio. BENCH_FILES files of BENCH_SIZE bytes (default 30 x 4 MiB).
#
#   scripts/bench-restore.sh
#   BENCH_FILES=12 BENCH_SIZE=2097152 scripts/bench-restore.sh
set -eu

FILES=${BENCH_FILES:-30}
SIZE=${BENCH_SIZE:-4194304}
NAME=bench-restore
. "$(dirname "$0")/bench-lib.sh"
need curl cmp
build_shardkeeper
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mbps() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) / 1048576 }'; }

# The collection: FILES files of SIZE random bytes.
mkdir -p "$WORK/coll/items"
i=0
while [ "$i" -lt "$FILES" ]; do
	head -c "$SIZE" /dev/urandom >"$WORK/coll/items/file-$i.bin"
	i=$((i + 1))
done
TOTAL=$((FILES * SIZE))

PORT=$((20000 + $$ % 20000))
HUB=http://127.0.0.1:$PORT
"$WORK/shardhub" build --from-dir "$WORK/coll" --base-url "$HUB/origin" --out "$WORK/data" >/dev/null 2>&1
HUBPID=
start_hub() {
	"$WORK/shardhub" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" --origin "$WORK/coll" >>"$WORK/hub.log" 2>&1 &
	HUBPID=$!
	until curl -sf "$HUB/api/v1/health" >/dev/null; do sleep 0.1; done
}
stop_hub() { kill "$HUBPID"; wait "$HUBPID" 2>/dev/null || true; }
AGENTS=
trap 'kill $HUBPID $AGENTS 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM
start_hub

# Three donors, each holding every file and reporting it.
for d in 0 1 2; do
	"$WORK/shardkeeper" join --home "$WORK/home-$d" --hub "$HUB" --storage "$WORK/store-$d" --budget $((TOTAL * 2)) >/dev/null
	content_budget "$WORK/shardkeeper" "$WORK/home-$d" $((TOTAL * 2))
	"$WORK/shardkeeper" agent --home "$WORK/home-$d" --until-idle >/dev/null 2>&1
done
field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$WORK/home-$2/config.json"; }

# The same starting point for both runs: the hub's data after the pushes.
stop_hub
cp -a "$WORK/data" "$WORK/data.start"
start_hub

# curl: a drill on every file, then each file PUT with a donor's token.
drill=$("$WORK/shardhub" firedrill --data "$WORK/data" --shard shard-0001 --count "$FILES" 2>&1) ||
	{ echo "$NAME: firedrill failed: $drill" >&2; exit 1; }
"$WORK/shardhub" firedrill --data "$WORK/data" --status --json | tr -d ' \n' | grep -o '"path":"[^"]*","key":"[^"]*"' |
	sed 's/"path":"\([^"]*\)","key":"\([^"]*\)"/\1 \2/' >"$WORK/keys"
n=0
: >"$WORK/puts"
while read -r path key; do
	d=$((n % 3))
	echo "$d $path $key" >>"$WORK/puts"
	n=$((n + 1))
done <"$WORK/keys"
for d in 0 1 2; do
	echo "Authorization: Bearer $(field token "$d")" >"$WORK/auth-$d" # not on curl's command line
done
put() { # donor path key
	curl -sf -o /dev/null -H "@$WORK/auth-$1" --upload-file "$WORK/coll/$2" \
		"$HUB/api/v1/donors/$(field donor_uuid "$1")/restores/shard-0001/$3"
}
t0=$(now)
PUTS=
for d in 0 1 2; do
	(grep "^$d " "$WORK/puts" | while read -r _ path key; do put "$d" "$path" "$key" || { echo "$NAME: curl PUT of $path failed" >&2; exit 1; }; done) &
	PUTS="$PUTS $!"
done
for p in $PUTS; do wait "$p"; done
t1=$(now)
verified=$("$WORK/shardhub" firedrill --data "$WORK/data" --status --json | tr -d ' \n' | sed 's/.*"verified":\([0-9]*\).*/\1/')
[ "$verified" = "$FILES" ] || { echo "$NAME: curl uploads verified $verified of $FILES files" >&2; exit 1; }

# The donors: back to the starting point, then a restore from the three agents.
stop_hub
rm -rf "$WORK/data" && mv "$WORK/data.start" "$WORK/data"
start_hub
for d in 0 1 2; do
	"$WORK/shardkeeper" agent --home "$WORK/home-$d" --restore-poll 1s >/dev/null 2>&1 &
	AGENTS="$AGENTS $!"
done
t2=$(now)
"$WORK/shardhub" restore --data "$WORK/data" --shard shard-0001 --to "$WORK/out" --all --wait 5m >/dev/null 2>&1
t3=$(now)
kill $AGENTS 2>/dev/null || true
for f in "$WORK"/coll/items/*; do
	cmp -s "$f" "$WORK/out/items/$(basename "$f")" || { echo "$NAME: $f was not restored byte-exact" >&2; exit 1; }
done

echo "restore of $FILES files, $(awk -v n="$TOTAL" 'BEGIN { printf "%.1f", n / 1048576 }') MiB, to a hub on loopback:"
echo "  3 donors (shardhub restore --all --to DIR):   $(secs "$t2" "$t3") s  $(mbps "$TOTAL" "$t2" "$t3") MiB/s"
echo "  curl --upload-file, 3 at a time:             $(secs "$t0" "$t1") s  $(mbps "$TOTAL" "$t0" "$t1") MiB/s"
awk -v a="$(secs "$t2" "$t3")" -v b="$(secs "$t0" "$t1")" 'BEGIN { printf "  donors / curl throughput: %.2f\n", b / a }'
