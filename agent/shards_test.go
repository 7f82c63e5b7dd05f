package agent

import (
	"context"
	"errors"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/control"
)

// TestRemoveShardGivesItBack: a donor holding two shards gives one back:
// nothing more is fetched there, its files go once another donor holds
// them, then the agent stops tracking it; the last shard cannot go that
// way (that is leaving).
func TestRemoveShardGivesItBack(t *testing.T) {
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
		t.Fatalf("before: %d shards, %d files", len(st.Shards), st.FilesProtected)
	}
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
