// Package plan is the one place that decides what a donor fetches and in
// what order: the rarest files first, then a per-donor pseudo-random order
// (MakePlanFrom), keeping that order while downloads run (AdmitFirst), and
// leaving out files that failed recently (Failures).
package plan

import (
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/shardkeeper/shardkeeper/agent/ledger"
	"github.com/shardkeeper/shardkeeper/annex"
)

// Candidate is a file this donor could fetch.
type Candidate struct {
	Key     annex.Key
	Size    int64
	Copies  int  // donor copies today
	Partial bool // a partial download is on disk: resume it first
	// InRegion is how many of those copies are in the donor's region.
	InRegion int
	rank     uint64 // donorOrder, while planning
}

// Plan is what one fill batch will fetch, and why it stops there.
type Plan struct {
	Fetch        []Candidate
	FetchBytes   int64
	Wanted       int   // files needing copies that this donor does not hold
	SmallestLeft int64 // smallest wanted file that did not fit (0: none)
	// Elsewhere is how many files needing copies wait for a donor in
	// another region (this donor's region has its share of them).
	Elsewhere int
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
	// Places spreads copies over regions (nil: no regions).
	Places *Places
	// MaxFileBytes is the donor's large-file opt-in: it holds single
	// files up to this size and takes the largest first (0: no opt-in).
	MaxFileBytes int64
	// Current says whether a key is in the shard's current tree; a file
	// the archive removed or changed is not fetched (nil: every key is).
	Current func(annex.Key) bool
	// Limit, above 0, stops the plan at this many files: Fetch is then
	// the first Limit files of the whole plan's Fetch, found without
	// sorting every candidate (BatchLimit is what a batch can use), and
	// SmallestLeft counts only the files looked at before the limit.
	Limit int
}

// MakePlan picks files to fetch: those with fewer than target donor copies
// that this donor lacks, rarest first, then those without a copy in the
// donor's region, then (for a donor that opted in to large files) the
// largest, and otherwise in an order that differs per donor, so donors
// starting together spread out. It takes files in that order while they
// fit in room bytes: a file too big for the room never blocks smaller ones.
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
//
// Each candidate's place in the order is computed once (no string or hash
// work in the comparator). With in.Limit set only the files the plan takes
// are put in order (a heap), otherwise all of them are sorted; either way
// Fetch is the same list (TestSelectionIsTheFullSortsOrder).
func MakePlanFrom(in PlanInput) Plan {
	cost := in.Cost
	if cost == nil {
		cost = func(size int64) int64 { return size }
	}
	s := scratchPool.Get().(*scratch)
	defer s.put()
	elsewhere := s.collect(in)
	p := Plan{Wanted: len(s.cands), Elsewhere: elsewhere}
	take := func(e entry) {
		c := &s.cands[e.i]
		need := max(cost(c.Size)-in.Partial[c.Key], 0)
		if need <= in.Room-p.FetchBytes {
			s.picked = append(s.picked, e.i)
			p.FetchBytes += need
		} else if p.SmallestLeft == 0 || c.Size < p.SmallestLeft {
			p.SmallestLeft = c.Size
		}
	}
	if in.Limit <= 0 {
		slices.SortFunc(s.order, s.compare)
		for _, e := range s.order {
			take(e)
		}
	} else {
		h := heapOf{s.order, s.compare}
		h.init()
		for len(h.e) > 0 && len(s.picked) < in.Limit {
			take(h.pop())
		}
	}
	if len(s.picked) > 0 {
		p.Fetch = make([]Candidate, len(s.picked))
		for j, i := range s.picked {
			p.Fetch[j] = s.cands[i]
		}
	}
	return p
}

// collect puts the candidates in s.cands, each with its place in the
// order in s.order, and returns how many files it leaves to donors in
// other regions.
func (s *scratch) collect(in PlanInput) (elsewhere int) {
	for k, lines := range in.Loc.Logs {
		if in.Held[k] || (in.Exclude != nil && in.Exclude(k)) || (in.Current != nil && !in.Current(k)) {
			continue
		}
		copies := annex.CopiesIn(lines, in.Loc.Trust, in.Donor) // a line of ours is stale: we do not hold it
		if copies >= in.Target {
			continue
		}
		size, ok := k.Size()
		if !ok || (in.MaxFileBytes > 0 && size > in.MaxFileBytes) {
			continue // keys without a size cannot be budgeted
		}
		inRegion := in.Places.inRegion(in.Loc, lines, in.Donor)
		if in.Places.crowded(lines, inRegion, in.Target) {
			elsewhere++
			continue
		}
		_, partial := in.Partial[k]
		// The per-donor rank is hashed once here, not at every comparison
		// of the sort (that made a plan of a 100k-file shard take seconds).
		c := Candidate{Key: k, Size: size, Copies: copies, Partial: partial, InRegion: inRegion, rank: rankOf(in.Donor, k)}
		s.room(len(in.Loc.Logs))
		s.order = append(s.order, orderOf(c, len(s.cands), in.MaxFileBytes > 0))
		s.cands = append(s.cands, c)
	}
	return elsewhere
}

// rankOf is donorOrder; tests make it coarse to force ties.
var rankOf = donorOrder

// donorOrder is a per-donor pseudo-random rank of a key.
func donorOrder(donor string, k annex.Key) uint64 {
	var buf [256]byte
	b := append(append(append(buf[:0], donor...), 0), k...)
	sum := sha256.Sum256(b)
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

// DonorRank is a key's place in the donor's own order: among files alike
// in everything else the plan puts them by DonorRank, then by key. A
// simulation (scripts/spreadsim) uses it to hand the planner only the
// start of its order.
func DonorRank(donor string, k annex.Key) uint64 { return rankOf(donor, k) }
