// Package fetch is the agent's fetcher: one `git-annex get --batch-keys
// -J N` per batch, fed a key only when the budget ledger admits it, in the
// planner's order, with the downloads under way kept in Transfers.
package fetch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// Deps is what the fetcher uses of the rest of the agent.
type Deps struct {
	Ledger    *ledger.Ledger
	Failures  *plan.Failures
	Transfers *Transfers
	Jobs      int           // downloads at once (-J)
	BatchTime time.Duration // a batch takes no new keys after this
	// StallAfter: a download moving less than 1 KB in this long is
	// cancelled and fails (git-annex's annex.stalldetection).
	StallAfter time.Duration
	Now        func() time.Time
	Emit       func(control.Event)
	SetPhase   func(string)
	// HostWaiting says downloads wait for the archive's backoff.
	HostWaiting func() bool
	FileOf      func(shard string, k annex.Key) string
	// Fetched counts a downloaded file (today's activity).
	Fetched func(size int64)
	// SaveFailures persists the failure book after a change.
	SaveFailures func()
	// Verify, when set, checks downloads while they stream (verify.go).
	Verify Verifier
}

// diskReserve is the space git-annex leaves free on the drive, past the
// budget: room for the repository's own writes (the git-annex branch,
// its index) once the drive is otherwise full.
const diskReserve = "1MiB"

// Stats is what one batch did.
type Stats struct {
	Fetched, Failed int
	DiskFull        bool
}

// batch is one run of git-annex get.
type batch struct {
	Deps
	r        *annexproc.Repo
	p        *annexproc.Batch
	shard    string
	st       Stats
	queue    []plan.Candidate
	inflight map[annex.Key]plan.Candidate
	started  time.Time
	verified bool // the proxy checks each download (verify.go)
}

// Batch downloads cands with `git-annex get --batch-keys -J N`, feeding it
// a key only when the ledger admits it: what is held, partial downloads
// and the reservations of downloads in flight never exceed the budget, at
// any moment. The keys the proxy can check while streaming go to a
// git-annex that does not hash them again; the rest, first, to one that
// does.
func Batch(ctx context.Context, d Deps, r *annexproc.Repo, shard string, cands []plan.Candidate) Stats {
	checked, rest := d.splitVerifiable(ctx, r, cands)
	defer d.forget(checked)
	var st Stats
	started := d.Now()
	// The rest first: resumed downloads (their partial files hold budget).
	for i, group := range [][]plan.Candidate{rest, checked} {
		if len(group) == 0 || ctx.Err() != nil || st.DiskFull {
			continue
		}
		s := run(ctx, d, r, shard, group, i == 1, started)
		st.Fetched += s.Fetched
		st.Failed += s.Failed
		st.DiskFull = st.DiskFull || s.DiskFull
	}
	return st
}

// run is one git-annex get of cands.
func run(ctx context.Context, d Deps, r *annexproc.Repo, shard string, cands []plan.Candidate, verified bool, started time.Time) Stats {
	args := []string{"--json-progress", fmt.Sprintf("-J%d", d.Jobs),
		"-c", fmt.Sprintf("annex.stalldetection=1KB/%ds", max(int(d.StallAfter.Seconds()), 1)),
		// The budget's keep-free is the donor's reserve; git-annex's own
		// (100 MB by default) would refuse every file on a small drive.
		"-c", "annex.diskreserve=" + diskReserve}
	if verified {
		r = r.ViaProxy("127.0.0.1", d.Verify.VerifyingEnv())
		args = append(args, "-c", "annex.verify=false") // the proxy checked every byte
	}
	p, err := r.StartBatch(ctx, annexproc.SigStop, "get", args...)
	if err != nil {
		d.Emit(control.Event{Kind: control.EventError, Shard: shard, Message: err.Error()})
		return Stats{}
	}
	d.SetPhase(control.StateFetching)
	b := &batch{Deps: d, r: r, p: p, shard: shard, started: started, verified: verified,
		queue: append([]plan.Candidate(nil), cands...), inflight: map[annex.Key]plan.Candidate{}}
	b.feed(ctx)
	for len(b.inflight) > 0 {
		var ln annexproc.Line
		var ok bool
		select {
		case <-ctx.Done():
		case ln, ok = <-p.Lines:
		}
		if ctx.Err() != nil || !ok {
			break
		}
		b.onLine(ln)
		b.feed(ctx)
	}
	// Interrupted (pause) or git-annex ended early: what is on disk counts.
	for k := range b.inflight {
		obj, _ := ledger.OnDisk(r.Dir, k)
		b.finish(k, obj, ledger.PartialOnDisk(r.Dir, k))
		b.Transfers.End(shard, k)
	}
	if err := p.Wait(ctx); err != nil && ctx.Err() == nil {
		d.Emit(control.Event{Kind: control.EventError, Shard: shard, Message: "git-annex get failed: " + err.Error()})
	}
	return b.st
}

