package agent

import (
	"context"
	"errors"
	"fmt"
	"github.com/shardkeeper/shardkeeper/internal/words"
	"os"
	"path/filepath"
	"sort"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// How a drop is made safe (see docs/giving-space-back.md): git-annex
// cannot verify other donors' copies (they are not remotes of this
// repository), and numcopies counts them only when it can. The one copy
// it can check is the archive's own: the web remote, with an HTTP HEAD
// that must answer with the right size. So every drop is
//
//	git annex drop --numcopies=1 --mincopies=1
//
// which makes git-annex itself confirm that the archive still serves the
// file before it removes the donor's copy, and refuse otherwise. Files with
// the most donor copies elsewhere go first; the rarest go last.
var dropArgs = []string{"--numcopies=1", "--mincopies=1"}

// maxDropFailuresInARow stops a round of drops when the archive does not
// answer: every further drop would fail the same way.
const maxDropFailuresInARow = 3

// errArchiveUnchecked means drops stopped because the archive's copy could
// not be confirmed.
var errArchiveUnchecked = errors.New("the archive's copy could not be confirmed, so nothing more was given back; will retry")

// dropOrderLocked lists held objects in the order they are given back:
// most copies elsewhere first, then the largest (fewer files for the same
// space). The rarest files are dropped last.
func (a *Agent) dropOrderLocked() []objRef {
	type item struct {
		ref    objRef
		copies int
		size   int64
	}
	var items []item
	a.ledger.eachHeld(func(ref objRef, o object) {
		items = append(items, item{ref, a.locs[ref.shard].Copies(ref.key, a.cfg.DonorUUID), o.size})
	})
	sort.Slice(items, func(i, j int) bool {
		if items[i].copies != items[j].copies {
			return items[i].copies > items[j].copies
		}
		if items[i].size != items[j].size {
			return items[i].size > items[j].size
		}
		return items[i].ref.key < items[j].ref.key
	})
	out := make([]objRef, len(items))
	for i, it := range items {
		out[i] = it.ref
	}
	return out
}

// releasePlanLocked says what fitting under budget takes: partial
// downloads first, then objects in drop order.
func (a *Agent) releasePlanLocked(budget int64) (bytes, files int64, refs []objRef) {
	over := a.ledger.used() - budget
	a.ledger.eachPartial(func(_ objRef, u int64) {
		if over > 0 {
			over -= u
			bytes += u
		}
	})
	for _, ref := range a.dropOrderLocked() {
		if over <= 0 {
			break
		}
		o, _ := a.ledger.object(ref)
		u := o.usage
		over -= u
		bytes += u
		files++
		refs = append(refs, ref)
	}
	return bytes, files, refs
}

// shrink gives space back until the ledger fits the budget.
func (a *Agent) shrink(ctx context.Context) error {
	a.updateBudget()
	if a.fits() {
		a.mu.Lock()
		a.releasing = nil
		a.mu.Unlock()
		return nil
	}
	if err := a.refreshLocations(ctx); err != nil { // the drop order needs current copy counts
		return err
	}
	a.mu.Lock()
	budget, _ := a.ledger.limits()
	bytes, files, _ := a.releasePlanLocked(budget)
	a.releasing = &control.Progress{Total: files}
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.releasing = nil
		a.mu.Unlock()
	}()
	a.emit(control.Event{Kind: control.EventBudget, Message: fmt.Sprintf("Giving back %s (%s) to fit the budget of %s", FormatSize(bytes), words.Count(int64(files), "file", "files"), FormatSize(budget))})
	a.removePartials(func(objRef) bool { return true }, func() bool { return a.fits() })
	if a.fits() {
		return nil
	}
	a.mu.Lock()
	order := a.dropOrderLocked()
	a.mu.Unlock()
	dropped, err := a.dropRefs(ctx, order, a.fits)
	if dropped > 0 {
		a.requestPush()
	}
	if err != nil {
		a.emit(control.Event{Kind: control.EventError, Message: "Could not give all the space back: " + err.Error()})
		return err
	}
	a.emit(control.Event{Kind: control.EventBudget, Message: fmt.Sprintf("Gave back %s; now within the budget of %s", words.Count(int64(dropped), "file", "files"), FormatSize(budget))})
	return nil
}

// fits reports whether the ledger is within the budget.
func (a *Agent) fits() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ledger.room() >= 0
}

