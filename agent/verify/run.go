package verify

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// batch is what a run found since it last recorded.
type batch struct {
	checked int64
	ok      []string // keys verified good: their "last verified" is re-stated
	bad     []annexproc.ResultLine
	last    annex.Key // the last key finished: the resume cursor
}

// retryFailed is the wait before a failed verification is retried.
const retryFailed = time.Hour

// batchKeys is how many checked keys a run records at once: books them,
// re-states the good ones and moves its resume cursor past them.
const batchKeys = 1000

// errGone: the location went away under a run.
var errGone = errors.New("the storage is not connected")

// location checks the shards of one location, in name order, each key in
// byte order. A run that stops early (pause, time cap, drive gone) goes on
// next time after the last key it recorded; a new run starts from the
// beginning. Results of a run whose drive went away are discarded since
// its last record: not counted, not reported and not pushed.
func (v *Verifier) location(soft, hard context.Context, id string) (string, error) {
	var cur home.LocationState
	v.d.UpdateLocation(id, func(st *home.LocationState) {
		if !st.Resume {
			st.VerifyShard, st.VerifyKey = "", ""
		}
		cur = *st
		if st.VerifyStarted.IsZero() {
			st.VerifyStarted = v.d.Now().UTC()
		}
		st.Resume, st.RestUntil = true, time.Time{}
	})
	v.mu.Lock()
	v.loc, v.gone = id, false
	v.mu.Unlock()
	path, shards := v.d.Location(id)
	shards = slices.Sorted(slices.Values(shards))
	r := &reader{v: v, soft: soft, hard: hard, lim: NewLimiter(v.d.Rate(), v.d.Now), buf: make([]byte, maxChunk)}
	var deadline time.Time // zero: no time cap
	if v.d.TimeLimit > 0 {
		deadline = v.d.Now().Add(v.d.TimeLimit)
	}
	for _, name := range shards {
		sh, ok := v.d.Shard(name)
		if !ok || name < cur.VerifyShard {
			continue
		}
		after := ""
		if name == cur.VerifyShard {
			after = cur.VerifyKey
		}
		outcome, err := v.shard(r, id, sh, after, deadline)
		switch outcome {
		case Done:
			continue
		case TimeLimit:
			v.restUntil(id, v.d.RestFor)
		case Failed:
			v.restUntil(id, retryFailed) // not every poll: no error storm
			err = fmt.Errorf("%s: %w", path, err)
		}
		return outcome, err
	}
	v.d.UpdateLocation(id, func(st *home.LocationState) {
		st.LastVerified, st.VerifyStarted, st.Resume = v.d.Now().UTC(), time.Time{}, false
		st.VerifyShard, st.VerifyKey = "", ""
	})
	return Done, nil
}

// shard checks the keys of one shard held on the location after the key
// after, and records them in batches.
func (v *Verifier) shard(r *reader, id string, sh home.ShardConfig, after string, deadline time.Time) (string, error) {
	keys, err := v.d.Keys(r.hard, sh.Name)
	if v.locationGone(id) || r.hard.Err() != nil {
		return Disconnected, nil
	}
	if err != nil {
		return Failed, fmt.Errorf("list the files held in %s: %w", sh.Name, err)
	}
	slices.Sort(keys)
	keys = keys[sort.Search(len(keys), func(i int) bool { return string(keys[i]) > after }):]
	repo := v.d.Repo(sh)
	var b batch
	stop := func(outcome string, err error) (string, error) {
		v.record(r.hard, id, sh, repo, &b, false)
		return outcome, err
	}
	for i, k := range keys {
		switch {
		case r.soft.Err() != nil:
			return stop(Paused, nil)
		case i > 0 && !deadline.IsZero() && !v.d.Now().Before(deadline): // each shard gets on by a key at least
			return stop(TimeLimit, nil)
		}
		res, found, err := v.checkKey(r, id, sh.Path, repo, k)
		if errors.Is(err, errGone) || v.locationGone(id) || r.hard.Err() != nil {
			return Disconnected, nil
		}
		if err != nil {
			return stop(Failed, fmt.Errorf("check %s: %w", k, err))
		}
		b.add(k, res, found)
		v.checked()
		if len(b.ok)+len(b.bad) >= batchKeys {
			v.record(r.hard, id, sh, repo, &b, true)
		}
	}
	v.record(r.hard, id, sh, repo, &b, false)
	return Done, nil
}