// feed hands git-annex keys while there are free jobs and the ledger
// admits them, in the planner's order (plan.AdmitFirst).
func (b *batch) feed(ctx context.Context) {
	for len(b.inflight) < b.Jobs && len(b.queue) > 0 {
		if ctx.Err() != nil || b.HostWaiting() || b.st.DiskFull || b.Now().Sub(b.started) > b.BatchTime {
			b.queue = nil
			return
		}
		i := plan.AdmitFirst(b.Ledger, b.shard, b.queue, len(b.inflight) == 0)
		if i < 0 {
			if len(b.inflight) == 0 {
				b.queue = nil // nothing fits even with nothing in flight
			}
			return
		}
		c := b.queue[i]
		b.queue = append(b.queue[:i], b.queue[i+1:]...)
		if obj, ok := ledger.OnDisk(b.r.Dir, c.Key); ok { // arrived meanwhile
			b.finish(c.Key, obj, 0)
			continue
		}
		b.Transfers.Start(b.shard, c, b.FileOf(b.shard, c.Key))
		if err := b.p.Send(c.Key); err != nil {
			b.finish(c.Key, ledger.Object{}, ledger.PartialOnDisk(b.r.Dir, c.Key))
			b.Transfers.End(b.shard, c.Key)
			b.queue = nil
			return
		}
		b.inflight[c.Key] = c
	}
}

// onLine books one line of git-annex get's output: progress, or the end
// of a download in flight.
func (b *batch) onLine(ln annexproc.Line) {
	switch {
	case ln.Progress != nil:
		if ev, ok := b.Transfers.Progress(b.shard, annex.Key(ln.Progress.Action.Key), ln.Progress.BytesDone, ln.Progress.TotalSize); ok {
			b.Emit(ev)
		}
	case ln.Result != nil:
		k := annex.Key(ln.Result.Key)
		if c, ok := b.inflight[k]; ok {
			delete(b.inflight, k)
			b.downloaded(c, ln.Result)
		}
	case ln.Blank: // a key git-annex had nothing to do for: already here
		for k, c := range b.inflight {
			if _, ok := ledger.OnDisk(b.r.Dir, k); ok {
				delete(b.inflight, k)
				b.downloaded(c, &annexproc.ResultLine{Key: string(k), Success: true})
			}
		}
	}
}

func (b *batch) finish(k annex.Key, obj ledger.Object, partial int64) {
	b.Ledger.Finish(ledger.Ref{Shard: b.shard, Key: k}, obj, partial)
}

// downloaded books one result of git-annex get.
func (b *batch) downloaded(c plan.Candidate, res *annexproc.ResultLine) {
	shard := b.shard
	file := b.FileOf(shard, c.Key)
	mismatch := b.verified && b.Verify.Forget(string(c.Key))
	if mismatch {
		// The proxy cut an answer that was not the key's content: nothing
		// of it may seed a resumed download.
		os.Remove(filepath.Join(ledger.TmpDir(b.r.Dir), string(c.Key)))
	}
	obj, present := ledger.OnDisk(b.r.Dir, c.Key)
	if mismatch && present {
		// git-annex fails a cut download, so this is not expected; but a
		// copy whose bytes the proxy refused must not stay.
		b.r.Annex(context.Background(), nil, "drop", "--force", "--key", string(c.Key))
		obj, present = ledger.OnDisk(b.r.Dir, c.Key)
	}
	b.finish(c.Key, obj, ledger.PartialOnDisk(b.r.Dir, c.Key))
	b.Transfers.End(shard, c.Key)
	name := words.FileOrKey(file, string(c.Key))
	if res.Success && present {
		b.st.Fetched++
		if b.Failures.Succeeded(string(c.Key)) {
			b.SaveFailures()
		}
		b.Fetched(obj.Size)
		b.Emit(control.Event{Kind: control.EventFetched, Shard: shard, Key: string(c.Key), File: file,
			Message: fmt.Sprintf("Fetched %s (%s)", name, words.Size(obj.Size))})
		return
	}
	msg := plan.FailureText(res.ErrorMessages, res.Note)
	if mismatch {
		msg = mismatchText
	}
	if plan.Classify(res.ErrorMessages, res.Note) == "space" {
		b.st.DiskFull = true
		b.Emit(control.Event{Kind: control.EventError, Shard: shard, Key: string(c.Key), File: file,
			Message: "The drive is full: " + msg + ". Free some space or lower the budget."})
		return
	}
	b.st.Failed++
	f := b.Failures.Failed(shard, string(c.Key), msg, b.Now())
	b.SaveFailures()
	if f.Skipped {
		b.Emit(control.Event{Kind: control.EventError, Shard: shard, Key: string(c.Key), File: file,
			Message: fmt.Sprintf("Skipped %s after %d failed tries (%s); will try again after %s", name, f.Count, msg, f.NextTry.Local().Format(time.DateTime))})
		return
	}
	b.Emit(control.Event{Kind: control.EventError, Shard: shard, Key: string(c.Key), File: file,
		Message: fmt.Sprintf("Could not fetch %s (%s); will retry after %s", name, msg, f.NextTry.Local().Format(time.TimeOnly))})
}
