// Package e2e runs the real binaries against each other on loopback: a hub
// serving shards through git http-backend, donors running real git-annex,
// and an HTTP origin holding the archive's files.
package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// Binaries built once for the whole package.
var shardkeeperBin, shardhubBin string

func TestMain(m *testing.M) {
	dir, sk, sh, err := testkit.BuildBinaries("../..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shardkeeperBin, shardhubBin = sk, sh
	// From here on this process and everything it starts is a donor's
	// fresh account: empty HOME, no git config, no git identity.
	cleanup := testkit.DonorMachine()
	code := m.Run()
	cleanup()
	os.RemoveAll(dir)
	os.Exit(code)
}

// result is what a command did.
type result struct {
	code           int
	stdout, stderr string
}

// run runs a binary with args and returns what happened; it fails the test
// only when the binary cannot be started.
func run(t *testing.T, bin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("start %s %v: %v", bin, args, err)
	}
	return r
}

// mustRun runs and fails the test on a non-zero exit.
func mustRun(t *testing.T, bin string, args ...string) result {
	t.Helper()
	r := run(t, bin, args...)
	if r.code != 0 {
		t.Fatalf("%s %v: exit %d\nstdout: %s\nstderr: %s", filepath.Base(bin), args, r.code, r.stdout, r.stderr)
	}
	return r
}

func requireGitAnnex(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git-annex"); err != nil {
		t.Fatal("git-annex is not installed: run `make deps`")
	}
}
