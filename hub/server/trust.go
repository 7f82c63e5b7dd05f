package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// trustRetries bounds the compare-and-swap loop when another writer (a
// rebuild) moves the git-annex branch under us.
const trustRetries = 5

// untrustLeaver marks a leaving donor untrusted in the trust.log of each
// of its shards, so other donors' agents (git-annex and annex.ReadLocations
// ignore untrusted copies) fetch replacements, and health stops counting
// its copies at once. Idempotent: a shard that already says so is left
// alone.
func (s *Server) untrustLeaver(ctx context.Context, d store.Donor) error {
	s.branchMu.Lock()
	defer s.branchMu.Unlock()
	var errs []error
	for _, name := range d.Shards {
		errs = append(errs, s.untrustIn(ctx, d.UUID, name))
	}
	return errors.Join(errs...)
}

// untrustIn marks uuid untrusted in one shard's trust.log (the caller
// holds branchMu).
func (s *Server) untrustIn(ctx context.Context, uuid, name string) error {
	if _, ok := s.catalog().byName[name]; !ok || !s.local(name) {
		return nil // another hub host serves it: its challenge round marks the leaver
	}
	g := s.cfg.Git
	g.Dir = shard.RepoDir(s.cfg.DataDir, name)
	changed, err := setTrust(ctx, g, uuid, '0', s.cfg.Now())
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if changed {
		s.log.Info("leaving donor marked untrusted", "donor", uuid, "shard", name)
		return s.tracker.RefreshShard(ctx, name)
	}
	return nil
}

// setTrust makes uuid's trust.log line on refs/heads/git-annex say level,
// with git plumbing only (the hub's repositories are bare and git-annex
// does not run in them while serving): a new blob, a tree from a temporary
// index, a commit on the tip, and update-ref as a compare-and-swap,
// retried when the branch moved meanwhile. It reports whether it wrote.
func setTrust(ctx context.Context, g annex.Git, uuid string, level byte, now time.Time) (bool, error) {
	g.Env = append(append([]string(nil), g.Env...),
		"GIT_AUTHOR_NAME=shardhub", "GIT_AUTHOR_EMAIL=shardhub@localhost",
		"GIT_COMMITTER_NAME=shardhub", "GIT_COMMITTER_EMAIL=shardhub@localhost")
	for range trustRetries {
		tip := g.Tip(ctx, annex.BranchRef)
		if tip == "" {
			return false, errors.New("the shard has no git-annex branch")
		}
		old, _ := g.Output(ctx, nil, "cat-file", "blob", tip+":trust.log") // absent: empty
		content, changed := withTrust(string(old), uuid, level, annex.TimestampOf(now))
		if !changed {
			return false, nil
		}
		commit, err := commitFile(ctx, g, tip, "trust.log", content, "shardhub: "+uuid+" is leaving: untrusted")
		if err != nil {
			return false, err
		}
		if _, err := g.Output(ctx, nil, "update-ref", annex.BranchRef, commit, tip); err == nil {
			return true, nil
		}
		// The branch moved between reading and writing: read again.
	}
	return false, fmt.Errorf("the git-annex branch kept moving while writing trust.log")
}

// withTrust returns trust.log content with uuid's lines replaced by one
// at level, and whether that changes anything. The new line's timestamp
// is after any earlier line of uuid, so it wins git-annex's merge.
func withTrust(old, uuid string, level byte, now annex.Timestamp) (string, bool) {
	trust := annex.TrustLog{}
	trust.Merge([]byte(old))
	cur, listed := trust[uuid]
	if listed && cur.Level == level {
		return old, false
	}
	var kept []string
	for _, line := range strings.Split(old, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] != uuid {
			kept = append(kept, line)
		}
	}
	if !cur.At.Before(now) {
		now = annex.Timestamp{Sec: cur.At.Sec + 1}
	}
	kept = append(kept, uuid+" "+string(level)+" timestamp="+now.String())
	return strings.Join(kept, "\n") + "\n", true
}

// commitFile writes a commit on parent whose tree is parent's with path
// set to content, through a temporary index (never the repository's own).
func commitFile(ctx context.Context, g annex.Git, parent, path, content, msg string) (string, error) {
	blob, err := g.Output(ctx, strings.NewReader(content), "hash-object", "-w", "--stdin")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	dir, err := os.MkdirTemp("", "shardhub-index-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ig := g
	ig.Env = append(append([]string(nil), g.Env...), "GIT_INDEX_FILE="+filepath.Join(dir, "index"))
	if _, err := ig.Output(ctx, nil, "read-tree", parent+"^{tree}"); err != nil {
		return "", fmt.Errorf("read the git-annex branch: %w", err)
	}
	info := "100644," + strings.TrimSpace(string(blob)) + "," + path
	if _, err := ig.Output(ctx, nil, "update-index", "--add", "--cacheinfo", info); err != nil {
		return "", fmt.Errorf("stage %s: %w", path, err)
	}
	tree, err := ig.Output(ctx, nil, "write-tree")
	if err != nil {
		return "", fmt.Errorf("write the tree: %w", err)
	}
	commit, err := g.Output(ctx, nil, "commit-tree", strings.TrimSpace(string(tree)), "-p", parent, "-m", msg)
	if err != nil {
		return "", fmt.Errorf("commit %s: %w", path, err)
	}
	return strings.TrimSpace(string(commit)), nil
}
