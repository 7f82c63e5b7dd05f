package shard

import (
	"context"
	"fmt"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

// readRepo reads what a shard holds back from its repository: the key of
// every path on main, and the URLs registered for those keys. A rebuild
// uses it when the shard's file list is missing (a data directory built
// before there was one, or a deleted index).
func readRepo(ctx context.Context, g annex.Git) (oldShard, error) {
	old := oldShard{files: map[string]oldFile{}, urls: map[annex.Key][]string{}}
	keys := map[string]annex.Key{} // URL log path -> key
	err := annex.ReadTree(ctx, g, "refs/heads/main", nil, func(p string, target []byte) error {
		t := string(target)
		k := annex.Key(t[strings.LastIndexByte(t, '/')+1:])
		if !strings.Contains(t, ".git/annex/objects/") || !k.Valid() {
			return nil // not an annexed file: leave it alone
		}
		old.files[p] = oldFile{key: k}
		keys[annex.URLLogPath(k)] = k
		return nil
	})
	if err != nil {
		return old, fmt.Errorf("read main: %w", err)
	}
	err = annex.ReadTree(ctx, g, annex.BranchRef, func(p string) bool {
		_, ok := keys[p]
		return ok
	}, func(p string, data []byte) error {
		k := keys[p]
		for _, l := range annex.Compact(annex.ParseLog(data)) {
			if l.Status == annex.StatusPresent {
				old.urls[k] = append(old.urls[k], l.Value)
			}
		}
		return nil
	})
	if err != nil {
		return old, fmt.Errorf("read git-annex branch: %w", err)
	}
	return old, nil
}
