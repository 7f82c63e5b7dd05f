package agent

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
)

// servedPath waits until the origin has served more than n bytes of one
// of the files and returns that file.
func servedPath(t *testing.T, w *world, n int64) string {
	t.Helper()
	var got string
	waitFor(t, 30*time.Second, "a download under way", func() bool {
		for p := range w.files {
			if w.origin.bytesServed(p) > n {
				got = p
				return true
			}
		}
		return false
	})
	return got
}

// TestPauseStopsTransferAndResumeContinues: pausing stops a large download
// (git-annex ends and its connection closes; nothing more is requested
// until the resume), keeps the partial download,
// and resuming completes it without fetching the bytes already there;
// the same holds across a restart of the agent.
func TestPauseStopsTransferAndResumeContinues(t *testing.T) {
	t.Parallel()
	const size = 3 << 20
	w := newWorld(t, 2, func(int) int { return size })
	w.origin.set(func(o *origin) { o.rate = 1 << 20 })
	h := w.join("donor", 4*size)
	a := newAgent(t, h, Options{Jobs: 1})
	stop := runAgent(t, a)
	c := control.NewLocalClient(h.SocketPath(), h.EndpointPath())
	ctx := context.Background()
	repo := a.cfg.Shards[0].Path
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := c.Events(ectx)
	if err != nil {
		t.Fatal(err)
	}

	first := servedPath(t, w, 700<<10)
	// Progress for the UI: in status and as events.
	waitFor(t, 5*time.Second, "progress in status", func() bool {
		st, _ := c.Status(ctx)
		return len(st.Transfers) == 1 && st.Transfers[0].DoneBytes > 0 && st.Transfers[0].TotalBytes == size &&
			st.Transfers[0].File == first && st.State == control.StateFetching
	})
	for progress := false; !progress; {
		select {
		case ev := <-events:
			progress = ev.Kind == control.EventTransfer && ev.Transfer != nil && ev.Transfer.DoneBytes > 0 && ev.File == first
		case <-time.After(5 * time.Second):
			t.Fatal("no progress event for the download")
		}
	}
	if err := c.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	atPause := w.origin.bytesServed(first)
	// The download ends: git-annex is stopped and its connection closes.
	waitFor(t, 30*time.Second, "the paused download's connection to close", func() bool { return w.origin.openOf(first) == 0 })
	closed, gets := w.origin.bytesServed(first), w.origin.getsOf(first)
	t.Logf("paused at %d bytes served; %d served in all when the connection closed", atPause, closed)
	st, err := c.Status(ctx)
	if err != nil || !st.Paused || st.State != control.StatePaused || len(st.Transfers) != 0 {
		t.Errorf("status while paused: %+v %v", st, err)
	}
	partial := ledger.PartialOnDisk(repo, keyOfPath(t, repo, first))
	if partial == 0 {
		t.Fatalf("no partial download kept in %s", ledger.TmpDir(repo))
	}

	// Nothing was fetched while paused: no new request, no more bytes.
	if g, b := w.origin.getsOf(first), w.origin.bytesServed(first); g != gets || b != closed {
		t.Fatalf("the download went on while paused: %d requests and %d bytes, %d and %d when the connection closed", g, b, gets, closed)
	}
	if err := c.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the paused file", func() bool { return heldKeys(t, repo)[keyOfPath(t, repo, first)] })
	total := w.origin.bytesServed(first)
	t.Logf("%s: %d bytes served for a %d-byte file across the pause", first, total, size)
	if total > size+size/10 {
		t.Errorf("served %d bytes for a %d-byte file: the resume fetched again what was there", total, size)
	}
	if !rangesInclude(w, "bytes=") {
		t.Errorf("no Range request: the download was not resumed")
	}

	checkRestartResumes(t, w, h, repo, first, size, stop)
}

// checkRestartResumes: the agent stops (a restart, or the machine going
// down) in the middle of the second file; a new agent finishes it without
// refetching.
func checkRestartResumes(t *testing.T, w *world, h home.Home, repo, first string, size int64, stop func()) {
	t.Helper()
	var second string
	for p := range w.files {
		if p != first {
			second = p
		}
	}
	waitFor(t, 30*time.Second, "the second download", func() bool { return w.origin.bytesServed(second) > 700<<10 })
	stop()
	if ledger.PartialOnDisk(repo, keyOfPath(t, repo, second)) == 0 {
		t.Fatal("no partial download left by the stopped agent")
	}
	a2 := newAgent(t, h, Options{Jobs: 1})
	runAgent(t, a2)
	waitFor(t, 30*time.Second, "the second file after a restart", func() bool { return heldKeys(t, repo)[keyOfPath(t, repo, second)] })
	if total := w.origin.bytesServed(second); total > size+size/10 {
		t.Errorf("served %d bytes for a %d-byte file across a restart", total, size)
	}
	if entries, _ := os.ReadDir(ledger.TmpDir(repo)); len(entries) != 0 {
		t.Errorf("partial downloads left behind: %v", entries)
	}
}

func rangesInclude(w *world, prefix string) bool {
	found := false
	w.origin.set(func(o *origin) {
		for _, r := range o.ranges {
			if strings.HasPrefix(r, prefix) && r != "bytes=0-" {
				found = true
			}
		}
	})
	return found
}

// TestSnoozeSurvivesRestart: a timed pause holds across a restart of the
// agent, nothing is fetched meanwhile, and work starts when it ends.
func TestSnoozeSurvivesRestart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4, func(int) int { return 8 << 10 })
	h := w.join("donor", w.total()*2)
	clock := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clock, PolicyEvery: time.Minute})
	stop := runAgent(t, a)
	c := control.NewLocalClient(h.SocketPath(), h.EndpointPath())
	ctx := context.Background()
	until := clock.Now().Add(time.Hour)
	if err := c.PauseUntil(ctx, until); err != nil {
		t.Fatal(err)
	}
	stop()

	clock.Mark() // the stopped agent's waits on the clock do not count
	a2 := newAgent(t, h, Options{Clock: clock, PolicyEvery: time.Minute})
	runAgent(t, a2)
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Paused || st.PausedUntil == nil || !st.PausedUntil.Equal(until.UTC()) || !strings.Contains(st.Message, "Paused for") {
		t.Fatalf("after a restart: paused=%v until=%v message=%q; want paused until %v", st.Paused, st.PausedUntil, st.Message, until)
	}
	clock.BlockUntil(t, 4) // the fill, push, policy and storage loops each had their turn
	if st, _ := c.Status(ctx); st.FilesProtected != 0 {
		t.Errorf("fetched %d files while snoozed", st.FilesProtected)
	}
	for p := range w.files {
		if n := w.origin.getsOf(p); n != 0 {
			t.Errorf("%s requested %d times while snoozed", p, n)
		}
	}
	clock.Advance(time.Hour + time.Minute)
	waitFor(t, 20*time.Second, "work after the snooze", func() bool {
		st, _ := c.Status(ctx)
		return !st.Paused && st.FilesProtected == 4
	})
	raw, _ := os.ReadFile(filepath.Join(h.Dir, "state.json"))
	if strings.Contains(string(raw), `"paused": true`) {
		t.Errorf("state still paused after the snooze: %s", raw)
	}
}
