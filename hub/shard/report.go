package shard

import (
	"sort"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/manifest"
)

// Report is what a build did; its JSON is `shardhub build --json`.
type Report struct {
	Shards      []ShardReport       `json:"shards"`
	Files       int                 `json:"files"` // distinct contents (keys) in the collection
	Bytes       int64               `json:"bytes"` // their total size
	Paths       int                 `json:"paths"`
	MD5OnlyKeys int                 `json:"md5_only_keys"`
	Duplicates  []Duplicate         `json:"duplicates"`
	Rejected    []manifest.Rejected `json:"rejected"` // filled in by the caller that read the input
	Warnings    []string            `json:"warnings"`
}

// ShardReport is one shard after the build.
type ShardReport struct {
	Info
	Status      string `json:"status"`       // "new", "updated" or "unchanged"
	Added       int    `json:"added"`        // paths added
	Removed     int    `json:"removed"`      // paths removed
	Changed     int    `json:"changed"`      // paths whose content changed
	URLsChanged int    `json:"urls_changed"` // paths whose URL changed
}

// Shard statuses.
const (
	StatusNew       = "new"
	StatusUpdated   = "updated"
	StatusUnchanged = "unchanged"
)

// Duplicate is content found under several paths: counted (and held by a
// donor) once per shard.
type Duplicate struct {
	Key        annex.Key `json:"key"`
	Paths      []string  `json:"paths"`
	BytesSaved int64     `json:"bytes_saved"` // size × (paths - 1)
}

// resolve reads back the rows whose keys share a hash, counts the
// distinct keys among them and lists the collection's duplicate contents,
// largest saving first.
func (c *collection) resolve() error {
	same := c.sameHash()
	rows := map[int32]*record{}
	for _, list := range same {
		for _, n := range list {
			rows[n] = nil
		}
	}
	if len(rows) > 0 {
		err := eachRow(c.spill.f.Name(), func(n int32, _ int32, r *record) error {
			if _, want := rows[n]; want {
				rows[n] = r
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	c.dups = []Duplicate{}
	for _, list := range same {
		var order []annex.Key
		paths := map[annex.Key][]string{}
		for _, n := range list {
			r := rows[n]
			if _, seen := paths[r.key]; !seen {
				order = append(order, r.key)
			}
			paths[r.key] = append(paths[r.key], r.path)
		}
		for _, k := range order {
			if len(paths[k]) > 1 {
				c.count(k, 1-len(paths[k])) // counted once per row when added
				size, _ := k.Size()
				c.dups = append(c.dups, Duplicate{Key: k, Paths: paths[k], BytesSaved: size * int64(len(paths[k])-1)})
			}
		}
	}
	sort.Slice(c.dups, func(i, j int) bool {
		if c.dups[i].BytesSaved != c.dups[j].BytesSaved {
			return c.dups[i].BytesSaved > c.dups[j].BytesSaved
		}
		return c.dups[i].Key < c.dups[j].Key
	})
	return nil
}
