package health

import (
	"context"
	"encoding/csv"
	"io"
	"path"
	"sort"
	"strconv"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// AtRiskFile is a file with fewer donor copies than the target.
type AtRiskFile struct {
	Shard  string    `json:"shard"`
	Path   string    `json:"path"` // the first path with this content
	Key    annex.Key `json:"key"`
	Size   int64     `json:"size"`
	Copies int       `json:"copies"`
}

// pathIndex maps keys to a path of the shard's main branch.
type pathIndex struct {
	head  string
	paths map[annex.Key]string
}

// AtRisk lists the files with fewer donor copies than the target, fewest
// copies first (then by shard and path); limit <= 0 means all.
func (t *Tracker) AtRisk(ctx context.Context, donors []store.Donor, limit int) ([]AtRiskFile, error) {
	j := t.judge(donors, t.opts.Now())
	target := t.opts.TargetCopies
	var out []AtRiskFile
	for _, v := range t.views() {
		if err := v.readPaths(ctx); err != nil {
			return nil, err
		}
		v.mu.Lock()
		for k, ks := range v.keys {
			if n, _ := j.keyCopies(v, ks); n < target {
				out = append(out, AtRiskFile{Shard: v.info.Name, Path: v.paths.paths[k], Key: k, Size: ks.size, Copies: n})
			}
		}
		v.mu.Unlock()
	}
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Copies != y.Copies {
			return x.Copies < y.Copies
		}
		if x.Shard != y.Shard {
			return x.Shard < y.Shard
		}
		if x.Path != y.Path {
			return x.Path < y.Path
		}
		return x.Key < y.Key
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// readPaths (re)builds the key -> path index from the main branch when it
// moved. It is only needed for the at-risk list, so it is built on demand.
func (v *view) readPaths(ctx context.Context) error {
	v.mu.Lock()
	g, cur := v.git, v.paths
	v.mu.Unlock()
	h := g.Tip(ctx, "refs/heads/main") // "" for a shard without main: no paths
	if cur != nil && cur.head == h {
		return nil
	}
	idx := &pathIndex{head: h, paths: map[annex.Key]string{}}
	if h != "" {
		err := annex.ReadTree(ctx, g, "refs/heads/main", nil, func(p string, data []byte) error {
			// An annexed file is a symlink whose target ends in /KEY/KEY.
			k := annex.Key(path.Base(string(data)))
			if old, ok := idx.paths[k]; k.Valid() && (!ok || p < old) {
				idx.paths[k] = p
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	v.mu.Lock()
	v.paths = idx
	v.mu.Unlock()
	return nil
}

// WriteAtRiskCSV writes the list with a header row.
func WriteAtRiskCSV(w io.Writer, files []AtRiskFile) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"shard", "path", "key", "size", "copies"})
	for _, f := range files {
		cw.Write([]string{f.Shard, f.Path, string(f.Key), strconv.FormatInt(f.Size, 10), strconv.Itoa(f.Copies)})
	}
	cw.Flush()
	return cw.Error()
}
