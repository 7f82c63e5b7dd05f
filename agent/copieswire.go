package agent

import (
	"context"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/annex"
)

// refreshLocations brings in other donors' reports and rereads every
// shard's location logs (agent/copies).
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
	return a.copies.Refresh(ctx, sh.Name, annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub))
}
