package server

import (
	"context"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/compact"
)

// Compact compacts the shards (every one, or the one named) and brings
// their health up to date (docs/compaction.md).
func (s *Server) Compact(ctx context.Context, name string) ([]compact.Result, error) {
	if s.hosts != nil && name == "" {
		return s.compactLocal(ctx) // other hosts compact their own shards
	}
	res, err := compact.DataDir(ctx, s.cfg.DataDir, name, compact.Options{Git: s.cfg.Git, Now: s.cfg.Now})
	for _, r := range res {
		if r.Skipped {
			continue
		}
		s.log.Info("compacted", "shard", r.Shard, "files", r.Files, "merged", r.Merged, "donor_refs", r.DonorRefs,
			"bytes_before", r.BytesBefore, "bytes_after", r.BytesAfter)
		if rerr := s.tracker.RefreshShard(ctx, r.Shard); rerr != nil {
			s.log.Error("health after compaction", "shard", r.Shard, "err", rerr)
		}
	}
	return res, err
}

// RunCompaction compacts every shard at each tick until ctx ends.
func (s *Server) RunCompaction(ctx context.Context, tick <-chan time.Time) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if _, err := s.Compact(ctx, ""); err != nil && ctx.Err() == nil {
				s.log.Error("compaction", "err", err)
			}
		}
	}
}

// compactLocal compacts the shards this hub host serves.
func (s *Server) compactLocal(ctx context.Context) ([]compact.Result, error) {
	var all []compact.Result
	for _, info := range s.catalog().order {
		if !s.local(info.Name) {
			continue
		}
		res, err := s.Compact(ctx, info.Name)
		all = append(all, res...)
		if err != nil {
			return all, err
		}
	}
	return all, nil
}
