package restore

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/store"
)

// File is one path of a shard with its key.
type File struct {
	Path string
	Key  annex.Key
	Size int64
}

// ShardFiles lists the shard's files from its main branch: every
// git-annex symlink, with the key it points to, sorted by path.
func ShardFiles(ctx context.Context, g annex.Git) ([]File, error) {
	entries, err := annex.LsTree(ctx, g, "refs/heads/main", nil)
	if err != nil {
		return nil, fmt.Errorf("read the shard's files: %w", err)
	}
	var links []annex.TreeEntry
	for _, e := range entries {
		if e.Mode == "120000" {
			links = append(links, e)
		}
	}
	names := make([]string, len(links))
	for i, e := range links {
		names[i] = e.SHA
	}
	out := make([]File, 0, len(links))
	err = annex.Cat(ctx, g, names, func(i int, data []byte, found bool) error {
		target := strings.TrimSpace(string(data))
		if !found || !strings.Contains(target, "annex/objects/") {
			return nil
		}
		k := annex.Key(path.Base(target))
		size, _ := k.Size()
		out = append(out, File{Path: links[i].Path, Key: k, Size: size})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the shard's files: %w", err)
	}
	return out, nil
}

// Where is what the shard's branches say about where its keys are.
type Where struct {
	Locs   *annex.Locations
	Remote string          // the restore remote R ("" when none)
	Donors map[string]bool // registered donors; nil: every UUID counts
}

// ReadWhere merges the hub's git-annex branch and every donor's ref.
func ReadWhere(ctx context.Context, g annex.Git, db store.Store) (Where, error) {
	refs, err := g.Refs(ctx, annex.DonorRefPrefix, "/git-annex")
	if err != nil {
		return Where{}, fmt.Errorf("list the donors' branches: %w", err)
	}
	locs, err := annex.ReadLocations(ctx, g, append([]string{annex.BranchRef}, refs...)...)
	if err != nil {
		return Where{}, err
	}
	w := Where{Locs: locs, Remote: RemoteUUID(ctx, g)}
	if db != nil {
		ds, err := db.Donors()
		if err != nil {
			return Where{}, err
		}
		w.Donors = map[string]bool{}
		for _, d := range ds {
			w.Donors[d.UUID] = true
		}
	}
	return w, nil
}

// Holders are the donors whose location log says they hold k (registered
// donors only, when the registry is known; never the web or R).
func (w Where) Holders(k annex.Key) []string {
	var out []string
	for _, l := range w.Locs.Logs[k] {
		if l.Status != annex.StatusPresent || l.Value == annex.WebUUID || l.Value == w.Remote || !w.Locs.Counts(l.Value) {
			continue
		}
		if w.Donors != nil && !w.Donors[l.Value] {
			continue
		}
		out = append(out, l.Value)
	}
	return out
}

// ArchiveHas reports whether the web's (the archive's own) line for k says
// present.
func (w Where) ArchiveHas(k annex.Key) bool { return w.Locs.Has(k, annex.WebUUID) }
