package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// nextCycleWait is the interval, shortened when a backoff ends sooner.
func (a *Agent) nextCycleWait() time.Duration {
	d := a.opts.Interval
	if until, _ := a.fails.HostBackoff(); !until.IsZero() {
		if w := until.Sub(a.clock.Now()); w > 0 && w < d {
			d = w + time.Second
		}
	}
	return d
}

// Cycle gives space back if the budget asks for it, then fetches what the
// budget allows, or takes the next step of leaving.
func (a *Agent) Cycle(ctx context.Context) error {
	a.cycleMu.Lock()
	defer a.cycleMu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	a.mu.Lock()
	a.cancelCycle = cancel
	left := !a.state.Left.IsZero()
	leaving := a.state.Leaving != nil
	a.mu.Unlock()
	defer func() {
		cancel()
		a.mu.Lock()
		a.cancelCycle = nil
		if a.phase == control.StateFetching {
			a.phase = control.StateIdle
		}
		a.mu.Unlock()
	}()
	if left {
		return nil
	}
	if err := a.rescan(); err != nil {
		return a.cycleDone(ctx, "", err)
	}
	a.recordHeldOnce(ctx) // after a crash (heldlog.go)
	a.refreshTarget(ctx)
	a.answerChallenges(ctx) // proof of storage (agent/report/proof.go)
	if leaving {
		msg, err := a.leaveStep(ctx)
		return a.cycleDone(ctx, msg, err)
	}
	a.collectionsStep(ctx) // regions, rebuilds, shards given back (agent/placement.go)
	if err := a.shrink(ctx); err != nil && ctx.Err() == nil {
		a.log.Warn("could not give all the space back yet", "err", err)
	}
	a.mu.Lock()
	paused, blocked := a.state.Paused, a.blocked
	a.mu.Unlock()
	if paused {
		return nil
	}
	if blocked != "" {
		return a.cycleDone(ctx, blocked, nil)
	}
	msg, err := a.fill(ctx)
	a.afterFill(ctx) // old versions of changed files (agent/rebuild.go)
	return a.cycleDone(ctx, msg, err)
}

// cycleDone records how a cycle ended, unless it was interrupted.
func (a *Agent) cycleDone(ctx context.Context, msg string, err error) error {
	if ctx.Err() != nil {
		return nil // paused or stopping: not a failure
	}
	a.measureMeta(true) // what the status reports while idle is what du says
	a.mu.Lock()
	defer a.mu.Unlock()
	a.state.LastCycle = a.clock.Now().UTC()
	a.state.Message = msg
	a.phase = control.StateIdle
	if err != nil {
		a.phase = control.StateError
		a.state.Message = err.Error()
	}
	if serr := a.home.SaveState(a.state); serr != nil && err == nil {
		err = serr
	}
	return err
}

// rescan reads what is on disk (objects and partial downloads) and the
// budget the limits give now.
func (a *Agent) rescan() error {
	a.mu.Lock()
	for _, sh := range a.cfg.Shards {
		if !a.online[sh.Location] {
			// Not connected: its files count for nothing until it is back.
			a.ledger.ReplaceShard(sh.Name, nil, nil)
		}
	}
	a.mu.Unlock()
	for _, sh := range a.shards() {
		held, err := ledger.Scan(sh.Path)
		if err != nil {
			return fmt.Errorf("read what %s holds: %w", sh.Path, err)
		}
		partial, err := ledger.ScanPartials(sh.Path)
		if err != nil {
			return fmt.Errorf("read the downloads in progress in %s: %w", sh.Path, err)
		}
		a.mu.Lock()
		a.ledger.ReplaceShard(sh.Name, held, partial)
		a.mu.Unlock()
	}
	a.measureMeta(true)
	a.updateBudget()
	return nil
}

// updateBudget recomputes the effective budget from the limits and the
// drives; the ledger admits downloads against it. The drive is measured as
// it is (downloads in flight count with what they wrote so far, not their
// reservations), since the free space already reflects just that. The
// first storage location follows the donor's limits; each other one its
// own budget (and the keep-free limits of its drive). Locations that are
// not connected count for nothing. The Budget returned is the first
// location's.
func (a *Agent) updateBudget() control.Budget {
	a.mu.Lock()
	locs := append([]home.LocationConfig(nil), a.cfg.Locations...)
	online := map[string]bool{}
	for id, on := range a.online {
		online[id] = on
	}
	a.mu.Unlock()
	type stat struct {
		info DiskInfo
		ok   bool
	}
	disks := map[string]stat{}
	for i, l := range locs {
		if online[l.ID] || i == 0 {
			info, err := a.opts.DiskStat(l.Path)
			disks[l.ID] = stat{info, err == nil}
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	locOf := map[string]string{}
	for _, sh := range a.cfg.Shards {
		locOf[sh.Name] = sh.Location
	}
	onDisk := map[string]int64{}
	a.ledger.EachHeld(func(ref ledger.Ref, o ledger.Object) { onDisk[locOf[ref.Shard]] += o.Usage })
	a.ledger.EachPartial(func(ref ledger.Ref, u int64) { onDisk[locOf[ref.Shard]] += u })
	a.ledger.EachInflight(func(ref ledger.Ref) {
		onDisk[locOf[ref.Shard]] += ledger.PartialOnDisk(a.shardDirLocked(ref.Shard), ref.Key)
	})
	for _, l := range locs {
		onDisk[l.ID] += a.ledger.MetaOf(l.ID) // the repositories' own files (metausage.go)
	}
	var b control.Budget
	caps := map[string]int64{}
	var total int64
	for i, l := range locs {
		d := disks[l.ID]
		lim := a.settings.Limits
		if i > 0 {
			lim.MaxBytes = l.BudgetBytes
			if l.BudgetBytes <= 0 && lim.KeepFreeBytes == 0 && lim.MaxPercent == 0 {
				lim.MaxPercent = storage.DefaultStoragePercent
			}
		}
		lb := ComputeBudget(lim, d.info, d.ok, onDisk[l.ID])
		if i == 0 {
			b = lb
			b.Disk.Path = l.Path
			if d.ok && d.info.Block > 0 {
				a.ledger.SetBlock(d.info.Block)
			}
		}
		if online[l.ID] {
			caps[l.ID] = lb.EffectiveBytes
			total += lb.EffectiveBytes
		}
	}
	a.ledger.SetLimits(total, caps, locOf)
	b.RepositoryBytes, b.GrowthRoomBytes = a.ledger.MetaTotal(), a.ledger.MetaSlack()
	return b
}

// refreshTarget asks the hub how many donor copies it wants per file.
func (a *Agent) refreshTarget(ctx context.Context) {
	if a.opts.Target > 0 {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	hc, err := a.hub.Config(cctx)
	if err != nil || hc.TargetCopies <= 0 {
		return // keep what we knew: registration's value or the default
	}
	a.mu.Lock()
	a.target = hc.TargetCopies
	a.mu.Unlock()
}
