package verify

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// fsckResult is what one `git annex fsck` found.
type fsckResult struct {
	checked   int64
	ok        []string // keys verified good: their "last verified" is re-stated
	bad       []annexproc.ResultLine
	timeLimit bool // stopped at --time-limit (exit 101)
}

// retryFailed is the wait before a failed verification is retried.
const retryFailed = time.Hour

// location runs fsck on each shard repo of one location. A run that
// stops early (pause, time cap, drive gone) continues with --more next
// time. Results of a run whose drive went away are discarded: they are
// not counted, not reported and not pushed.
func (v *Verifier) location(soft, hard context.Context, id string) (string, error) {
	var more bool
	v.d.UpdateLocation(id, func(st *home.LocationState) {
		more = st.Resume
		if st.VerifyStarted.IsZero() {
			st.VerifyStarted = v.d.Now().UTC()
		}
		st.Resume, st.RestUntil = true, time.Time{}
	})
	v.mu.Lock()
	v.loc, v.gone = id, false
	v.mu.Unlock()
	path, shards := v.d.Location(id)
	for _, name := range shards {
		sh, ok := v.d.Shard(name)
		if !ok {
			continue
		}
		// --all: by key, since a shard has no work tree (agent/sparse.go).
		args := []string{"--all", "--numcopies=1", "--in=here", "--json", "--json-error-messages",
			fmt.Sprintf("--time-limit=%ds", max(int(v.d.TimeLimit/time.Second), 1))}
		if more {
			args = append(args, "--more")
		} else {
			args = append(args, "--incremental")
		}
		res, err := v.fsck(soft, hard, v.d.Repo(sh), args)
		if v.locationGone(id) || hard.Err() != nil {
			return Disconnected, nil
		}
		v.book(sh.Name, res)
		if len(res.ok) > 0 {
			if rerr := v.restate(hard, v.d.Repo(sh), res.ok); rerr != nil {
				v.d.Log("could not record the verification times", "shard", sh.Name, "err", rerr)
			}
		}
		switch {
		case soft.Err() != nil:
			return Paused, nil
		case res.timeLimit:
			v.restUntil(id, v.d.RestFor)
			return TimeLimit, nil
		case err != nil:
			v.restUntil(id, retryFailed) // not every poll: no error storm
			return Failed, fmt.Errorf("%s: %w", path, err)
		}
	}
	v.d.UpdateLocation(id, func(st *home.LocationState) {
		st.LastVerified, st.VerifyStarted, st.Resume = v.d.Now().UTC(), time.Time{}, false
	})
	return Done, nil
}

// restUntil lets a stopped run go on after d.
func (v *Verifier) restUntil(id string, d time.Duration) {
	v.d.UpdateLocation(id, func(st *home.LocationState) { st.RestUntil = v.d.Now().Add(d).UTC() })
}

// locationGone says whether the location went away during the run (the
// watcher saw it, or its marker is not there now).
func (v *Verifier) locationGone(id string) bool {
	v.mu.Lock()
	gone := v.gone
	v.mu.Unlock()
	return gone || !v.d.Connected(id)
}

// book adds a shard's results to the report and tells the problems.
func (v *Verifier) book(shard string, res fsckResult) {
	for _, bad := range res.bad {
		file := v.d.FileOf(shard, annex.Key(bad.Key))
		name := words.FileOrKey(file, bad.Key)
		v.mu.Lock()
		v.last.ProblemFiles = append(v.last.ProblemFiles, name)
		v.mu.Unlock()
		v.d.Emit(control.Event{Kind: control.EventError, Shard: shard, Key: bad.Key, File: file,
			Message: fmt.Sprintf("Verification failed for %s: %s; it will be fetched again", name, plan.FailureText(bad.ErrorMessages, bad.Note))})
	}
	v.mu.Lock()
	v.last.Checked += res.checked
	v.last.Problems += int64(len(res.bad))
	v.mu.Unlock()
}

// checked counts one more file for the progress of the run.
func (v *Verifier) checked() {
	v.mu.Lock()
	defer v.mu.Unlock()
	if p := v.progress; p != nil {
		p.Done++
		if p.Total > 0 {
			p.Percent = min(100, 100*float64(p.Done)/float64(p.Total))
		}
	}
}

// fsck runs one `git annex fsck` at low priority. Cancelling soft lets
// the file under check finish first (so fsck's incremental record stays
// right), then stops git-annex gently; cancelling hard ends it at once.
func (v *Verifier) fsck(soft, hard context.Context, r *annexproc.Repo, args []string) (fsckResult, error) {
	var res fsckResult
	pctx, kill := context.WithCancel(hard)
	defer kill()
	p, err := r.StartJSON(pctx, annexproc.SigGentle, false, "fsck", args...)
	if err != nil {
		return res, err
	}
	annexproc.LowerPriority(p.Pid())
	pacer := NewPacer(v.d.Rate(), v.d.Now)
	stopping := false
	for ln := range p.Lines {
		if ln.Result == nil {
			continue
		}
		res.checked++
		v.checked()
		if !stopping {
			v.pace(soft, hard, pacer, p.Pid(), ln.Result.Key)
		}
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
	err = p.WaitRaw()
	if soft.Err() != nil || hard.Err() != nil {
		return res, nil
	}
	return res, fsckExit(&res, err, p)
}

// fsckExit reads fsck's exit status: 101 is its time limit, 1 with
// problems found is what the results already said.
func fsckExit(res *fsckResult, err error, p *annexproc.Batch) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		switch ee.ExitCode() {
		case 101:
			res.timeLimit = true
			return nil
		case 1:
			if len(res.bad) > 0 {
				return nil
			}
		}
	}
	if err != nil {
		return annex.CommandError("git-annex", []string{"fsck"}, err, p.Stderr())
	}
	return nil
}

// restate records "this donor verified KEY now" where the hub can read
// it: the donor's own location-log line for each key, with a fresh
// timestamp. This git-annex writes nothing for `setpresentkey KEY UUID 1`
// when the key is already present, so each key is set missing, then
// present (only the newest line per UUID is kept), and `git annex merge`
// commits the journal; the next push carries it to the hub.
func (v *Verifier) restate(ctx context.Context, r *annexproc.Repo, keys []string) error {
	donor := v.d.Donor()
	var in strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&in, "%s %s 0\n%s %s 1\n", k, donor, k, donor)
	}
	if _, err := r.Annex(ctx, strings.NewReader(in.String()), "setpresentkey", "--batch"); err != nil {
		return fmt.Errorf("re-state verified keys: %w", err)
	}
	if _, err := r.Annex(ctx, nil, "merge", "--quiet"); err != nil {
		return fmt.Errorf("commit the verification times: %w", err)
	}
	return nil
}
