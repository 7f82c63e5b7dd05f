package shard

import (
	"cmp"
	"hash/maphash"
	"slices"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// record is one file of the collection. Records live in the spill file;
// only one shard's are in memory at a time.
type record struct {
	path string
	url  string
	key  annex.Key
}

// item is a group of files that always share a shard.
type item struct {
	name  string // itemKey of its collection and its name
	coll  string
	files int   // paths
	bytes int64 // sum of its paths' sizes
}

// collection is the whole input, grouped by item, with what the report
// needs about its content. Per file it keeps only a hash of its key in
// memory (to find duplicate contents); the rows are in spill.
type collection struct {
	spill  *spillWriter
	rows   int
	items  []*item // in order of first appearance
	byItem map[string]int32
	colls  map[string]bool // the collections the input names
	def    string          // the collection of an entry that names none
	seed   maphash.Seed
	hashes []uint64    // per row, the hash of its key; nil once resolved
	keys   int         // distinct keys (every row counts until resolve)
	size   int64       // their bytes
	md5    int         // distinct MD5-only keys
	dups   []Duplicate // filled in by resolve
}

// newCollection spills its rows to a temporary file in dir; def is the
// collection of an entry that names none.
func newCollection(dir, def string) (*collection, error) {
	s, err := newSpill(dir, ".build-rows-*", 256<<10)
	if err != nil {
		return nil, err
	}
	return &collection{spill: s, byItem: map[string]int32{}, seed: maphash.MakeSeed(),
		colls: map[string]bool{}, def: def}, nil
}

// add takes one entry and appends it to the spill file.
func (c *collection) add(e manifest.Entry) error {
	p := e.Path
	name := e.Item
	if name == "" {
		name = manifest.ItemOf(p, 1)
	}
	coll := e.Collection
	if coll == "" {
		coll = c.def
	}
	c.colls[coll] = true
	key := itemKey(coll, name)
	idx, ok := c.byItem[key]
	if !ok {
		idx = int32(len(c.items))
		c.items = append(c.items, &item{name: key, coll: coll})
		c.byItem[key] = idx
	}
	k := KeyOf(e)
	c.rows++
	c.spill.put(idx, &record{path: p, url: e.URL, key: k})
	it := c.items[idx]
	it.files++
	it.bytes += e.Size
	c.hashes = append(c.hashes, maphash.String(c.seed, string(k)))
	c.count(k, 1)
	return nil
}

// count adds n (1 or -1) copies of k to the distinct keys.
func (c *collection) count(k annex.Key, n int) {
	size, _ := k.Size()
	c.keys += n
	c.size += int64(n) * size
	if k.Backend() == annex.BackendMD5E {
		c.md5 += n
	}
}

// done flushes the spill file and frees what only adding needed.
func (c *collection) done() error {
	c.byItem = nil
	return c.spill.finish()
}

// sameHash groups the rows whose keys share a hash (the candidates for
// duplicate contents), each group in row order, and frees the hashes.
func (c *collection) sameHash() [][]int32 {
	order := make([]int32, len(c.hashes))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if d := cmp.Compare(c.hashes[a], c.hashes[b]); d != 0 {
			return d
		}
		return cmp.Compare(a, b)
	})
	var groups [][]int32
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && c.hashes[order[j]] == c.hashes[order[i]] {
			j++
		}
		if j-i > 1 {
			groups = append(groups, slices.Clone(order[i:j]))
		}
		i = j
	}
	c.hashes = nil
	return groups
}
