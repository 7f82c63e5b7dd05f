package agent

import (
	"context"
	"fmt"
	"sync"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
)

// fsckMode is how a verification run starts.
type fsckMode int

const (
	fsckFresh fsckMode = iota // check everything held, from the start
	fsckMore                  // continue an interrupted run where it stopped
)

// verifyWG lets tests wait for a verification to finish.
var verifyWG sync.WaitGroup

// Verify starts a verification of everything held now, in the background:
// `git annex fsck --incremental` over the files present here. Progress
// and problems come as events and in Status.Verifying. Pause stops it
// after the file it is checking; Resume continues where it stopped.
func (a *Agent) Verify(ctx context.Context) error {
	return a.startVerify(fsckFresh)
}

func (a *Agent) startVerify(mode fsckMode) error {
	a.mu.Lock()
	if a.verifying != nil {
		a.mu.Unlock()
		return control.Conflictf("a verification is already running")
	}
	if a.state.Paused {
		a.state.VerifyPending = true
		a.home.SaveState(a.state)
		a.mu.Unlock()
		return control.Conflictf("paused; the verification will run when you resume")
	}
	total := int64(len(a.ledger.held))
	a.verifying = &control.Progress{Total: total}
	a.state.VerifyPending = true
	a.home.SaveState(a.state)
	ctx, cancel := context.WithCancel(context.Background())
	a.stopVerify = cancel
	a.mu.Unlock()

	a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verifying %d files", total)})
	verifyWG.Add(1)
	go func() {
		defer verifyWG.Done()
		defer cancel()
		problems, err := a.runVerify(ctx, mode)
		a.verifyDone(problems, err, ctx.Err() != nil)
	}()
	return nil
}

// runVerify runs fsck on each shard and returns how many files failed.
func (a *Agent) runVerify(ctx context.Context, mode fsckMode) (int, error) {
	problems := 0
	for _, sh := range a.shards() {
		args := []string{"--numcopies=1", "--in=here", "--json", "--json-error-messages"}
		if mode == fsckFresh {
			args = append(args, "--incremental")
		} else {
			args = append(args, "--more")
		}
		n, err := a.fsck(ctx, a.repoFor(sh), sh.Name, args)
		problems += n
		if err != nil {
			return problems, err
		}
	}
	return problems, nil
}

// fsck runs one `git annex fsck` and books its results. Cancelling ctx
// lets the file under check finish first (so fsck's incremental record
// stays right), then stops git-annex gently.
func (a *Agent) fsck(ctx context.Context, r *repo, shard string, args []string) (int, error) {
	pctx, kill := context.WithCancel(context.Background())
	defer kill()
	p, err := r.startJSON(pctx, sigGentle, false, "fsck", args...)
	if err != nil {
		return 0, err
	}
	problems := 0
	stopping := false
	for ln := range p.lines {
		if ln.Result == nil {
			continue
		}
		a.mu.Lock()
		if a.verifying != nil {
			a.verifying.Done++
			if a.verifying.Total > 0 {
				a.verifying.Percent = min(100, 100*float64(a.verifying.Done)/float64(a.verifying.Total))
			}
		}
		a.mu.Unlock()
		if !ln.Result.Success {
			problems++
			file := a.fileOf(shard, annex.Key(ln.Result.Key))
			a.emit(control.Event{Kind: control.EventError, Shard: shard, Key: ln.Result.Key, File: file,
				Message: fmt.Sprintf("Verification failed for %s: %s; it will be fetched again", displayName(file, annex.Key(ln.Result.Key)), failureText(ln.Result.ErrorMessages, ln.Result.Note))})
		}
		if ctx.Err() != nil && !stopping {
			stopping = true
			kill() // after a whole file: fsck records what it checked
		}
	}
	err = p.cmd.Wait()
	if ctx.Err() != nil {
		return problems, ctx.Err()
	}
	if err != nil && problems == 0 {
		return problems, fmt.Errorf("git-annex fsck: %w: %s", err, p.stderr.Bytes())
	}
	return problems, nil
}

func (a *Agent) verifyDone(problems int, err error, interrupted bool) {
	a.mu.Lock()
	p := a.verifying
	a.verifying, a.stopVerify = nil, nil
	if !interrupted {
		a.state.VerifyPending = false
		if err == nil {
			a.state.LastVerified = a.clock.Now().UTC()
		}
	}
	a.home.SaveState(a.state)
	a.mu.Unlock()
	switch {
	case interrupted:
		a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verification paused after %d files; it continues when you resume", p.Done)})
	case err != nil:
		a.emit(control.Event{Kind: control.EventError, Message: "Verification failed: " + err.Error()})
	case problems > 0:
		a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verified %d files: %d problems found", p.Done, problems)})
		a.kick() // refetch what fsck marked missing
	default:
		a.emit(control.Event{Kind: control.EventVerify, Message: fmt.Sprintf("Verified %d files: all good", p.Done)})
	}
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

// resumeVerifying continues a verification a pause interrupted.
func (a *Agent) resumeVerifying() {
	a.mu.Lock()
	pending := a.state.VerifyPending && a.verifying == nil
	a.mu.Unlock()
	if pending {
		a.startVerify(fsckMore)
	}
}
