package testkit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DonorMachine makes this test process look like a donor's fresh account
// before any test runs, so that everything it starts (in-process agents and
// hubs, the binaries under test, git and git-annex) sees an empty HOME, no
// system or global git config and no git identity in the environment. Our
// own machines have a global git identity, which once hid a bug that
// stopped every new donor at `git annex init`.
//
// It returns a function that removes the temporary HOME.
func DonorMachine() (cleanup func()) {
	home, err := os.MkdirTemp("", "donor-home-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testkit: no temporary HOME:", err)
		os.Exit(1)
	}
	emptyConfig := filepath.Join(home, "empty-gitconfig")
	if err := os.WriteFile(emptyConfig, nil, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "testkit:", err)
		os.Exit(1)
	}
	keepGoCaches(home)
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); isGitVar(name) {
			os.Unsetenv(name)
		}
	}
	os.Setenv("HOME", home)
	os.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	os.Setenv("GIT_CONFIG_GLOBAL", emptyConfig)
	os.Setenv("GIT_TERMINAL_PROMPT", "0")
	return func() { os.RemoveAll(home) }
}

// keepGoCaches pins the go command's caches before HOME moves, so a test
// that builds the binaries under test does not start from a cold cache.
func keepGoCaches(newHome string) {
	old, err := os.UserCacheDir()
	if err == nil && os.Getenv("GOCACHE") == "" {
		os.Setenv("GOCACHE", filepath.Join(old, "go-build"))
	}
	if os.Getenv("GOPATH") == "" {
		if h, err := os.UserHomeDir(); err == nil && h != newHome {
			os.Setenv("GOPATH", filepath.Join(h, "go"))
		}
	}
}

// Main runs a test binary's tests on a donor's fresh account.
func Main(m interface{ Run() int }) {
	cleanup := DonorMachine()
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// isGitVar is a variable through which a user's environment could hand git
// config or an identity to what a test runs.
func isGitVar(name string) bool { return strings.HasPrefix(name, "GIT_") || name == "EMAIL" }
