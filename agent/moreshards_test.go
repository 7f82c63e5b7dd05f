package agent

import (
	"context"
	"testing"
)

// TestMoreShardWhenFull: a donor whose shard has enough copies and whose
// budget has room asks the hub for another shard and fills it too.
func TestMoreShardWhenFull(t *testing.T) {
	t.Parallel()
	w := newWorldShards(t, 10, 5, func(int) int { return 4 << 10 })
	h := w.join("donor", w.total()*4)
	a := newAgent(t, h, Options{Target: 1, MinRoomForShard: 1})
	ctx := context.Background()
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := a.Status(ctx)
	if len(st.Shards) != 2 || st.FilesProtected != 10 {
		t.Fatalf("after the fill: %d shards, %d files; want both shards, all 10 files", len(st.Shards), st.FilesProtected)
	}
	cfg, _ := h.LoadConfig()
	if len(cfg.Shards) != 2 {
		t.Errorf("the new shard is not in the configuration: %+v", cfg.Shards)
	}
	// Nothing more to give: the hub says so, and the agent does not ask
	// again at every cycle.
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if a.state.NoMoreShardsUntil.IsZero() {
		t.Error("the agent will ask the hub again at once")
	}
}
