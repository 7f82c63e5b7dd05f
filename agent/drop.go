package agent

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/internal/words"
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
func (a *Agent) dropOrderLocked() []ledger.Ref {
	type item struct {
		ref    ledger.Ref
		copies int
		size   int64
	}
	var items []item
	a.ledger.EachHeld(func(ref ledger.Ref, o ledger.Object) {
		items = append(items, item{ref, a.copies.Get(ref.Shard).Copies(ref.Key, a.cfg.DonorUUID), o.Size})
	})
	sort.Slice(items, func(i, j int) bool {
		if items[i].copies != items[j].copies {
			return items[i].copies > items[j].copies
		}
		if items[i].size != items[j].size {
			return items[i].size > items[j].size
		}
		return items[i].ref.Key < items[j].ref.Key
	})
	out := make([]ledger.Ref, len(items))
	for i, it := range items {
		out[i] = it.ref
	}
	return out
}

// releasePlanLocked says what fitting under budget takes: partial
// downloads first, then objects in drop order.
func (a *Agent) releasePlanLocked(budget int64) (bytes, files int64, refs []ledger.Ref) {
	over := a.ledger.Used() + a.ledger.MetaSlack() - budget // the growth room stays free
	a.ledger.EachPartial(func(_ ledger.Ref, u int64) {
		if over > 0 {
			over -= u
			bytes += u
		}
	})
	for _, ref := range a.dropOrderLocked() {
		if over <= 0 {
			break
		}
		o, _ := a.ledger.Object(ref)
		u := o.Usage
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
	budget, _ := a.ledger.Limits()
	bytes, files, _ := a.releasePlanLocked(budget)
	a.releasing = &control.Progress{Total: files}
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.releasing = nil
		a.mu.Unlock()
	}()
	a.emit(control.Event{Kind: control.EventBudget, Message: fmt.Sprintf("Giving back %s (%s) to fit the budget of %s", FormatSize(bytes), words.Count(int64(files), "file", "files"), FormatSize(budget))})
	a.removePartials(func(ledger.Ref) bool { return true }, func() bool { return a.fits() })
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
	return a.ledger.Room() >= a.ledger.MetaSlack() // the growth room stays free (ledger/meta.go)
}

// removePartials deletes partial downloads that match, until enough.
func (a *Agent) removePartials(match func(ledger.Ref) bool, enough func() bool) {
	a.mu.Lock()
	var refs []ledger.Ref
	a.ledger.EachPartial(func(ref ledger.Ref, _ int64) {
		if match(ref) {
			refs = append(refs, ref)
		}
	})
	a.mu.Unlock()
	for _, ref := range refs {
		if enough() {
			return
		}
		dir := a.shardDir(ref.Shard)
		if err := os.Remove(filepath.Join(ledger.TmpDir(dir), string(ref.Key))); err != nil && !errors.Is(err, os.ErrNotExist) {
			a.log.Warn("could not remove a partial download", "key", ref.Key, "err", err)
			continue
		}
		a.ledger.ForgetPartial(ref)
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
func (a *Agent) dropRefs(ctx context.Context, refs []ledger.Ref, enough func() bool) (int, error) {
	a.dropMu.Lock()
	defer a.dropMu.Unlock()
	procs := map[string]*annexproc.Batch{}
	defer func() {
		for _, p := range procs {
			p.Wait(ctx)
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
		p := procs[ref.Shard]
		if p == nil {
			var err error
			r := a.repoFor(a.shardConfig(ref.Shard))
			if p, err = r.StartBatch(ctx, annexproc.SigStop, "drop", dropArgs...); err != nil {
				return dropped, err
			}
			procs[ref.Shard] = p
		}
		ok, msg := a.dropOne(ctx, p, ref)
		if ok {
			dropped, inARow = dropped+1, 0
			continue
		}
		inARow++
		a.emit(control.Event{Kind: control.EventError, Shard: ref.Shard, Key: string(ref.Key), File: a.fileOf(ref.Shard, ref.Key),
			Message: fmt.Sprintf("Kept %s: %s", displayName(a.fileOf(ref.Shard, ref.Key), ref.Key), msg)})
		if inARow >= maxDropFailuresInARow {
			return dropped, errArchiveUnchecked
		}
	}
	return dropped, nil
}

// dropOne drops one object through p and books the result.
func (a *Agent) dropOne(ctx context.Context, p *annexproc.Batch, ref ledger.Ref) (bool, string) {
	if err := p.Send(ref.Key); err != nil {
		return false, err.Error()
	}
	for {
		var ln annexproc.Line
		var ok bool
		select {
		case <-ctx.Done():
			return false, ctx.Err().Error()
		case ln, ok = <-p.Lines:
		}
		if !ok {
			return false, "git-annex drop stopped: " + string(p.Stderr())
		}
		if ln.Result == nil && !ln.Blank {
			continue
		}
		dir := a.shardDir(ref.Shard)
		if _, still := ledger.OnDisk(dir, ref.Key); still {
			if ln.Result != nil {
				return false, "the archive's copy could not be confirmed (" + plan.FailureText(ln.Result.ErrorMessages, ln.Result.Note) + ")"
			}
			return false, "git-annex did not drop it"
		}
		a.mu.Lock()
		obj := a.ledger.Forget(ref)
		copies := a.copies.Get(ref.Shard).Copies(ref.Key, a.cfg.DonorUUID)
		if a.releasing != nil {
			a.releasing.Done++
			if a.releasing.Total > 0 {
				a.releasing.Percent = 100 * float64(a.releasing.Done) / float64(a.releasing.Total)
			}
		}
		a.mu.Unlock()
		file := a.fileOf(ref.Shard, ref.Key)
		a.emit(control.Event{Kind: control.EventDropped, Shard: ref.Shard, Key: string(ref.Key), File: file,
			Message: fmt.Sprintf("Gave back %s (%s; %d other donor copies)", displayName(file, ref.Key), FormatSize(obj.Size), copies)})
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
