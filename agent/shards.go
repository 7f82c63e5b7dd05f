package agent

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/hubclient"
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/internal/words"
)

var _ control.Sharder = (*Agent)(nil)

// AddShard asks the hub for a shard of collection ("": wherever it is
// needed most), clones it where there is most room, and fills it next.
func (a *Agent) AddShard(ctx context.Context, collection string) (control.ShardStatus, error) {
	a.mu.Lock()
	leaving := a.state.Leaving != nil || !a.state.Left.IsZero()
	a.mu.Unlock()
	if leaving {
		return control.ShardStatus{}, control.Conflictf("this donor is leaving the hub: it takes no more shards")
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sh, err := a.hub.AddShard(cctx, a.cfg.DonorUUID, a.cfg.Token, collection)
	cancel()
	switch {
	case errors.Is(err, hubclient.ErrNoShardNeeded):
		return control.ShardStatus{}, control.Conflictf("no shard of %s needs copies now: try again later or another collection", orNeediest(collection))
	case errors.Is(err, hubclient.ErrNotFound):
		return control.ShardStatus{}, control.NotFoundf("%s", err.Error())
	case err != nil:
		return control.ShardStatus{}, err
	}
	if err := a.takeShard(ctx, sh); err != nil {
		return control.ShardStatus{}, err
	}
	a.emit(control.Event{Kind: control.EventHub, Shard: sh.Name,
		Message: fmt.Sprintf("You now also help with %s (%s, %s)", sh.Name, orNeediest(sh.Collection), words.Count(sh.Files, "file", "files"))})
	a.kick()
	return control.ShardStatus{Name: sh.Name, Path: a.shardDir(sh.Name), Files: sh.Files, Collection: sh.Collection}, nil
}

func orNeediest(collection string) string {
	if collection == "" {
		return "the collection that needs it most"
	}
	return "collection " + collection
}

// takeShard clones a shard the hub gave into the roomiest location and
// adds it to the config.
func (a *Agent) takeShard(ctx context.Context, sh hubclient.Shard) error {
	for _, have := range a.shards() {
		if have.Name == sh.Name {
			return control.Conflictf("you already hold part of %s", sh.Name)
		}
	}
	locID, locPath := a.roomiestLocation()
	path := filepath.Join(locPath, sh.Name)
	reg := hubclient.Registration{UUID: a.cfg.DonorUUID, Shard: sh}
	if err := cloneShard(ctx, a.opts.Tools, reg, path, a.cfg.Name); err != nil {
		return fmt.Errorf("set up the new shard: %w", err)
	}
	a.mu.Lock()
	a.cfg.Shards = append(a.cfg.Shards, home.ShardConfig{Name: sh.Name, URL: sh.URL, Path: path, Files: sh.Files, Bytes: sh.Bytes,
		Location: locID, Collection: sh.Collection})
	a.mu.Unlock()
	a.saveConfig()
	return nil
}

// RemoveShard starts giving one shard back: no new downloads there; the
// hub stops counting on it; its files go as soon as others hold enough
// copies of them (or after DefaultLeaveDeadline), then the hub forgets the
// donor in that shard and the agent stops tracking it.
func (a *Agent) RemoveShard(ctx context.Context, shard string) error {
	a.mu.Lock()
	found := false
	for _, sh := range a.cfg.Shards {
		found = found || sh.Name == shard
	}
	n := len(a.cfg.Shards)
	_, already := a.state.LeavingShards[shard]
	a.mu.Unlock()
	switch {
	case !found:
		return control.NotFoundf("you hold no shard %q: see `shardkeeper shards`", shard)
	case n == 1:
		return control.Conflictf("%s is your only shard: to give everything back use `shardkeeper leave`", shard)
	case already:
		return nil
	}
	a.mu.Lock()
	if a.state.LeavingShards == nil {
		a.state.LeavingShards = map[string]time.Time{}
	}
	a.state.LeavingShards[shard] = a.clock.Now().UTC()
	err := a.home.SaveState(a.state)
	a.mu.Unlock()
	if err != nil {
		return err
	}
	a.tellHubShardLeaving(ctx, shard)
	a.emit(control.Event{Kind: control.EventHub, Shard: shard, Message: "Giving " + shard + " back: its files go as other donors take them over"})
	a.interrupt()
	a.kick()
	return nil
}

// tellHubShardLeaving tells the hub to stop counting on this shard's copies.
func (a *Agent) tellHubShardLeaving(ctx context.Context, shard string) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := a.hub.LeaveShard(cctx, a.cfg.DonorUUID, a.cfg.Token, shard); err != nil && !errors.Is(err, hubclient.ErrNotSupported) {
		a.emit(control.Event{Kind: control.EventHub, Shard: shard, Message: "Could not tell the hub you give " + shard + " back; will retry: " + err.Error()})
	}
}

// leavingShard says whether shard is being given back (no downloads).
func (a *Agent) leavingShardLocked(shard string) bool {
	_, ok := a.state.LeavingShards[shard]
	return ok
}

