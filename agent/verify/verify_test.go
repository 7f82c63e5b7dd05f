package verify

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/fakeclock"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// rig is one shard repository held on location "loc", made by hand with
// real git-annex, and a Verifier over it whose git-annex logs every fsck.
type rig struct {
	t      *testing.T
	env    []string
	repo   string
	uuid   string
	fscks  string // the fsck calls, one a line
	clk    *fakeclock.Clock
	rate   int64
	mu     sync.Mutex
	state  home.LocationState
	events []control.Event
	v      *Verifier
}

// newRig adds files named "sha-N" (SHA256E) and "md5-N" (MD5E) of size
// bytes each, n of each.
func newRig(t *testing.T, n, size int) *rig {
	testkit.RequireGitAnnex(t)
	r := &rig{t: t, env: testkit.HandEnv(t), repo: filepath.Join(t.TempDir(), "shard"), clk: fakeclock.New(time.Unix(2e9, 0))}
	testkit.Run(t, r.env, "", "git", "init", "-q", r.repo)
	testkit.Run(t, r.env, r.repo, "git", "annex", "init", "-q", "donor")
	for i := 0; i < n; i++ {
		for _, name := range []string{"sha", "md5"} {
			data := strings.Repeat(fmt.Sprintf("%s %d;", name, i), size)[:size]
			os.WriteFile(filepath.Join(r.repo, fmt.Sprintf("%s-%d", name, i)), []byte(data), 0o644)
		}
	}
	testkit.Run(t, r.env, r.repo, "git", "annex", "add", "-q", "--backend=SHA256E", "--include=sha-*", ".")
	testkit.Run(t, r.env, r.repo, "git", "annex", "add", "-q", "--backend=MD5E", "--include=md5-*", ".")
	testkit.Run(t, r.env, r.repo, "git", "commit", "-qm", "files")
	r.uuid = strings.TrimSpace(testkit.Run(t, r.env, r.repo, "git", "config", "annex.uuid"))
	dir := t.TempDir()
	r.fscks = filepath.Join(dir, "fscks")
	real, _ := exec.LookPath("git-annex")
	bin := filepath.Join(dir, "git-annex")
	os.WriteFile(bin, []byte("#!/bin/sh\n[ \"$1\" = fsck ] && echo \"$@\" >> "+r.fscks+"\nexec "+real+" \"$@\"\n"), 0o755)
	tools := annexproc.Tools{GitAnnex: bin}
	sh := home.ShardConfig{Name: "shard-1", Path: r.repo, Location: "loc"}
	r.v = New(Deps{
		Donor:    func() string { return r.uuid },
		Location: func(string) (string, []string) { return filepath.Dir(r.repo), []string{sh.Name} },
		Shard:    func(string) (home.ShardConfig, bool) { return sh, true },
		Connected: func(string) bool {
			_, err := os.Stat(r.repo)
			return err == nil
		},
		UpdateLocation: func(_ string, fn func(*home.LocationState)) { r.mu.Lock(); fn(&r.state); r.mu.Unlock() },
		Finished:       func() {},
		Repo:           func(sh home.ShardConfig) *annexproc.Repo { return annexproc.NewRepo(tools, sh.Path, "") },
		Keys:           r.keys,
		FileOf:         func(string, annex.Key) string { return "" },
		Emit:           func(e control.Event) { r.mu.Lock(); r.events = append(r.events, e); r.mu.Unlock() },
		Log:            func(msg string, args ...any) { t.Log(append([]any{msg}, args...)...) },
		Now:            r.clk.Now,
		Repair:         func() {},
		Report:         func() {},
		TimeLimit:      time.Hour,
		RestFor:        6 * time.Hour,
		Rate:           func() int64 { r.mu.Lock(); defer r.mu.Unlock(); return r.rate },
		After:          r.clk.After,
	})
	return r
}

