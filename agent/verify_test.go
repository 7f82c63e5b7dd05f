package agent

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/verify"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/health"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// contentPath is where a donor repo keeps the content of k.
func contentPath(t *testing.T, repo string, k annex.Key) string {
	t.Helper()
	cmd := exec.Command("git", "annex", "contentlocation", string(k))
	cmd.Dir = repo
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("contentlocation %s: %v", k, err)
	}
	return filepath.Join(repo, strings.TrimSpace(string(out)))
}

// corrupt flips the first bytes of an annexed object in place.
func corrupt(t *testing.T, path string) {
	t.Helper()
	os.Chmod(filepath.Dir(path), 0o755)
	os.Chmod(path, 0o644)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("corrupted!"), 0)
	f.Close()
}

func status(t *testing.T, a *Agent) control.Status {
	t.Helper()
	st, err := a.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// verified waits for a verification with the outcome to be reported.
func verified(t *testing.T, a *Agent, outcome string) control.VerifyReport {
	t.Helper()
	var rep control.VerifyReport
	waitFor(t, 60*time.Second, "a verification that ends "+outcome, func() bool {
		st := status(t, a)
		if r := st.LastVerification; r != nil && r.Finished != nil && st.Verifying == nil {
			rep = *r
			return r.Outcome == outcome
		}
		return false
	})
	return rep
}

// TestScheduledVerificationFindsCorruptionAndRefetches: 30 days on, the
// agent verifies by itself, finds the object corrupted on disk, reports
// it (event and status), fetches it again, and the hub sees fresh
// "last verified" times for the good keys.
func TestScheduledVerificationFindsCorruptionAndRefetches(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 4, func(int) int { return 32 << 10 })
	h := w.join("donor", w.total()*2)
	clk := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clk, MountRoots: []string{}, MountPollEvery: time.Minute})
	ev := collectEvents(t, a)
	runAgent(t, a)
	repo := a.cfg.Shards[0].Path
	waitFor(t, 30*time.Second, "every file held", func() bool { return len(heldKeys(t, repo)) == 4 })
	st := status(t, a)
	if len(st.Locations) != 1 || st.Locations[0].LastVerified != nil || !st.Locations[0].Online || st.Locations[0].NextVerification == nil {
		t.Fatalf("locations before any verification: %+v", st.Locations)
	}
	bad := keyOfPath(t, repo, "item-00/file-001.bin")
	good := keyOfPath(t, repo, "item-00/file-002.bin")
	corrupt(t, contentPath(t, repo, bad))
	waitFor(t, 30*time.Second, "the first report", func() bool {
		return strings.Contains(hubSays(w, a.cfg.DonorUUID, good), " 1 ")
	})
	before := hubSays(w, a.cfg.DonorUUID, good)
	// A moment 30 days after the newest fetch-time report: then every such
	// report is stale, and only lines verification re-states count as
	// verified (git-annex stamps lines with the real clock, not clk).
	keys := heldKeys(t, repo)
	at := newestReport(t, w, a.cfg.DonorUUID, keys).Add(30*24*time.Hour + time.Millisecond)
	if n := verified30d(t, w, at); n != 0 {
		t.Fatalf("verified_30d is %d before any verification, want 0", n)
	}

	clk.Advance(31 * 24 * time.Hour)
	rep := verified(t, a, verify.Done)
	if rep.Problems != 1 || rep.Checked != 4 || len(rep.ProblemFiles) != 1 || !strings.Contains(rep.ProblemFiles[0], "file-001.bin") || rep.Repair == "" {
		t.Fatalf("report %+v", rep)
	}
	found := false
	for _, e := range ev.of(control.EventError) {
		found = found || strings.Contains(e.Message, "Verification failed for item-00/file-001.bin")
	}
	if !found {
		t.Errorf("no event for the corrupted file: %+v", ev.of(control.EventError))
	}
	waitFor(t, 30*time.Second, "the bad file fetched again", func() bool {
		got, _ := os.ReadFile(filepath.Join(repo, filepath.FromSlash(annex.ObjectPath(keyOfPath(t, repo, "item-00/file-001.bin")))))
		want, _ := os.ReadFile(filepath.Join(w.coll, "item-00", "file-001.bin"))
		return len(want) > 0 && bytes.Equal(got, want)
	})
	if l := status(t, a).Locations[0]; l.LastVerified == nil || !l.NextVerification.After(*l.LastVerified) {
		t.Errorf("location after verification: %+v", l)
	}
	clk.Advance(2 * time.Hour) // the push loop's next report
	waitFor(t, 30*time.Second, "a fresh last-verified time on the hub", func() bool {
		now := hubSays(w, a.cfg.DonorUUID, good)
		return now != before && strings.Contains(now, " 1 "+a.cfg.DonorUUID)
	})
	// The hub's health sees it: verified_30d moved from 0 to every file
	// (three re-stated, the corrupted one fetched again).
	waitFor(t, 30*time.Second, "verified_30d to count every file", func() bool {
		return verified30d(t, w, at) == len(keys)
	})
}

