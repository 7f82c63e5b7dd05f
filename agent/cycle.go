package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// nextCycleWait is the interval, shortened when a backoff ends sooner.
func (a *Agent) nextCycleWait() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	d := a.opts.Interval
	if until := a.fails.Host.Until; !until.IsZero() {
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
	a.refreshTarget(ctx)
	if leaving {
		msg, err := a.leaveStep(ctx)
		return a.cycleDone(ctx, msg, err)
	}
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
	return a.cycleDone(ctx, msg, err)
}

// cycleDone records how a cycle ended, unless it was interrupted.
func (a *Agent) cycleDone(ctx context.Context, msg string, err error) error {
	if ctx.Err() != nil {
		return nil // paused or stopping: not a failure
	}
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
	shards := a.cfg.Shards
	a.mu.Unlock()
	for _, sh := range shards {
		held, err := scanObjects(sh.Path)
		if err != nil {
			return fmt.Errorf("read what %s holds: %w", sh.Path, err)
		}
		partial, err := scanPartials(sh.Path)
		if err != nil {
			return fmt.Errorf("read the downloads in progress in %s: %w", sh.Path, err)
		}
		a.mu.Lock()
		a.ledger.replaceShard(sh.Name, held, partial)
		a.mu.Unlock()
	}
	a.updateBudget()
	return nil
}

// updateBudget recomputes the effective budget from the limits and the
// drive; the ledger admits downloads against it. The drive is measured as
// it is (downloads in flight count with what they wrote so far, not their
// reservations), since the free space already reflects just that.
func (a *Agent) updateBudget() control.Budget {
	disk, err := a.opts.DiskStat(a.cfg.Storage)
	a.mu.Lock()
	defer a.mu.Unlock()
	onDisk := a.ledger.settled()
	for ref := range a.ledger.inflight {
		onDisk += partialOnDisk(a.shardDirLocked(ref.shard), ref.key)
	}
	b := ComputeBudget(a.settings.Limits, disk, err == nil, onDisk)
	b.Disk.Path = a.cfg.Storage
	a.ledger.budget = b.EffectiveBytes
	if err == nil && disk.Block > 0 {
		a.ledger.block = disk.Block
	}
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
