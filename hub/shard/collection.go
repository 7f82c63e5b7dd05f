package shard

import (
	"strings"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// record is one file of the collection, kept small: a million of them must
// fit in memory.
type record struct {
	path string
	url  string
	key  annex.Key
	item int32 // index into collection.items
}

// item is a group of files that always share a shard.
type item struct {
	name  string // itemKey of its collection and its name
	coll  string
	recs  []int32
	bytes int64 // sum of its paths' sizes
}

// collection is the whole input, grouped by item, with what the report
// needs about its content.
type collection struct {
	recs   []record
	items  []*item // in order of first appearance
	byItem map[string]int32
	colls  map[string]bool       // the collections the input names
	def    string                // the collection of an entry that names none
	first  map[annex.Key]int32   // key -> its first record; nil once done
	dups   map[annex.Key][]int32 // key -> every record, for keys under several paths
	keys   int                   // distinct keys
	size   int64                 // their bytes
	md5    int                   // distinct MD5-only keys
}

func newCollection(def string) *collection {
	return &collection{byItem: map[string]int32{}, first: map[annex.Key]int32{}, dups: map[annex.Key][]int32{},
		colls: map[string]bool{}, def: def}
}

// add takes one entry, keeping its path and URL strings as they are (see
// manifest.Entry): a million of them must fit in memory.
func (c *collection) add(e manifest.Entry) error {
	p := e.Path
	name := e.Item
	if name == "" {
		name = manifest.ItemOf(p, 1)
	} else if strings.HasPrefix(p, name) {
		name = p[:len(name)] // no copy of its own
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
	n := int32(len(c.recs))
	c.recs = append(c.recs, record{path: p, url: e.URL, key: k, item: idx})
	it := c.items[idx]
	it.recs = append(it.recs, n)
	it.bytes += e.Size

	if prev, seen := c.first[k]; seen {
		if c.dups[k] == nil {
			c.dups[k] = []int32{prev}
		}
		c.dups[k] = append(c.dups[k], n)
		c.recs[n].key = c.recs[prev].key // one copy of the key string
		return nil
	}
	c.first[k] = n
	c.keys++
	c.size += e.Size
	if k.Backend() == annex.BackendMD5E {
		c.md5++
	}
	return nil
}

// done frees what only adding needed.
func (c *collection) done() { c.first, c.byItem = nil, nil }
