package health

import (
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// HeldKey is a key a donor's location log says it holds.
type HeldKey struct {
	Shard string
	Key   annex.Key
	Size  int64
}

// Held lists the keys whose newest merged location-log line for uuid says
// present and whose size the key records (a proof of storage needs it),
// sorted by shard and key so a random pick over it is reproducible. A
// state that cannot be read lists nothing.
func (t *Tracker) Held(uuid string) []HeldKey {
	tracked := map[string]bool{}
	for _, v := range t.views() {
		tracked[v.info.Name] = true
	}
	var out []HeldKey
	err := t.state.EachHealthLineOf(uuid, annex.StatusPresent, func(l store.HealthLine) error {
		if tracked[l.Shard] && l.Size > 0 {
			out = append(out, HeldKey{Shard: l.Shard, Key: annex.Key(l.Key), Size: l.Size})
		}
		return nil
	})
	if err != nil {
		return nil
	}
	return out
}