// keys lists what the agent's wiring lists: the objects on disk and the
// keys the location log says are here.
func (r *rig) keys(ctx context.Context, _ string) ([]annex.Key, error) {
	held, err := ledger.Scan(r.repo)
	if err != nil {
		return nil, err
	}
	loc, err := annexproc.NewRepo(annexproc.Tools{}, r.repo, "").Locations(ctx, &annex.LocationReader{})
	if err != nil {
		return nil, err
	}
	var out []annex.Key
	for k := range loc.Logs {
		if _, ok := held[k]; ok || loc.Has(k, r.uuid) {
			out = append(out, k)
		}
	}
	return out, nil
}

func (r *rig) key(file string) annex.Key {
	return annex.Key(strings.TrimSpace(testkit.Run(r.t, r.env, r.repo, "git", "annex", "lookupkey", file)))
}

func (r *rig) setRate(n int64) { r.mu.Lock(); r.rate = n; r.mu.Unlock() }

// run verifies the location and waits for the end.
func (r *rig) run() control.VerifyReport {
	r.t.Helper()
	if err := r.v.Start([]string{"loc"}, 0); err != nil {
		r.t.Fatal(err)
	}
	r.v.Wait()
	return *r.v.Last()
}

func (r *rig) fsckCalls() []string {
	data, _ := os.ReadFile(r.fscks)
	return strings.Fields(strings.ReplaceAll(string(data), "\n", " |"))
}

// present says what the location log (journal included) says of k here.
func (r *rig) present(k annex.Key) (bool, time.Time) {
	loc, err := annexproc.NewRepo(annexproc.Tools{}, r.repo, "").Locations(context.Background(), &annex.LocationReader{})
	if err != nil {
		r.t.Fatal(err)
	}
	for _, l := range loc.Logs[k] {
		if l.Value == r.uuid {
			return l.Status == annex.StatusPresent, l.Time.Time()
		}
	}
	return false, time.Time{}
}

