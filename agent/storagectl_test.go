package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/storage"
)

// TestStorageThroughControlAPI: a running agent adds a folder over the
// control socket (marker, config, status at once, no poll), refuses the
// main folder and one that holds a shard in plain words, and removes an
// empty one.
func TestStorageThroughControlAPI(t *testing.T) {
	t.Parallel()
	w := newWorld(t, 1, func(int) int { return 1 << 10 })
	h := w.join("donor", 1<<20)
	a := newAgent(t, h, Options{MountRoots: []string{}})
	runAgent(t, a)
	c := control.NewLocalClient(h.SocketPath(), h.EndpointPath())
	ctx := context.Background()
	second := filepath.Join(t.TempDir(), "usb")

	l, err := c.AddStorage(ctx, second, 50<<20)
	if err != nil || l.Path != second || l.ID == "" || !l.Online || l.BudgetBytes != 50<<20 {
		t.Fatalf("AddStorage: %+v %v", l, err)
	}
	cfg, _ := h.LoadConfig()
	if len(cfg.Locations) != 2 || cfg.Locations[1].ID != l.ID {
		t.Fatalf("config locations %+v", cfg.Locations)
	}
	if match, _ := storage.MarkerAt(second, cfg.DonorUUID, l.ID); !match {
		t.Error("no marker in the added folder")
	}
	if st, _ := c.Status(ctx); len(st.Locations) != 2 || !st.Locations[1].Online {
		t.Errorf("status locations after the add: %+v", st.Locations)
	}
	if _, err := c.AddStorage(ctx, filepath.Join(second, "inner"), 0); !errors.Is(err, control.ErrInvalid) {
		t.Errorf("a folder inside a location: %v, want ErrInvalid", err)
	}
	if _, err := c.AddStorage(ctx, "relative/dir", 0); !errors.Is(err, control.ErrInvalid) {
		t.Errorf("a relative path: %v, want ErrInvalid", err)
	}

	if err := c.RemoveStorage(ctx, cfg.Storage); !errors.Is(err, control.ErrConflict) {
		t.Errorf("removing the main folder: %v, want ErrConflict", err)
	}
	// A shard placed there (as the hub's next one would be) keeps it.
	a.mu.Lock()
	a.cfg.Shards[0].Location = l.ID
	a.mu.Unlock()
	if err := c.RemoveStorage(ctx, second); !errors.Is(err, control.ErrConflict) {
		t.Errorf("removing a folder that holds a shard: %v, want ErrConflict", err)
	}
	a.mu.Lock()
	a.cfg.Shards[0].Location = cfg.Locations[0].ID
	a.mu.Unlock()

	if err := c.RemoveStorage(ctx, second); err != nil {
		t.Fatal(err)
	}
	cfg, _ = h.LoadConfig()
	if len(cfg.Locations) != 1 {
		t.Errorf("config locations after the remove: %+v", cfg.Locations)
	}
	if _, err := os.Stat(filepath.Join(second, storage.MarkerName)); !os.IsNotExist(err) {
		t.Errorf("marker left behind: %v", err)
	}
	if st, _ := c.Status(ctx); len(st.Locations) != 1 {
		t.Errorf("status locations after the remove: %+v", st.Locations)
	}
	if err := c.RemoveStorage(ctx, second); !errors.Is(err, control.ErrNotFound) {
		t.Errorf("removing it again: %v, want ErrNotFound", err)
	}
}
