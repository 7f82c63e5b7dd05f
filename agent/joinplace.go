package agent

import (
	"context"
	"errors"
	"fmt"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/report"
)

// register asks the hub for an identity and a shard of the collection
// the donor chose, saying its region, budget and large-file opt-in.
func register(ctx context.Context, c *hubclient.Client, req JoinRequest) (hubclient.Registration, error) {
	reg, err := c.RegisterWith(ctx, hubclient.Joining{Name: req.Name, Collection: req.Collection, Region: req.Region,
		BudgetBytes: req.BudgetBytes, MaxFileBytes: req.MaxFileBytes})
	var unknown *hubclient.NotFoundError
	switch {
	case errors.Is(err, hubclient.ErrNoShardNeeded) && req.Collection != "":
		return reg, fmt.Errorf("no shard of collection %s needs copies now: choose another collection, or join without --collection", req.Collection)
	case errors.As(err, &unknown) && req.Collection != "":
		return reg, fmt.Errorf("%s: choose one of them with --collection", unknown.Said())
	}
	return reg, err
}

// joinPlacement saves the region and large-file settings given at join,
// puts the new repository in its region's group and tells the hub's
// branch at once, so donors who fill before this one see its region.
func joinPlacement(ctx context.Context, h home.Home, tools Tools, cfg home.Config, req JoinRequest) error {
	if req.Region == "" && req.MaxFileBytes == 0 {
		return nil
	}
	s := control.Settings{Limits: control.Limits{MaxBytes: cfg.BudgetBytes}, DisplayName: cfg.Name, KeepRemovedFiles: true,
		VerifyEveryDays: DefaultVerifyEveryDays, Region: req.Region, MaxFileBytes: req.MaxFileBytes}
	if err := SaveSettings(h, s); err != nil {
		return err
	}
	if req.Region == "" {
		return nil
	}
	sh := cfg.Shards[0]
	r := annexproc.NewRepo(tools, sh.Path, cfg.Hub)
	if err := setRegionGroup(ctx, r, req.Region); err != nil {
		return fmt.Errorf("record the region in %s: %w", sh.Path, err)
	}
	// Best effort: the agent pushes again with its first report.
	report.Push(ctx, r, cfg.DonorUUID, cfg.Token)
	return nil
}
