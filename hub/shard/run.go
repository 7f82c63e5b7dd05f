package shard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// builder is one build: the input, the options and what it has to say.
type builder struct {
	opts     Options
	c        *collection
	now      time.Time
	warnings []string
}

func (b *builder) warnf(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func (b *builder) progress(format string, args ...any) {
	if b.opts.Progress != nil {
		b.opts.Progress(fmt.Sprintf(format, args...))
	}
}

// run places the items, writes every shard that changed, then the index
// and the catalog. When a shard fails, what was written before it is
// still recorded, so the next build carries on from there.
func (b *builder) run(ctx context.Context) (*Report, error) {
	data := b.opts.DataDir
	catalog, err := ReadCatalog(data)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	itemShard, haveItems, err := readItems(data)
	if err != nil {
		return nil, err
	}
	itemShard = keyItems(itemShard, catalog)
	if len(catalog) > 0 && !haveItems {
		if err := b.recoverItems(ctx, catalog, itemShard); err != nil {
			return nil, err
		}
	}
	plans := b.place(catalog, itemShard)
	if err := os.MkdirAll(Dir(data), 0o755); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	rows, err := split(b.c, data, plans)
	defer removeAll(rows)
	if err != nil {
		return nil, err
	}
	b.c.spill.remove() // every row is in its shard's file now

	rep := &Report{Shards: []ShardReport{}, Duplicates: []Duplicate{}}
	written := map[string]Info{}
	save := func() error {
		if len(written) == 0 && len(catalog) == 0 {
			return nil // nothing built, nothing to record
		}
		var infos []Info
		for _, p := range plans {
			if info, ok := written[p.name]; ok {
				infos = append(infos, info)
			} else if p.exists {
				infos = append(infos, p.info)
			}
		}
		if err := writeItems(data, unkeyItems(itemShard)); err != nil {
			return err
		}
		if err := b.saveCollections(infos); err != nil {
			return err
		}
		return writeCatalog(data, infos)
	}
	for i, p := range plans {
		if p.keep {
			continue // another collection's shard: this build leaves it alone
		}
		if err := ctx.Err(); err != nil {
			save()
			return nil, err
		}
		sr, err := b.write(ctx, p, rows[i])
		removeAll(rows[i : i+1])
		if err != nil {
			save()
			return nil, fmt.Errorf("build %s: %w", p.name, err)
		}
		written[p.name] = sr.Info
		rep.Shards = append(rep.Shards, sr)
	}
	if err := save(); err != nil {
		return nil, err
	}

	rep.Files, rep.Bytes, rep.Paths, rep.MD5OnlyKeys = b.c.keys, b.c.size, b.c.rows, b.c.md5
	rep.Duplicates = b.c.dups
	rep.Rejected = []manifest.Rejected{}
	rep.Warnings = append([]string{}, b.warnings...)
	return rep, nil
}

// recoverItems fills the item index of a data directory built before there
// was one: an item goes where its files already are.
func (b *builder) recoverItems(ctx context.Context, catalog []Info, itemShard map[string]string) error {
	pathShard := map[string]string{}
	for _, info := range catalog {
		old, err := b.readOld(ctx, info.Name)
		if err != nil {
			return fmt.Errorf("read %s: %w", info.Name, err)
		}
		for p := range old.files {
			pathShard[p] = info.Name
		}
	}
	return eachRow(b.c.spill.f.Name(), func(_ int32, item int32, r *record) error {
		name := b.c.items[item].name
		if s, ok := pathShard[r.path]; ok && itemShard[name] == "" {
			itemShard[name] = s
		}
		return nil
	})
}

// removeAll deletes the spill files named ("" is none).
func removeAll(names []string) {
	for _, n := range names {
		if n != "" {
			os.Remove(n)
		}
	}
}
