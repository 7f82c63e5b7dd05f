// Package health says how well each shard is protected: how many of its
// keys have 0, 1, 2, ... donor copies, from what the shard's git-annex
// branch and the donors' pushed branches say.
package health

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/shardkeeper/shardkeeper/annex"
	"github.com/shardkeeper/shardkeeper/hub/shard"
)

// Report is the hub's health; its JSON is a contract (GET /api/v1/health).
type Report struct {
	Shards []ShardHealth `json:"shards"`
	Total  Total         `json:"total"`
}

// ShardHealth is one shard.
type ShardHealth struct {
	Name string `json:"name"`
	Counts
}

// Total sums all shards.
type Total struct {
	Shards int `json:"shards"`
	Counts
}

// Counts are what a shard, or the hub, holds.
type Counts struct {
	Files  int    `json:"files"` // distinct keys
	Bytes  int64  `json:"bytes"`
	Copies Copies `json:"copies"`
	Donors int    `json:"donors"` // donors that have pushed their git-annex branch
}

// Copies[n] is the number of keys with exactly n donor copies (the
// archive's own web copy not counted). It is never empty, so "0" is always
// in the JSON: {"0": 12, "1": 3}.
type Copies []int

// MarshalJSON writes an object keyed by the number of copies, in order.
func (c Copies) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for n, keys := range c.orZero() {
		if n > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%d", strconv.Itoa(n), keys)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Copies) UnmarshalJSON(data []byte) error {
	var m map[string]int
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	*c = Copies{0}
	for k, v := range m {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 {
			return fmt.Errorf("copies: bad number of copies %q", k)
		}
		c.addN(n, v)
	}
	return nil
}

func (c Copies) orZero() Copies {
	if len(c) == 0 {
		return Copies{0}
	}
	return c
}

// addN counts keys more keys that have n copies.
func (c *Copies) addN(n, keys int) {
	for len(*c) <= n {
		*c = append(*c, 0)
	}
	(*c)[n] += keys
}

func (c *Counts) add(o Counts) {
	c.Files += o.Files
	c.Bytes += o.Bytes
	c.Donors += o.Donors
	for n, keys := range o.Copies {
		c.Copies.addN(n, keys)
	}
}

// Compute reports on every shard of the catalog in dataDir. g gives the git
// binary; its Dir is set per shard.
func Compute(ctx context.Context, dataDir string, g annex.Git) (Report, error) {
	infos, err := shard.ReadCatalog(dataDir)
	if err != nil {
		return Report{}, err
	}
	r := Report{Shards: []ShardHealth{}, Total: Total{Shards: len(infos), Counts: Counts{Copies: Copies{0}}}}
	for _, info := range infos {
		g.Dir = shard.RepoDir(dataDir, info.Name)
		c, err := shardCounts(ctx, g)
		if err != nil {
			return Report{}, fmt.Errorf("health of %s: %w", info.Name, err)
		}
		r.Shards = append(r.Shards, ShardHealth{Name: info.Name, Counts: c})
		r.Total.add(c)
	}
	return r, nil
}

// shardCounts merges the shard's git-annex branch with every donor's pushed
// refs/heads/donors/<uuid>/git-annex, as git-annex itself would. The keys
// of the shard are those the archive registered on the web: a donor's ref
// cannot add keys to the count.
func shardCounts(ctx context.Context, g annex.Git) (Counts, error) {
	refs, err := g.Refs(ctx, "refs/heads/", "/git-annex") // includes refs/heads/git-annex itself
	if err != nil {
		return Counts{}, err
	}
	loc, err := annex.ReadLocations(ctx, g, refs...)
	if err != nil {
		return Counts{}, err
	}
	c := Counts{Copies: Copies{0}, Donors: len(refs)}
	for _, r := range refs {
		if r == annex.BranchRef {
			c.Donors--
		}
	}
	for k, lines := range loc.Logs {
		if !onWeb(lines) {
			continue
		}
		size, _ := k.Size()
		c.Files++
		c.Bytes += size
		c.Copies.addN(loc.DonorCopies(k), 1)
	}
	return c, nil
}

// onWeb reports whether the archive registered the key (a web line, whatever
// its status: the archive losing a file does not remove it from the shard).
func onWeb(lines []annex.LogLine) bool {
	for _, l := range lines {
		if l.Value == annex.WebUUID {
			return true
		}
	}
	return false
}
