package shard

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shardkeeper/shardkeeper/annex"
)

// update adds one commit to each branch that changes, on top of its
// current tip, so donors' clones fast-forward.
func (b *builder) update(ctx context.Context, name string, ct content, d changes) error {
	g := b.opts.Git
	g.Dir = RepoDir(b.opts.DataDir, name)
	if journal, _ := os.ReadDir(filepath.Join(g.Dir, "annex", "journal")); len(journal) > 0 {
		// git-annex would commit those over whatever this build writes.
		return fmt.Errorf("%s has uncommitted git-annex changes (annex/journal): run 'git annex merge' in it, then build again", g.Dir)
	}
	oldMain, oldAnnex := g.Tip(ctx, "refs/heads/main"), g.Tip(ctx, annex.BranchRef)
	if oldMain == "" || oldAnnex == "" {
		return fmt.Errorf("%s has no main or git-annex branch: it is not a shard shardhub built", g.Dir)
	}
	// The current logs of the keys to register: a key can be there already
	// (a file that comes back), and donors' lines must be kept.
	cur := map[string][]byte{}
	if len(d.logKeys) > 0 {
		want := make(map[string]bool, 2*len(d.logKeys))
		for _, k := range d.logKeys {
			want[annex.LocationLogPath(k)] = true
			want[annex.URLLogPath(k)] = true
		}
		err := annex.ReadTree(ctx, g, oldAnnex, func(p string) bool { return want[p] }, func(p string, data []byte) error {
			cur[p] = data
			return nil
		})
		if err != nil {
			return err
		}
	}
	mainChanges, logChanges := len(d.write) > 0 || len(d.remove) > 0, len(d.logKeys) > 0
	err := both(func() error {
		if !mainChanges {
			return nil
		}
		return fastImport(ctx, g, "", func(s *stream) {
			s.commit(tmpMain, 0, oldMain, b.now, fmt.Sprintf("shardhub: %s, %d paths added, %d removed, %d changed", name, d.added, len(d.remove), d.changed))
			for _, p := range d.remove { // before writes: "a" may become "a/b"
				s.remove(p)
			}
			for _, r := range d.write {
				s.symlink(r.path, r.key)
			}
		})
	}, func() error {
		if !logChanges {
			return nil
		}
		return fastImport(ctx, g, "", func(s *stream) {
			s.webBlob(b.now)
			s.commit(tmpAnnex, 0, oldAnnex, b.now, fmt.Sprintf("shardhub: %s, %d keys with new URLs", name, len(d.logKeys)))
			for _, k := range d.logKeys {
				s.logs(k, cur[annex.LocationLogPath(k)], cur[annex.URLLogPath(k)], ct.urls[k])
			}
		})
	})
	if err != nil {
		return err
	}
	var moves []refMove
	if mainChanges {
		moves = append(moves, refMove{"refs/heads/main", oldMain, g.Tip(ctx, tmpMain)})
	}
	if logChanges {
		moves = append(moves, refMove{annex.BranchRef, oldAnnex, g.Tip(ctx, tmpAnnex)})
	}
	return moveRefs(ctx, g, moves)
}
