# Shared by bench-fill.sh and bench-verify.sh (sourced after bench-lib.sh,
# with $WORK/shardkeeper built): origins served by shardhub on loopback,
# fresh donors, and the arithmetic of the reports. Bash.

# shellcheck source=gui-lib.sh
tag=$NAME
. "$ROOT/scripts/gui-lib.sh" # donor_machine
declare -A HUBS
BG_PIDS=()
trap 'kill "${BG_PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK" "${donor_home:-}"' EXIT INT TERM

# start_origin NAME PORT: builds a shard of $WORK/NAME/items and serves it
# with the files themselves as the archive's origin; HUBS[NAME] is its URL.
start_origin() {
	local hub=http://127.0.0.1:$2
	"$WORK/shardhub" build --from-dir "$WORK/$1" --base-url "$hub/origin" --out "$WORK/data-$1" >"$WORK/build-$1.log" 2>&1
	"$WORK/shardhub" serve --data "$WORK/data-$1" --listen "127.0.0.1:$2" --origin "$WORK/$1" >>"$WORK/hub-$1.log" 2>&1 &
	BG_PIDS+=($!)
	HUBS[$1]=$hub
	until curl -sf "$hub/api/v1/health" >/dev/null; do sleep 0.1; done
}

# join_donor DONOR ORIGIN BUDGET: a new donor of ORIGIN's hub, with BUDGET
# bytes for content above its repository (content_budget).
join_donor() {
	"$WORK/shardkeeper" --home "$WORK/d-$1/home" join --hub "${HUBS[$2]}" --storage "$WORK/d-$1/store" --budget "$3" >/dev/null
	content_budget "$WORK/shardkeeper" "$WORK/d-$1/home" "$3"
}

# run_agent DONOR: one fill cycle to the end, as `agent --until-idle`.
run_agent() {
	"$WORK/shardkeeper" --home "$WORK/d-$1/home" agent --until-idle >"$WORK/d-$1/agent.log" 2>&1 ||
		{ tail -n 20 "$WORK/d-$1/agent.log" >&2; echo "$NAME: the agent of $1 failed" >&2; exit 1; }
}

# shard_repo DONOR: the donor's git-annex repository of its shard.
shard_repo() { dirname "$(find "$WORK/d-$1/store" -maxdepth 3 -name .git -print -quit)"; }

# held_check DONOR N: the donor's repository holds N objects.
held_check() {
	local got
	got=$(find "$(shard_repo "$1")/.git/annex/objects" -type f 2>/dev/null | wc -l)
	[ "$got" -eq "$2" ] || { tail -n 20 "$WORK/d-$1/agent.log" >&2; echo "$NAME: donor $1 holds $got files, want $2" >&2; exit 1; }
}

# as_user COMMAND...: runs a baseline as a git user with an identity.
as_user() {
	GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid \
		GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid "$@"
}

# baseline_clone URL DIR: a plain git-annex clone that may fetch from
# loopback, as a user of git-annex would make it.
baseline_clone() {
	git clone -q "$1" "$2"
	git -C "$2" config annex.security.allowed-ip-addresses all
	git -C "$2" annex init -q baseline >/dev/null 2>&1
}

# sample_bytes DIR OUT: until killed, appends "<unix time> <bytes under
# DIR>" to OUT five times a second.
sample_bytes() {
	while :; do
		echo "$(now) $(du -sb "$1" 2>/dev/null | cut -f1)" >>"$2"
		sleep 0.2
	done
}

# steady_rate OUT: bytes per second between the first sample that grew
# and the last one before growth stopped: the download rate, without the
# agent's start and its report at the end.
steady_rate() {
	awk 'NR == 1 { base = $2 } $2 > base && t0 == "" { t0 = $1; b0 = $2 }
		$2 > last { t1 = $1; b1 = $2 } { last = $2 }
		END { if (t1 > t0) printf "%.0f", (b1 - b0) / (t1 - t0); else print 0 }' "$1"
}

secs() {
	awk '/msg="?[Ff]etch/ && match($0, /time=[^ ]+/) { t = substr($0, RSTART + 5, RLENGTH - 5); if (first == "") first = t; last = t }
		END { print first " " last }' "$WORK/d-$1/agent.log" |
		{ read -r a b && [ -n "$a" ] && echo $(($(date -d "$b" +%s%N) / 1000000 - $(date -d "$a" +%s%N) / 1000000)) | awk '{ printf "%.2f", $1 / 1000 }' || echo 0; }
}

secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
mib() { awk -v n="$1" 'BEGIN { printf "%.0f", n / 1048576 }'; }
mbps() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", n / (b - a) / 1048576 }'; }
fps() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
# ratio LABEL BASE_START BASE_END OURS_START OURS_END: baseline time over ours.
ratio() { awk -v l="$1" -v a="$2" -v b="$3" -v c="$4" -v d="$5" 'BEGIN { printf "%s%.2f\n", l, (b - a) / (d - c) }'; }
