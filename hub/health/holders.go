package health

import (
	"github.com/shardkeeper/shardkeeper/annex"
)

// Holders lists the UUIDs whose newest merged location-log line for a key
// of a shard says present, leaving out the web and UUIDs dead or untrusted
// in trust.log; inShard is false when the key is not one of the shard's
// files (as last refreshed).
func (t *Tracker) Holders(shard string, k annex.Key) (holders []string, inShard bool) {
	t.mu.Lock()
	v, ok := t.shards[shard]
	t.mu.Unlock()
	if !ok {
		return nil, false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok, err := t.state.HealthKey(shard, string(k)); !ok || err != nil {
		return nil, false
	}
	lines, err := t.state.HealthKeyLines(shard, string(k))
	if err != nil {
		return nil, true
	}
	for _, l := range lines {
		if v.trust.Counts(l.UUID) && l.Status == annex.StatusPresent {
			holders = append(holders, l.UUID)
		}
	}
	return holders, true
}
