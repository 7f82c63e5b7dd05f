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
	"github.com/shardkeeper/shardkeeper/internal/words"
)

// askAgainAfter is how long a donor whose hub had no other shard to give
// waits before asking again.
const askAgainAfter = 24 * time.Hour

// moreShard asks the hub for another shard when this donor's shards need
// nothing more and the budget has room, and clones it. It reports whether
// a shard was added.
func (a *Agent) moreShard(ctx context.Context) bool {
	a.mu.Lock()
	room := a.ledger.Room()
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
	locID, locPath := a.roomiestLocation()
	path := filepath.Join(locPath, sh.Name)
	reg := hubclient.Registration{UUID: a.cfg.DonorUUID, Shard: sh}
	if err := cloneShard(ctx, a.opts.Tools, reg, path, a.cfg.Name); err != nil {
		a.emit(control.Event{Kind: control.EventError, Shard: sh.Name, Message: "Could not set up the new shard: " + err.Error()})
		return false
	}
	a.mu.Lock()
	a.cfg.Shards = append(a.cfg.Shards, home.ShardConfig{Name: sh.Name, URL: sh.URL, Path: path, Files: sh.Files, Bytes: sh.Bytes, Location: locID})
	a.mu.Unlock()
	a.saveConfig()
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
