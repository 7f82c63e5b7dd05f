package agent

import (
	"context"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// AddStorage adds a storage folder for the control API, with the checks of
// `storage add`; it counts at once, not at the next poll.
func (a *Agent) AddStorage(ctx context.Context, path string, budget int64) (control.Location, error) {
	if !filepath.IsAbs(path) {
		return control.Location{}, control.Invalidf("%q is not a full path: choose the folder again", path)
	}
	var added home.LocationConfig
	err := a.editLocations(func(cfg *home.Config) (err error) {
		added, err = storage.AddTo(cfg, path, budget, a.clock.Now())
		return err
	})
	if err != nil {
		return control.Location{}, err
	}
	a.emit(control.Event{Kind: control.EventStorage, Message: "Added storage " + added.Path})
	a.refreshStorage(false)
	a.updateBudget()
	a.kick() // room for a new shard
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, l := range a.locationsLocked() {
		if l.ID == added.ID {
			return l, nil
		}
	}
	return control.Location{Path: added.Path, ID: added.ID, BudgetBytes: added.BudgetBytes}, nil
}

// RemoveStorage forgets a storage folder (a full path or location ID) for
// the control API, with the checks of `storage remove`.
func (a *Agent) RemoveStorage(ctx context.Context, path string) error {
	if !filepath.IsAbs(path) && !strings.HasPrefix(path, "loc-") {
		return control.Invalidf("%q is not a full path: give the folder's full path", path)
	}
	var removed home.LocationConfig
	err := a.editLocations(func(cfg *home.Config) (err error) {
		removed, err = storage.RemoveFrom(cfg, path)
		return err
	})
	if err != nil {
		return err
	}
	storage.RemoveMarker(removed.Path)
	a.mu.Lock()
	delete(a.online, removed.ID)
	a.mu.Unlock()
	a.emit(control.Event{Kind: control.EventStorage, Message: "Removed storage " + removed.Path})
	a.updateBudget()
	return nil
}

// editLocations changes the storage locations as the CLI would on disk,
// starting from what the CLI and the agent last wrote, and saves them. The
// checks and the marker's I/O run outside a.mu (a drive may be slow); the
// shards counted are the agent's own, newer than the file's.
func (a *Agent) editLocations(edit func(cfg *home.Config) error) error {
	a.saveMu.Lock()
	defer a.saveMu.Unlock()
	a.mergeLocationsFromDisk()
	a.mu.Lock()
	cfg := a.cfg
	a.mu.Unlock()
	cfg.Locations = slices.Clone(cfg.Locations)
	if err := edit(&cfg); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	next := a.cfg
	next.Locations = cfg.Locations
	if err := a.home.SaveConfig(next); err != nil {
		return err
	}
	a.cfg = next
	return nil
}
