package agent

// The agent's footprint while idle. Planning a fill needs every file's
// location log and path (for a 100k-file shard, well over 100 MB of Go
// maps while it runs); an idle agent needs only what its held files need:
// their copy counts (status, the drop order, leaving). Once a cycle is
// done the agent keeps just that and gives the rest back to the system;
// the next cycle reads the branch again (a second or two of CPU every
// interval). The Browse tab reads a whole shard again on demand and keeps
// it for slimAfter. Figures: docs/benchmarks.md, "Donor footprint".

import (
	"runtime/debug"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
)

// slimAfter is how long a shard read for the Browse tab stays whole.
const slimAfter = 2 * time.Minute

// setLocs records a whole read of a shard's location logs.
func (a *Agent) setLocs(shard string, loc *annex.Locations) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.locs[shard] = loc
	delete(a.slim, shard)
}

// slimDown keeps of each shard's location logs only those of held keys,
// forgets the file index and the incremental branch readers, and returns
// the freed memory to the system. It does nothing while a cycle runs.
func (a *Agent) slimDown() {
	if !a.cycleMu.TryLock() {
		return // the cycle slims when it is done
	}
	defer a.cycleMu.Unlock()
	a.mu.Lock()
	if a.slim == nil {
		a.slim = map[string]bool{}
	}
	for shard, loc := range a.locs {
		if loc != nil && !a.slim[shard] {
			a.locs[shard] = heldLocations(loc, a.ledger.heldOf(shard))
			a.slim[shard] = true
		}
	}
	for shard, t := range a.trees {
		if !t.heldOnly {
			a.trees[shard] = heldTree(t, a.ledger.heldOf(shard))
		}
	}
	a.locReaders = map[string]*annex.LocationReader{}
	a.mu.Unlock()
	debug.FreeOSMemory()
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
func heldTree[V any](t *tree, held map[annex.Key]V) *tree {
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

// heldLocations is loc with only the logs of held keys.
func heldLocations[V any](loc *annex.Locations, held map[annex.Key]V) *annex.Locations {
	out := &annex.Locations{Logs: make(map[annex.Key][]annex.LogLine, len(held)), Trust: loc.Trust}
	for k := range held {
		if lines, ok := loc.Logs[k]; ok {
			// Copies: the originals may share memory with the whole read.
			own := make([]annex.LogLine, len(lines))
			for i, l := range lines {
				own[i] = annex.LogLine{Time: l.Time, Status: l.Status, Value: strings.Clone(l.Value)}
			}
			out.Logs[annex.Key(strings.Clone(string(k)))] = own
		}
	}
	return out
}
