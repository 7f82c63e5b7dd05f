package agent

// The agent's view of where copies are: each shard's git-annex branch,
// brought up to date from the hub (git fetch and git-annex's merge) and
// read incrementally through annex.LocationReader, the branch model the
// hub's health tracker shares. The planner, the drop order, leaving and
// status read a.locs; only this file writes it.

import (
	"context"
	"fmt"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
)

// refreshLocations brings in other donors' reports and rereads every
// shard's location logs.
func (a *Agent) refreshLocations(ctx context.Context) error {
	for _, sh := range a.shards() {
		if _, err := a.refreshShard(ctx, sh); err != nil {
			return err
		}
		a.treeOf(ctx, sh.Name)
	}
	return nil
}

// refreshShard brings in other donors' reports (offline: what we have)
// and rereads the shard's location logs.
func (a *Agent) refreshShard(ctx context.Context, sh home.ShardConfig) (*annex.Locations, error) {
	r := newRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
	if err := a.sync(ctx, r); err != nil {
		a.log.Info("working offline: could not refresh from the hub", "shard", sh.Name, "err", err)
	}
	loc, err := r.locations(ctx, a.locReader(sh.Name))
	if err != nil {
		return nil, fmt.Errorf("read shard %s: %w", sh.Name, err)
	}
	a.setLocs(sh.Name, loc)
	return loc, nil
}

// locReader is the shard's incremental reader of its git-annex branch.
func (a *Agent) locReader(shard string) *annex.LocationReader {
	a.mu.Lock()
	defer a.mu.Unlock()
	lr := a.locReaders[shard]
	if lr == nil {
		lr = &annex.LocationReader{}
		a.locReaders[shard] = lr
	}
	return lr
}
