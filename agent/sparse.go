package agent

// A donor's shard has no work tree. The agent works by key (get, fsck and
// drop --key; the file list comes from the commit's tree), and 100k
// checked-out symlinks took 4 KB each on ext4: about 400 MB before any
// content. The clone is a sparse checkout that matches no file, so the
// index stays whole and clean (every entry skip-worktree) and git-annex
// never sees the files as deleted. See docs/donor-agent.md.

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

// looseObjectsLimit is the repositories' gc.auto. git-annex records every
// change in new loose objects (4 KB each on ext4, several per file
// fetched); git packs them once there are about this many (the agent's
// git fetch runs git's auto maintenance), so they take at most ~1 MB.
const looseObjectsLimit = "256"

// noWorkTree is the one sparse-checkout pattern: a file no shard has.
const noWorkTree = "/.none"

// cloneArgs clones a shard without checking anything out, and without
// git's sample hooks (git-annex installs the hooks it needs).
func cloneArgs(url, path string) []string {
	return []string{"clone", "--quiet", "--no-checkout", "--template=", url, path}
}

// emptyWorkTree makes a clone's work tree empty: a sparse checkout that
// matches nothing, then the index from HEAD (clean, all skip-worktree).
// On a repository with a full work tree (joined before) it removes the
// symlinks only: the content in .git/annex/objects stays.
func emptyWorkTree(ctx context.Context, g annex.Git) error {
	if _, err := g.Output(ctx, nil, "sparse-checkout", "set", "--no-cone", noWorkTree); err != nil {
		return fmt.Errorf("empty the work tree: %w", err)
	}
	branch, err := g.Output(ctx, nil, "symbolic-ref", "--short", "HEAD")
	if err != nil {
		return fmt.Errorf("read the shard's branch: %w", err)
	}
	if _, err := g.Output(ctx, nil, "checkout", "--quiet", strings.TrimSpace(string(branch))); err != nil {
		return fmt.Errorf("read the shard's file list into the index: %w", err)
	}
	return nil
}

// hasWorkTree says whether a shard repository still has its checkout of
// symlinks (it joined before the work tree was dropped).
func hasWorkTree(ctx context.Context, g annex.Git) bool {
	out, err := g.Output(ctx, nil, "config", "--bool", "core.sparseCheckout")
	return err != nil || strings.TrimSpace(string(out)) != "true"
}

// dropWorkTrees migrates shards joined with a full work tree: their
// symlinks go, their content stays. A shard that cannot be migrated now
// keeps its work tree and is tried again at the next start.
func (a *Agent) dropWorkTrees(ctx context.Context) {
	for _, sh := range a.shards() {
		g := a.opts.Tools.GitIn(sh.Path)
		if _, err := g.Output(ctx, nil, "config", "gc.auto", looseObjectsLimit); err != nil {
			a.log.Warn("could not set the shard's gc.auto", "shard", sh.Name, "err", err)
		}
		if !hasWorkTree(ctx, g) {
			continue
		}
		if err := emptyWorkTree(ctx, g); err != nil {
			a.log.Warn("could not drop the shard's checked-out links; they stay until the next start", "shard", sh.Name, "err", err)
			continue
		}
		a.log.Info("dropped the shard's checked-out links (the agent works by key; your files stay)", "shard", sh.Name)
	}
}

// keyOfObjectPath reads the key of a shard-relative path to an object
// (.git/annex/objects/.../KEY/KEY: what the Browse tab opens), when the
// key is one of the shard's files.
func (t *tree) keyOfObjectPath(rel string) (annex.Key, bool) {
	if !strings.HasPrefix(rel, ".git/annex/objects/") {
		return "", false
	}
	k := annex.Key(path.Base(rel))
	_, ok := t.byKey[k]
	return k, ok
}