// newestReport is the newest timestamp among the hub's location-log lines
// for donor and keys.
func newestReport(t *testing.T, w *world, donor string, keys map[annex.Key]bool) time.Time {
	t.Helper()
	var newest time.Time
	for k := range keys {
		f := strings.Fields(hubSays(w, donor, k))
		if len(f) != 3 {
			t.Fatalf("the hub has no report for %s", k)
		}
		ts, err := annex.ParseTimestamp(f[0])
		if err != nil {
			t.Fatal(err)
		}
		if ts.Time().After(newest) {
			newest = ts.Time()
		}
	}
	return newest
}

// verified30d is the hub's health figure for the world's shard, as it
// would be at the moment at.
func verified30d(t *testing.T, w *world, at time.Time) int {
	t.Helper()
	db, err := store.Open(w.hub.data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	donors, err := db.Donors()
	if err != nil {
		t.Fatal(err)
	}
	r, err := health.Compute(context.Background(), w.hub.data, health.Options{Now: func() time.Time { return at }}, donors)
	if err != nil || len(r.Shards) != 1 {
		t.Fatalf("health: %v (%d shards)", err, len(r.Shards))
	}
	return r.Shards[0].Verified30d
}

// setVerifyKBps sets the verification I/O limit (settings verify_kbps).
func setVerifyKBps(t *testing.T, a *Agent, kbps int) {
	t.Helper()
	ctx := context.Background()
	s, err := a.Settings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.VerifyKBps = kbps
	if err := a.UpdateSettings(ctx, s); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// readerWait is how long verification's reader waits on the clock for its
// I/O limit: a timer a few seconds away (the agent's loops wait minutes).
func readerWait(c *fakeClock) (time.Duration, bool) {
	for _, d := range c.Pending() {
		if d <= 5*time.Second {
			return d, true
		}
	}
	return 0, false
}

func readerHeld(c *fakeClock) bool { _, held := readerWait(c); return held }

// readToTheEnd moves the clock on by each of the reader's waits until the
// verification ends.
func readToTheEnd(t *testing.T, a *Agent, clk *fakeClock) {
	t.Helper()
	waitFor(t, 60*time.Second, "the verification to end", func() bool {
		if st := status(t, a); st.Verifying == nil && st.LastVerification != nil && st.LastVerification.Finished != nil {
			return true
		}
		if d, held := readerWait(clk); held {
			clk.Advance(d)
		}
		return false
	})
}

// TestDriveGoesAwayMidVerificationAndComesBackElsewhere: the storage
// drive vanishes during a verification: status says "not connected",
// nothing is marked lost on the hub, and when the drive comes back at
// another mount point the agent knows it and finishes the verification.
func TestDriveGoesAwayMidVerificationAndComesBackElsewhere(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 3, func(int) int { return 16 << 10 })
	h := w.join("donor", w.total()*2)
	mounts := t.TempDir()
	clk := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clk, MountRoots: []string{mounts}, MountPollEvery: time.Minute})
	ev := collectEvents(t, a)
	runAgent(t, a)
	storage := a.cfg.Storage
	repo := a.cfg.Shards[0].Path
	waitFor(t, 30*time.Second, "every file held", func() bool { return len(heldKeys(t, repo)) == 3 })
	keys := heldKeys(t, repo)
	waitFor(t, 30*time.Second, "the first report", func() bool {
		for k := range keys {
			if !strings.Contains(hubSays(w, a.cfg.DonorUUID, k), " 1 ") {
				return false
			}
		}
		return true
	})

	setVerifyKBps(t, a, 1) // 1 KiB/s: the reader waits on the clock in the first file
	clk.Advance(31 * 24 * time.Hour)
	waitFor(t, 30*time.Second, "the verification to read at its limit", func() bool { return readerHeld(clk) })
	away := filepath.Join(t.TempDir(), "unplugged")
	if err := os.Rename(storage, away); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	verified(t, a, verify.Disconnected)
	l := status(t, a).Locations[0]
	if l.Online || l.OfflineSince == nil || l.NextVerification == nil {
		t.Fatalf("location while unplugged: %+v", l)
	}
	clk.Advance(2 * time.Hour) // reports go on meanwhile: none may say "lost"
	clk.BlockUntil(t, 4)       // the fill, push, policy and storage loops each had their turn
	for k := range keys {
		if line := hubSays(w, a.cfg.DonorUUID, k); !strings.Contains(line, " 1 ") {
			t.Errorf("the hub has %q for %s while the drive was away", line, k)
		}
	}
	for _, e := range ev.of(control.EventError) {
		if strings.Contains(e.Message, "Verification failed for") {
			t.Errorf("a false problem was reported: %s", e.Message)
		}
	}
	for i := 0; i < 3; i++ { // more polls while away: no error storm
		clk.Advance(time.Minute)
		clk.BlockUntil(t, 2) // the policy and storage loops had their turn
	}
	if said := messages(ev.of(control.EventStorage)); len(said) != 1 || !strings.Contains(said[0], "is not connected (since ") {
		t.Errorf("storage events while away: %q", said)
	}

	// Back, at another mount point: it goes on where it stopped, which is
	// the beginning, since the run that lost its drive recorded nothing.
	setVerifyKBps(t, a, 0)
	moved := filepath.Join(mounts, "USBDRIVE", "shards")
	os.MkdirAll(filepath.Dir(moved), 0o755)
	if err := os.Rename(away, moved); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	rep := verified(t, a, verify.Done)
	l = status(t, a).Locations[0]
	if !l.Online || l.Path != moved || l.LastVerified == nil || rep.Problems != 0 || rep.Checked != 3 {
		t.Fatalf("after the drive came back: location %+v, report %+v", l, rep)
	}
	if got := status(t, a).Shards[0].Path; got != filepath.Join(moved, "shard-0001") {
		t.Errorf("shard path %s after the move", got)
	}
	if said := messages(ev.of(control.EventStorage)); len(said) != 2 || !strings.Contains(said[1], "found at "+moved) {
		t.Errorf("storage events after the move: %q", said)
	}
	cfg, _ := h.LoadConfig()
	if cfg.Storage != moved || cfg.Shards[0].Path != filepath.Join(moved, "shard-0001") {
		t.Errorf("config after the move: storage %s, shard %s", cfg.Storage, cfg.Shards[0].Path)
	}
}

