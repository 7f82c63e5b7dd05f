// Package health says how well each shard is protected: how many of its
// files have 0, 1, 2, ... donor copies, how recently those copies were
// verified, and which files are most at risk. It reads the shards'
// git-annex branches and the donors' pushed branches itself (never running
// git-annex per key), keeps the merged view in a database (the hub's
// SQLite, see store.HealthState) so a restart reads nothing again, and
// after a push reads only the files that push changed.
package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Report is the hub's health; its JSON is a contract (GET /api/v1/health,
// shardhub health --json): fields may be added, never renamed.
type Report struct {
	GeneratedAt  time.Time     `json:"generated_at"`
	TargetCopies int           `json:"target_copies"`
	ExpiryDays   int           `json:"expiry_days"`
	Shards       []ShardHealth `json:"shards"`
	Total        Total         `json:"total"`
	// TopDonors are the donors holding the most bytes that count as
	// copies; a donor's name shows only when it opted in (show_on_board).
	TopDonors []TopDonor `json:"top_donors"`
	// Donors is every registered donor's standing (proofs of storage,
	// expiry, leaving); empty without a registry.
	Donors []DonorStanding `json:"donors"`
	// Collections sums the shards of each collection, ranked by need (see
	// RankCollections).
	Collections []CollectionHealth `json:"collections"`
	// FilesTooLarge are files no registered donor could hold (see
	// TooLarge), each with its path.
	FilesTooLarge []TooLarge `json:"files_too_large"`
	// Hosts are the hub hosts sharing the database (several hub hosts,
	// issue 15); absent for a hub of one host.
	Hosts []HostHealth `json:"hosts,omitempty"`
}

// HostHealth is one hub host.
type HostHealth struct {
	Name          string    `json:"name"`
	URL           string    `json:"url"`
	LastHeartbeat time.Time `json:"last_heartbeat"`
	// Reachable is false when the host's heartbeat is stale: its shards'
	// repositories cannot be fetched or pushed to until it returns.
	Reachable bool `json:"reachable"`
	Shards    int  `json:"shards"` // placed on the host
}

// ShardHealth is one shard.
type ShardHealth struct {
	Name       string `json:"name"`
	Collection string `json:"collection"`
	// Host serves the shard's repository and Reachable is false while
	// that host is away (its heartbeat stale; the counts are as it last
	// recorded them). Both are absent for a hub of one host.
	Host      string `json:"host,omitempty"`
	Reachable *bool  `json:"reachable,omitempty"`
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

	// ByCopies buckets files and bytes by donor copies: 0, 1, ...,
	// target-1, and "target+" (with the default target: 0, 1, 2, 3+).
	ByCopies []Bucket `json:"by_copies"`
	// Verified30d counts files with at least one donor copy verified (a
	// present line stated or re-stated) within the last 30 days.
	Verified30d int `json:"verified_30d"`
	// Unverified30d counts files that have donor copies, none of them
	// verified within the last 30 days.
	Unverified30d int `json:"unverified_30d"`
	// LackingCopies is how many more donor copies the files need to reach
	// the target: the sum over files of target minus copies, when positive.
	LackingCopies int64 `json:"lacking_copies"`
	// BytesLackingCopies is the bytes donors still have to store for the
	// files to reach the target: the sum over files of size times the
	// copies lacking.
	BytesLackingCopies int64 `json:"bytes_lacking_copies"`
	// CopiesByRegion sums counted copies per donor region (group.log's
	// region-* group, else the region given at registration; "unknown"
	// when neither says).
	CopiesByRegion map[string]int `json:"copies_by_region"`
	// DonorsActive and DonorsExpired count registered donors (holding the
	// shard, for a shard) heard from within the expiry, or not.
	DonorsActive  int `json:"donors_active"`
	DonorsExpired int `json:"donors_expired"`
	// DonorsFailingProofs counts registered donors that failed
	// store.MaxProofFailures proofs of storage in a row: their copies do
	// not count until they pass one.
	DonorsFailingProofs int `json:"donors_failing_proofs"`
}

// Bucket is the files and bytes at one number of copies.
type Bucket struct {
	Copies string `json:"copies"` // "0", "1", ... or "3+"
	Files  int    `json:"files"`
	Bytes  int64  `json:"bytes"`
}

// TopDonor is one line of the board.
type TopDonor struct {
	Name  string `json:"name"` // "anonymous" unless the donor opted in
	Files int    `json:"files"`
	Bytes int64  `json:"bytes"`
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

func newCounts(target int) Counts {
	c := Counts{Copies: Copies{0}, CopiesByRegion: map[string]int{}}
	for n := 0; n <= target; n++ {
		label := strconv.Itoa(n)
		if n == target {
			label += "+"
		}
		c.ByCopies = append(c.ByCopies, Bucket{Copies: label})
	}
	return c
}

// addFile counts one file of size bytes with n donor copies.
func (c *Counts) addFile(size int64, n, target int) {
	c.Files++
	c.Bytes += size
	c.Copies.addN(n, 1)
	b := &c.ByCopies[min(n, target)]
	b.Files++
	b.Bytes += size
	if n < target {
		c.LackingCopies += int64(target - n)
		c.BytesLackingCopies += int64(target-n) * size
	}
}

// addUncopied counts files with no donor copy, bytes in all.
func (c *Counts) addUncopied(files int, bytes int64, target int) {
	if files <= 0 {
		return
	}
	c.Files += files
	c.Bytes += bytes
	c.Copies.addN(0, files)
	c.ByCopies[0].Files += files
	c.ByCopies[0].Bytes += bytes
	c.LackingCopies += int64(target) * int64(files)
	c.BytesLackingCopies += int64(target) * bytes
}

// add sums o into c; the donor counts are the caller's (a donor may hold
// several shards).
func (c *Counts) add(o Counts) {
	c.Files += o.Files
	c.Bytes += o.Bytes
	c.Donors += o.Donors
	for n, keys := range o.Copies {
		c.Copies.addN(n, keys)
	}
	for i := range o.ByCopies {
		c.ByCopies[i].Files += o.ByCopies[i].Files
		c.ByCopies[i].Bytes += o.ByCopies[i].Bytes
	}
	c.Verified30d += o.Verified30d
	c.Unverified30d += o.Unverified30d
	c.LackingCopies += o.LackingCopies
	c.BytesLackingCopies += o.BytesLackingCopies
	for r, n := range o.CopiesByRegion {
		c.CopiesByRegion[r] += n
	}
}
