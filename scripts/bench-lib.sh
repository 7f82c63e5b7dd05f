# Shared by the bench-*.sh scripts (sourced, not run): a work folder
# removed on exit, git and git-annex with no user configuration, a
# shardhub binary (build_shardkeeper builds a shardkeeper one), need (the
# tools a script uses), and a made-up thousand-dir manifest. Set NAME first.

ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

# need BIN...: stop with a message when a tool a script uses is missing.
need() {
	for bin in "$@"; do
		command -v "$bin" >/dev/null || { echo "$NAME: $bin is not installed (make deps installs what the benchmarks use)" >&2; exit 1; }
	done
}
need go git git-annex awk
# HOME moves below: keep Go's caches where they are.
GOMODCACHE=$(go env GOMODCACHE) GOCACHE=$(go env GOCACHE)
export GOMODCACHE GOCACHE
# gobuild NAME PKG [TAGS]: $WORK/NAME built from PKG. With BENCH_BIN set
# (make bench-smoke), each binary is built once there for every script.
gobuild() {
	local dir=$WORK
	if [ -n "${BENCH_BIN:-}" ]; then dir=$BENCH_BIN && mkdir -p "$dir"; fi
	if [ ! -x "$dir/$1" ]; then
		(cd "$ROOT" && CGO_ENABLED=0 go build ${3:+-tags "$3"} -o "$dir/$1" "$2")
	fi
	[ "$dir" = "$WORK" ] || cp "$dir/$1" "$WORK/$1"
}
gobuild shardhub ./hub/cmd/shardhub

# build_shardkeeper: the headless shardkeeper binary, as $WORK/shardkeeper.
build_shardkeeper() { gobuild shardkeeper . nogui; }

# git and git-annex with no user configuration, as the tests run them.
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/home/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.invalid
mkdir -p "$HOME"

# manifest N FILE: a thousand-dir collection of N files with made-up
# SHA-256s (no content is ever fetched).
manifest() {
	awk -v n="$1" 'BEGIN {
		print "path,size,sha256,url"
		for (i = 0; i < n; i++) {
			p = "repository/" int(i / 1000) * 1000 "/" i ".cbz"
			printf "%s,%d,%08x%056x,https://archive.example/%s\n", p, 1000 + i, (i * 2654435761) % 4294967296, i, p
		}
	}' >"$2"
}

now() { date +%s.%N; }

# content_budget SHARDKEEPER HOME BYTES: a joined donor's budget becomes BYTES
# of content above what the budget also counts, its shard repositories and
# their growth room (status --json), as benchmarks about content want.
content_budget() {
	local st repo room
	st=$("$1" status --home "$2" --json | tr -d ' \n')
	repo=$(printf '%s' "$st" | sed -n 's/.*"repository_bytes":\([0-9]*\).*/\1/p')
	room=$(printf '%s' "$st" | sed -n 's/.*"growth_room_bytes":\([0-9]*\).*/\1/p')
	"$1" budget --home "$2" --max $((${repo:-0} + ${room:-0} + $3)) --yes >/dev/null
}
