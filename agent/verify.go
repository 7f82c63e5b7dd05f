package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// Outcomes of a verification (control.VerifyReport.Outcome).
const (
	verifyDone         = "done"
	verifyPaused       = "paused"        // continues when resumed
	verifyTimeLimit    = "time_limit"    // continues after a rest
	verifyDisconnected = "not_connected" // the drive went away; results discarded
	verifyFailed       = "error"
)

// Verify starts a verification now, in the background, of every storage
// location that is connected: `git annex fsck --incremental` over the
// files held there. Progress and problems come as events, in
// Status.Verifying and, at the end, in Status.LastVerification. Pause
// stops it after the file it is checking; Resume continues where it
// stopped.
func (a *Agent) Verify(ctx context.Context) error {
	a.mu.Lock()
	if a.verifying != nil {
		a.mu.Unlock()
		return control.Conflictf("a verification is already running")
	}
	var ids []string
	for _, l := range a.cfg.Locations {
		if a.online[l.ID] {
			ids = append(ids, l.ID)
			st := a.locStateLocked(l.ID)
			// A donor's "verify now" checks everything again.
			st.VerifyStarted, st.Resume, st.RestUntil = a.clock.Now().UTC(), false, time.Time{}
			a.state.Locations[l.ID] = st
		}
	}
	a.mu.Unlock()
	if len(ids) == 0 {
		return control.Conflictf("no storage location is connected: connect the drive and try again")
	}
	return a.startVerify(ids)
}

// startVerify runs the locations' verification in the background.
func (a *Agent) startVerify(ids []string) error {
	a.mu.Lock()
	if a.verifying != nil {
		a.mu.Unlock()
		return control.Conflictf("a verification is already running")
	}
	if a.state.Paused {
		a.home.SaveState(a.state)
		a.mu.Unlock()
		return control.Conflictf("paused; the verification will run when you resume")
	}
	checking := map[string]bool{}
	for _, id := range ids {
		checking[id] = true
	}
	locOf := map[string]string{}
	for _, sh := range a.cfg.Shards {
		locOf[sh.Name] = sh.Location
	}
	var total int64
	a.ledger.EachHeld(func(ref ledger.Ref, _ ledger.Object) {
		if checking[locOf[ref.Shard]] {
			total++
		}
	})
	a.verifying = &control.Progress{Total: total}
	a.lastVerify = &control.VerifyReport{Started: a.clock.Now().UTC(), Outcome: "running", ProblemFiles: []string{}}
	a.home.SaveState(a.state)
	soft, stop := context.WithCancel(context.Background())
	hard, kill := context.WithCancel(context.Background())
	a.stopVerify, a.killVerify = stop, kill
	a.mu.Unlock()

	a.emit(control.Event{Kind: control.EventVerify, Message: "Verifying " + words.Count(int64(total), "file", "files")})
	a.verifyRuns.Add(1)
	go func() {
		defer a.verifyRuns.Done()
		defer stop()
		defer kill()
		outcome, err := verifyDone, error(nil)
		for _, id := range ids {
			// Any stop ends the whole run; the next poll starts the
			// locations still due.
			if outcome, err = a.verifyLocation(soft, hard, id); outcome != verifyDone {
				break
			}
		}
		a.verifyFinished(outcome, err)
	}()
	return nil
}

// verifyFinished records and tells how a verification ended, and starts
// the repair: the files fsck marked missing are fetched again at once.
func (a *Agent) verifyFinished(outcome string, err error) {
	a.mu.Lock()
	p := a.verifying
	rep := a.lastVerify
	a.verifying, a.stopVerify, a.killVerify, a.verifyLoc, a.verifyGone = nil, nil, nil, "", false
	now := a.clock.Now().UTC()
	rep.Finished = &now
	rep.Outcome = outcome
	if err != nil {
		rep.Message = err.Error()
	}
	if rep.Problems > 0 {
		rep.Repair = fmt.Sprintf("fetching %s again from the archive", words.Count(int64(rep.Problems), "file", "files"))
	}
	for _, st := range a.state.Locations {
		if st.LastVerified.After(a.state.LastVerified) {
			a.state.LastVerified = st.LastVerified
		}
	}
	a.home.SaveState(a.state)
	a.mu.Unlock()
	switch outcome {
	case verifyPaused:
		a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verification paused after %s; it continues when you resume", words.Count(int64(p.Done), "file", "files"))})
	case verifyTimeLimit:
		a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verification checked %s in its time; it goes on later where it stopped", words.Count(int64(rep.Checked), "file", "files"))})
	case verifyDisconnected:
		a.emit(control.Event{Kind: control.EventVerify, Message: "Verification stopped: the storage is not connected; it goes on where it stopped when it is back"})
	case verifyFailed:
		a.emit(control.Event{Kind: control.EventError, Message: "Verification failed: " + rep.Message})
	default:
		if rep.Problems > 0 {
			a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verified %s: %s found; %s", words.Count(int64(rep.Checked), "file", "files"), words.Count(int64(rep.Problems), "problem", "problems"), rep.Repair)})
		} else {
			a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verified %s: all good", words.Count(int64(rep.Checked), "file", "files"))})
		}
	}
	if rep.Problems > 0 {
		a.kick() // refetch what fsck marked missing
	}
	a.requestPush() // the fresh "last verified" times, and the missing marks
}

// stopVerifying asks a running verification to stop after its current file.
func (a *Agent) stopVerifying() {
	a.mu.Lock()
	stop := a.stopVerify
	a.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// resumeVerifying continues a verification a pause interrupted, and
// starts one that came due meanwhile.
func (a *Agent) resumeVerifying() { a.scheduleVerification() }
