// Package storage is where a donor's storage folders are: their marker
// files, finding them again at another mount point, adding and removing
// them in the configuration. The agent keeps which are connected now.
package storage

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// DefaultStoragePercent is the share of its drive an added storage folder
// without a budget may use, when the donor set no keep-free or percent
// limit either.
const DefaultStoragePercent = 50

// Add adds a storage location: a folder, maybe on a removable or
// network drive, that holds up to budget bytes of new shards (0: the
// donor's keep-free and percent limits on its drive, or half the drive). It gets its
// marker file, so the agent knows it at any mount point. A running agent
// picks it up within a minute.
func Add(h home.Home, dir string, budget int64, now time.Time) (home.LocationConfig, error) {
	cfg, err := h.LoadConfig()
	if err != nil {
		return home.LocationConfig{}, err
	}
	Migrate(&cfg)
	l, err := AddTo(&cfg, dir, budget, now)
	if err != nil {
		return home.LocationConfig{}, err
	}
	return l, h.SaveConfig(cfg)
}

// AddTo checks dir, marks it and adds it to cfg: the one
// implementation behind `storage add` and the control API.
func AddTo(cfg *home.Config, dir string, budget int64, now time.Time) (home.LocationConfig, error) {
	abs, err := filepath.Abs(dir)
	if err != nil || dir == "" {
		return home.LocationConfig{}, control.Invalidf("storage folder %q is not a valid path", dir)
	}
	if budget < 0 {
		return home.LocationConfig{}, control.Invalidf("the budget cannot be negative")
	}
	for _, l := range cfg.Locations {
		if within(abs, l.Path) || within(l.Path, abs) {
			return home.LocationConfig{}, control.Invalidf("%s overlaps the storage folder %s: choose a folder outside it", abs, l.Path)
		}
	}
	if err := Writable(abs); err != nil {
		return home.LocationConfig{}, control.Invalidf("storage folder %s cannot be written (%s): choose a folder you can write to", abs, RootErr(err))
	}
	l := home.LocationConfig{ID: NewLocationID(), Path: abs, BudgetBytes: budget, Added: now.UTC()}
	if err := WriteMarker(abs, *cfg, l.ID); err != nil {
		return home.LocationConfig{}, err
	}
	cfg.Locations = append(cfg.Locations, l)
	return l, nil
}

// Remove forgets a storage location that holds no shard. The first
// location, and one that holds shards, stay: give their files back first.
func Remove(h home.Home, dir string) error {
	cfg, err := h.LoadConfig()
	if err != nil {
		return err
	}
	Migrate(&cfg)
	l, err := RemoveFrom(&cfg, dir)
	if err != nil {
		return err
	}
	if err := h.SaveConfig(cfg); err != nil {
		return err
	}
	RemoveMarker(l.Path)
	return nil
}

// RemoveFrom takes dir (a path or location ID) out of cfg, unless it
// is the first location or holds a shard; the caller saves and removes the
// marker.
func RemoveFrom(cfg *home.Config, dir string) (home.LocationConfig, error) {
	abs, _ := filepath.Abs(dir)
	for i, l := range cfg.Locations {
		if l.Path != abs && l.ID != dir {
			continue
		}
		if i == 0 {
			return l, control.Conflictf("%s is your main storage folder: it stays while you donate (use `shardkeeper leave` to stop)", l.Path)
		}
		var held []string
		for _, sh := range cfg.Shards {
			if sh.Location == l.ID {
				held = append(held, sh.Name)
			}
		}
		if len(held) > 0 {
			return l, control.Conflictf("%s holds shard %s: it cannot be removed yet", l.Path, strings.Join(held, ", "))
		}
		cfg.Locations = append(cfg.Locations[:i:i], cfg.Locations[i+1:]...)
		return l, nil
	}
	return home.LocationConfig{}, control.NotFoundf("%s is not one of your storage folders (see `shardkeeper storage list`)", abs)
}

// within says whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Writable checks that a storage folder can be created and written.
func Writable(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".shardkeeper-write-test-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// RootErr gives the last part of an error chain ("permission denied").
func RootErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}
