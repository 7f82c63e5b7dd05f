package agent

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
)

// fsckResult is what one `git annex fsck` found.
type fsckResult struct {
	checked   int64
	ok        []string // keys verified good: their "last verified" is re-stated
	bad       []resultLine
	timeLimit bool // stopped at --time-limit (exit 101)
}

// verifyLocation runs fsck on each shard repo of one location. A run
// that stops early (pause, time cap, drive gone) continues with --more
// next time. Results of a run whose drive went away are discarded: they
// are not counted, not reported and not pushed.
func (a *Agent) verifyLocation(soft, hard context.Context, id string) (string, error) {
	a.mu.Lock()
	l, _ := locationOf(a.cfg, id)
	st := a.locStateLocked(id)
	more := st.Resume
	if st.VerifyStarted.IsZero() {
		st.VerifyStarted = a.clock.Now().UTC()
	}
	st.Resume, st.RestUntil = true, time.Time{}
	a.state.Locations[id] = st
	a.home.SaveState(a.state)
	a.verifyLoc, a.verifyGone = id, false
	var shards []string
	for _, sh := range a.cfg.Shards {
		if sh.Location == id {
			shards = append(shards, sh.Name)
		}
	}
	a.mu.Unlock()

	for _, name := range shards {
		sh, ok := a.storageShard(name)
		if !ok {
			continue
		}
		// --all: by key, since a shard has no work tree (sparse.go).
		args := []string{"--all", "--numcopies=1", "--in=here", "--json", "--json-error-messages",
			fmt.Sprintf("--time-limit=%ds", max(int(a.opts.VerifyTimeLimit/time.Second), 1))}
		if more {
			args = append(args, "--more")
		} else {
			args = append(args, "--incremental")
		}
		// fsck --all names keys only: the tree names the files in messages.
		if _, err := a.treeOf(hard, sh.Name); err == nil {
			defer a.slimLater()
		}
		res, err := a.fsck(soft, hard, a.plainRepo(sh), args)
		if a.locationGone(id) || hard.Err() != nil {
			return verifyDisconnected, nil
		}
		a.bookFsck(sh.Name, res)
		if len(res.ok) > 0 {
			if rerr := a.restate(hard, a.plainRepo(sh), res.ok); rerr != nil {
				a.log.Warn("could not record the verification times", "shard", sh.Name, "err", rerr)
			}
		}
		switch {
		case soft.Err() != nil:
			return verifyPaused, nil
		case res.timeLimit:
			a.restUntil(id, a.opts.VerifyRestFor)
			return verifyTimeLimit, nil
		case err != nil:
			a.restUntil(id, retryFailedVerify) // not every poll: no error storm
			return verifyFailed, fmt.Errorf("%s: %w", l.Path, err)
		}
	}
	a.mu.Lock()
	st = a.locStateLocked(id)
	st.LastVerified, st.VerifyStarted, st.Resume = a.clock.Now().UTC(), time.Time{}, false
	a.state.Locations[id] = st
	a.home.SaveState(a.state)
	a.mu.Unlock()
	return verifyDone, nil
}

// retryFailedVerify is the wait before a failed verification is retried.
const retryFailedVerify = time.Hour

// restUntil lets a stopped run go on after d.
func (a *Agent) restUntil(id string, d time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := a.locStateLocked(id)
	st.RestUntil = a.clock.Now().Add(d).UTC()
	a.state.Locations[id] = st
	a.home.SaveState(a.state)
}

// locationGone says whether the location went away during the run (the
// watcher saw it, or its marker is not there now).
func (a *Agent) locationGone(id string) bool {
	a.mu.Lock()
	gone, cfg := a.verifyGone, a.cfg
	a.mu.Unlock()
	l, ok := locationOf(cfg, id)
	if gone || !ok {
		return true
	}
	match, _ := markerAt(l.Path, cfg.DonorUUID, id)
	return !match
}

// bookFsck adds a shard's results to the report and tells the problems.
func (a *Agent) bookFsck(shard string, res fsckResult) {
	for _, bad := range res.bad {
		file := a.fileOf(shard, annex.Key(bad.Key))
		a.mu.Lock()
		a.lastVerify.ProblemFiles = append(a.lastVerify.ProblemFiles, displayName(file, annex.Key(bad.Key)))
		a.mu.Unlock()
		a.emit(control.Event{Kind: control.EventError, Shard: shard, Key: bad.Key, File: file,
			Message: fmt.Sprintf("Verification failed for %s: %s; it will be fetched again", displayName(file, annex.Key(bad.Key)), failureText(bad.ErrorMessages, bad.Note))})
	}
	a.mu.Lock()
	a.lastVerify.Checked += res.checked
	a.lastVerify.Problems += int64(len(res.bad))
	a.mu.Unlock()
}

// fsck runs one `git annex fsck` at low priority. Cancelling soft lets
// the file under check finish first (so fsck's incremental record stays
// right), then stops git-annex gently; cancelling hard ends it at once.
func (a *Agent) fsck(soft, hard context.Context, r *repo, args []string) (fsckResult, error) {
	var res fsckResult
	pctx, kill := context.WithCancel(hard)
	defer kill()
	p, err := r.startJSON(pctx, sigGentle, false, "fsck", args...)
	if err != nil {
		return res, err
	}
	lowerPriority(p.cmd.Process.Pid)
	stopping := false
	for ln := range p.lines {
		if ln.Result == nil {
			continue
		}
		res.checked++
		a.mu.Lock()
		if a.verifying != nil {
			a.verifying.Done++
			if a.verifying.Total > 0 {
				a.verifying.Percent = min(100, 100*float64(a.verifying.Done)/float64(a.verifying.Total))
			}
		}
		a.mu.Unlock()
		if ln.Result.Success {
			res.ok = append(res.ok, ln.Result.Key)
		} else {
			res.bad = append(res.bad, *ln.Result)
		}
		if soft.Err() != nil && !stopping {
			stopping = true
			kill() // after a whole file: fsck records what it checked
		}
	}
	err = p.cmd.Wait()
	if soft.Err() != nil || hard.Err() != nil {
		return res, nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		switch ee.ExitCode() {
		case 101:
			res.timeLimit = true
			return res, nil
		case 1:
			if len(res.bad) > 0 {
				return res, nil
			}
		}
	}
	if err != nil {
		return res, annex.CommandError("git-annex", []string{"fsck"}, err, p.stderr.Bytes())
	}
	return res, nil
}

// storageShard is a shard's configuration now (its path follows its drive).
func (a *Agent) storageShard(name string) (sh home.ShardConfig, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range a.cfg.Shards {
		if s.Name == name {
			return s, true
		}
	}
	return sh, false
}

// plainRepo is a shard repo for local work (no download proxy).
func (a *Agent) plainRepo(sh home.ShardConfig) *repo {
	return newRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
}
