package agent

// A donor's shard has no work tree and no index. The agent works by key
// (get, fsck and drop --key; the file list comes from the commit's tree),
// and 100k checked-out symlinks took 4 KB each on ext4: about 400 MB
// before any content. A whole index (even a sparse checkout's, every entry
// skip-worktree) costs 9 MB for 100k files, and git-annex's keys database
// records the associated file of every key in it at the first get: 38 MB
// more (annex.supportunlocked=false does not stop that in 10.20230126).
// So the clone keeps no index at all. Nothing the agent runs reads the
// index or commits to the shard's branch (no `git annex sync`), and a
// rebuild of the archive moves the branch with update-ref, not a merge.
// See docs/donor-agent.md and docs/benchmarks.md, "Donor footprint".

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
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

// cloneArgs clones a shard without checking anything out (no work tree,
// no index), and without git's sample hooks (git-annex installs the hooks
// it needs).
func cloneArgs(url, path string) []string {
	return []string{"clone", "--quiet", "--no-checkout", "--template=", url, path}
}

// emptyWorkTree removes the symlinks of a shard joined with a full work
// tree: a sparse checkout that matches nothing. The content in
// .git/annex/objects stays.
func emptyWorkTree(ctx context.Context, g annex.Git) error {
	if _, err := g.Output(ctx, nil, "sparse-checkout", "set", "--no-cone", noWorkTree); err != nil {
		return fmt.Errorf("empty the work tree: %w", err)
	}
	return nil
}

// hasWorkTree says whether a shard repository still has its checkout of
// symlinks (it joined before the work tree was dropped).
func hasWorkTree(ctx context.Context, g annex.Git) bool {
	out, err := g.Output(ctx, nil, "config", "--bool", "core.sparseCheckout")
	return err != nil || strings.TrimSpace(string(out)) != "true"
}

// keysDBFiles are git-annex's keys database: a cache it rebuilds from the
// index when missing (empty, with no index).
var keysDBFiles = []string{"keysdb", "keysdb.cache", "keysdb.lck"}

// dropIndex removes a shard's index and git-annex's keys database built
// from it (shards joined before the index was dropped), and reports
// whether there was one. It runs at the agent's start, before any
// git-annex process of this agent.
func dropIndex(repo string) (bool, error) {
	index := filepath.Join(repo, ".git", "index")
	if _, err := os.Stat(index); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	for _, f := range keysDBFiles {
		if err := os.RemoveAll(filepath.Join(repo, ".git", "annex", f)); err != nil {
			return true, fmt.Errorf("remove git-annex's keys database: %w", err)
		}
	}
	if err := os.Remove(index); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return true, fmt.Errorf("remove the shard's index: %w", err)
	}
	return true, nil
}

// dropWorkTrees migrates shards joined with a work tree or an index: their
// symlinks, index and keys database go, their content stays. A shard that
// cannot be migrated now is tried again at the next start.
func (a *Agent) dropWorkTrees(ctx context.Context) {
	for _, sh := range a.shards() {
		g := a.opts.Tools.GitIn(sh.Path)
		if _, err := g.Output(ctx, nil, "config", "gc.auto", looseObjectsLimit); err != nil {
			a.log.Warn("could not set the shard's gc.auto", "shard", sh.Name, "err", err)
		}
		if _, err := os.Stat(filepath.Join(sh.Path, ".git", "index")); err != nil {
			continue // no index: nothing checked out
		}
		if hasWorkTree(ctx, g) {
			if err := emptyWorkTree(ctx, g); err != nil {
				a.log.Warn("could not drop the shard's checked-out links; they stay until the next start", "shard", sh.Name, "err", err)
				continue
			}
			a.log.Info("dropped the shard's checked-out links (the agent works by key; your files stay)", "shard", sh.Name)
		}
		if had, err := dropIndex(sh.Path); err != nil {
			a.log.Warn("could not drop the shard's index; it stays until the next start", "shard", sh.Name, "err", err)
		} else if had {
			a.log.Info("dropped the shard's index and git-annex's keys database (the agent works by key)", "shard", sh.Name)
		}
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
