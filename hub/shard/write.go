package shard

import (
	"context"
	"slices"
	"sort"

	"github.com/dustin/go-humanize"
	"github.com/shardkeeper/shardkeeper/annex"
)

// content is a shard's files after this build, sorted by path, and the URLs
// of each of its keys.
type content struct {
	recs []*record
	urls map[annex.Key][]string
	keys []annex.Key // distinct, in path order
}

func (b *builder) contentOf(p *plan, rows string) (content, error) {
	ct := content{urls: map[annex.Key][]string{}}
	if rows != "" {
		err := eachRow(rows, func(_ int32, _ int32, r *record) error {
			ct.recs = append(ct.recs, r)
			return nil
		})
		if err != nil {
			return ct, err
		}
	}
	sort.Slice(ct.recs, func(i, j int) bool { return ct.recs[i].path < ct.recs[j].path })
	for _, r := range ct.recs {
		list, seen := ct.urls[r.key]
		if !seen {
			ct.keys = append(ct.keys, r.key)
		}
		if !slices.Contains(list, r.url) {
			ct.urls[r.key] = append(list, r.url)
		}
	}
	return ct, nil
}

// info is the catalog entry of a shard holding ct.
func (b *builder) info(p *plan, ct content) Info {
	info := Info{Name: p.name, Collection: p.coll, Keys: len(ct.keys), Files: len(ct.keys), Paths: len(ct.recs), Items: len(p.items), Created: b.now}
	for _, k := range ct.keys {
		size, _ := k.Size()
		info.Bytes += size
		if k.Backend() == annex.BackendMD5E {
			info.MD5OnlyKeys++
		}
	}
	if p.exists {
		info.Created, info.Updated = p.info.Created, p.info.Updated
	}
	return info
}

// write creates or updates one shard's repository and its file list from
// rows, the spill file of its files ("" for none).
func (b *builder) write(ctx context.Context, p *plan, rows string) (ShardReport, error) {
	ct, err := b.contentOf(p, rows)
	if err != nil {
		return ShardReport{}, err
	}
	sr := ShardReport{Info: b.info(p, ct)}
	if !p.exists {
		sr.Status, sr.Added = StatusNew, len(ct.recs)
		if err := b.create(ctx, p.name, ct); err != nil {
			return sr, err
		}
		b.progress("built %s: %s files, %s paths, %s", p.name, humanize.Comma(int64(sr.Files)), humanize.Comma(int64(sr.Paths)), humanize.Bytes(uint64(sr.Bytes)))
		return sr, writeIndex(b.opts.DataDir, p.name, ct.recs)
	}

	old, err := b.readOld(ctx, p.name)
	if err != nil {
		return sr, err
	}
	d := diff(old, ct)
	sr.Added, sr.Removed, sr.Changed, sr.URLsChanged = d.added, len(d.remove), d.changed, d.urlsChanged
	if len(d.write) == 0 && len(d.remove) == 0 && len(d.logKeys) == 0 {
		sr.Status = StatusUnchanged
		return sr, writeIndex(b.opts.DataDir, p.name, ct.recs)
	}
	sr.Status, sr.Updated = StatusUpdated, b.now
	if err := b.update(ctx, p.name, ct, d); err != nil {
		return sr, err
	}
	b.progress("updated %s: %d added, %d removed, %d changed, %d URLs changed", p.name, sr.Added, sr.Removed, sr.Changed, sr.URLsChanged)
	return sr, writeIndex(b.opts.DataDir, p.name, ct.recs)
}

// readOld is what a shard held before this build: its file list, or its
// repository when the list is missing.
func (b *builder) readOld(ctx context.Context, name string) (oldShard, error) {
	old, ok, err := readIndex(b.opts.DataDir, name)
	if err != nil || ok {
		return old, err
	}
	g := b.opts.Git
	g.Dir = RepoDir(b.opts.DataDir, name)
	return readRepo(ctx, g)
}

// both runs a and b at the same time (each branch has its own fast-import,
// and there are two cores to use) and returns the first error.
func both(a, b func() error) error {
	errs := make(chan error, 1)
	go func() { errs <- b() }()
	errA := a()
	if errB := <-errs; errA == nil {
		return errB
	}
	return errA
}
