package restore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// RemoteUUID reads the shard repository's annex.uuid: the restore remote
// R of the shard, "" when it has none yet.
func RemoteUUID(ctx context.Context, g annex.Git) string {
	out, err := g.Output(ctx, nil, "config", "--get", "annex.uuid")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// EnsureRemote gives a shard its restore remote R, once: a UUID recorded
// in the database, as the bare shard repository's annex.uuid (so a clone's
// origin remote is R to git-annex, and the hub serves the restore area as
// that repository's objects) and in the shard's uuid.log with the
// description "shardhub restore area". It returns R.
func EnsureRemote(ctx context.Context, g annex.Git, db store.Restores, shard string, now time.Time) (string, error) {
	proposed := RemoteUUID(ctx, g)
	if proposed == "" {
		id, err := uuid.NewRandom()
		if err != nil {
			return "", fmt.Errorf("make the restore remote's uuid: %w", err)
		}
		proposed = id.String()
	}
	r, err := db.RestoreRemote(shard, proposed, now)
	if err != nil {
		return "", err
	}
	if cur := RemoteUUID(ctx, g); cur != r {
		if cur != "" {
			return "", fmt.Errorf("%s: the repository's annex.uuid is %s but the database says the restore remote is %s; set one to the other", shard, cur, r)
		}
		if _, err := g.Output(ctx, nil, "config", "annex.uuid", r); err != nil {
			return "", fmt.Errorf("%s: record the restore remote: %w", shard, err)
		}
	}
	if err := EnsureUUIDLog(ctx, g, r, now); err != nil {
		return "", fmt.Errorf("%s: record the restore remote in uuid.log: %w", shard, err)
	}
	return r, nil
}
