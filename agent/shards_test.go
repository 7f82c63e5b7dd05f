package agent

import (
	"context"
	"errors"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
	"github.com/shardkeeper/shardkeeper/agent/home"
)

// TestRemoveShardGivesItBack: a donor holding two shards gives one back:
// nothing more is fetched there, its files go once another donor holds
// them, then the agent stops tracking it; the last shard cannot go that
// way (that is leaving).
func TestRemoveShardGivesItBack(t *testing.T) {
	t.Parallel()
	w, _, a := twoShardDonor(t)
	ctx := context.Background()
	st, _ := a.Status(ctx)
	gone := st.Shards[1].Name
	if err := a.RemoveShard(ctx, "nope"); !errors.Is(err, control.ErrNotFound) {
		t.Errorf("removing an unknown shard: %v", err)
	}
	if err := a.RemoveShard(ctx, gone); err != nil {
		t.Fatal(err)
	}
	// Nobody else holds its files yet: they stay.
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ = a.Status(ctx)
	if len(st.Shards) != 2 || !st.Shards[1].Leaving || st.Shards[1].FilesHeld != 5 {
		t.Fatalf("while no one else holds them: %+v", st.Shards)
	}
	// Another donor takes that shard (and the first): then they go.
	o := newAgent(t, w.join("other", w.total()*4), Options{Target: 2, MinRoomForShard: 1})
	if err := o.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := o.pushAll(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.Cycle(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ = a.Status(ctx)
	if len(st.Shards) != 1 || st.Shards[0].Name == gone || st.FilesProtected != 5 {
		t.Fatalf("after the other donor took over: %+v", st.Shards)
	}
	if err := a.RemoveShard(ctx, st.Shards[0].Name); !errors.Is(err, control.ErrConflict) {
		t.Errorf("removing the last shard: %v, want a conflict (leave instead)", err)
	}
}

// twoShardDonor is a hub with two shards of 5 files and a donor whose
// first shard needs nothing more (target 1) and whose budget has room, so
// that one cycle takes the second shard from the hub and fills it too.
func twoShardDonor(t *testing.T) (*world, home.Home, *Agent) {
	t.Helper()
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
	return w, h, a
}

// TestMoreShardWhenFull: a donor whose shard has enough copies and whose
// budget has room asks the hub for another shard and fills it too.
func TestMoreShardWhenFull(t *testing.T) {
	t.Parallel()
	_, h, a := twoShardDonor(t)
	ctx := context.Background()
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
