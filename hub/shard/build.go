// Package shard cuts a collection into shards: bare git-annex repositories
// whose main branch holds one annexed symlink per file and whose git-annex
// branch says the content is on the web at the archive's URLs. The
// repositories are written directly with git fast-import, which takes
// seconds where git-annex fromkey/registerurl takes minutes.
package shard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// DefaultFilesPerShard keeps a shard at a size git-annex handles well on a
// donor's machine.
const DefaultFilesPerShard = 100000

// Options control Build.
type Options struct {
	DataDir       string
	FilesPerShard int              // entries per shard; DefaultFilesPerShard when 0
	Now           func() time.Time // time.Now when nil
	Git           annex.Git        // only Bin (and Env) are used; Dir is set per repository
	Progress      func(string)     // optional: one line per finished shard
}

// ErrExists is returned when the data directory already has shards.
var ErrExists = errors.New("already has shards")

// Build writes the shards of entries under opts.DataDir (shards/<name>.git
// and shards.json) and returns the catalog. Shards are consecutive groups of
// at most FilesPerShard entries, in manifest order. The repositories are
// built in a temporary directory and moved into place at the end, so a
// failed build leaves nothing behind.
func Build(ctx context.Context, entries []manifest.Entry, opts Options) ([]Info, error) {
	if opts.FilesPerShard <= 0 {
		opts.FilesPerShard = DefaultFilesPerShard
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(entries) == 0 {
		return nil, errors.New("nothing to build: the collection has no files")
	}
	if err := checkFresh(opts.DataDir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	tmp, err := os.MkdirTemp(opts.DataDir, ".shards-building-")
	if err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	defer os.RemoveAll(tmp) // nothing left once renamed into place

	now := opts.Now().UTC()
	var infos []Info
	for i := 0; i*opts.FilesPerShard < len(entries); i++ {
		group := entries[i*opts.FilesPerShard : min((i+1)*opts.FilesPerShard, len(entries))]
		name := fmt.Sprintf("shard-%04d", i+1)
		info, err := buildRepo(ctx, opts.Git, RepoDir(tmp, name), name, group, now)
		if err != nil {
			return nil, fmt.Errorf("build %s: %w", name, err)
		}
		infos = append(infos, info)
		if opts.Progress != nil {
			opts.Progress(fmt.Sprintf("built %s: %d files, %d paths", name, info.Files, info.Paths))
		}
	}
	if err := os.Rename(Dir(tmp), Dir(opts.DataDir)); err != nil {
		return nil, fmt.Errorf("move shards into place: %w", err)
	}
	if err := writeCatalog(opts.DataDir, infos); err != nil {
		return nil, err
	}
	return infos, nil
}

// checkFresh refuses a data directory that already has shards: rebuilding
// in place needs the incremental build that is still to come.
func checkFresh(dataDir string) error {
	for _, p := range []string{CatalogPath(dataDir), Dir(dataDir)} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%s %w: building into it again is not supported yet, use a fresh output directory (--out)", dataDir, ErrExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("check data directory: %w", err)
		}
	}
	return nil
}

// buildRepo creates one bare shard repository at dir.
func buildRepo(ctx context.Context, g annex.Git, dir, name string, entries []manifest.Entry, now time.Time) (Info, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Info{}, err
	}
	g.Dir = dir
	if _, err := g.Output(ctx, nil, "init", "--quiet", "--bare", "--initial-branch=main"); err != nil {
		return Info{}, err
	}
	// Donors push to this repository: check what they send.
	if _, err := g.Output(ctx, nil, "config", "receive.fsckObjects", "true"); err != nil {
		return Info{}, err
	}
	c := collect(entries)
	if err := fastImport(ctx, g, name, c, now); err != nil {
		return Info{}, err
	}
	if err := installHook(dir); err != nil {
		return Info{}, err
	}
	info := Info{Name: name, Files: len(c.keys), Keys: len(c.keys), Paths: len(c.paths), Created: now}
	for _, k := range c.keys {
		size, _ := k.key.Size()
		info.Bytes += size
		if k.key.Backend() == annex.BackendMD5E {
			info.MD5OnlyKeys++
		}
	}
	return info, nil
}

// KeyOf is the git-annex key of an entry: SHA256E when its SHA-256 is known,
// else MD5E (weaker: MD5 collisions can be forged).
func KeyOf(e manifest.Entry) annex.Key {
	if e.SHA256 != "" {
		return annex.NewKey(annex.BackendSHA256E, e.Size, e.SHA256, e.Path)
	}
	return annex.NewKey(annex.BackendMD5E, e.Size, e.MD5, e.Path)
}

// content is one distinct key and every URL the archive serves it at.
type content struct {
	key  annex.Key
	urls []string
}

// pathKey is one file of the main branch.
type pathKey struct {
	path string
	key  annex.Key
}

type collection struct {
	paths []pathKey
	keys  []*content // in first-seen order, for a deterministic stream
}

// collect keys the entries; the same content under several paths is one
// key with all its URLs.
func collect(entries []manifest.Entry) collection {
	var c collection
	byKey := map[annex.Key]*content{}
	for _, e := range entries {
		k := KeyOf(e)
		c.paths = append(c.paths, pathKey{e.Path, k})
		ct, ok := byKey[k]
		if !ok {
			ct = &content{key: k}
			byKey[k] = ct
			c.keys = append(c.keys, ct)
		}
		if !slices.Contains(ct.urls, e.URL) {
			ct.urls = append(ct.urls, e.URL)
		}
	}
	return c
}
