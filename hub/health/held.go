package health

import (
	"sort"

	"github.com/shardkeeper/shardkeeper/annex"
)

// HeldKey is a key a donor's location log says it holds.
type HeldKey struct {
	Shard string
	Key   annex.Key
	Size  int64
}

// Held lists the keys whose newest merged location-log line for uuid says
// present and whose size the key records (a proof of storage needs it),
// sorted by shard and key so a random pick over it is reproducible.
func (t *Tracker) Held(uuid string) []HeldKey {
	var out []HeldKey
	for _, v := range t.views() {
		v.mu.Lock()
		for k, ks := range v.keys {
			size, ok := k.Size()
			if !ok || size <= 0 {
				continue
			}
			for _, l := range ks.lines {
				if l.Value == uuid && l.Status == annex.StatusPresent {
					out = append(out, HeldKey{Shard: v.info.Name, Key: k, Size: size})
				}
			}
		}
		v.mu.Unlock()
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Shard != out[b].Shard {
			return out[a].Shard < out[b].Shard
		}
		return out[a].Key < out[b].Key
	})
	return out
}
