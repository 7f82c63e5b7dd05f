package agent

import (
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// DefaultTargetCopies is how many donor copies a file should have besides
// the archive's own (IA.BAK's choice: 3 volunteers plus the archive).
const DefaultTargetCopies = annex.DefaultTargetCopies

// plan makes the next batch's plan for one shard from the ledger, leaving
// out released files and files that failed recently.
func (a *Agent) plan(shard string, loc *annex.Locations) plan.Plan {
	a.mu.Lock()
	if a.leavingShardLocked(shard) {
		a.mu.Unlock()
		return plan.Plan{} // being given back: nothing new
	}
	places, maxFile, current := a.placesLocked(shard), a.settings.MaxFileBytes, a.currentKeysLocked(shard)
	released := map[string]bool{}
	for _, k := range a.state.Released {
		released[k] = true
	}
	donor, target := a.cfg.DonorUUID, a.target
	a.mu.Unlock()
	held, partial := a.ledger.ShardView(shard)
	now := a.clock.Now()
	_, block := a.ledger.Limits()
	room, growth := a.ledger.RoomForFiles() // as admission counts: the growth room kept, each file's growth booked
	return plan.MakePlanFrom(plan.PlanInput{
		Loc: loc, Donor: donor, Held: held, Target: target,
		Room:         room,
		Partial:      partial,
		Exclude:      func(k annex.Key) bool { return released[string(k)] || a.fails.Waiting(string(k), now) },
		Cost:         func(size int64) int64 { return ledger.ExpectedUsage(size, block) + growth },
		Places:       places,
		MaxFileBytes: maxFile,
		Current:      current,
		Limit:        plan.BatchLimit(a.opts.BatchFiles), // fill uses one batch of the plan
	})
}
