package agent

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
)

// TestFillChecksWhileStreamingAndRefusesWrongBytes: the fill downloads
// through the proxy's checking address with git-annex's own after-download
// hash off (issue 11 goal 5). An origin that serves wrong bytes of the
// right size for one file: that file is not held (its key is not present
// to git-annex, nothing of it is in the objects), a failure saying why is
// booked, and the other files arrive whole (git-annex's fsck agrees). The
// retry goes through git-annex's own check and fails too.
func TestFillChecksWhileStreamingAndRefusesWrongBytes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 6, func(i int) int { return 96<<10 + i*1000 })
	var paths []string
	for p := range w.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	badPath := paths[2]
	// The archive's file changes after the shard was built: same size,
	// other bytes.
	full := filepath.Join(w.coll, filepath.FromSlash(badPath))
	data, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(full, data, 0o644); err != nil {
		t.Fatal(err)
	}
	h := w.join("donor", w.total()*3)
	clock := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clock, Jobs: 4})
	repo := a.cfg.Shards[0].Path
	badKey := keyOfPath(t, repo, badPath)
	ctx := context.Background()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	held := heldKeys(t, repo)
	if held[badKey] || len(held) != len(paths)-1 {
		t.Fatalf("holds %d files (the bad one: %v); want the %d good ones only", len(held), held[badKey], len(paths)-1)
	}
	if n := ledger.PartialOnDisk(repo, badKey); n != 0 {
		t.Errorf("the cut download left %d bytes to resume from", n)
	}
	f, ok := a.fails.Of(string(badKey))
	if !ok || !strings.Contains(f.LastError, "checksum") {
		t.Errorf("failure booked for the wrong bytes: %+v (%v); want one that says the checksum did not match", f, ok)
	}
	fsck := exec.Command("git", "annex", "fsck", "--all", "--numcopies=1", "--quiet")
	fsck.Dir = repo
	if out, err := fsck.CombinedOutput(); err != nil {
		t.Errorf("git annex fsck of what the fill got: %v\n%s", err, out)
	}
	// The retry (a failed key goes to git-annex's own check) fails too.
	clock.Advance(24 * time.Hour)
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if heldKeys(t, repo)[badKey] {
		t.Error("the wrong bytes became a held copy on the retry")
	}
	if f2, _ := a.fails.Of(string(badKey)); f2.Count < 2 {
		t.Errorf("the retry was not booked: %+v", f2)
	}
}
