package shard

import (
	"fmt"

	"github.com/dustin/go-humanize"
)

// plan is one shard's content after this build.
type plan struct {
	name   string
	coll   string // its collection
	keep   bool   // another collection's shard, left as it is
	exists bool   // in the catalog before this build
	info   Info   // its catalog entry, when it exists
	items  []int32
	files  int   // paths
	bytes  int64 // sum of the paths' sizes
}

func (p *plan) add(c *collection, idx int32) {
	p.items = append(p.items, idx)
	p.files += c.items[idx].files
	p.bytes += c.items[idx].bytes
}

// fits reports whether an item can join p without passing a limit.
func (b *builder) fits(p *plan, it *item) bool {
	return p.files+it.files <= b.opts.FilesPerShard && p.bytes+it.bytes <= b.opts.MaxShardBytes
}

// place puts every item in a shard. Items the index knows stay in their
// shard; new items fill the last shard while they fit (never split), then
// open new shards, in the order they first appear in the input. catalog is
// the shards that exist, in order.
func (b *builder) place(catalog []Info, itemShard map[string]string) []*plan {
	var plans []*plan
	byName := map[string]*plan{}
	lastOf := map[string]*plan{} // per collection, the shard new items go to
	for _, info := range catalog {
		p := &plan{name: info.Name, coll: info.Collection, keep: !b.c.colls[info.Collection], exists: true, info: info}
		plans = append(plans, p)
		byName[info.Name] = p
		lastOf[p.coll] = p
	}
	var fresh []int32
	for i, it := range b.c.items {
		if p, ok := byName[itemShard[it.name]]; ok && p.coll == it.coll {
			p.add(b.c, int32(i))
		} else {
			fresh = append(fresh, int32(i))
		}
	}
	for _, i := range fresh {
		it := b.c.items[i]
		last := lastOf[it.coll]
		// A shard opened by this build takes its first item whatever its
		// size; any other shard only what fits.
		if last == nil || (!b.fits(last, it) && (last.exists || last.files > 0)) {
			last = &plan{name: b.newName(byName), coll: it.coll}
			plans = append(plans, last)
			byName[last.name] = last
			lastOf[it.coll] = last
		}
		if !b.fits(last, it) {
			b.warnf("item %q (%s files, %s) is bigger than a shard (%s files, %s): it has %s to itself",
				itemName(it.name), humanize.Comma(int64(it.files)), humanize.Bytes(uint64(it.bytes)),
				humanize.Comma(int64(b.opts.FilesPerShard)), humanize.Bytes(uint64(b.opts.MaxShardBytes)), last.name)
		}
		last.add(b.c, i)
		itemShard[it.name] = last.name
	}
	for _, p := range plans {
		if p.keep {
			continue
		}
		over := p.files > b.opts.FilesPerShard || p.bytes > b.opts.MaxShardBytes
		grew := p.files > p.info.Paths || p.bytes > p.info.Bytes
		if p.exists && over && grew {
			b.warnf("%s grew past the shard limits (%s files, %s): items never move to another shard",
				p.name, humanize.Comma(int64(p.files)), humanize.Bytes(uint64(p.bytes)))
		}
		if p.exists && p.files == 0 {
			b.warnf("%s has no files left: every file it held was removed from the input", p.name)
		}
	}
	return plans
}

// newName is the next free shard name.
func (b *builder) newName(taken map[string]*plan) string {
	for n := len(taken) + 1; ; n++ {
		name := fmt.Sprintf("shard-%04d", n)
		if _, ok := taken[name]; !ok {
			return name
		}
	}
}