// overwrite replaces an object's bytes, keeping its size.
func (r *rig) overwrite(k annex.Key) {
	p := ledger.ObjectPath(r.repo, k)
	os.Chmod(filepath.Dir(p), 0o755)
	os.Chmod(p, 0o644)
	data, _ := os.ReadFile(p)
	data[0] ^= 0xff
	if err := os.WriteFile(p, data, 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// TestCorruptionFoundInGoMarkedMissingByGitAnnex: the agent hashes every
// object itself (SHA256E and MD5E keys); only the two it finds corrupted
// and the one whose object is gone go to git-annex's fsck, which moves the
// bad ones to .git/annex/bad and records all three missing. The good keys'
// location-log lines are re-stated with a fresh time.
func TestCorruptionFoundInGoMarkedMissingByGitAnnex(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3, 200<<10)
	badSHA, badMD5, gone, good := r.key("sha-1"), r.key("md5-2"), r.key("sha-2"), r.key("md5-0")
	_, before := r.present(good)
	r.overwrite(badSHA)
	r.overwrite(badMD5)
	p := ledger.ObjectPath(r.repo, gone)
	os.Chmod(filepath.Dir(p), 0o755)
	os.Remove(p)

	rep := r.run()
	if rep.Outcome != Done || rep.Checked != 6 || rep.Problems != 3 || len(rep.ProblemFiles) != 3 {
		t.Fatalf("report %+v", rep)
	}
	calls := strings.Join(r.fsckCalls(), " ")
	if n := strings.Count(calls, "fsck --key"); n != 3 || !strings.Contains(calls, string(badSHA)) ||
		!strings.Contains(calls, string(badMD5)) || !strings.Contains(calls, string(gone)) {
		t.Errorf("git-annex fsck ran for other keys than the three bad ones: %s", calls)
	}
	for _, k := range []annex.Key{badSHA, badMD5, gone} {
		if here, _ := r.present(k); here {
			t.Errorf("%s is still recorded present", k)
		}
	}
	for _, k := range []annex.Key{badSHA, badMD5} {
		if _, err := os.Stat(filepath.Join(r.repo, ".git", "annex", "bad", string(k))); err != nil {
			t.Errorf("%s not moved to bad/: %v", k, err)
		}
	}
	if here, after := r.present(good); !here || !after.After(before) {
		t.Errorf("good MD5E key: present %v, time %v (before %v)", here, after, before)
	}
	if r.state.LastVerified.IsZero() || r.state.Resume || r.state.VerifyKey != "" {
		t.Errorf("location after the run: %+v", r.state)
	}
	var said int
	for _, e := range r.events {
		if e.Kind == control.EventError && strings.Contains(e.Message, "Verification failed for") {
			said++
		}
	}
	if said != 3 {
		t.Errorf("%d problem events, want 3: %+v", said, r.events)
	}
}

// TestPausedRunResumesAfterTheLastKey: at an I/O limit the reader waits on
// the clock; a pause then finishes the file under check and stops; the
// next run goes on after that key; a run after a finished one starts from
// the beginning. A run stopped at its time cap rests and goes on after
// its last key too. No file was bad: git-annex's fsck never ran.
func TestPausedRunResumesAfterTheLastKey(t *testing.T) {
	t.Parallel()
	r := newRig(t, 3, 64<<10)
	r.setRate(8 << 10) // 8 KiB/s: a file takes 8 s
	if err := r.v.Start([]string{"loc"}, 6); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the reader to wait on the clock", func() bool { return r.clk.Waiting() > 0 })
	r.v.Stop()
	r.v.Wait()
	rep := *r.v.Last()
	first := r.state.VerifyKey
	if rep.Outcome != Paused || rep.Checked != 1 || !r.state.Resume || first == "" || !r.state.LastVerified.IsZero() {
		t.Fatalf("after the pause: report %+v, location %+v", rep, r.state)
	}

	// Resumed: the other five, then a time cap in the first of them.
	r.clk.Clear()
	if err := r.v.Start([]string{"loc"}, 6); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the resumed run to wait on the clock", func() bool { return r.clk.Waiting() > 0 })
	r.clk.Advance(2 * time.Hour) // past the time cap, mid-file
	waitUntil(t, "the file under check to finish, then the run to stop", func() bool {
		if r.clk.Waiting() > 0 {
			r.clk.Advance(time.Second)
		}
		return !r.v.Running()
	})
	rep = *r.v.Last()
	if rep.Outcome != TimeLimit || rep.Checked != 1 || r.state.VerifyKey <= first || !r.state.RestUntil.Equal(r.clk.Now().Add(6*time.Hour).UTC()) {
		t.Fatalf("after the time cap: report %+v, location %+v (first key %s)", rep, r.state, first)
	}
	r.setRate(0)
	if rep = r.run(); rep.Outcome != Done || rep.Checked != 4 || r.state.LastVerified.IsZero() || r.state.Resume {
		t.Fatalf("the resumed run: report %+v, location %+v", rep, r.state)
	}
	if rep = r.run(); rep.Outcome != Done || rep.Checked != 6 {
		t.Fatalf("a new run: report %+v", rep)
	}
	if calls := r.fsckCalls(); len(calls) != 0 {
		t.Errorf("git-annex fsck ran: %v", calls)
	}
}

// TestDriveGoneDiscardsTheRun: the drive goes away while the reader waits
// mid-file: the run ends "not connected", nothing counted, no fsck, and
// the resume cursor has not moved.
func TestDriveGoneDiscardsTheRun(t *testing.T) {
	t.Parallel()
	r := newRig(t, 2, 64<<10)
	r.setRate(8 << 10)
	if err := r.v.Start([]string{"loc"}, 4); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the reader to wait on the clock", func() bool { return r.clk.Waiting() > 0 })
	away := r.repo + ".away"
	if err := os.Rename(r.repo, away); err != nil {
		t.Fatal(err)
	}
	if !r.v.Gone("loc") {
		t.Fatal("no run on the location")
	}
	r.v.Wait()
	if rep := *r.v.Last(); rep.Outcome != Disconnected || rep.Checked != 0 || rep.Problems != 0 || r.state.VerifyKey != "" {
		t.Fatalf("report %+v, location %+v", rep, r.state)
	}
	if calls := r.fsckCalls(); len(calls) != 0 {
		t.Errorf("git-annex fsck ran: %v", calls)
	}
}

// waitUntil polls cond (no fixed sleeps decide anything).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
