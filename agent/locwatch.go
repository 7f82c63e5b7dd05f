package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// watchLoop looks for storage locations that came or went, and starts
// the verification and check-ins that are due, every MountPollEvery
// (polling: portable, and cheap at this rate).
func (a *Agent) watchLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-a.clock.After(a.opts.MountPollEvery):
		}
		if a.refreshStorage(true) {
			if err := a.rescan(); err != nil {
				a.log.Warn("could not read a storage location that came back", "err", err)
			}
			a.kick()
		}
		a.checkIn(ctx)
		a.scheduleVerification()
	}
}

// refreshStorage finds every storage location (where it was, or at
// another mount point) and notes those that came or went; with announce
// it says so in events. It reports whether one came back.
func (a *Agent) refreshStorage(announce bool) (cameBack bool) {
	a.mergeLocationsFromDisk()
	a.mu.Lock()
	cfg := a.cfg
	a.mu.Unlock()
	now := a.clock.Now().UTC()
	moved := false
	for _, l := range cfg.Locations {
		path, ok := storage.Find(cfg, l, a.opts.MountRoots)
		a.mu.Lock()
		was, known := a.online[l.ID]
		a.online[l.ID] = ok
		st := a.locStateLocked(l.ID)
		if ok && path != l.Path {
			storage.Relocate(&a.cfg, l.ID, path)
			moved = true
		}
		switch {
		case !ok && (was || !known) && st.OfflineSince.IsZero():
			st.OfflineSince = now
		case ok:
			st.OfflineSince = time.Time{}
		}
		a.state.Locations[l.ID] = st
		a.mu.Unlock()
		gone := !ok && a.verifier.Gone(l.ID)
		if announce && ok && known && !was {
			cameBack = true
		}
		switch {
		case ok && path != l.Path:
			a.emit(control.Event{Kind: control.EventStorage, Message: fmt.Sprintf("Storage %s found at %s", l.Path, path)})
		case announce && ok && known && !was:
			a.emit(control.Event{Kind: control.EventStorage, Message: "Storage " + path + " is connected again"})
		case announce && !ok && (was || !known):
			a.emit(control.Event{Kind: control.EventStorage, Message: fmt.Sprintf("Storage %s is not connected (since %s); its files wait until it comes back", l.Path, st.OfflineSince.Local().Format(time.DateTime))})
		}
		if gone {
			a.log.Info("storage went away during verification: that run's results are discarded", "path", l.Path)
		}
	}
	if moved {
		a.saveConfig()
	}
	a.mu.Lock()
	a.home.SaveState(a.state)
	a.mu.Unlock()
	return cameBack
}

// locStateLocked is a location's schedule state (the map made on demand).
func (a *Agent) locStateLocked(id string) home.LocationState {
	if a.state.Locations == nil {
		a.state.Locations = map[string]home.LocationState{}
	}
	return a.state.Locations[id]
}

// mergeLocationsFromDisk takes locations `shardkeeper storage add` and
// `remove` wrote to the config while the agent runs; the paths the agent
// found itself win (they are newer than the file's).
func (a *Agent) mergeLocationsFromDisk() {
	disk, err := a.home.LoadConfig()
	if err != nil || len(disk.Locations) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	mine := map[string]home.LocationConfig{}
	for _, l := range a.cfg.Locations {
		mine[l.ID] = l
	}
	var merged []home.LocationConfig
	for _, l := range disk.Locations {
		if m, ok := mine[l.ID]; ok {
			l.Path = m.Path
		}
		merged = append(merged, l)
	}
	a.cfg.Locations = merged
}

// saveConfig writes the config after merging what the CLI changed.
func (a *Agent) saveConfig() {
	if err := a.editLocations(func(*home.Config) error { return nil }); err != nil {
		a.log.Warn("could not save the configuration", "err", err)
	}
}

// migrate gives an older home its first storage location and moves the
// single verification record into it.
func (a *Agent) migrate() {
	a.mu.Lock()
	changed := storage.Migrate(&a.cfg)
	first := a.cfg.Locations[0].ID
	if _, ok := a.state.Locations[first]; !ok && (!a.state.LastVerified.IsZero() || a.state.VerifyPending) {
		st := a.locStateLocked(first)
		st.LastVerified = a.state.LastVerified
		if a.state.VerifyPending {
			st.VerifyStarted = a.clock.Now().UTC()
		}
		a.state.Locations[first] = st
	}
	a.mu.Unlock()
	if changed {
		a.saveConfig()
	}
}
