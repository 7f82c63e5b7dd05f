// Package plan is the one place that decides what a donor fetches and in
// what order: the rarest files first, then a per-donor pseudo-random order
// (MakePlanFrom), keeping that order while downloads run (AdmitFirst), and
// leaving out files that failed recently (Failures).
package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"sort"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Candidate is a file this donor could fetch.
type Candidate struct {
	Key     annex.Key
	Size    int64
	Copies  int  // donor copies today
	Partial bool // a partial download is on disk: resume it first
}

// Plan is what one fill batch will fetch, and why it stops there.
type Plan struct {
	Fetch        []Candidate
	FetchBytes   int64
	Wanted       int   // files needing copies that this donor does not hold
	SmallestLeft int64 // smallest wanted file that did not fit (0: none)
}

// PlanInput is what a plan is made from.
type PlanInput struct {
	Loc    *annex.Locations
	Donor  string
	Held   map[annex.Key]bool
	Target int
	Room   int64
	// Partial is the disk usage of partial downloads, by key.
	Partial map[annex.Key]int64
	// Exclude says a key must not be fetched now (failing, released).
	Exclude func(annex.Key) bool
	// Cost is the room a download of size bytes needs (default: size).
	Cost func(size int64) int64
}

// MakePlan picks files to fetch: those with fewer than target donor copies
// that this donor lacks, rarest first, and among equally rare files in an
// order that differs per donor, so donors starting together spread out. It
// takes files in that order while they fit in room bytes.
func MakePlan(loc *annex.Locations, donor string, held map[annex.Key]int64, target int, room int64) Plan {
	h := make(map[annex.Key]bool, len(held))
	for k := range held {
		h[k] = true
	}
	return MakePlanFrom(PlanInput{Loc: loc, Donor: donor, Held: h, Target: target, Room: room})
}

// MakePlanFrom is MakePlan with everything a running agent knows: partial
// downloads come first (their bytes are already here), excluded keys not
// at all, and each file costs what it will really take on disk.
func MakePlanFrom(in PlanInput) Plan {
	cost := in.Cost
	if cost == nil {
		cost = func(size int64) int64 { return size }
	}
	var cands []Candidate
	for k := range in.Loc.Logs {
		if in.Held[k] || (in.Exclude != nil && in.Exclude(k)) {
			continue
		}
		copies := in.Loc.Copies(k, in.Donor) // a line of ours is stale: we do not hold it
		if copies >= in.Target {
			continue
		}
		size, ok := k.Size()
		if !ok {
			continue // keys without a size cannot be budgeted
		}
		_, partial := in.Partial[k]
		cands = append(cands, Candidate{Key: k, Size: size, Copies: copies, Partial: partial})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Partial != cands[j].Partial {
			return cands[i].Partial
		}
		if cands[i].Copies != cands[j].Copies {
			return cands[i].Copies < cands[j].Copies
		}
		hi, hj := donorOrder(in.Donor, cands[i].Key), donorOrder(in.Donor, cands[j].Key)
		if hi != hj {
			return hi < hj
		}
		return cands[i].Key < cands[j].Key
	})
	p := Plan{Wanted: len(cands)}
	for _, c := range cands {
		need := max(cost(c.Size)-in.Partial[c.Key], 0)
		if need <= in.Room-p.FetchBytes {
			p.Fetch = append(p.Fetch, c)
			p.FetchBytes += need
		} else if p.SmallestLeft == 0 || c.Size < p.SmallestLeft {
			p.SmallestLeft = c.Size
		}
	}
	return p
}

// donorOrder is a per-donor pseudo-random rank of a key.
func donorOrder(donor string, k annex.Key) uint64 {
	sum := sha256.Sum256([]byte(donor + "\x00" + string(k)))
	return binary.BigEndian.Uint64(sum[:8])
}

// Admitter reserves room for a download (the budget ledger).
type Admitter interface {
	Admit(ref ledger.Ref, size int64) bool
}

// AdmitFirst reserves room for the first candidate in the queue and
// returns its index, or -1. While downloads are in flight it waits for the
// head of the queue (the rarest): their reservations shrink to real usage
// as they finish, and jumping ahead would spend that room on commoner
// files. Only when nothing is in flight may it pass over a file that does
// not fit.
func AdmitFirst(l Admitter, shard string, queue []Candidate, settled bool) int {
	for i, c := range queue {
		if l.Admit(ledger.Ref{Shard: shard, Key: c.Key}, c.Size) {
			return i
		}
		if !settled {
			break
		}
	}
	return -1
}
