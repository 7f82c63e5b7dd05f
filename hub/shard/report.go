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

// duplicates lists the collection's duplicate contents, largest saving
// first.
func (c *collection) duplicates() []Duplicate {
	out := make([]Duplicate, 0, len(c.dups))
	for k, recs := range c.dups {
		size, _ := k.Size()
		d := Duplicate{Key: k, BytesSaved: size * int64(len(recs)-1)}
		for _, r := range recs {
			d.Paths = append(d.Paths, c.recs[r].path)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].BytesSaved != out[j].BytesSaved {
			return out[i].BytesSaved > out[j].BytesSaved
		}
		return out[i].Key < out[j].Key
	})
	return out
}
