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
	ks := v.keys[k]
	if ks == nil {
		return nil, false
	}
	for _, l := range ks.lines {
		if !v.trust.Counts(l.Value) {
			continue
		}
		if l.Status == annex.StatusPresent {
			holders = append(holders, l.Value)
		}
	}
	return holders, true
}
