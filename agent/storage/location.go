package storage

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// MarkerName is the file that names a storage location, so the agent
// knows it again when its drive comes back, at any mount point.
const MarkerName = ".shardkeeper-location.json"

// locationMarker is the content of a location's marker file.
type locationMarker struct {
	Location  string `json:"location"`
	DonorUUID string `json:"donor_uuid"`
	AnnexUUID string `json:"annex_uuid"` // the shard repos' annex.uuid (the donor's)
	Hub       string `json:"hub,omitempty"`
}

func NewLocationID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "loc-" + hex.EncodeToString(b)
}

func WriteMarker(dir string, cfg home.Config, id string) error {
	m := locationMarker{Location: id, DonorUUID: cfg.DonorUUID, AnnexUUID: cfg.DonorUUID, Hub: cfg.Hub}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(dir, MarkerName), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("mark %s as a storage location: %w", dir, err)
	}
	return nil
}

// MarkerAt says whether dir holds the marker of this donor's location id.
// exists tells a marker of someone else (or damaged) from none at all.
func MarkerAt(dir, donor, id string) (match, exists bool) {
	data, err := os.ReadFile(filepath.Join(dir, MarkerName))
	if err != nil {
		return false, false
	}
	var m locationMarker
	if json.Unmarshal(data, &m) != nil {
		return false, true
	}
	return m.DonorUUID == donor && m.Location == id, true
}

// Migrate gives a config from before storage locations its
// first location (the storage folder, holding every shard).
func Migrate(cfg *home.Config) bool {
	changed := false
	if len(cfg.Locations) == 0 {
		added := cfg.JoinedAt
		cfg.Locations = []home.LocationConfig{{ID: NewLocationID(), Path: cfg.Storage, Added: added}}
		changed = true
	}
	for i := range cfg.Shards {
		if cfg.Shards[i].Location == "" {
			cfg.Shards[i].Location = cfg.Locations[0].ID
			changed = true
		}
	}
	return changed
}

// Of finds a location of the config by ID.
func Of(cfg home.Config, id string) (home.LocationConfig, bool) {
	for _, l := range cfg.Locations {
		if l.ID == id {
			return l, true
		}
	}
	return home.LocationConfig{}, false
}

// hasShardRepo says whether dir holds one of the location's shard repos:
// a location from before markers is recognised by its content.
func hasShardRepo(cfg home.Config, id, dir string) bool {
	for _, sh := range cfg.Shards {
		if sh.Location == id {
			if _, err := os.Stat(filepath.Join(dir, sh.Name, ".git")); err == nil {
				return true
			}
		}
	}
	return false
}

// presentAt says whether the location is at dir now. A folder with the
// location's repos but no marker (an older home) gets its marker.
func presentAt(cfg home.Config, id, dir string) bool {
	match, exists := MarkerAt(dir, cfg.DonorUUID, id)
	if match {
		return true
	}
	if !exists && hasShardRepo(cfg, id, dir) {
		return WriteMarker(dir, cfg, id) == nil
	}
	return false
}

// Find looks for a location: where it was, then under the mount
// roots (a drive that came back at another mount point).
func Find(cfg home.Config, l home.LocationConfig, roots []string) (string, bool) {
	if presentAt(cfg, l.ID, l.Path) {
		return l.Path, true
	}
	for _, root := range roots {
		pattern := root
		for depth := 0; depth <= 3; depth++ {
			matches, _ := filepath.Glob(filepath.Join(pattern, MarkerName))
			for _, m := range matches {
				dir := filepath.Dir(m)
				if match, _ := MarkerAt(dir, cfg.DonorUUID, l.ID); match {
					return dir, true
				}
			}
			pattern = filepath.Join(pattern, "*")
		}
	}
	return "", false
}

// Relocate moves a location (and its shard repos) to a new path in cfg.
func Relocate(cfg *home.Config, id, path string) {
	for i := range cfg.Locations {
		if cfg.Locations[i].ID == id {
			if i == 0 {
				cfg.Storage = path
			}
			cfg.Locations[i].Path = path
		}
	}
	for i := range cfg.Shards {
		if cfg.Shards[i].Location == id {
			cfg.Shards[i].Path = filepath.Join(path, cfg.Shards[i].Name)
		}
	}
}

// Added is when a location's schedule starts.
func Added(cfg home.Config, l home.LocationConfig) time.Time {
	if !l.Added.IsZero() {
		return l.Added
	}
	return cfg.JoinedAt
}

func RemoveMarker(dir string) { os.Remove(filepath.Join(dir, MarkerName)) }
