package shard

import (
	"context"
	"fmt"
	"os"

	"github.com/shardkeeper/shardkeeper/annex"
)

// create builds a new shard in a temporary directory and moves it into
// place, so a failure leaves no half-built repository behind.
func (b *builder) create(ctx context.Context, name string, ct content) error {
	dest := RepoDir(b.opts.DataDir, name)
	if _, err := os.Stat(dest); err == nil {
		// Not in the catalog, so no donor was ever given it: a build that
		// died before recording it.
		b.warnf("%s was left over by an unfinished build and was built again", name)
		if err := os.RemoveAll(dest); err != nil {
			return fmt.Errorf("remove the leftover %s: %w", dest, err)
		}
	}
	tmp, err := os.MkdirTemp(b.opts.DataDir, ".shards-building-")
	if err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	dir := RepoDir(tmp, name)
	if err := initRepo(ctx, b.opts.Git, dir); err != nil {
		return err
	}
	g := b.opts.Git
	g.Dir = dir
	var mainTip, annexTip string
	err = both(func() (err error) {
		mainTip, err = newMainBranch(ctx, g, name, ct, b.now)
		return err
	}, func() (err error) {
		annexTip, err = newAnnexBranch(ctx, g, name, ct, b.now)
		return err
	})
	if err != nil {
		return err
	}
	err = moveRefs(ctx, g, []refMove{{"refs/heads/main", "", mainTip}, {annex.BranchRef, "", annexTip}})
	if err != nil {
		return err
	}
	return os.Rename(dir, dest)
}

// initRepo makes an empty bare shard repository.
func initRepo(ctx context.Context, g annex.Git, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	g.Dir = dir
	if _, err := g.Output(ctx, nil, "init", "--quiet", "--bare", "--initial-branch=main"); err != nil {
		return err
	}
	// Donors push to this repository: check what they send. The push
	// audit (hub/audit) is the pre-receive hook the server installs.
	_, err := g.Output(ctx, nil, "config", "receive.fsckObjects", "true")
	return err
}