// removePartials deletes partial downloads that match, until enough.
func (a *Agent) removePartials(match func(objRef) bool, enough func() bool) {
	a.mu.Lock()
	var refs []objRef
	a.ledger.eachPartial(func(ref objRef, _ int64) {
		if match(ref) {
			refs = append(refs, ref)
		}
	})
	a.mu.Unlock()
	for _, ref := range refs {
		if enough() {
			return
		}
		dir := a.shardDir(ref.shard)
		if err := os.Remove(filepath.Join(tmpDir(dir), string(ref.key))); err != nil && !errors.Is(err, os.ErrNotExist) {
			a.log.Warn("could not remove a partial download", "key", ref.key, "err", err)
			continue
		}
		a.ledger.forgetPartial(ref)
	}
}

func (a *Agent) shardDir(shard string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.shardDirLocked(shard)
}

func (a *Agent) shardDirLocked(shard string) string {
	for _, sh := range a.cfg.Shards {
		if sh.Name == shard {
			return sh.Path
		}
	}
	return ""
}

// dropRefs drops objects in order, one at a time, until enough() says
// so. It returns how many were dropped; it stops early, with
// errArchiveUnchecked, when drops keep failing.
func (a *Agent) dropRefs(ctx context.Context, refs []objRef, enough func() bool) (int, error) {
	a.dropMu.Lock()
	defer a.dropMu.Unlock()
	procs := map[string]*batchProc{}
	defer func() {
		for _, p := range procs {
			p.wait(ctx)
		}
	}()
	dropped, inARow := 0, 0
	for _, ref := range refs {
		if ctx.Err() != nil {
			return dropped, ctx.Err()
		}
		if enough() {
			break
		}
		p := procs[ref.shard]
		if p == nil {
			var err error
			r := a.repoFor(a.shardConfig(ref.shard))
			if p, err = r.startBatch(ctx, sigStop, "drop", dropArgs...); err != nil {
				return dropped, err
			}
			procs[ref.shard] = p
		}
		ok, msg := a.dropOne(ctx, p, ref)
		if ok {
			dropped, inARow = dropped+1, 0
			continue
		}
		inARow++
		a.emit(control.Event{Kind: control.EventError, Shard: ref.shard, Key: string(ref.key), File: a.fileOf(ref.shard, ref.key),
			Message: fmt.Sprintf("Kept %s: %s", displayName(a.fileOf(ref.shard, ref.key), ref.key), msg)})
		if inARow >= maxDropFailuresInARow {
			return dropped, errArchiveUnchecked
		}
	}
	return dropped, nil
}

// dropOne drops one object through p and books the result.
func (a *Agent) dropOne(ctx context.Context, p *batchProc, ref objRef) (bool, string) {
	if err := p.send(ref.key); err != nil {
		return false, err.Error()
	}
	for {
		var ln annexLine
		var ok bool
		select {
		case <-ctx.Done():
			return false, ctx.Err().Error()
		case ln, ok = <-p.lines:
		}
		if !ok {
			return false, "git-annex drop stopped: " + string(p.stderr.Bytes())
		}
		if ln.Result == nil && !ln.Blank {
			continue
		}
		dir := a.shardDir(ref.shard)
		if _, still := objectOnDisk(dir, ref.key); still {
			if ln.Result != nil {
				return false, "the archive's copy could not be confirmed (" + failureText(ln.Result.ErrorMessages, ln.Result.Note) + ")"
			}
			return false, "git-annex did not drop it"
		}
		a.mu.Lock()
		obj := a.ledger.forget(ref)
		copies := a.locs[ref.shard].Copies(ref.key, a.cfg.DonorUUID)
		if a.releasing != nil {
			a.releasing.Done++
			if a.releasing.Total > 0 {
				a.releasing.Percent = 100 * float64(a.releasing.Done) / float64(a.releasing.Total)
			}
		}
		a.mu.Unlock()
		file := a.fileOf(ref.shard, ref.key)
		a.emit(control.Event{Kind: control.EventDropped, Shard: ref.shard, Key: string(ref.key), File: file,
			Message: fmt.Sprintf("Gave back %s (%s; %d other donor copies)", displayName(file, ref.key), FormatSize(obj.size), copies)})
		return true, ""
	}
}

func (a *Agent) shardConfig(name string) (sh home.ShardConfig) {
	for _, s := range a.shards() {
		if s.Name == name {
			return s
		}
	}
	return sh
}
