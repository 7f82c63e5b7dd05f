// Package gitenv makes every git and git-annex that Shardkeeper starts
// independent of the user's git configuration. A donor's account often has
// no git identity at all (git annex init then fails), and a developer's may
// sign every commit, run hooks from a global core.hooksPath, or convert line
// endings: none of that may reach the shard repositories, on either side.
package gitenv

import (
	"slices"
	"strconv"
	"strings"
)

// settings are forced on every git and git-annex process, above the
// repository's own config (GIT_CONFIG_COUNT is git's command-line scope;
// git-annex's own -c options still win over them).
var settings = append(slices.Clone(committing),
	"tag.gpgsign=false",
	"push.gpgsign=false",
	// No hooks: a user's global hooks path would otherwise replace the
	// repository's own hooks (on the hub, the push audit). The hub puts
	// its hooks back for git http-backend with HubHooks.
	"core.hooksPath="+NoHooks,
	"core.autocrlf=false",
	"core.safecrlf=false",
	"core.fsmonitor=false",
	"core.quotepath=true",
	"init.defaultBranch=main",
	// A credential helper (the system one on Windows) would pop up a
	// password dialog when the hub answers 401.
	"credential.helper=",
	// git-annex must record what it does, where it can be pushed.
	"annex.autocommit=true",
	"annex.alwayscommit=true",
	"annex.private=false",
)

// committing is what git needs to commit: an identity of our own (a fresh
// account has none, and a donor's real name and address must not be
// published in a shard's history) and no signing.
var committing = []string{
	"user.name=Shardkeeper",
	"user.email=shardkeeper@localhost.invalid",
	"commit.gpgsign=false",
}

// RepoSettings are written into a donor repository's own config as well, so
// that a donor who runs git or git-annex by hand in the storage folder
// commits as Shardkeeper does, with no identity of their own needed.
func RepoSettings() [][2]string {
	var out [][2]string
	for _, kv := range committing {
		k, v, _ := strings.Cut(kv, "=")
		out = append(out, [2]string{k, v})
	}
	return out
}

// NoHooks is a hooks path where no hook can exist ("/dev/null/pre-commit"
// is never a file; Git for Windows maps /dev/null to NUL).
const NoHooks = "/dev/null"

// HubHooks makes a bare repository run its own hooks directory: a relative
// core.hooksPath is taken from $GIT_DIR in a bare repository.
const HubHooks = "core.hooksPath=hooks"

// userVars are variables from the user's environment that carry git config
// or an identity of their own; they are dropped. GIT_DIR and the object
// directories stay: a push's quarantine reaches the hub's audit through them.
var userVars = []string{
	"GIT_CONFIG", "GIT_CONFIG_COUNT", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_GLOBAL",
	"GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL",
}

// Vars are the variables that isolate git, with extra settings ("key=value")
// after the defaults (the last value of a key wins).
func Vars(extra ...string) []string {
	all := append(append([]string(nil), settings...), extra...)
	// The global config is skipped; the system one is kept, since on
	// Windows it says where the TLS certificates are.
	out := []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_COUNT=" + strconv.Itoa(len(all))}
	for i, kv := range all {
		k, v, _ := strings.Cut(kv, "=")
		n := strconv.Itoa(i)
		out = append(out, "GIT_CONFIG_KEY_"+n+"="+k, "GIT_CONFIG_VALUE_"+n+"="+v)
	}
	return out
}

// Environ is base (usually os.Environ()) without the user's git variables,
// then add (the caller's own, such as GIT_INDEX_FILE or a commit date), then
// Vars(extra...).
// Settings the caller passes in add as GIT_CONFIG_COUNT/KEY/VALUE are kept
// (they come after the defaults).
func Environ(base, add []string, extra ...string) []string {
	out := make([]string, 0, len(base)+len(add)+2*len(settings)+2)
	for _, kv := range base {
		if !isUserVar(kv) {
			out = append(out, kv)
		}
	}
	own, rest := configOf(add)
	out = append(out, rest...)
	return append(out, Vars(append(own, extra...)...)...)
}

// configOf splits GIT_CONFIG_COUNT-style settings ("key=value") from the
// other variables of env.
func configOf(env []string) (settings, rest []string) {
	keys, values := map[string]string{}, map[string]string{}
	for _, kv := range env {
		name, v, _ := strings.Cut(kv, "=")
		switch {
		case name == "GIT_CONFIG_COUNT":
		case strings.HasPrefix(name, "GIT_CONFIG_KEY_"):
			keys[strings.TrimPrefix(name, "GIT_CONFIG_KEY_")] = v
		case strings.HasPrefix(name, "GIT_CONFIG_VALUE_"):
			values[strings.TrimPrefix(name, "GIT_CONFIG_VALUE_")] = v
		default:
			rest = append(rest, kv)
		}
	}
	for i := 0; i < len(keys); i++ {
		n := strconv.Itoa(i)
		if k, ok := keys[n]; ok {
			settings = append(settings, k+"="+values[n])
		}
	}
	return settings, rest
}

func isUserVar(kv string) bool {
	name, _, _ := strings.Cut(kv, "=")
	if strings.HasPrefix(name, "GIT_CONFIG_KEY_") || strings.HasPrefix(name, "GIT_CONFIG_VALUE_") {
		return true
	}
	for _, v := range userVars {
		if name == v {
			return true
		}
	}
	return false
}
