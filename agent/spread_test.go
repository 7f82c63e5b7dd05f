package agent

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// TestThreeDonorsSpreadOut: three donors that start together, each with
// room for a third of the shard, fetch fewer of the same files than three
// random choices would: between batches each reports to the hub and reads
// the others' reports, and rarest-first then steers it away from what the
// others took.
func TestThreeDonorsSpreadOut(t *testing.T) {
	t.Parallel()
	const n, size = 60, 12 << 10
	w := newWorld(t, n, func(int) int { return size })
	k := n / 3
	var agents []*Agent
	for i := 0; i < 3; i++ {
		// Room for k files: each takes 3 blocks, and the last one needs its
		// reservation (a spare block and rounding) to be admitted.
		h := w.join(fmt.Sprintf("donor%d", i), int64(k)*size+ledger.Reserve(size, 4096)-size)
		agents = append(agents, newAgent(t, h, Options{Jobs: 2, BatchFiles: 2, BatchBytes: -1}))
	}
	var wg sync.WaitGroup
	for _, a := range agents {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Cycle(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()

	var held []map[annex.Key]bool
	for _, a := range agents {
		held = append(held, heldKeys(t, a.cfg.Shards[0].Path))
	}
	overlap, expected := 0, 0.0
	for i := 0; i < 3; i++ {
		for j := i + 1; j < 3; j++ {
			for key := range held[i] {
				if held[j][key] {
					overlap++
				}
			}
			// Two donors choosing ki and kj of n files at random share
			// ki*kj/n of them on average.
			expected += float64(len(held[i])) * float64(len(held[j])) / n
		}
	}
	t.Logf("donors hold %d, %d and %d of %d files; files held by two donors: %d here, %.1f expected from random choices",
		len(held[0]), len(held[1]), len(held[2]), n, overlap, expected)
	for i, h := range held {
		if len(h) < k-2 {
			t.Errorf("donor %d holds only %d files with room for %d", i, len(h), k)
		}
	}
	if float64(overlap) >= expected*3/4 {
		t.Errorf("donors share %d files; random choices would share %.1f: not spreading out", overlap, expected)
	}
}
