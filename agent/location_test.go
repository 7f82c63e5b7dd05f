package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shardkeeper/shardkeeper/agent/home"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// TestOldConfigGetsItsFirstLocation: a home from before storage locations
// gets one (the storage folder, holding every shard), with its marker, and
// its single verification record moves into it.
func TestOldConfigGetsItsFirstLocation(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(int) int { return 1 << 10 })
	h := w.join("donor", 1<<20)
	cfg, _ := h.LoadConfig()
	os.Remove(filepath.Join(cfg.Storage, storage.MarkerName))
	cfg.Locations = nil
	cfg.Shards[0].Location = ""
	h.SaveConfig(cfg)
	verifiedAt := time.Now().Add(-48 * time.Hour).UTC().Truncate(time.Second)
	h.SaveState(home.State{LastVerified: verifiedAt})

	a := newAgent(t, h, Options{MountRoots: []string{}})
	cfg, _ = h.LoadConfig()
	if len(cfg.Locations) != 1 || cfg.Locations[0].Path != cfg.Storage || cfg.Shards[0].Location != cfg.Locations[0].ID {
		t.Fatalf("config after the migration: %+v", cfg)
	}
	if match, _ := storage.MarkerAt(cfg.Storage, cfg.DonorUUID, cfg.Locations[0].ID); !match {
		t.Error("no marker written in the old storage folder")
	}
	l := status(t, a).Locations[0]
	if !l.Online || l.LastVerified == nil || !l.LastVerified.Equal(verifiedAt) || !l.NextVerification.Equal(verifiedAt.AddDate(0, 0, 30)) {
		t.Errorf("location %+v", l)
	}
}

// TestFindLocationUnderMountRoots: a location is found where it was, or
// below a mount root, only by its own marker (another donor's or another
// location's marker does not count).
func TestFindLocationUnderMountRoots(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	cfg := home.Config{DonorUUID: "donor-1"}
	l := home.LocationConfig{ID: "loc-a", Path: filepath.Join(root, "gone")}
	other := filepath.Join(root, "OTHER", "x")
	mine := filepath.Join(root, "DRIVE", "data", "shardkeeper")
	for _, d := range []string{other, mine} {
		os.MkdirAll(d, 0o755)
	}
	storage.WriteMarker(other, home.Config{DonorUUID: "donor-2"}, "loc-a")
	if _, ok := storage.Find(cfg, l, []string{root}); ok {
		t.Fatal("found with no marker of its own")
	}
	storage.WriteMarker(mine, cfg, "loc-a")
	if got, ok := storage.Find(cfg, l, []string{root}); !ok || got != mine {
		t.Fatalf("found at %q (%v), want %s", got, ok, mine)
	}
	l.Path = mine
	if got, ok := storage.Find(cfg, l, nil); !ok || got != mine {
		t.Fatalf("not found where it is: %q", got)
	}
}
