package report

import (
	"context"
	"strings"

	"github.com/shardkeeper/shardkeeper/agent/annexproc"
)

// follow asks the hub where a shard is served now (it may have moved to
// another hub host) and points the repository's origin there. It reports
// whether origin changed; any failure leaves origin as it was.
func (r *Reporter) follow(ctx context.Context, repo *annexproc.Repo, shard, uuid, token string) bool {
	if r.d.Hub == nil {
		return false
	}
	urls, err := r.d.Hub.ShardURLs(ctx, uuid, token)
	if err != nil || urls[shard] == "" {
		return false
	}
	want := urls[shard]
	have, err := repo.Git().Output(ctx, nil, "remote", "get-url", "origin")
	if err != nil || strings.TrimSpace(string(have)) == want {
		return false
	}
	if _, err := repo.Git().Output(ctx, nil, "remote", "set-url", "origin", want); err != nil {
		r.d.Log.Warn("point the shard at its new hub host", "shard", shard, "url", want, "err", err)
		return false
	}
	r.d.Log.Info("the shard moved to another hub host: following it", "shard", shard, "url", want)
	if r.d.Moved != nil {
		r.d.Moved(shard, want)
	}
	return true
}
