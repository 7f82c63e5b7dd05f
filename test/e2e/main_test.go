// Package e2e runs the real binaries against each other on loopback: a hub
// serving shards through git http-backend, donors running real git-annex,
// and an HTTP origin holding the archive's files.
package e2e

import (
	"os"
	"os/exec"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// Binaries built once for the whole package.
var shardkeeperBin, shardhubBin string

func TestMain(m *testing.M) {
	// The shards here hold a few hundred kilobytes, and the fills these
	// tests check reason about content: the repositories' own files stay
	// out of the budget (agent's TestReportedUsageIsDu tests that rule).
	os.Setenv("SHARDKEEPER_TEST_CONTENT_ONLY_BUDGET", "1")
	// The tests run on a donor's fresh account: empty HOME, no git config,
	// no git identity.
	testkit.BinariesMain(m, "../..", &shardkeeperBin, &shardhubBin)
}

// run and mustRun run a binary (testkit.RunBin, testkit.MustRunBin);
// result is what it did: r.Code, r.Stdout, r.Stderr.
var run, mustRun = testkit.RunBin, testkit.MustRunBin

type result = testkit.Result

func requireGitAnnex(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git-annex"); err != nil {
		t.Fatal("git-annex is not installed: run `make deps`")
	}
}
