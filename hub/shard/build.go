// Package shard cuts a collection into shards: bare git-annex repositories
// whose main branch holds one annexed symlink per file and whose git-annex
// branch says the content is on the web at the archive's URLs. The
// repositories are written directly with git fast-import (and git mktree
// for the directories of a new shard's main branch), which takes seconds
// where git-annex fromkey/registerurl takes minutes.
//
// Building into a data directory that has shards already updates them: new
// commits on top of both branches, so donors' clones fast-forward. Items
// (see manifest.ItemOf) never move between shards and shards are never
// renumbered.
package shard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/internal/defaults"
)

// DefaultFilesPerShard keeps a shard at a size git-annex handles well on a
// donor's machine.
const DefaultFilesPerShard = 100000

// DefaultMaxShardBytes (4 TB) is about the largest disk a donor gives.
const DefaultMaxShardBytes int64 = 4_000_000_000_000

// Options control Build.
type Options struct {
	DataDir       string
	FilesPerShard int              // most paths in one shard; DefaultFilesPerShard when 0
	MaxShardBytes int64            // most bytes (sum of its paths' sizes) in one shard; DefaultMaxShardBytes when 0
	Now           func() time.Time // time.Now when nil
	Git           annex.Git        // only Bin (and Env) are used; Dir is set per repository
	Progress      func(string)     // optional: one line per shard written
	// Collection is the collection of the entries that name none
	// (manifest.DefaultCollection when ""). A build updates only the
	// shards of the collections its input names; other collections' shards
	// stay as they are.
	Collection string
	// Description, when not "", becomes Collection's description.
	Description string
}

// Source hands a collection's entries to add, one at a time, so a large
// manifest never has to sit in memory as entries.
type Source func(add func(manifest.Entry) error) error

// Entries is the Source of a slice.
func Entries(entries []manifest.Entry) Source {
	return func(add func(manifest.Entry) error) error {
		for _, e := range entries {
			if err := add(e); err != nil {
				return err
			}
		}
		return nil
	}
}

// Build writes the shards of entries under opts.DataDir and returns the
// catalog; see BuildFrom.
func Build(ctx context.Context, entries []manifest.Entry, opts Options) ([]Info, error) {
	rep, err := BuildFrom(ctx, Entries(entries), opts)
	if err != nil {
		return nil, err
	}
	infos := make([]Info, len(rep.Shards))
	for i, s := range rep.Shards {
		infos[i] = s.Info
	}
	return infos, nil
}

// BuildFrom builds or updates the shards of a collection under
// opts.DataDir: shards/<name>.git, the catalog shards.json, and the index
// (items.json, index/<name>.tsv) that says where every item and file is.
// Items already in a shard stay there; new items go to the last shard while
// it has room, then to new shards. A shard whose files changed gets one
// new commit on each branch.
func BuildFrom(ctx context.Context, src Source, opts Options) (*Report, error) {
	defaults.Positive(&opts.FilesPerShard, DefaultFilesPerShard)
	defaults.Positive(&opts.MaxShardBytes, DefaultMaxShardBytes)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	// git runs inside each repository: paths handed to it must not be
	// relative to ours.
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	opts.DataDir = dataDir
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	unlock, err := lockDataDir(opts.DataDir)
	if err != nil {
		return nil, err
	}
	defer unlock()

	if opts.Collection == "" {
		opts.Collection = manifest.DefaultCollection
	}
	if !manifest.ValidCollection(opts.Collection) {
		return nil, fmt.Errorf("collection %q is not a collection name: %s", opts.Collection, manifest.CollectionNameRule)
	}
	c, err := newCollection(opts.DataDir, opts.Collection)
	if err != nil {
		return nil, err
	}
	defer c.spill.remove()
	if err := src(c.add); err != nil {
		return nil, err
	}
	if c.rows == 0 {
		return nil, errors.New("nothing to build: the collection has no files")
	}
	if err := c.done(); err != nil {
		return nil, err
	}
	if err := c.resolve(); err != nil {
		return nil, err
	}
	b := &builder{opts: opts, c: c, now: opts.Now().UTC()}
	return b.run(ctx)
}

// KeyOf is the git-annex key of an entry: SHA256E when its SHA-256 is known,
// else MD5E (weaker: MD5 collisions can be forged).
func KeyOf(e manifest.Entry) annex.Key {
	if e.SHA256 != "" {
		return annex.NewKey(annex.BackendSHA256E, e.Size, e.SHA256, e.Path)
	}
	return annex.NewKey(annex.BackendMD5E, e.Size, e.MD5, e.Path)
}
