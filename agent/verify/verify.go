// Package verify is the agent's verification: the agent reads every file
// held on each storage location and checks it against its key (SHA-256 or
// MD5 in Go; other backends and every file found bad go to `git annex
// fsck --key`, which marks them missing), on a thread of low priority, at
// the donor's I/O limit, resumable (a pause stops it after the file under
// check; it goes on after the last key it recorded), with the files found
// bad reported, marked missing and fetched again. The Verifier owns the
// run under way and its lock; the per-location record (last verified, the
// resume cursor, rest) is the agent's state, reached through Deps. It
// never calls Deps while holding its own lock.
package verify

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// Outcomes of a verification (control.VerifyReport.Outcome).
const (
	Done         = "done"
	Paused       = "paused"        // continues when resumed
	TimeLimit    = "time_limit"    // continues after a rest
	Disconnected = "not_connected" // the drive went away; results discarded
	Failed       = "error"
)

// Deps is what verification uses of the rest of the agent.
type Deps struct {
	Donor func() string // the donor's UUID
	// Location is a storage location's path and the names of the shards
	// on it; Shard is a shard's configuration now (its path follows its
	// drive).
	Location func(id string) (path string, shards []string)
	Shard    func(name string) (home.ShardConfig, bool)
	// Connected says the location's marker is there now.
	Connected func(id string) bool
	// UpdateLocation changes a location's record and saves the state.
	UpdateLocation func(id string, fn func(*home.LocationState))
	// Finished saves the state after a run (last verified, overall).
	Finished func()
	Repo     func(sh home.ShardConfig) *annexproc.Repo
	// Keys lists the keys of a shard held on its location: the objects
	// on disk, and those its location log says are here (a missing one
	// is a problem fsck records).
	Keys   func(ctx context.Context, shard string) ([]annex.Key, error)
	FileOf func(shard string, k annex.Key) string
	Emit   func(control.Event)
	Log    func(msg string, args ...any) // warnings
	Now    func() time.Time
	// Repair starts fetching again what fsck found bad; Report pushes.
	Repair, Report func()
	// TimeLimit caps one location's run on the clock (0: no cap); a run
	// stopped by it rests RestFor.
	TimeLimit, RestFor time.Duration
	// Rate is the I/O limit of verification in bytes a second, read as
	// each location's run starts (0: unlimited; limit.go); After is the
	// clock's timer the reader waits on.
	Rate  func() int64
	After func(time.Duration) <-chan time.Time
}

// Verifier runs one verification at a time.
type Verifier struct {
	d    Deps
	runs sync.WaitGroup // verifications under way (tests wait on it)

	mu       sync.Mutex
	progress *control.Progress  // nil: none running
	stop     context.CancelFunc // after the current file (pause)
	kill     context.CancelFunc // at once (the drive went away)
	loc      string             // the location under check
	gone     bool               // it went away mid-run: discard the run
	last     *control.VerifyReport
	done     chan struct{} // closed when the run under way ends
}

// New prepares verification.
func New(d Deps) *Verifier {
	if d.Rate == nil {
		d.Rate = func() int64 { return 0 }
	}
	if d.After == nil {
		d.After = time.After
	}
	return &Verifier{d: d}
}

// Running says whether a verification is under way.
func (v *Verifier) Running() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.progress != nil
}

// Status is the run under way (nil: none) and the last run's report
// (nil: none yet), read together.
func (v *Verifier) Status() (*control.Progress, *control.VerifyReport) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var p *control.Progress
	if v.progress != nil {
		c := *v.progress
		p = &c
	}
	return p, v.lastLocked()
}

// Last is the last run's report (nil: none yet).
func (v *Verifier) Last() *control.VerifyReport {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.lastLocked()
}

func (v *Verifier) lastLocked() *control.VerifyReport {
	if v.last == nil {
		return nil
	}
	r := *v.last
	r.ProblemFiles = append([]string{}, r.ProblemFiles...)
	return &r
}

// Wait waits for the verifications under way to end.
func (v *Verifier) Wait() { v.runs.Wait() }

