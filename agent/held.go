package agent

import (
	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// HeldObjects lists the annexed objects present in a repository, with
// their sizes, by looking at .git/annex/objects itself: what is on disk is
// the truth, whatever the logs say.
func HeldObjects(repo string) (map[annex.Key]int64, error) {
	held, err := ledger.Scan(repo)
	out := make(map[annex.Key]int64, len(held))
	for k, o := range held {
		out[k] = o.Size
	}
	return out, err
}
