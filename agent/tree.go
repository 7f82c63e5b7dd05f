package agent

import (
	"context"
	"path"
	"sort"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
)

// tree maps a shard's files to their keys, read from the checked-out
// commit's symlinks with one git ls-tree and one git cat-file (about a
// second for 100k files). A shard's main branch does not change once
// cloned, so it is read once per commit.
type tree struct {
	head   string
	files  []treeFile // sorted by path
	byPath map[string]annex.Key
	byKey  map[annex.Key]string // first path of each key
	// heldOnly: only the held files, kept while idle for messages
	// (footprint.go); the file list reads the whole tree again.
	heldOnly bool
}

type treeFile struct {
	path string
	key  annex.Key
}

func readTree(ctx context.Context, g annex.Git) (*tree, error) {
	out, err := g.Output(ctx, nil, "rev-parse", "HEAD")
	if err != nil {
		return nil, err
	}
	t := &tree{head: strings.TrimSpace(string(out)), byPath: map[string]annex.Key{}, byKey: map[annex.Key]string{}}
	err = annex.ReadTree(ctx, g, "HEAD", nil, func(p string, data []byte) error {
		target := string(data)
		if !strings.Contains(target, ".git/annex/objects/") {
			return nil // not an annexed file
		}
		k := annex.Key(path.Base(target))
		if !k.Valid() {
			return nil
		}
		t.files = append(t.files, treeFile{p, k})
		t.byPath[p] = k
		if _, ok := t.byKey[k]; !ok {
			t.byKey[k] = p
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(t.files, func(i, j int) bool { return t.files[i].path < t.files[j].path })
	return t, nil
}

// treeOf returns the shard's file index, reading it when HEAD moved.
func (a *Agent) treeOf(ctx context.Context, shard string) (*tree, error) {
	a.mu.Lock()
	t := a.trees[shard]
	var dir string
	for _, sh := range a.cfg.Shards {
		if sh.Name == shard {
			dir = sh.Path
		}
	}
	a.mu.Unlock()
	g := a.opts.Tools.GitIn(dir)
	if t != nil && !t.heldOnly {
		if out, err := g.Output(ctx, nil, "rev-parse", "HEAD"); err == nil && strings.TrimSpace(string(out)) == t.head {
			return t, nil
		}
	}
	t, err := readTree(ctx, g)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.trees[shard] = t
	a.mu.Unlock()
	return t, nil
}

// fileOf is a key's path in its shard, when the index was read already
// (messages never wait for it).
func (a *Agent) fileOf(shard string, k annex.Key) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t := a.trees[shard]; t != nil {
		return t.byKey[k]
	}
	return ""
}
