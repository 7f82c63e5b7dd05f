package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/annex"
)

// getBatch downloads cands with one `git-annex get --batch-keys -J N`,
// feeding it a key only when the ledger admits it: what is held, partial
// downloads and the reservations of downloads in flight never exceed the
// budget, at any moment.
func (a *Agent) getBatch(ctx context.Context, r *repo, shard string, cands []Candidate) fillStats {
	var st fillStats
	jobs := a.opts.Jobs
	p, err := r.startBatch(ctx, sigStop, "get", "--json-progress", fmt.Sprintf("-J%d", jobs),
		"-c", fmt.Sprintf("annex.stalldetection=1KB/%ds", int(a.opts.StallAfter.Seconds())),
		// The budget's keep-free is the donor's reserve; git-annex's own
		// (100 MB by default) would refuse every file on a small drive.
		"-c", "annex.diskreserve="+diskReserve)
	if err != nil {
		a.emit(control.Event{Kind: control.EventError, Shard: shard, Message: err.Error()})
		return st
	}
	a.setPhase(control.StateFetching)
	started := a.clock.Now()
	queue := append([]Candidate(nil), cands...)
	inflight := map[annex.Key]Candidate{}

	feed := func() {
		for len(inflight) < jobs && len(queue) > 0 {
			if ctx.Err() != nil || a.hostWaiting() || st.diskFull || a.clock.Now().Sub(started) > a.opts.BatchTime {
				queue = nil
				return
			}
			i := a.admitFirst(shard, queue, len(inflight) == 0)
			if i < 0 {
				if len(inflight) == 0 {
					queue = nil // nothing fits even with nothing in flight
				}
				return
			}
			c := queue[i]
			queue = append(queue[:i], queue[i+1:]...)
			if obj, ok := objectOnDisk(r.dir, c.Key); ok { // arrived meanwhile
				a.finishDownload(shard, c.Key, obj, 0)
				continue
			}
			a.startTransfer(shard, c)
			if err := p.send(c.Key); err != nil {
				a.finishDownload(shard, c.Key, object{}, partialOnDisk(r.dir, c.Key))
				a.endTransfer(shard, c.Key)
				queue = nil
				return
			}
			inflight[c.Key] = c
		}
	}
	feed()
	for len(inflight) > 0 {
		var ln annexLine
		var ok bool
		select {
		case <-ctx.Done():
		case ln, ok = <-p.lines:
		}
		if ctx.Err() != nil || !ok {
			break
		}
		a.onGetLine(&st, r, shard, inflight, ln)
		feed()
	}
	// Interrupted (pause) or git-annex ended early: what is on disk counts.
	for k := range inflight {
		obj, _ := objectOnDisk(r.dir, k)
		a.finishDownload(shard, k, obj, partialOnDisk(r.dir, k))
		a.endTransfer(shard, k)
	}
	if err := p.wait(ctx); err != nil && ctx.Err() == nil {
		a.emit(control.Event{Kind: control.EventError, Shard: shard, Message: "git-annex get failed: " + err.Error()})
	}
	return st
}

// onGetLine books one line of git-annex get's output: progress, or the
// end of a download in flight.
func (a *Agent) onGetLine(st *fillStats, r *repo, shard string, inflight map[annex.Key]Candidate, ln annexLine) {
	switch {
	case ln.Progress != nil:
		a.progress(shard, annex.Key(ln.Progress.Action.Key), ln.Progress.BytesDone, ln.Progress.TotalSize)
	case ln.Result != nil:
		k := annex.Key(ln.Result.Key)
		if c, ok := inflight[k]; ok {
			delete(inflight, k)
			a.downloaded(st, r, shard, c, ln.Result)
		}
	case ln.Blank: // a key git-annex had nothing to do for: already here
		for k, c := range inflight {
			if _, ok := objectOnDisk(r.dir, k); ok {
				delete(inflight, k)
				a.downloaded(st, r, shard, c, &resultLine{Key: string(k), Success: true})
			}
		}
	}
}

// diskReserve is the space git-annex leaves free on the drive, past the
// budget: room for the repository's own writes (the git-annex branch,
// its index) once the drive is otherwise full.
const diskReserve = "1MiB"

func (a *Agent) finishDownload(shard string, k annex.Key, obj object, partial int64) {
	a.mu.Lock()
	a.ledger.finish(objRef{shard, k}, obj, partial)
	a.mu.Unlock()
}

// downloaded books one result of git-annex get.
func (a *Agent) downloaded(st *fillStats, r *repo, shard string, c Candidate, res *resultLine) {
	file := a.fileOf(shard, c.Key)
	obj, present := objectOnDisk(r.dir, c.Key)
	a.finishDownload(shard, c.Key, obj, partialOnDisk(r.dir, c.Key))
	a.endTransfer(shard, c.Key)
	if res.Success && present {
		st.fetched++
		a.mu.Lock()
		if a.fails.succeeded(string(c.Key)) {
			a.saveFailuresLocked()
		}
		a.addActivityLocked(obj.size)
		a.mu.Unlock()
		a.emit(control.Event{Kind: control.EventFetched, Shard: shard, Key: string(c.Key), File: file,
			Message: fmt.Sprintf("Fetched %s (%s)", displayName(file, c.Key), FormatSize(obj.size))})
		return
	}
	msg := failureText(res.ErrorMessages, res.Note)
	if classify(res.ErrorMessages, res.Note) == "space" {
		st.diskFull = true
		a.emit(control.Event{Kind: control.EventError, Shard: shard, Key: string(c.Key), File: file,
			Message: "The drive is full: " + msg + ". Free some space or lower the budget."})
		return
	}
	st.failed++
	a.mu.Lock()
	f := a.fails.failed(shard, string(c.Key), msg, a.clock.Now())
	a.saveFailuresLocked()
	a.mu.Unlock()
	name := displayName(file, c.Key)
	if f.Skipped {
		a.emit(control.Event{Kind: control.EventError, Shard: shard, Key: string(c.Key), File: file,
			Message: fmt.Sprintf("Skipped %s after %d failed tries (%s); will try again after %s", name, f.Count, msg, f.NextTry.Local().Format(time.DateTime))})
		return
	}
	a.emit(control.Event{Kind: control.EventError, Shard: shard, Key: string(c.Key), File: file,
		Message: fmt.Sprintf("Could not fetch %s (%s); will retry after %s", name, msg, f.NextTry.Local().Format(time.TimeOnly))})
}
