package agent

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/plan"
	"github.com/shardkeeper/shardkeeper/annex"
)

// placement is what the agent knows of where copies are, per shard.
type placement struct {
	groups  map[string]annex.GroupLog // shard -> its group.log
	grouped map[string]string         // shard -> the region its repo is grouped in
	checked time.Time                 // the last look for a rebuild
}

// checkPlacement refuses a region that is not one of annex.Regions.
func checkPlacement(s control.Settings) error {
	if s.Region != "" && !annex.ValidRegion(s.Region) {
		return control.Invalidf("region %q is not one of: %s (or empty: not said)", s.Region, strings.Join(annex.Regions, ", "))
	}
	if s.MaxFileBytes < 0 {
		return control.Invalidf("max_file_size cannot be negative")
	}
	return nil
}

// placementChanged tells the hub a new region, budget or large-file
// opt-in; the region groups follow in the next cycle.
func (a *Agent) placementChanged(old, s control.Settings) {
	if old.Region == s.Region && old.MaxFileBytes == s.MaxFileBytes && old.Limits.MaxBytes == s.Limits.MaxBytes {
		return
	}
	if old.Region != s.Region {
		a.kick()
	}
	go a.tellHubPlacement(s)
}

// tellHubPlacement PATCHes the donor's record on the hub.
func (a *Agent) tellHubPlacement(s control.Settings) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	budget, maxFile, region := s.Limits.MaxBytes, s.MaxFileBytes, s.Region
	err := a.hub.UpdatePlacement(ctx, a.cfg.DonorUUID, a.cfg.Token, hubclient.Placement{Region: &region, BudgetBytes: &budget, MaxFileBytes: &maxFile})
	switch {
	case errors.Is(err, hubclient.ErrNotSupported):
		a.log.Info("the hub does not take regions and file sizes yet")
	case err != nil:
		a.emit(control.Event{Kind: control.EventHub, Message: "Could not tell the hub your region and file sizes: " + err.Error()})
	}
}

// placeRepos puts each shard repository in the git-annex group of the
// donor's region (and out of any other region's), so group.log says it
// with the next push, and rereads the shards' group.log.
func (a *Agent) placeRepos(ctx context.Context) {
	a.mu.Lock()
	want := a.settings.Region
	if a.place.grouped == nil {
		a.place.groups, a.place.grouped = map[string]annex.GroupLog{}, map[string]string{}
	}
	a.mu.Unlock()
	for _, sh := range a.shards() {
		r := annexproc.NewRepo(a.opts.Tools, sh.Path, a.cfg.Hub)
		g := annex.GroupLog{}
		if data, err := r.Git().Output(ctx, nil, "cat-file", "-p", "refs/heads/git-annex:group.log"); err == nil {
			g.Merge(data)
		}
		a.mu.Lock()
		a.place.groups[sh.Name] = g
		done, ok := a.place.grouped[sh.Name]
		a.mu.Unlock()
		if ok && done == want || !ok && g.Region(a.cfg.DonorUUID) == want {
			continue // as wanted (a change not committed yet is in grouped)
		}
		if err := setRegionGroup(ctx, r, want); err != nil {
			a.log.Warn("could not record the region", "shard", sh.Name, "err", err)
			continue
		}
		a.mu.Lock()
		a.place.grouped[sh.Name] = want
		a.mu.Unlock()
		a.requestPush()
	}
}

// setRegionGroup makes the repository's region groups exactly region's.
func setRegionGroup(ctx context.Context, r *annexproc.Repo, region string) error {
	out, err := r.Annex(ctx, nil, "group", "here")
	if err != nil {
		return err
	}
	has := false
	for _, grp := range strings.Fields(string(out)) {
		if !strings.HasPrefix(grp, annex.RegionGroupPrefix) {
			continue
		}
		if region != "" && grp == annex.RegionGroup(region) {
			has = true
			continue
		}
		if _, err := r.Annex(ctx, nil, "ungroup", "here", grp); err != nil {
			return err
		}
	}
	if region != "" && !has {
		_, err = r.Annex(ctx, nil, "group", "here", annex.RegionGroup(region))
	}
	return err
}

// places is what the planner needs to spread copies over regions.
func (a *Agent) placesLocked(shard string) *plan.Places {
	if a.settings.Region == "" {
		return nil
	}
	return &plan.Places{Region: a.settings.Region, Groups: a.place.groups[shard], Now: a.clock.Now()}
}

// RebuildCheckEvery is how often the agent looks for a rebuild of the
// archive (and at its first cycle): rebuilds are rare.
const RebuildCheckEvery = time.Hour

// collectionsStep runs before a fill: the region groups, rebuilds of the
// archive, old versions to give back, and shards being given back. It
// costs one git call per shard unless a rebuild check is due.
func (a *Agent) collectionsStep(ctx context.Context) {
	a.mu.Lock()
	due := a.place.checked.IsZero() || !a.clock.Now().Before(a.place.checked.Add(RebuildCheckEvery))
	a.mu.Unlock()
	if due {
		for _, sh := range a.shards() {
			// Bring in the hub's branches: a rebuild, other donors' regions.
			if _, err := a.refreshShard(ctx, sh); err != nil {
				a.log.Info("could not read the shard", "shard", sh.Name, "err", err)
			}
			if err := a.followRebuild(ctx, sh); err != nil && ctx.Err() == nil {
				a.log.Warn("could not follow the archive's rebuild", "shard", sh.Name, "err", err)
			}
		}
		a.mu.Lock()
		a.place.checked = a.clock.Now()
		a.mu.Unlock()
	}
	a.placeRepos(ctx)
	for _, sh := range a.shards() {
		a.releaseReplaced(ctx, sh)
	}
	a.shardLeaveStep(ctx)
}

// afterFill gives back the old versions of changed files whose new
// version the fill just fetched.
func (a *Agent) afterFill(ctx context.Context) {
	for _, sh := range a.shards() {
		a.releaseReplaced(ctx, sh)
	}
}
