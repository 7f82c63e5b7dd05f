package copies

import (
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

// Slim keeps of each shard's location logs only those of the keys held
// (what status, the drop order and leaving ask about) and forgets the
// incremental readers: an idle agent's footprint (agent/footprint.go). The
// next Refresh or Read reads the whole branch again.
func (v *View) Slim(held func(shard string) map[annex.Key]bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.slim == nil {
		v.slim = map[string]bool{}
	}
	for shard, loc := range v.locs {
		if loc != nil && !v.slim[shard] {
			v.locs[shard] = heldLocations(loc, held(shard))
			v.slim[shard] = true
		}
	}
	v.readers = map[string]*annex.LocationReader{}
}

// Whole is the last whole read of a shard's branch (nil: none, or only the
// held keys are kept).
func (v *View) Whole(shard string) *annex.Locations {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.slim[shard] {
		return nil
	}
	return v.locs[shard]
}

// heldLocations is loc with only the logs of held keys, copied: the
// originals may share memory with the whole read.
func heldLocations(loc *annex.Locations, held map[annex.Key]bool) *annex.Locations {
	out := &annex.Locations{Logs: make(map[annex.Key][]annex.LogLine, len(held)), Trust: loc.Trust}
	for k := range held {
		lines, ok := loc.Logs[k]
		if !ok {
			continue
		}
		own := make([]annex.LogLine, len(lines))
		for i, l := range lines {
			own[i] = annex.LogLine{Time: l.Time, Status: l.Status, Value: strings.Clone(l.Value)}
		}
		out.Logs[annex.Key(strings.Clone(string(k)))] = own
	}
	return out
}