// TestMissedVerificationRunsAtNextStart: a verification fell due while
// the agent was stopped (the machine was off); it runs when the agent
// starts, without waiting for the next period (like anacron).
func TestMissedVerificationRunsAtNextStart(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2, func(int) int { return 8 << 10 })
	h := w.join("donor", w.total()*2)
	start := time.Now()
	a := newAgent(t, h, Options{Clock: newFakeClock(start), MountRoots: []string{}, MountPollEvery: time.Hour})
	stop := runAgent(t, a)
	repo := a.cfg.Shards[0].Path
	waitFor(t, 30*time.Second, "every file held", func() bool { return len(heldKeys(t, repo)) == 2 })
	stop()
	if status(t, a).LastVerification != nil {
		t.Fatal("verified before it was due")
	}

	later := newFakeClock(start.Add(45 * 24 * time.Hour))
	b := newAgent(t, h, Options{Clock: later, MountRoots: []string{}, MountPollEvery: time.Hour})
	runAgent(t, b)
	rep := verified(t, b, verify.Done)
	l := status(t, b).Locations[0]
	if rep.Checked != 2 || l.LastVerified == nil || !l.LastVerified.Equal(later.Now().UTC()) {
		t.Fatalf("after the start: report %+v, location %+v", rep, l)
	}
	if want := later.Now().AddDate(0, 0, 30); !l.NextVerification.Equal(want.UTC()) {
		t.Errorf("next verification %v, want %v", l.NextVerification, want)
	}
}

