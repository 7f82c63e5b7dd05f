//go:build unix

package annexproc

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCancelledGroupEndsWithSIGTERM: cancelling an upload's git-annex
// ends every process of its group with SIGTERM, on which git removes its
// lock files (SIGKILL left .git/annex/index.lock behind, and every later
// git-annex command failed on it).
func TestCancelledGroupEndsWithSIGTERM(t *testing.T) {
	dir := t.TempDir()
	// A stand-in for git-annex and a helper it started (a git update-index,
	// a special remote): each notes the signal that ends it.
	fake := filepath.Join(dir, "fake-annex")
	script := `#!/bin/sh
cd "$(dirname "$0")"
sh -c 'trap "echo TERM > child; exit 1" TERM; echo up > child-up; while :; do sleep 0.05; done' &
trap "echo TERM > parent; exit 1" TERM
echo up > parent-up
while :; do sleep 0.05; done
`
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r := NewRepo(Tools{GitAnnex: fake}, dir, "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { _, err := r.AnnexGroup(ctx, nil, "copy"); done <- err }()
	for _, f := range []string{"parent-up", "child-up"} {
		waitFile(t, filepath.Join(dir, f))
	}
	cancel()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the cancelled git-annex did not end")
	}
	for _, f := range []string{"parent", "child"} {
		waitFile(t, filepath.Join(dir, f))
		if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != "TERM\n" {
			t.Errorf("%s ended with %q, want TERM", f, b)
		}
	}
}

func waitFile(t *testing.T, p string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if b, err := os.ReadFile(p); err == nil && len(b) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", filepath.Base(p))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