// WaitRun waits for the run under way to end, or ctx.
func (v *Verifier) WaitRun(ctx context.Context) error {
	v.mu.Lock()
	done := v.done
	v.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop asks a running verification to stop after its current file.
func (v *Verifier) Stop() {
	v.mu.Lock()
	stop := v.stop
	v.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// Gone tells a run on location id that its drive went away: the run ends
// at once and its results are discarded. It reports whether a run was.
func (v *Verifier) Gone(id string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.loc != id || v.progress == nil {
		return false
	}
	v.gone = true
	if v.kill != nil {
		v.kill()
	}
	return true
}

// Start runs the locations' verification in the background; total is the
// number of files held there.
func (v *Verifier) Start(ids []string, total int64) error {
	v.mu.Lock()
	if v.progress != nil {
		v.mu.Unlock()
		return control.Conflictf("a verification is already running")
	}
	v.progress = &control.Progress{Total: total}
	v.last = &control.VerifyReport{Started: v.d.Now().UTC(), Outcome: "running", ProblemFiles: []string{}}
	soft, stop := context.WithCancel(context.Background())
	hard, kill := context.WithCancel(context.Background())
	v.stop, v.kill = stop, kill
	v.done = make(chan struct{})
	done := v.done
	v.mu.Unlock()
	v.d.Emit(control.Event{Kind: control.EventVerify, Message: "Verifying " + words.Count(total, "file", "files")})
	v.runs.Add(1)
	go func() {
		// The run's thread reads and hashes at low priority (nice 19,
		// idle I/O class); it is never unlocked, so it ends with the run
		// and its priority never reaches other goroutines.
		runtime.LockOSThread()
		lowerThreadPriority()
		defer v.runs.Done()
		defer close(done)
		defer stop()
		defer kill()
		outcome, err := Done, error(nil)
		for _, id := range ids {
			// Any stop ends the whole run; the next poll starts the
			// locations still due.
			if outcome, err = v.location(soft, hard, id); outcome != Done {
				break
			}
		}
		v.finished(outcome, err)
	}()
	return nil
}

// finished records and tells how a verification ended, and starts the
// repair: the files fsck marked missing are fetched again at once.
func (v *Verifier) finished(outcome string, err error) {
	v.mu.Lock()
	p := v.progress
	rep := v.last
	v.progress, v.stop, v.kill, v.loc, v.gone = nil, nil, nil, "", false
	now := v.d.Now().UTC()
	rep.Finished = &now
	rep.Outcome = outcome
	if err != nil {
		rep.Message = err.Error()
	}
	if rep.Problems > 0 {
		rep.Repair = fmt.Sprintf("fetching %s again from the archive", words.Count(rep.Problems, "file", "files"))
	}
	r := *rep
	v.mu.Unlock()
	v.d.Finished()
	v.tell(outcome, p, r)
	if r.Problems > 0 {
		v.d.Repair() // refetch what fsck marked missing
	}
	v.d.Report() // the fresh "last verified" times, and the missing marks
}

// tell says how a run ended.
func (v *Verifier) tell(outcome string, p *control.Progress, rep control.VerifyReport) {
	files := func(n int64) string { return words.Count(n, "file", "files") }
	switch outcome {
	case Paused:
		v.d.Emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verification paused after %s; it continues when you resume", files(p.Done))})
	case TimeLimit:
		v.d.Emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verification checked %s in its time; it goes on later where it stopped", files(rep.Checked))})
	case Disconnected:
		v.d.Emit(control.Event{Kind: control.EventVerify, Message: "Verification stopped: the storage is not connected; it goes on where it stopped when it is back"})
	case Failed:
		v.d.Emit(control.Event{Kind: control.EventError, Message: "Verification failed: " + rep.Message})
	default:
		if rep.Problems > 0 {
			v.d.Emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verified %s: %s found; %s", files(rep.Checked), words.Count(rep.Problems, "problem", "problems"), rep.Repair)})
		} else {
			v.d.Emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verified %s: all good", files(rep.Checked))})
		}
	}
}
