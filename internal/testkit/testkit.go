// Package testkit holds what the tests of both sides share: real git and git-annex
// run in an isolated environment, and collections served over loopback.
package testkit

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shardkeeper/shardkeeper/annex"
)

// RequireGitAnnex skips the test when git or git-annex is not installed.
func RequireGitAnnex(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"git", "git-annex"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (make deps installs it)", bin)
		}
	}
}

// Env is an environment for client-side git and git-annex as on a donor's
// fresh account: its own empty HOME, no system or global git config and no
// git identity. A test that commits as a third party passes -c user.name=...
// to that one git call; the product must never need one.
func Env(t testing.TB) []string {
	home := t.TempDir()
	empty := filepath.Join(home, ".empty-gitconfig")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !isGitVar(name) {
			env = append(env, kv)
		}
	}
	return append(env,
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL="+empty,
		"GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=",
		"SSH_ASKPASS=",
	)
}

// Try runs a command in dir and returns its combined output.
func Try(env []string, dir string, args ...string) (string, error) {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Run is Try that fails the test when the command fails.
func Run(t testing.TB, env []string, dir string, args ...string) string {
	t.Helper()
	out, err := Try(env, dir, args...)
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// WriteFiles creates files (slash path -> content) under a new directory.
func WriteFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Origin serves dir over HTTP on 127.0.0.1, as the archive would.
func Origin(t testing.TB, dir string) *httptest.Server {
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return srv
}

// SyncBuffer is a log sink a server's goroutines and the test can share.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// HandEnv is Env for a repository a test drives by hand with raw git and
// git-annex, standing in for some other party: it has the identity a person
// who set up git would have, as command-scope config. The product never
// gets it: what Shardkeeper starts replaces GIT_CONFIG_COUNT with its own.
func HandEnv(t testing.TB) []string {
	return append(Env(t),
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=user.name", "GIT_CONFIG_VALUE_0=Hand Donor",
		"GIT_CONFIG_KEY_1=user.email", "GIT_CONFIG_VALUE_1=hand@example.invalid",
	)
}

// HandDonor makes a donor's repository by hand, as a donor's own git and
// git-annex would: a clone of the shard at url in a new folder, with the
// registration's uuid, git-annex initialised with description name. env
// is HandEnv's. It returns the folder.
func HandDonor(t testing.TB, env []string, url, uuid, name string) string {
	t.Helper()
	work := filepath.Join(t.TempDir(), name)
	Run(t, env, "", "git", "clone", "-q", url, work)
	Run(t, env, work, "git", "config", "annex.uuid", uuid)
	Run(t, env, work, "git", "annex", "init", "-q", name)
	return work
}

// HandPushArgs is the git command that pushes a hand-made donor
// repository's git-annex branch to its donor ref at the hub, with its token.
func HandPushArgs(token, uuid string) []string {
	return []string{"git", "-c", "http.extraHeader=Authorization: Bearer " + token, "push", "origin", "git-annex:" + annex.DonorRef(uuid)}
}
