package server

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/internal/testkit"
)

// TestRebuildIsServedWithoutRestart: `shardhub build` into the data of a
// running hub adds a shard; the hub serves it (clone, health) at once.
func TestRebuildIsServedWithoutRestart(t *testing.T) {
	h := startHub(t)
	grown := testkit.WriteFiles(t, map[string]string{
		"a.txt": "alpha\n", "b b.bin": "bravo", "c/d.txt": "charlie", "e.txt": "echo",
		"f/g.txt": "foxtrot", "h/i.txt": "hotel",
	})
	entries, err := manifest.FromDir(grown, h.url+"/origin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shard.Build(context.Background(), entries, shard.Options{DataDir: h.data, FilesPerShard: 2}); err != nil {
		t.Fatal(err)
	}
	infos, err := shard.ReadCatalog(h.data)
	if err != nil || len(infos) != 3 {
		t.Fatalf("rebuild made %d shards (%v), want 3", len(infos), err)
	}

	var report struct {
		Shards []struct{ Name string } `json:"shards"`
	}
	if err := json.NewDecoder(h.get(t, "/api/v1/health").Body).Decode(&report); err != nil {
		t.Fatal(err)
	}
	if len(report.Shards) != 3 {
		t.Errorf("health lists %d shards after the rebuild, want 3", len(report.Shards))
	}
	env := testkit.HandEnv(t)
	dst := filepath.Join(t.TempDir(), "clone")
	if _, err := testkit.Try(env, "", "git", "clone", "-q", h.url+"/git/"+infos[2].Name+".git", dst); err != nil {
		t.Errorf("the new shard %s cannot be cloned from the running hub: %v", infos[2].Name, err)
	}
}
