package agent

// The agent's footprint while idle. Planning a fill needs every file's
// location log and path (for a 100k-file shard, well over 100 MB of Go
// maps while it runs); an idle agent needs only what its held files need:
// their copy counts (status, the drop order, leaving) and their paths (in
// messages). Once a cycle is done the agent keeps just that and gives the
// rest back to the system; the next cycle reads the branch again (a second
// or two of CPU every interval). The Browse tab reads a whole shard again
// on demand and keeps it for slimAfter. Figures: docs/benchmarks.md,
// "Donor footprint".

import (
	"context"
	"runtime/debug"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// slimAfter is how long a shard read for the Browse tab stays whole.
const slimAfter = 2 * time.Minute

// slimDown keeps of each shard's location logs and file index only what
// held keys need, and returns the freed memory to the system. It does
// nothing while a cycle runs (the cycle's end slims).
func (a *Agent) slimDown() {
	if !a.cycleMu.TryLock() {
		return
	}
	defer a.cycleMu.Unlock()
	a.copies.Slim(a.heldKeys)
	a.mu.Lock()
	for shard, t := range a.trees {
		if !t.heldOnly {
			a.trees[shard] = heldTree(t, a.heldKeys(shard))
		}
	}
	a.mu.Unlock()
	debug.FreeOSMemory()
}

// heldKeys lists one shard's held keys.
func (a *Agent) heldKeys(shard string) map[annex.Key]bool {
	out := map[annex.Key]bool{}
	for k := range a.ledger.HeldOf(shard) {
		out[k] = true
	}
	return out
}

// slimLater slims down again a while after the last whole read.
func (a *Agent) slimLater() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.slimTimer != nil {
		a.slimTimer.Reset(slimAfter)
		return
	}
	a.slimTimer = time.AfterFunc(slimAfter, a.slimDown)
}

// heldTree is t with only the held files: their paths name them in
// messages (verification, proofs, giving back) while the agent is idle.
func heldTree(t *tree, held map[annex.Key]bool) *tree {
	out := &tree{head: t.head, heldOnly: true, byPath: map[string]annex.Key{}, byKey: map[annex.Key]string{}}
	for k := range held {
		if p, ok := t.byKey[k]; ok {
			k, p = annex.Key(strings.Clone(string(k))), strings.Clone(p)
			out.files = append(out.files, treeFile{p, k})
			out.byPath[p], out.byKey[k] = k, p
		}
	}
	return out
}

// fileOfLoading is fileOf that reads the shard's file index when it was
// not read yet: verification names files by key (fsck --all) and its
// reports name them by path.
func (a *Agent) fileOfLoading(shard string, k annex.Key) string {
	if p := a.fileOf(shard, k); p != "" {
		return p
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := a.treeOf(ctx, shard); err != nil {
		return ""
	}
	defer a.slimLater()
	return a.fileOf(shard, k)
}