// shardLeaveStep gives back, for each shard being given back, what others
// hold enough copies of (everything after the deadline), and lets the
// shard go when nothing of it is left.
func (a *Agent) shardLeaveStep(ctx context.Context) {
	a.mu.Lock()
	leaving := make(map[string]time.Time, len(a.state.LeavingShards))
	for s, t := range a.state.LeavingShards {
		leaving[s] = t
	}
	a.mu.Unlock()
	for shard, since := range leaving {
		sh := a.shardConfig(shard)
		if sh.Name == "" {
			a.forgetShard(shard)
			continue
		}
		if _, err := a.refreshShard(ctx, sh); err != nil {
			continue
		}
		past := !a.clock.Now().Before(since.Add(DefaultLeaveDeadline))
		a.mu.Lock()
		var mayGo []ledger.Ref
		left := 0
		for _, ref := range a.dropOrderLocked() {
			if ref.Shard != shard {
				continue
			}
			left++
			if past || a.copies.Get(shard).Copies(ref.Key, a.cfg.DonorUUID) >= a.target {
				mayGo = append(mayGo, ref)
			}
		}
		a.mu.Unlock()
		dropped, _ := a.dropRefs(ctx, mayGo, func() bool { return false })
		if dropped < left || ctx.Err() != nil {
			continue
		}
		if err := a.pushAll(ctx); err != nil {
			continue // the hub must see the drops before it forgets the shard
		}
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := a.hub.DropShard(cctx, a.cfg.DonorUUID, a.cfg.Token, shard)
		cancel()
		if err != nil && !errors.Is(err, hubclient.ErrNotSupported) && !errors.Is(err, hubclient.ErrNotFound) {
			continue
		}
		a.forgetShard(shard)
		a.emit(control.Event{Kind: control.EventHub, Shard: shard,
			Message: fmt.Sprintf("Gave %s back: everything of it is with other donors. You may delete %s", shard, sh.Path)})
	}
}

// forgetShard stops tracking a shard given back.
func (a *Agent) forgetShard(shard string) {
	a.mu.Lock()
	var keep []home.ShardConfig
	for _, sh := range a.cfg.Shards {
		if sh.Name != shard {
			keep = append(keep, sh)
		}
	}
	a.cfg.Shards = keep
	a.ledger.ReplaceShard(shard, nil, nil)
	delete(a.state.LeavingShards, shard)
	a.home.SaveState(a.state)
	a.mu.Unlock()
	a.saveConfig()
}

// Collections lists the hub's collections, neediest first (none from an
// older hub).
func (a *Agent) Collections(ctx context.Context) ([]control.Collection, error) {
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cols, err := a.hub.Collections(cctx)
	if errors.Is(err, hubclient.ErrNotSupported) {
		return nil, nil
	}
	return ControlCollections(cols), err
}

// ControlCollections turns the hub's list into the control API's.
func ControlCollections(cols hubclient.Collections) []control.Collection {
	var out []control.Collection
	for _, x := range cols.Collections {
		out = append(out, control.Collection{Name: x.Name, Description: x.Description, Files: x.Files, Bytes: x.Bytes,
			FilesBelowTarget: x.FilesBelowTarget, BytesLackingCopies: x.BytesLackingCopies})
	}
	return out
}

// askAgainAfter is how long a donor whose hub had no other shard to give
// waits before asking again.
const askAgainAfter = 24 * time.Hour

// moreShard asks the hub for another shard when this donor's shards need
// nothing more and the budget has room, and clones it. It reports whether
// a shard was added.
func (a *Agent) moreShard(ctx context.Context) bool {
	a.mu.Lock()
	room, _ := a.ledger.RoomForFiles() // the growth room is not room for another shard
	wait := a.clock.Now().Before(a.state.NoMoreShardsUntil)
	leaving := a.state.Leaving != nil
	a.mu.Unlock()
	if room < a.opts.MinRoomForShard || wait || leaving {
		return false
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	sh, err := a.hub.MoreShard(cctx, a.cfg.DonorUUID, a.cfg.Token)
	cancel()
	if err != nil {
		if errors.Is(err, hubclient.ErrNoShardNeeded) || errors.Is(err, hubclient.ErrNotSupported) {
			a.mu.Lock()
			a.state.NoMoreShardsUntil = a.clock.Now().Add(askAgainAfter)
			a.mu.Unlock()
		}
		a.log.Info("no other shard to hold", "err", err)
		return false
	}
	if err := a.takeShard(ctx, sh); err != nil {
		a.emit(control.Event{Kind: control.EventError, Shard: sh.Name, Message: "Could not take " + sh.Name + ": " + err.Error()})
		return false
	}
	a.emit(control.Event{Kind: control.EventHub, Shard: sh.Name,
		Message: fmt.Sprintf("Your shards have enough copies; the hub gave you %s (%s) to help with", sh.Name, words.Count(sh.Files, "file", "files"))})
	return true
}

// roomiestLocation is the connected storage location with the most room
// left under its cap: a new shard goes there.
func (a *Agent) roomiestLocation() (id, path string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	best := int64(-1)
	for _, l := range a.cfg.Locations {
		if !a.online[l.ID] {
			continue
		}
		if room := a.ledger.RoomIn(l.ID); room > best {
			best, id, path = room, l.ID, l.Path
		}
	}
	if id == "" { // none connected: moreShard is not reached then, but be safe
		id, path = a.cfg.Locations[0].ID, a.cfg.Locations[0].Path
	}
	return id, path
}