// add counts one key checked.
func (b *batch) add(k annex.Key, res annexproc.ResultLine, found bool) {
	b.checked++
	b.last = k
	switch {
	case !found: // not held here any more: nothing to say
	case res.Success:
		b.ok = append(b.ok, string(k))
	default:
		b.bad = append(b.bad, res)
	}
}

// checkKey checks one key: the agent hashes its object; what is bad,
// missing or of a backend it does not hash, git-annex's fsck checks again
// and, when it is bad, marks missing. found is false when git-annex does
// not hold the key here.
func (v *Verifier) checkKey(r *reader, id, dir string, repo *annexproc.Repo, k annex.Key) (annexproc.ResultLine, bool, error) {
	vd, err := r.check(dir, k)
	if err != nil {
		return annexproc.ResultLine{}, false, err
	}
	if vd == good {
		return annexproc.ResultLine{Command: "fsck", Key: string(k), Success: true}, true, nil
	}
	if v.locationGone(id) {
		return annexproc.ResultLine{}, false, errGone // not a bad file: the drive went away
	}
	return fsckKey(r.hard, repo, k, vd)
}

// record books a batch, re-states its good keys and saves the resume
// cursor past it; merge commits git-annex's journal (a batch that more
// follow; after the last, the report's push commits it).
func (v *Verifier) record(ctx context.Context, id string, sh home.ShardConfig, repo *annexproc.Repo, b *batch, merge bool) {
	if b.checked == 0 {
		return
	}
	v.book(sh.Name, *b)
	// A key dropped since it was read (a lowered budget) is not re-stated.
	ok := slices.DeleteFunc(b.ok, func(k string) bool { return !objectThere(sh.Path, annex.Key(k)) })
	if len(ok) > 0 {
		if err := v.restate(ctx, repo, ok, merge); err != nil {
			v.d.Log("could not record the verification times", "shard", sh.Name, "err", err)
		}
	}
	v.d.UpdateLocation(id, func(st *home.LocationState) { st.VerifyShard, st.VerifyKey = sh.Name, string(b.last) })
	*b = batch{}
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

// book adds a batch's results to the report and tells the problems.
func (v *Verifier) book(shard string, b batch) {
	for _, bad := range b.bad {
		file := v.d.FileOf(shard, annex.Key(bad.Key))
		name := words.FileOrKey(file, bad.Key)
		v.mu.Lock()
		v.last.ProblemFiles = append(v.last.ProblemFiles, name)
		v.mu.Unlock()
		v.d.Emit(control.Event{Kind: control.EventError, Shard: shard, Key: bad.Key, File: file,
			Message: fmt.Sprintf("Verification failed for %s: %s; it will be fetched again", name, plan.FailureText(bad.ErrorMessages, bad.Note))})
	}
	v.mu.Lock()
	v.last.Checked += b.checked
	v.last.Problems += int64(len(b.bad))
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

// restate records "this donor verified KEY now" where the hub can read
// it: the donor's own location-log line for each key, with a fresh
// timestamp. This git-annex writes nothing for `setpresentkey KEY UUID 1`
// when the key is already present, so each key is set missing, then
// present (only the newest line per UUID is kept). setpresentkey leaves
// its lines in git-annex's journal, which every reader of location logs
// here reads too (git-annex, annex.LocationReader); `git annex merge`
// commits it, so that a long run's journal stays small. After a run's last
// batch the report's push does that (report.Push merges, then pushes).
func (v *Verifier) restate(ctx context.Context, r *annexproc.Repo, keys []string, merge bool) error {
	donor := v.d.Donor()
	var in strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&in, "%s %s 0\n%s %s 1\n", k, donor, k, donor)
	}
	if _, err := r.Annex(ctx, strings.NewReader(in.String()), "setpresentkey", "--batch"); err != nil {
		return fmt.Errorf("re-state verified keys: %w", err)
	}
	if !merge {
		return nil
	}
	if _, err := r.Annex(ctx, nil, "merge", "--quiet"); err != nil {
		return fmt.Errorf("commit the verification times: %w", err)
	}
	return nil
}