// TestPauseStopsVerificationAndResumeContinues: a pause stops the
// verification after the file under check (held at its I/O limit); resume
// goes on after the last file checked, and the location counts as
// verified only at the end.
func TestPauseStopsVerificationAndResumeContinues(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 5, func(int) int { return 8 << 10 })
	h := w.join("donor", w.total()*2)
	clk := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clk, MountRoots: []string{}, MountPollEvery: time.Hour})
	runAgent(t, a)
	repo := a.cfg.Shards[0].Path
	waitFor(t, 30*time.Second, "every file held", func() bool { return len(heldKeys(t, repo)) == 5 })
	ctx := context.Background()
	setVerifyKBps(t, a, 1)
	if err := a.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the verification to read at its limit", func() bool { return readerHeld(clk) })
	if err := a.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	paused := verified(t, a, verify.Paused)
	if l := status(t, a).Locations[0]; l.LastVerified != nil || paused.Checked != 1 {
		t.Fatalf("after the pause: %+v, report %+v", l, paused)
	}
	setVerifyKBps(t, a, 0)
	if err := a.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	rep := verified(t, a, verify.Done)
	if l := status(t, a).Locations[0]; l.LastVerified == nil || rep.Checked != 4 {
		t.Fatalf("after resume: %+v, report %+v (the resumed run checks the 4 files after the first)", l, rep)
	}
}

func messages(evs []control.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Message)
	}
	return out
}

// TestTimeCapRestsAndResumes: a run that passes its time cap on the
// agent's clock stops after the file under check and rests, then goes on
// after that file; the location counts as verified only then.
func TestTimeCapRestsAndResumes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 2, func(int) int { return 8 << 10 })
	h := w.join("donor", w.total()*2)
	clk := newFakeClock(time.Now())
	a := newAgent(t, h, Options{Clock: clk, MountRoots: []string{}, MountPollEvery: time.Minute,
		VerifyTimeLimit: time.Hour, VerifyRestFor: 6 * time.Hour})
	runAgent(t, a)
	repo := a.cfg.Shards[0].Path
	waitFor(t, 30*time.Second, "every file held", func() bool { return len(heldKeys(t, repo)) == 2 })
	setVerifyKBps(t, a, 4) // 4 KiB/s: a file is two waits on the clock
	if err := a.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the verification to read at its limit", func() bool { return readerHeld(clk) })
	clk.Advance(2 * time.Hour) // past the cap, in the first file
	readToTheEnd(t, a, clk)
	first := verified(t, a, verify.TimeLimit)
	l := status(t, a).Locations[0]
	if first.Checked != 1 || l.LastVerified != nil || !l.NextVerification.Equal(clk.Now().Add(6*time.Hour).UTC()) {
		t.Fatalf("after the time cap: %+v, report %+v", l, first)
	}
	setVerifyKBps(t, a, 0)
	clk.Advance(time.Hour) // still resting
	clk.BlockUntil(t, 4)   // every loop had its turn
	if st := status(t, a); st.Verifying != nil || st.LastVerification.Outcome != verify.TimeLimit {
		t.Fatalf("went on before the rest was over: %+v", st.LastVerification)
	}
	clk.Advance(6 * time.Hour)
	rep := verified(t, a, verify.Done)
	if l := status(t, a).Locations[0]; l.LastVerified == nil || rep.Checked != 1 {
		t.Fatalf("after the resumed run: %+v, report %+v (it checks the file after the first)", l, rep)
	}
}
