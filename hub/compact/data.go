package compact

import (
	"context"
	"errors"
	"fmt"

	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// attempts is how often a shard is tried when donors keep pushing during
// its compaction.
const attempts = 3

// DataDir compacts the shards of a data directory: every one, or only the
// one named (name "" for all).
func DataDir(ctx context.Context, dataDir, name string, opts Options) ([]Result, error) {
	infos, err := shard.ReadCatalog(dataDir)
	if err != nil {
		return nil, err
	}
	var out []Result
	found := false
	for _, info := range infos {
		if name != "" && info.Name != name {
			continue
		}
		found = true
		res, err := Shard(ctx, dataDir, info.Name, opts)
		out = append(out, res)
		if err != nil {
			return out, err
		}
	}
	if name != "" && !found {
		return nil, fmt.Errorf("no shard named %s in %s: see shards.json for the names", name, dataDir)
	}
	return out, nil
}

// Shard compacts one shard of dataDir, trying again when a push lands
// meanwhile.
func Shard(ctx context.Context, dataDir, name string, opts Options) (Result, error) {
	opts.Git.Dir = shard.RepoDir(dataDir, name)
	var res Result
	var err error
	for range attempts {
		res, err = Repo(ctx, opts)
		res.Shard = name
		if !errors.Is(err, ErrMoved) {
			break
		}
	}
	if err != nil {
		return res, fmt.Errorf("compact %s: %w", name, err)
	}
	return res, nil
}
